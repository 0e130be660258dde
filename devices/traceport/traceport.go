// Package traceport is pollscope's paravirtual trace announcement port: the
// one I/O port through which a guest tells the host, once, where its trace
// ring is (docs/trace-abi.md). After that the host reads the ring from guest
// memory and the guest never exits to report an event.
//
// The guest writes the physical address of the ring's 64-byte header with a
// single 32-bit OUT to the port's first byte. The port does not look at the
// ring: it hands the address to the host's Announce function, which checks
// the header and says whether it took it. Writes of another width or at
// another offset, and every announcement after an accepted one, are
// refused and counted. Reads return all ones, as from a port nothing drives.
package traceport

import "github.com/pollscope/pollscope/devices"

// Port is the announcement port.
type Port struct {
	announce func(addr uint32) bool
	s        State
}

// State is what the port has seen.
type State struct {
	Accepted bool   // an announcement was taken; later ones are refused
	Refused  uint64 // writes that did not name a ring the host took
}

var _ devices.PortDevice = (*Port)(nil)

// New returns a port that passes each candidate ring address to announce,
// which reports whether the host accepted it.
func New(announce func(addr uint32) bool) *Port { return &Port{announce: announce} }

// In reads all ones: the port has nothing to say.
func (p *Port) In(off uint16, data []byte) {
	for i := range data {
		data[i] = 0xff
	}
}

// Out takes a 32-bit write at offset 0 as the ring header's address.
func (p *Port) Out(off uint16, data []byte) {
	if off != 0 || len(data) != 4 || p.s.Accepted {
		p.s.Refused++
		return
	}
	if p.announce(devices.Value(data)) {
		p.s.Accepted = true
		return
	}
	p.s.Refused++
}

// State returns what the port has seen.
func (p *Port) State() State { return p.s }
