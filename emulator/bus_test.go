package emulator

import (
	"strings"
	"testing"
)

// recorder is a port device that remembers the offsets it saw and answers
// reads with its offset.
type recorder struct{ outs, ins []uint16 }

func (r *recorder) Out(off uint16, data []byte) { r.outs = append(r.outs, off) }
func (r *recorder) In(off uint16, data []byte) {
	r.ins = append(r.ins, off)
	for i := range data {
		data[i] = byte(off)
	}
}

func TestBusOffsetsAreRelative(t *testing.T) {
	var b portBus
	d := &recorder{}
	if err := b.register("uart", 0x3f8, 8, d); err != nil {
		t.Fatal(err)
	}
	b.access(0x3fb, true, []byte{0x80})
	buf := []byte{0}
	b.access(0x3fd, false, buf)
	if len(d.outs) != 1 || d.outs[0] != 3 || len(d.ins) != 1 || d.ins[0] != 5 || buf[0] != 5 {
		t.Fatalf("device saw outs %v ins %v read %#x; want out at 3, in at 5", d.outs, d.ins, buf[0])
	}
}

func TestBusRefusesOverlap(t *testing.T) {
	cases := []struct {
		name       string
		base, size uint16
		ok         bool
	}{
		{"inside", 0x3f9, 1, false},
		{"straddles start", 0x3f0, 9, false},
		{"straddles end", 0x3ff, 2, false},
		{"adjacent below", 0x3f0, 8, true},
		{"adjacent above", 0x400, 8, true},
		{"beyond I/O space", 0xfffe, 4, false},
		{"empty", 0x500, 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b portBus
			if err := b.register("uart", 0x3f8, 8, &recorder{}); err != nil {
				t.Fatal(err)
			}
			err := b.register("other", c.base, c.size, &recorder{})
			if (err == nil) != c.ok {
				t.Fatalf("register(%#x, %d) error = %v, want ok=%v", c.base, c.size, err, c.ok)
			}
			if err != nil && c.size > 0 && int(c.base)+int(c.size) <= 1<<16 && !strings.Contains(err.Error(), "overlaps uart") {
				t.Errorf("error %q should name the device it overlaps", err)
			}
		})
	}
}

func TestBusUnclaimedReadsFFAndCounts(t *testing.T) {
	var b portBus
	buf := []byte{0, 0}
	b.access(0x80, false, buf)
	if buf[0] != 0xff || buf[1] != 0xff {
		t.Fatalf("unclaimed read gave % x, want ff ff", buf)
	}
	b.access(0x80, true, []byte{1})
	b.access(0x70, true, []byte{1})
	got := b.unclaimedAccesses()
	if len(got) != 2 || got[0] != (UnclaimedAccess{0x70, 1}) || got[1] != (UnclaimedAccess{0x80, 2}) {
		t.Fatalf("unclaimed = %+v, want 0x70×1 and 0x80×2", got)
	}
}
