package pic

import (
	"testing"

	"github.com/pollscope/pollscope/devices"
)

// Ports as a PC maps them.
const (
	masterCmd  = 0x20
	masterData = 0x21
	slaveCmd   = 0xA0
	slaveData  = 0xA1
	elcrMaster = 0x4D0
	elcrSlave  = 0x4D1
)

// rig is a Pair on a little port bus, with its INT output recorded.
type rig struct {
	t      *testing.T
	p      *Pair
	levels []bool // every level driven on INT, in order
}

// newRig returns a rig on a fresh Pair in its power-on state.
func newRig(t *testing.T) *rig {
	r := &rig{t: t}
	r.p = New(devices.LineFunc(func(high bool) { r.levels = append(r.levels, high) }))
	return r
}

// port maps a PC port number to its device and offset.
func (r *rig) port(port uint16) (devices.PortDevice, uint16) {
	switch port {
	case masterCmd, masterData:
		return r.p.Master(), port - masterCmd
	case slaveCmd, slaveData:
		return r.p.Slave(), port - slaveCmd
	case elcrMaster, elcrSlave:
		return r.p.ELCR(), port - elcrMaster
	}
	r.t.Fatalf("no PIC port %#x", port)
	return nil, 0
}

// outb and inb are the guest's port instructions.
func (r *rig) outb(v uint8, port uint16) {
	d, off := r.port(port)
	d.Out(off, []byte{v})
}

func (r *rig) inb(port uint16) uint8 {
	d, off := r.port(port)
	b := []byte{0}
	d.In(off, b)
	return b[0]
}

// raise and lower drive an input line as a device does.
func (r *rig) raise(irq int) { r.p.IRQ(irq).SetLevel(true) }
func (r *rig) lower(irq int) { r.p.IRQ(irq).SetLevel(false) }

// pulse is what an edge-triggered device such as the PIT does for one tick.
func (r *rig) pulse(irq int) { r.lower(irq); r.raise(irq) }

// initLinux replays arch/x86/kernel/i8259.c's init_8259A: mask everything,
// ICW1-ICW4 to the master (vectors 0x30-0x37) and the slave (0x38-0x3F),
// then restore the cached masks.
func (r *rig) initLinux(autoEOI bool, masterMask, slaveMask uint8) {
	icw4 := uint8(ICW4UPM)
	if autoEOI {
		icw4 |= ICW4AEOI
	}
	r.outb(0xFF, masterData)
	r.outb(0xFF, slaveData)
	r.outb(0x11, masterCmd)
	r.outb(0x30, masterData)
	r.outb(1<<2, masterData)
	r.outb(icw4, masterData)
	r.outb(0x11, slaveCmd)
	r.outb(0x38, slaveData)
	r.outb(2, slaveData)
	r.outb(ICW4UPM, slaveData)
	r.outb(masterMask, masterData)
	r.outb(slaveMask, slaveData)
}

// eoi replays Linux's mask_and_ack_8259A minus the masking: specific EOI to
// the slave and the cascade IR on the master for IRQ 8-15, to the master
// alone otherwise.
func (r *rig) eoi(irq int) {
	if irq >= 8 {
		r.outb(0x60+uint8(irq&7), slaveCmd)
		r.outb(0x60+2, masterCmd)
		return
	}
	r.outb(0x60+uint8(irq), masterCmd)
}

// isr reads the in-service register as Linux's i8259A_irq_real does: OCW3
// 0x0B selects ISR, a read of the command port, OCW3 0x0A selects IRR again.
func (r *rig) isr(cmd uint16) uint8 {
	r.outb(0x0B, cmd)
	v := r.inb(cmd)
	r.outb(0x0A, cmd)
	return v
}

// irr reads the request register (the default OCW3 selection).
func (r *rig) irr(cmd uint16) uint8 { return r.inb(cmd) }

func (r *rig) wantINTR(want bool) {
	r.t.Helper()
	if got := r.p.INTR(); got != want {
		r.t.Fatalf("INTR = %v, want %v", got, want)
	}
}

func (r *rig) wantVector(want uint8) {
	r.t.Helper()
	if got := r.p.Acknowledge(); got != want {
		r.t.Fatalf("Acknowledge = %#x, want %#x", got, want)
	}
}
