// Package debugexit models QEMU's isa-debug-exit device: a write-only port
// (0xF4 on pollscope, as in QEMU's usual "-device isa-debug-exit,iobase=0xf4")
// through which a test kernel ends the run with an exit status of its choice.
//
// The guest writes a value with OUT of any width; the device hands the value to
// the machine, which stops the guest and exits with Status(value), QEMU's
// (value << 1) | 1. A blog_os-style kernel writes 0x10 for success (status 33)
// and 0x11 for failure (status 35). Reads answer 0xFF in every byte, as from a
// port nobody claims.
package debugexit

import "github.com/pollscope/pollscope/devices"

// Device is the isa-debug-exit port. It has no state beyond its callback.
type Device struct {
	onExit func(value uint32)
}

// New returns the device; onExit receives the value of every write. A nil
// onExit makes writes do nothing.
func New(onExit func(value uint32)) *Device {
	return &Device{onExit: onExit}
}

// In answers 0xFF in every byte: the port cannot be read.
func (d *Device) In(off uint16, data []byte) {
	for i := range data {
		data[i] = 0xFF
	}
}

// Out passes the written value, whatever the width and offset, to onExit.
func (d *Device) Out(off uint16, data []byte) {
	if d.onExit != nil {
		d.onExit(devices.Value(data))
	}
}

// Status is the process exit status QEMU uses for a written value:
// (value << 1) | 1, so it is always odd and never collides with QEMU's own
// status 0. It is computed in full width; the host OS keeps only the low 8
// bits of a process's exit status.
func Status(value uint32) int {
	return int(uint64(value)<<1 | 1)
}
