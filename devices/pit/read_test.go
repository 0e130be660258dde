package pit

import (
	"testing"
)

// Every test here runs counter 2 with GATE high in mode 0 unless it says
// otherwise: its count falls by one per tick from the count written.

func TestCounterLatchInEveryAccessMode(t *testing.T) {
	for _, tc := range []struct {
		name   string
		access uint8
		count  int
		read   func(r *rig) uint16
		want   uint16 // after 0x123 ticks
	}{
		{"LSB only", AccessLSB, 0xF0, func(r *rig) uint16 { return uint16(r.inb(port42)) }, 0xCD}, // 0xF0-0x123 wraps to 0xFFCD
		{"MSB only", AccessMSB, 0x4000, func(r *rig) uint16 { return uint16(r.inb(port42)) << 8 }, (0x4000 - 0x123) & 0xFF00},
		{"LSB then MSB", AccessWord, 0x4000, func(r *rig) uint16 { return r.word(port42) }, 0x4000 - 0x123},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, 0)
			r.outb(PortBGate2, port61)
			r.program(0x80|tc.access<<4, port42, tc.count)
			r.advance(0x123)
			r.outb(0x80, port43) // counter latch, counter 2
			r.advance(0x55)
			r.outb(0x80, port43) // ignored: the first latch is unread
			if got := tc.read(r); got != tc.want {
				t.Fatalf("latched read = %#x, want %#x", got, tc.want)
			}
			// The latch is spent: the next read is live again.
			live := uint16(tc.count) - 0x123 - 0x55
			switch tc.access {
			case AccessLSB:
				live &= 0xFF
			case AccessMSB:
				live &= 0xFF00
			}
			if got := tc.read(r); got != live {
				t.Fatalf("live read = %#x, want %#x", got, live)
			}
		})
	}
}

func TestLatchPersistsUntilReadCompletely(t *testing.T) {
	r := newRig(t, 0)
	r.outb(PortBGate2, port61)
	r.program(0xB0, port42, 0x8000)
	r.advance(0x100)
	r.outb(0x80, port43)
	if got := r.inb(port42); got != 0x00 {
		t.Fatalf("latched LSB = %#x, want 0", got)
	}
	r.advance(0x300)
	r.outb(0x80, port43) // half read: still ignored
	if got := r.inb(port42); got != 0x7F {
		t.Fatalf("latched MSB = %#x, want 0x7f (latched 0x7f00)", got)
	}
	r.outb(0x80, port43) // now a fresh latch
	r.wantWord(port42, "second latch", 0x8000-0x400)
}

func TestReadBack(t *testing.T) {
	r := newRig(t, 0)
	r.outb(PortBGate2, port61)
	r.program(0x34, port40, 1000)      // counter 0: mode 2
	r.program(0xB0, port42, 0x1234)    // counter 2: mode 0
	r.program(0x56|CWBCD, port41, 0x5) // counter 1: LSB only, mode 3, BCD

	if got := r.status(2); got != StatusNullCount|0x30 {
		t.Errorf("counter 2 status right after the write = %#x, want null count, RW 3, mode 0, OUT low", got)
	}
	r.advance(10)
	for _, tc := range []struct {
		name string
		n    int
		want uint8
	}{
		{"counter 0 mode 2 OUT high", 0, StatusOUT | 0x34},
		{"counter 1 mode 3 LSB BCD", 1, StatusOUT | 0x16 | StatusBCD},
		{"counter 2 mode 0 OUT low", 2, 0x30},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r.t = t
			if got := r.status(tc.n); got != tc.want {
				t.Errorf("status = %#x, want %#x", got, tc.want)
			}
		})
	}

	t.Run("count and status of two counters in one command", func(t *testing.T) {
		r.t = t
		r.outb(0xC0|0x08|0x02, port43) // counters 2 and 0, count and status
		r.advance(100)
		if got := r.inb(port40); got != StatusOUT|0x34 {
			t.Errorf("counter 0 status = %#x", got)
		}
		r.wantWord(port40, "counter 0 count", 1000-10)
		if got := r.inb(port42); got != 0x30 {
			t.Errorf("counter 2 status = %#x", got)
		}
		r.wantWord(port42, "counter 2 count", 0x1234-10)
	})
	t.Run("status first even when the count was latched first", func(t *testing.T) {
		r.t = t
		r.outb(0xD0|0x08, port43) // count only, counter 2
		r.advance(5)
		r.outb(0xE0|0x08, port43) // status only, counter 2
		if got := r.inb(port42); got != 0x30 {
			t.Errorf("first read = %#x, want the status", got)
		}
		r.wantWord(port42, "then the count", 0x1234-110)
	})
	t.Run("a second status latch waits for the first to be read", func(t *testing.T) {
		r.t = t
		r.outb(0xE0|0x08, port43)
		r.advance(0x1234) // OUT2 rises
		r.outb(0xE0|0x08, port43)
		if got := r.inb(port42); got&StatusOUT != 0 {
			t.Errorf("status = %#x, want the first (OUT low)", got)
		}
		if got := r.status(2); got&StatusOUT == 0 {
			t.Errorf("fresh status = %#x, want OUT high", got)
		}
	})
}

