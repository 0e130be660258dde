package pic

import "github.com/pollscope/pollscope/devices"

// chipPort is the two-port register window of one chip.
type chipPort struct {
	p      *Pair
	c      *Chip
	slaves func() uint8
}

// Master returns the master's ports (offset 0: 0x20, offset 1: 0x21).
func (p *Pair) Master() devices.PortDevice { return chipPort{p, &p.master, p.slaves} }

// Slave returns the slave's ports (offset 0: 0xA0, offset 1: 0xA1).
func (p *Pair) Slave() devices.PortDevice {
	return chipPort{p, &p.slave, func() uint8 { return 0 }}
}

// In reads each byte of the access from consecutive ports.
func (w chipPort) In(off uint16, data []byte) {
	for i := range data {
		o := off + uint16(i)
		if o > PortData {
			data[i] = 0xFF
			continue
		}
		data[i] = w.c.read(o, w.slaves())
		w.p.update()
	}
}

// Out writes each byte of the access to consecutive ports.
func (w chipPort) Out(off uint16, data []byte) {
	for i, v := range data {
		o := off + uint16(i)
		if o > PortData {
			continue
		}
		w.c.write(o, v)
		w.p.update()
	}
}

// elcrPort is the pair of edge/level control registers.
type elcrPort struct{ p *Pair }

// ELCR returns the edge/level control registers (offset 0: 0x4D0 for IRQ
// 0-7, offset 1: 0x4D1 for IRQ 8-15). A set bit makes the IRQ level
// triggered; the bits of IRQ 0, 1, 2, 8 and 13 read as 0 and cannot be set.
func (p *Pair) ELCR() devices.PortDevice { return elcrPort{p} }

// In reads the registers.
func (e elcrPort) In(off uint16, data []byte) {
	for i := range data {
		switch off + uint16(i) {
		case 0:
			data[i] = e.p.master.ELCR
		case 1:
			data[i] = e.p.slave.ELCR
		default:
			data[i] = 0xFF
		}
	}
}

// Out writes the registers; a request follows its line at once on an input
// that becomes level triggered.
func (e elcrPort) Out(off uint16, data []byte) {
	for i, v := range data {
		switch off + uint16(i) {
		case 0:
			e.p.master.setELCR(v, ELCRMasterWritable)
		case 1:
			e.p.slave.setELCR(v, ELCRSlaveWritable)
		}
	}
	e.p.update()
}
