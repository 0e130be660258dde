package ps2

import "github.com/pollscope/pollscope/devices"

// Data returns the controller's data port, 0x60 on a PC, at offset 0: reads
// take the output buffer, writes go to the command awaiting a parameter or
// to the keyboard.
func (c *Controller) Data() devices.PortDevice { return dataPort{c} }

// Command returns the controller's status/command port, 0x64 on a PC, at
// offset 0: reads return the status register, writes are controller
// commands.
func (c *Controller) Command() devices.PortDevice { return commandPort{c} }

// dataPort is the port 0x60 face of a Controller.
type dataPort struct{ c *Controller }

// In reads the output buffer into the low byte.
func (p dataPort) In(off uint16, data []byte) { readLow(off, data, p.c.readData) }

// Out sends the low byte.
func (p dataPort) Out(off uint16, data []byte) { writeLow(off, data, p.c.writeData) }

// commandPort is the port 0x64 face of a Controller.
type commandPort struct{ c *Controller }

// In reads the status register into the low byte.
func (p commandPort) In(off uint16, data []byte) { readLow(off, data, p.c.status) }

// Out runs the low byte as a controller command.
func (p commandPort) Out(off uint16, data []byte) { writeLow(off, data, p.c.writeCommand) }

// Both ports are 8 bits wide. A read puts read()'s byte in the low byte and
// 0xFF above it; an access at an offset other than 0 reads 0xFF without
// touching the controller, and a write there is ignored.
func readLow(off uint16, data []byte, read func() byte) {
	v := uint32(0xFFFFFFFF)
	if off == 0 && len(data) > 0 {
		v = v&^0xFF | uint32(read())
	}
	devices.Fill(data, v)
}

// writeLow passes a write's low byte on.
func writeLow(off uint16, data []byte, write func(byte)) {
	if off == 0 && len(data) > 0 {
		write(data[0])
	}
}
