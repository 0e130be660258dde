package pit

import (
	"math/big"
	"testing"

	"github.com/pollscope/pollscope/devices"
)

// PC port numbers.
const (
	port40 = 0x40
	port41 = 0x41
	port42 = 0x42
	port43 = 0x43
	port61 = 0x61
)

// rig is a PIT on a manual clock, with IRQ 0 watched like an edge-triggered
// PIC input.
type rig struct {
	t     *testing.T
	clock *devices.ManualClock
	p     *PIT
	level bool // IRQ 0's current level
	rises int  // low-to-high transitions of IRQ 0
	calls int  // SetLevel calls
}

// newRig returns a rig whose clock starts at start.
func newRig(t *testing.T, start devices.Time) *rig {
	r := &rig{t: t, clock: &devices.ManualClock{T: start}}
	r.p = New(r.clock, devices.LineFunc(func(h bool) {
		r.calls++
		if h && !r.level {
			r.rises++
		}
		r.level = h
	}))
	return r
}

// settle reports OUT0's edges so far and forgets the rises they caused.
func (r *rig) settle() {
	r.p.Advance(r.clock.T)
	r.rises = 0
}

// outb and inb are the guest's port instructions.
func (r *rig) outb(v uint8, port uint16) {
	if port == port61 {
		r.p.PortB().Out(0, []byte{v})
		return
	}
	r.p.Ports().Out(port-port40, []byte{v})
}

func (r *rig) inb(port uint16) uint8 {
	b := []byte{0}
	if port == port61 {
		r.p.PortB().In(0, b)
	} else {
		r.p.Ports().In(port-port40, b)
	}
	return b[0]
}

// word reads a two-byte count, LSB first.
func (r *rig) word(port uint16) uint16 {
	lo := r.inb(port)
	return uint16(r.inb(port))<<8 | uint16(lo)
}

// program writes a control word and, if count >= 0, a count in the access
// mode the control word selects.
func (r *rig) program(cw uint8, port uint16, count int) {
	r.outb(cw, port43)
	if count < 0 {
		return
	}
	switch cw & CWAccessMask >> CWAccessShift {
	case AccessLSB:
		r.outb(uint8(count), port)
	case AccessMSB:
		r.outb(uint8(count>>8), port)
	default:
		r.outb(uint8(count), port)
		r.outb(uint8(count>>8), port)
	}
}

// ticks is the current tick, computed independently of the PIT.
func (r *rig) ticks() uint64 {
	v := new(big.Int).Mul(big.NewInt(int64(r.clock.T)), big.NewInt(Hz))
	return v.Div(v, big.NewInt(1e9)).Uint64()
}

// toTick moves the clock to the first instant of tick n.
func (r *rig) toTick(n uint64) {
	v := new(big.Int).Mul(new(big.Int).SetUint64(n), big.NewInt(1e9))
	v.Add(v, big.NewInt(Hz-1))
	r.clock.T = devices.Time(v.Div(v, big.NewInt(Hz)).Int64())
}

// advance moves the clock n ticks on from the current tick's start.
func (r *rig) advance(n uint64) { r.toTick(r.ticks() + n) }

// status latches and reads counter n's status with the read-back command.
func (r *rig) status(n int) uint8 {
	r.outb(0xE0|2<<n, port43)
	return r.inb(port40 + uint16(n))
}

// out2 is bit 5 of port 0x61.
func (r *rig) out2() bool { return r.inb(port61)&PortBOUT2 != 0 }

func (r *rig) wantWord(port uint16, what string, want uint16) {
	r.t.Helper()
	if got := r.word(port); got != want {
		r.t.Fatalf("%s = %#04x, want %#04x", what, got, want)
	}
}

// Durations of machine time for the tests (second is the package's own).
const (
	microsecond devices.Time = 1000
	hour                     = 3600 * second
)
