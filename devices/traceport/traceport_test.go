package traceport

import "testing"

// The demo kernel's trace::init does one `outl` of the ring header's
// physical address to the port; everything else is refused and counted.
func TestAnnouncements(t *testing.T) {
	type write struct {
		off  uint16
		data []byte
	}
	for _, tc := range []struct {
		name     string
		hostOK   bool
		writes   []write
		wantAddr []uint32
		accepted bool
		refused  uint64
	}{
		{"one outl is taken", true, []write{{0, []byte{0x40, 0x00, 0x20, 0x00}}}, []uint32{0x200040}, true, 0},
		{"a second one is refused unseen", true, []write{{0, []byte{0x40, 0, 0x20, 0}}, {0, []byte{0x80, 0, 0x20, 0}}}, []uint32{0x200040}, true, 1},
		{"byte and word writes are refused", true, []write{{0, []byte{1}}, {0, []byte{1, 2}}}, nil, false, 2},
		{"another offset is refused", true, []write{{2, []byte{1, 2, 3, 4}}}, nil, false, 1},
		{"a header the host rejects leaves the port open", false, []write{{0, []byte{1, 0, 0, 0}}, {0, []byte{2, 0, 0, 0}}}, []uint32{1, 2}, false, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []uint32
			p := New(func(a uint32) bool { got = append(got, a); return tc.hostOK })
			for _, w := range tc.writes {
				p.Out(w.off, w.data)
			}
			if len(got) != len(tc.wantAddr) {
				t.Fatalf("host saw %x, want %x", got, tc.wantAddr)
			}
			for i := range got {
				if got[i] != tc.wantAddr[i] {
					t.Fatalf("host saw %x, want %x", got, tc.wantAddr)
				}
			}
			if s := p.State(); s.Accepted != tc.accepted || s.Refused != tc.refused {
				t.Fatalf("state %+v, want accepted=%v refused=%d", s, tc.accepted, tc.refused)
			}
		})
	}
	p := New(func(uint32) bool { return true })
	b := []byte{0, 0, 0, 0}
	p.In(0, b)
	if b[0] != 0xff || b[3] != 0xff {
		t.Fatalf("read %x, want all ones", b)
	}
}
