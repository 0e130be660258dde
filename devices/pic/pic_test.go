package pic

import (
	"testing"

	"github.com/pollscope/pollscope/devices"
)

func TestLinuxInitSequence(t *testing.T) {
	r := newRig(t)
	r.initLinux(false, 0xFB, 0xFF)
	if got := r.inb(masterData); got != 0xFB {
		t.Errorf("master IMR = %#x, want 0xfb", got)
	}
	if got := r.inb(slaveData); got != 0xFF {
		t.Errorf("slave IMR = %#x, want 0xff", got)
	}
	s := r.p.State()
	if s.Master.VectorBase != 0x30 || s.Slave.VectorBase != 0x38 {
		t.Errorf("vector bases %#x/%#x, want 0x30/0x38", s.Master.VectorBase, s.Slave.VectorBase)
	}
	if s.Master.InitStep != InitDone || s.Slave.InitStep != InitDone {
		t.Errorf("init steps %d/%d, want both done", s.Master.InitStep, s.Slave.InitStep)
	}
	r.wantINTR(false)
	r.outb(0xFA, masterData) // unmask IRQ 0
	r.pulse(0)
	r.wantINTR(true)
	r.wantVector(0x30)
	r.wantINTR(false)
	if got := r.isr(masterCmd); got != 0x01 {
		t.Errorf("ISR after acknowledge = %#x, want 0x01", got)
	}
	r.eoi(0)
	if got := r.isr(masterCmd); got != 0 {
		t.Errorf("ISR after EOI = %#x, want 0", got)
	}
}

func TestPowerOnStateIsSeaBIOSLike(t *testing.T) {
	r := newRig(t)
	if got := r.inb(masterData); got != 0xFB {
		t.Errorf("master IMR = %#x, want 0xfb (all masked but the cascade)", got)
	}
	if got := r.inb(slaveData); got != 0xFF {
		t.Errorf("slave IMR = %#x, want 0xff", got)
	}
	r.pulse(0)
	r.wantINTR(false)
	r.outb(0xFA, masterData)
	r.wantINTR(true)
	r.wantVector(0x08)
}

func TestMasksAndEOIs(t *testing.T) {
	for _, tc := range []struct {
		name string
		eoi  func(r *rig)
	}{
		{"specific EOI (Linux)", func(r *rig) { r.outb(0x63, masterCmd) }},
		{"non-specific EOI", func(r *rig) { r.outb(0x20, masterCmd) }},
		{"rotate on specific EOI", func(r *rig) { r.outb(0xE3, masterCmd) }},
		{"rotate on non-specific EOI", func(r *rig) { r.outb(0xA0, masterCmd) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			r.initLinux(false, 0xFF, 0xFF)
			r.raise(3)
			r.wantINTR(false) // masked: requested but silent
			if got := r.irr(masterCmd); got&0x08 == 0 {
				t.Fatalf("IRR = %#x, want bit 3 latched while masked", got)
			}
			r.outb(0xF7, masterData) // unmask IRQ 3
			r.wantINTR(true)
			r.wantVector(0x33)
			r.lower(3)
			r.raise(3) // a second edge while the first is in service
			r.wantINTR(false)
			tc.eoi(r)
			r.wantINTR(true) // the second edge was kept in IRR
			r.wantVector(0x33)
			tc.eoi(r)
			r.wantINTR(false)
			if got := r.isr(masterCmd); got != 0 {
				t.Errorf("ISR = %#x after the last EOI", got)
			}
		})
	}
}

func TestICW1Resets(t *testing.T) {
	r := newRig(t)
	r.initLinux(false, 0x00, 0xFF)
	r.outb(0x20, elcrMaster)
	r.raise(3)
	r.raise(4)
	r.wantVector(0x33)
	r.outb(0xC2, masterCmd) // rotate priority
	r.outb(0x0B, masterCmd) // read ISR
	r.outb(0x11, masterCmd)
	s := r.p.State().Master
	if s.IMR != 0 || s.ISR != 0 || s.Highest != 0 || s.ReadISR {
		t.Errorf("after ICW1: IMR %#x ISR %#x highest %d readISR %v, want all reset", s.IMR, s.ISR, s.Highest, s.ReadISR)
	}
	if s.IRR != 0 {
		t.Errorf("after ICW1: IRR = %#x, want edge requests forgotten", s.IRR)
	}
	if s.ELCR != 0x20 {
		t.Errorf("after ICW1: ELCR = %#x, want it untouched", s.ELCR)
	}
	r.outb(0x40, masterData) // ICW2
	r.outb(0x04, masterData) // ICW3
	r.outb(0x03, masterData) // ICW4 with AEOI
	r.outb(0x00, masterData) // OCW1
	r.wantINTR(false)        // IR4 still high but needs a new edge
	r.pulse(4)
	r.wantVector(0x44)
}

