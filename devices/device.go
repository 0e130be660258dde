// Package devices holds the interfaces shared by pollscope's device models.
//
// Each model lives in a package of its own below this one (pic, pit, ps2,
// serial, vga, debugexit) and is a pure state machine: it sees only register
// accesses at offsets from its own base, raises interrupts through an IRQLine,
// learns the time from a Clock and sends output to an io.Writer or a callback.
// It never sees the vCPU, the port bus, the UI or the wall clock, and it is not
// safe for concurrent use: the machine serialises every call into a device.
// No device package imports time, os or another device (a test in this
// package checks): what a device knows of the world comes in through these
// interfaces.
package devices

// PortDevice is a device on the I/O port bus. The bus owns the base address
// and passes the offset of the accessed port from that base; data is the
// access's width (1, 2 or 4 bytes), little-endian. In fills data; Out reads it.
type PortDevice interface {
	In(off uint16, data []byte)
	Out(off uint16, data []byte)
}

// IRQLine is one interrupt request wire from a device to an interrupt
// controller. SetLevel drives the wire high or low; an edge-triggered input
// latches a request on the low-to-high transition, a level-triggered one
// requests for as long as the wire is high.
type IRQLine interface {
	SetLevel(high bool)
}

// Time is machine time in nanoseconds since the machine's epoch.
type Time int64

// Clock gives a device the current machine time. Tests drive it by hand; the
// machine drives it from the vCPU's clock (the host's monotonic clock, or the
// instruction count of a deterministic run).
type Clock interface {
	Now() Time
}

// Timed is a device whose outputs change with time alone (a counter reaching
// zero, a periodic interrupt, a key's autorepeat), not only when the guest
// touches its registers. The machine's timer service asks every timed device
// for its next deadline, arms one host timer for the earliest, and advances
// the devices that are due.
type Timed interface {
	// NextDeadline is the earliest time at which Advance will have
	// something to do; false when nothing will happen by itself. It may lie
	// in the past when the machine is late.
	NextDeadline() (Time, bool)
	// Advance brings the device's outputs up to time now.
	Advance(now Time)
}

// LineFunc adapts a function to the IRQLine interface.
type LineFunc func(high bool)

// SetLevel calls f(high).
func (f LineFunc) SetLevel(high bool) { f(high) }

// ManualClock is a Clock whose time moves only when told to: the clock of
// device tests and of deterministic replays.
type ManualClock struct{ T Time }

// Now returns the clock's current time.
func (c *ManualClock) Now() Time { return c.T }

// Advance moves the clock forward by d nanoseconds.
func (c *ManualClock) Advance(d Time) { c.T += d }

// Value converts a port access's data into a value, little-endian.
func Value(data []byte) uint32 {
	var v uint32
	for i := len(data) - 1; i >= 0; i-- {
		v = v<<8 | uint32(data[i])
	}
	return v
}

// Fill stores v into data, little-endian, truncated to len(data) bytes.
func Fill(data []byte, v uint32) {
	for i := range data {
		data[i] = byte(v >> (8 * i))
	}
}
