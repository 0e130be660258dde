package pic

import (
	"testing"
)

func TestPriority(t *testing.T) {
	t.Run("several pending come out highest first", func(t *testing.T) {
		r := newRig(t)
		r.initLinux(false, 0x00, 0x00)
		for _, irq := range []int{5, 3, 1, 12} {
			r.raise(irq)
		}
		// IRQ 12 arrives through IR2, which ranks between IR1 and IR3.
		for _, want := range []struct {
			irq    int
			vector uint8
		}{{1, 0x31}, {12, 0x3C}, {3, 0x33}, {5, 0x35}} {
			r.wantINTR(true)
			r.wantVector(want.vector)
			r.eoi(want.irq)
		}
		r.wantINTR(false)
	})
	t.Run("fully nested: a higher level interrupts, a lower one waits", func(t *testing.T) {
		r := newRig(t)
		r.initLinux(false, 0x00, 0xFF)
		r.raise(4)
		r.wantVector(0x34)
		r.raise(6)
		r.wantINTR(false)
		r.raise(1)
		r.wantINTR(true)
		r.wantVector(0x31)
		if got := r.isr(masterCmd); got != 0x12 {
			t.Fatalf("ISR = %#x, want IR1 and IR4 in service", got)
		}
		r.outb(0x20, masterCmd) // non-specific EOI ends the highest: IR1
		r.wantINTR(false)
		r.outb(0x20, masterCmd) // then IR4, and IR6 gets through
		r.wantINTR(true)
		r.wantVector(0x36)
	})
	t.Run("an in-service level blocks its own new request", func(t *testing.T) {
		r := newRig(t)
		r.initLinux(false, 0x00, 0xFF)
		r.raise(0)
		r.wantVector(0x30)
		r.pulse(0)
		r.wantINTR(false)
		r.eoi(0)
		r.wantINTR(true)
	})
}

func TestAutoEOI(t *testing.T) {
	r := newRig(t)
	r.initLinux(true, 0x00, 0xFF)
	r.raise(3)
	r.wantVector(0x33)
	if got := r.isr(masterCmd); got != 0 {
		t.Fatalf("ISR = %#x in auto-EOI mode, want 0", got)
	}
	r.raise(5)
	r.wantINTR(true) // nothing in service blocks a lower level
	r.wantVector(0x35)

	// Rotate in auto-EOI mode: each served level becomes the lowest.
	r.outb(OCW2RotateAEOISet, masterCmd)
	r.pulse(1)
	r.pulse(6)
	r.wantVector(0x31) // now IR2 has the highest priority
	r.pulse(1)
	r.wantVector(0x36) // IR6 beats IR1, which is the lowest
	r.wantVector(0x31)
	r.outb(OCW2RotateAEOIClear, masterCmd)
	if got := r.p.State().Master.RotateOnAutoEOI; got {
		t.Error("rotate in auto-EOI still on after OCW2 0x00")
	}
}

func TestRotation(t *testing.T) {
	for _, tc := range []struct {
		name    string
		setup   func(r *rig)
		pending []int
		first   uint8
	}{
		{"default: IR0 highest", func(r *rig) {}, []int{0, 7}, 0x30},
		{"set priority 0xC4: IR4 lowest, IR5 highest", func(r *rig) { r.outb(0xC4, masterCmd) }, []int{3, 6}, 0x36},
		{"set priority 0xC7: back to IR0 highest", func(r *rig) { r.outb(0xC4, masterCmd); r.outb(0xC7, masterCmd) }, []int{0, 7}, 0x30},
		{"rotate on non-specific EOI makes the served level lowest", func(r *rig) {
			r.pulse(3)
			r.wantVector(0x33)
			r.outb(0xA0, masterCmd)
		}, []int{3, 4}, 0x34},
		{"rotate on specific EOI 0xE5: IR6 highest", func(r *rig) { r.outb(0xE5, masterCmd) }, []int{0, 6}, 0x36},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			r.initLinux(false, 0x00, 0xFF)
			tc.setup(r)
			for _, irq := range tc.pending {
				r.pulse(irq)
			}
			r.wantVector(tc.first)
		})
	}
}

func TestPoll(t *testing.T) {
	r := newRig(t)
	r.initLinux(false, 0x00, 0x00)
	r.raise(3)
	r.raise(6)
	r.outb(0x0C, masterCmd) // OCW3 poll
	if got := r.inb(masterCmd); got != 0x83 {
		t.Fatalf("poll = %#x, want 0x83", got)
	}
	if got := r.isr(masterCmd); got != 0x08 {
		t.Fatalf("ISR = %#x after the poll, want IR3 in service", got)
	}
	r.outb(0x0C, masterCmd)
	if got := r.inb(masterData); got != 0 {
		t.Errorf("poll while IR3 in service = %#x, want 0 (IR6 is lower)", got)
	}
	if got := r.inb(masterData); got != 0x00 {
		t.Errorf("IMR after the poll = %#x, want 0", got)
	}
	r.eoi(3)
	r.outb(0x0C, masterCmd)
	if got := r.inb(masterData); got != 0x86 {
		t.Errorf("poll through the data port = %#x, want 0x86", got)
	}

	// A slave IRQ: the master's poll names IR2, then the slave's names it.
	r.eoi(6)
	r.raise(13)
	r.outb(0x0C, masterCmd)
	if got := r.inb(masterCmd); got != 0x82 {
		t.Errorf("master poll = %#x, want 0x82", got)
	}
	r.outb(0x0C, slaveCmd)
	if got := r.inb(slaveCmd); got != 0x85 {
		t.Errorf("slave poll = %#x, want 0x85", got)
	}
}

func TestSpecialMaskMode(t *testing.T) {
	for _, tc := range []struct {
		name string
		smm  bool
		want bool
	}{
		{"normal mode: IR3 in service blocks IR5", false, false},
		{"special mask mode: masking IR3 lets IR5 through", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			r.initLinux(false, 0x00, 0xFF)
			r.raise(3)
			r.wantVector(0x33)
			// The handler masks its own level and (maybe) enters special mask mode.
			r.outb(0x08, masterData)
			if tc.smm {
				r.outb(0x68, masterCmd)
			}
			r.raise(5)
			r.wantINTR(tc.want)
			if !tc.want {
				return
			}
			r.wantVector(0x35)
			if got := r.isr(masterCmd); got != 0x28 {
				t.Errorf("ISR = %#x, want IR3 and IR5", got)
			}
			r.raise(1) // higher levels get through as well
			r.wantVector(0x31)
			r.outb(0x48, masterCmd) // leave special mask mode
			r.eoi(1)
			r.eoi(5)
			r.eoi(3)
			r.outb(0x00, masterData)
			r.wantINTR(false)
		})
	}
}