func TestInitVariants(t *testing.T) {
	for _, tc := range []struct {
		name string
		icws []uint8 // ICW1 then the data-port writes of the sequence
		mask uint8   // the OCW1 that follows
		want uint8   // vector for IRQ 2 pulsed on a single master
	}{
		{"single mode with ICW4 skips ICW3", []uint8{0x13, 0x50, 0x01}, 0x00, 0x52},
		{"single mode without ICW4", []uint8{0x12, 0x60}, 0x00, 0x62},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			r.outb(tc.icws[0], masterCmd)
			for _, v := range tc.icws[1:] {
				r.outb(v, masterData)
			}
			r.outb(tc.mask, masterData)
			if got := r.inb(masterData); got != tc.mask {
				t.Fatalf("IMR = %#x: the sequence did not end where expected", got)
			}
			r.raise(2)
			r.wantVector(tc.want) // in single mode IR2 is an ordinary input
		})
	}
	t.Run("cascade without ICW4 turns auto-EOI off", func(t *testing.T) {
		r := newRig(t)
		r.initLinux(true, 0, 0)
		r.outb(0x10, masterCmd)
		r.outb(0x30, masterData)
		r.outb(0x04, masterData)
		r.outb(0x00, masterData) // already OCW1
		r.raise(1)
		r.wantVector(0x31)
		if got := r.isr(masterCmd); got != 0x02 {
			t.Errorf("ISR = %#x, want IR1 (auto-EOI off)", got)
		}
	})
}

func TestINTROnlyDrivenOnChange(t *testing.T) {
	r := newRig(t)
	r.initLinux(false, 0x00, 0x00)
	r.raise(3)
	r.raise(4)
	r.raise(3)
	r.inb(masterCmd)
	r.outb(0x00, masterData)
	r.wantVector(0x33)
	r.eoi(3)
	r.wantVector(0x34)
	r.eoi(4)
	want := []bool{true, false, true, false}
	if len(r.levels) != len(want) {
		t.Fatalf("INT driven %v, want %v", r.levels, want)
	}
	for i := range want {
		if r.levels[i] != want[i] {
			t.Fatalf("INT driven %v, want %v", r.levels, want)
		}
	}
}

func TestWideAccessSplitsIntoBytes(t *testing.T) {
	r := newRig(t)
	r.initLinux(false, 0x00, 0x00)
	r.p.Master().Out(0, []byte{0x0B, 0x5A}) // OCW3 read ISR, then IMR 0x5A
	b := []byte{0, 0, 0, 0}
	r.p.Master().In(0, b)
	if b[0] != 0 || b[1] != 0x5A || b[2] != 0xFF || b[3] != 0xFF {
		t.Errorf("inl = % x, want ISR 00, IMR 5a, then ff ff", b)
	}
}

func TestStateRoundTrip(t *testing.T) {
	r := newRig(t)
	r.initLinux(false, 0x00, 0x00)
	r.outb(0x08, elcrSlave)
	r.raise(4)
	r.wantVector(0x34)
	r.raise(11) // IR2 outranks IR4 in service
	r.outb(0x0B, slaveCmd)
	s := r.p.State()

	var driven []bool
	q := New(devices.LineFunc(func(h bool) { driven = append(driven, h) }))
	q.SetState(s)
	if q.State() != s {
		t.Fatalf("round trip: got %+v, want %+v", q.State(), s)
	}
	if len(driven) != 1 || !driven[0] || !q.INTR() {
		t.Errorf("restored INT: driven %v, INTR %v, want one raise", driven, q.INTR())
	}
	if got := q.Acknowledge(); got != r.p.Acknowledge() || got != 0x3B {
		t.Errorf("restored pair acknowledges %#x, want 0x3b like the original", got)
	}
}
