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

// In reads the output buffer into the low byte; wider accesses read 0xFF
// above it, and offsets other than 0 read 0xFF without touching the buffer.
func (p dataPort) In(off uint16, data []byte) {
	v := uint32(0xFFFFFFFF)
	if off == 0 && len(data) > 0 {
		v = v&^0xFF | uint32(p.c.readData())
	}
	devices.Fill(data, v)
}

// Out sends the low byte; offsets other than 0 are ignored.
func (p dataPort) Out(off uint16, data []byte) {
	if off == 0 && len(data) > 0 {
		p.c.writeData(data[0])
	}
}

// commandPort is the port 0x64 face of a Controller.
type commandPort struct{ c *Controller }

// In reads the status register into the low byte, like dataPort.In.
func (p commandPort) In(off uint16, data []byte) {
	v := uint32(0xFFFFFFFF)
	if off == 0 && len(data) > 0 {
		v = v&^0xFF | uint32(p.c.status())
	}
	devices.Fill(data, v)
}

// Out runs the low byte as a controller command; offsets other than 0 are
// ignored.
func (p commandPort) Out(off uint16, data []byte) {
	if off == 0 && len(data) > 0 {
		p.c.writeCommand(data[0])
	}
}