func TestReadAndWriteFlipFlopsAreIndependent(t *testing.T) {
	r := newRig(t, 0)
	r.outb(PortBGate2, port61)
	r.program(0xB4, port42, 0x1234) // mode 2: the new count waits for the period's end
	r.advance(4)
	if got := r.inb(port42); got != 0x30 {
		t.Fatalf("LSB = %#x, want 0x30", got)
	}
	r.outb(0x78, port42) // new count, LSB...
	r.outb(0x56, port42) // ...and MSB
	if got := r.inb(port42); got != 0x12 {
		t.Fatalf("MSB = %#x, want 0x12: the read flip-flop moved", got)
	}
	r.advance(0x1230)
	r.wantWord(port42, "the new count's first value", 0x5678)
}

func TestDirectReadsFollowTheFlipFlop(t *testing.T) {
	// Linux's quick_pit_calibrate reads the LSB and the MSB of counter 2
	// directly and waits for the MSB to step down.
	r := newRig(t, 0)
	r.outb(r.inb(port61)&^PortBSpeakerData|PortBGate2, port61)
	r.program(0xB0, port42, 0xFFFF)
	for i := 0; i < 50; i++ {
		r.inb(port42) // LSB, discarded
		if got := r.inb(port42); got != 0xFF-uint8(i) {
			t.Fatalf("MSB after %d×256 ticks = %#x, want %#x", i, got, 0xFF-i)
		}
		r.advance(256)
	}
}

func TestControlWordDropsLatches(t *testing.T) {
	r := newRig(t, 0)
	r.outb(PortBGate2, port61)
	r.program(0xB0, port42, 0x1000)
	r.outb(0x80, port43)
	r.outb(0xE8, port43)
	r.inb(port42)               // status
	r.inb(port42)               // latched LSB
	r.program(0xB0, port42, -1) // MSB never read
	r.program(0xB0, port42, 0x2000)
	r.wantWord(port42, "count after reprogramming", 0x2000)
}

func TestBCD(t *testing.T) {
	for _, tc := range []struct {
		name  string
		count int
		ticks uint64
		want  uint16
	}{
		{"1000 after 1 tick is 0999", 0x1000, 1, 0x0999},
		{"1000 after 10 ticks is 0990", 0x1000, 10, 0x0990},
		{"1000 after 1000 ticks is 0000", 0x1000, 1000, 0x0000},
		{"1000 after 1001 ticks wraps to 9999", 0x1000, 1001, 0x9999},
		{"0 means 10000: after 1 tick 9999", 0x0000, 1, 0x9999},
		{"0 means 10000: after 10000 ticks 0000", 0x0000, 10000, 0x0000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, 0)
			r.outb(PortBGate2, port61)
			r.program(0xB1, port42, tc.count)
			r.advance(tc.ticks)
			r.outb(0x80, port43)
			r.wantWord(port42, "BCD count", tc.want)
			if got, want := r.out2(), tc.ticks >= 1000 && tc.count != 0 || tc.ticks >= 10000; got != want {
				t.Errorf("OUT2 = %v, want %v", got, want)
			}
		})
	}
	t.Run("mode 2 BCD 0 divides by 10000", func(t *testing.T) {
		r := newRig(t, 0)
		r.program(0x35, port40, 0)
		d, ok := r.p.NextDeadline()
		r.toTick(10000)
		if !ok || d != r.clock.T {
			t.Errorf("next deadline %v %v, want tick 10000 at %v", d, ok, r.clock.T)
		}
	})
}

func TestBinaryCountZeroIs65536(t *testing.T) {
	r := newRig(t, 0)
	r.outb(PortBGate2, port61)
	r.program(0xB0, port42, 0)
	r.advance(1)
	r.wantWord(port42, "count 0 after one tick", 0xFFFF)
	r.advance(0xFFFE)
	if r.out2() {
		t.Fatal("OUT2 high one tick before 65536")
	}
	r.advance(1)
	if !r.out2() {
		t.Fatal("OUT2 low after 65536 ticks")
	}
}

// Observe shows a counter's count and OUT without disturbing a guest's
// read in progress (QEMU's "info pit").
func TestObserveLeavesTheFlipFlops(t *testing.T) {
	r := newRig(t, 0)
	r.outb(0x30, port43) // counter 0, LSB then MSB, mode 0
	r.outb(0x00, port40)
	r.outb(0x10, port40) // count 0x1000
	r.clock.Advance(timeOfTick(0x100))
	lsb := r.inb(port40)
	o := r.p.Observe(0)
	if o.Count > 0x1000 || o.Count < 0xe00 || o.Out {
		t.Fatalf("Observe = %+v, want a count just under 0x1000 and OUT low in mode 0", o)
	}
	msb := r.inb(port40)
	if got := uint16(msb)<<8 | uint16(lsb); got > 0x1000 || got < 0xe00 {
		t.Fatalf("the guest's two-byte read gave %#x after Observe", got)
	}
}
