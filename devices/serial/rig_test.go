package serial

import (
	"bytes"
	"testing"

	"github.com/pollscope/pollscope/devices"
)

// rig is a UART at COM1 with its output captured and its IRQ line recorded.
type rig struct {
	t      *testing.T
	u      *UART
	out    bytes.Buffer
	levels []bool // every level driven on the IRQ line, in order
}

// newRig returns a rig on a UART in its power-on state.
func newRig(t *testing.T) *rig {
	r := &rig{t: t}
	r.u = New(devices.LineFunc(func(h bool) { r.levels = append(r.levels, h) }), &r.out)
	return r
}

// outb and inb are the guest's port instructions, by register offset.
func (r *rig) outb(v uint8, reg uint16) { r.u.Out(reg, []byte{v}) }

func (r *rig) inb(reg uint16) uint8 {
	b := []byte{0}
	r.u.In(reg, b)
	return b[0]
}

// irq is the level the UART last drove on its line.
func (r *rig) irq() bool { return len(r.levels) > 0 && r.levels[len(r.levels)-1] }

func (r *rig) want(reg uint16, name string, want uint8) {
	r.t.Helper()
	if got := r.inb(reg); got != want {
		r.t.Fatalf("%s = %#02x, want %#02x", name, got, want)
	}
}

func (r *rig) wantIRQ(want bool) {
	r.t.Helper()
	if r.irq() != want {
		r.t.Fatalf("IRQ line %v, want %v (driven %v)", r.irq(), want, r.levels)
	}
}

// setup replays the 8250 driver's startup for a 115200 8N1 port with FIFOs
// (FCR 0xC7: enable, clear both, trigger 14), DTR, RTS and OUT2, and the
// receive and line-status interrupts enabled.
func (r *rig) setup() {
	r.outb(LCRDLAB, RegLCR)
	r.outb(0x01, RegDLL)
	r.outb(0x00, RegDLM)
	r.outb(0x03, RegLCR)
	r.outb(0xC7, RegFCR)
	r.outb(MCRDTR|MCRRTS|MCROUT2, RegMCR)
	r.outb(IERERBFI|IERELSI, RegIER)
}
