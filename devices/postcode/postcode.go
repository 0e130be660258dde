// Package postcode is port 0x80, where PC firmware writes its power-on
// self-test progress codes for a POST card to display, and where operating
// systems write to wait one ISA bus cycle (Linux's outb_p, "I/O delay").
//
// The port latches the last code written; reads return it, as on boards
// that latch it for the POST display.
package postcode

import "github.com/pollscope/pollscope/devices"

// Port is the POST code latch.
type Port struct {
	s State
}

// State is the latched code.
type State struct {
	Code uint8 // last byte written
}

var _ devices.PortDevice = (*Port)(nil)

// New returns a latch holding 0.
func New() *Port { return &Port{} }

// In returns the latched code in every byte of data.
func (p *Port) In(off uint16, data []byte) {
	for i := range data {
		data[i] = p.s.Code
	}
}

// Out latches the low byte written.
func (p *Port) Out(off uint16, data []byte) {
	if len(data) > 0 {
		p.s.Code = data[0]
	}
}

// State returns the latched code.
func (p *Port) State() State { return p.s }

// SetState restores a latched code.
func (p *Port) SetState(s State) { p.s = s }
