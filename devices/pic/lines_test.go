package pic

import (
	"fmt"
	"testing"
)

func TestSlaveCascade(t *testing.T) {
	for irq := 8; irq < 16; irq++ {
		t.Run(fmt.Sprintf("IRQ %d", irq), func(t *testing.T) {
			r := newRig(t)
			r.initLinux(false, 0xFB, 0x00)
			r.raise(irq)
			r.wantINTR(true)
			r.wantVector(0x38 + uint8(irq-8))
			if got := r.isr(masterCmd); got != 0x04 {
				t.Errorf("master ISR = %#x, want IR2 in service", got)
			}
			if got := r.isr(slaveCmd); got != 1<<(irq-8) {
				t.Errorf("slave ISR = %#x, want bit %d", got, irq-8)
			}
			r.eoi(irq)
			if r.isr(masterCmd) != 0 || r.isr(slaveCmd) != 0 {
				t.Error("ISRs not clear after EOIs to slave and master")
			}
			r.wantINTR(false)
		})
	}
	t.Run("two slave requests come out in turn", func(t *testing.T) {
		r := newRig(t)
		r.initLinux(false, 0xFB, 0x00)
		r.raise(14)
		r.raise(9)
		r.wantVector(0x39)
		r.wantINTR(false) // IR2 in service on the master
		r.eoi(9)
		r.wantINTR(true)
		r.wantVector(0x3E)
	})
	t.Run("masked on the master, the slave is silent", func(t *testing.T) {
		r := newRig(t)
		r.initLinux(false, 0xFF, 0x00)
		r.raise(8)
		r.wantINTR(false)
		r.outb(0xFB, masterData)
		r.wantINTR(true)
		r.wantVector(0x38)
	})
}

func TestSpurious(t *testing.T) {
	t.Run("edge request withdrawn before INTA gives IRQ 7", func(t *testing.T) {
		r := newRig(t)
		r.initLinux(false, 0x00, 0x00)
		r.raise(4)
		r.wantINTR(true)
		r.lower(4)
		r.wantINTR(false)
		r.wantVector(0x37)
		if got := r.isr(masterCmd); got != 0 {
			t.Errorf("ISR = %#x after a spurious IRQ 7, want 0 (Linux checks this)", got)
		}
	})
	t.Run("level request withdrawn before INTA gives IRQ 7", func(t *testing.T) {
		r := newRig(t)
		r.initLinux(false, 0x00, 0x00)
		r.outb(0x20, elcrMaster) // IRQ 5 level triggered
		r.raise(5)
		r.lower(5)
		r.wantVector(0x37)
	})
	t.Run("slave request withdrawn before INTA gives IRQ 7 on the master", func(t *testing.T) {
		r := newRig(t)
		r.initLinux(false, 0xFB, 0x00)
		r.raise(11)
		r.lower(11)
		r.wantINTR(false)
		r.wantVector(0x37)
	})
	t.Run("master sees IR2 but the slave has nothing: IRQ 15", func(t *testing.T) {
		r := newRig(t)
		r.initLinux(false, 0xFB, 0x00)
		r.raise(2) // the external IRQ 2 line shares IR2 with the slave
		r.wantINTR(true)
		r.wantVector(0x3F)
		if got := r.isr(masterCmd); got != 0x04 {
			t.Errorf("master ISR = %#x, want IR2 in service", got)
		}
		if got := r.isr(slaveCmd); got != 0 {
			t.Errorf("slave ISR = %#x, want 0", got)
		}
		r.outb(0x62, masterCmd) // Linux's spurious IRQ 15 path: EOI the master only
		if got := r.isr(masterCmd); got != 0 {
			t.Errorf("master ISR = %#x after EOI", got)
		}
	})
	t.Run("nothing at all gives IRQ 7", func(t *testing.T) {
		r := newRig(t)
		r.initLinux(false, 0x00, 0x00)
		r.wantVector(0x37)
	})
}

func TestLevelAndEdgeTriggering(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(r *rig)
		irq   int
		level bool
	}{
		{"edge by default", func(r *rig) {}, 10, false},
		{"level by ELCR 0x4D1 bit 2", func(r *rig) { r.outb(0x04, elcrSlave) }, 10, true},
		{"level by ELCR 0x4D0 bit 5", func(r *rig) { r.outb(0x20, elcrMaster) }, 5, true},
		{"level by ICW1 LTIM", func(r *rig) {
			r.outb(0x19, masterCmd)
			r.outb(0x30, masterData)
			r.outb(0x04, masterData)
			r.outb(0x01, masterData)
		}, 5, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			r.initLinux(false, 0x00, 0x00)
			tc.setup(r)
			vector := 0x30 + uint8(tc.irq)
			r.raise(tc.irq)
			r.wantVector(vector)
			r.eoi(tc.irq)
			// The line is still high: a level input asks again, an edge one
			// does not until the line falls and rises.
			r.wantINTR(tc.level)
			if tc.level {
				r.wantVector(vector)
				r.lower(tc.irq) // the device was serviced
				r.eoi(tc.irq)
				r.wantINTR(false)
				return
			}
			r.pulse(tc.irq)
			r.wantINTR(true)
			r.wantVector(vector)
		})
	}
	t.Run("ELCR read-only bits", func(t *testing.T) {
		r := newRig(t)
		r.outb(0xFF, elcrMaster)
		r.outb(0xFF, elcrSlave)
		if got := r.inb(elcrMaster); got != 0xF8 {
			t.Errorf("ELCR master = %#x, want 0xf8 (IRQ 0-2 edge only)", got)
		}
		if got := r.inb(elcrSlave); got != 0xDE {
			t.Errorf("ELCR slave = %#x, want 0xde (IRQ 8 and 13 edge only)", got)
		}
	})
	t.Run("16-bit ELCR write sets both", func(t *testing.T) {
		r := newRig(t)
		r.p.ELCR().Out(0, []byte{0x20, 0x0C})
		b := []byte{0, 0}
		r.p.ELCR().In(0, b)
		if b[0] != 0x20 || b[1] != 0x0C {
			t.Errorf("ELCR = % x, want 20 0c", b)
		}
	})
	t.Run("a high level input becomes a request when switched to level", func(t *testing.T) {
		r := newRig(t)
		r.initLinux(false, 0x00, 0x00)
		r.raise(11)
		r.wantVector(0x3B)
		r.eoi(11)
		r.wantINTR(false)
		r.outb(0x08, elcrSlave)
		r.wantINTR(true)
	})
}
