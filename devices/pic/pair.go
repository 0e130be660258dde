package pic

import (
	"fmt"

	"github.com/pollscope/pollscope/devices"
)

// Pair is the PC's master and slave 8259A, wired as on every PC since the AT:
// the slave's INT drives the master's IR2, and the master's INT goes to the
// CPU. It implements no port interface itself: Master, Slave and ELCR return
// the three port devices the machine maps at 0x20, 0xA0 and 0x4D0.
type Pair struct {
	master, slave Chip
	irq2          bool // level of the line returned by IRQ(2)
	level         bool // level last driven on intr
	intr          devices.IRQLine
}

// State is the saved form of a Pair.
type State struct {
	Master Chip
	Slave  Chip
	IRQ2   bool // level of the external IRQ(2) input, wired OR with the slave's INT
	INTR   bool // level of the INT output as last driven
}

// New returns the pair in its power-on state (see the package comment);
// intr receives the master's INT output and is driven only on changes.
func New(intr devices.IRQLine) *Pair {
	p := &Pair{intr: intr}
	for _, c := range []struct {
		chip       *Chip
		base, icw3 uint8
		imr        uint8
	}{
		{&p.master, BIOSMasterBase, ICW3MasterIR2, ^uint8(1 << cascadeIR)},
		{&p.slave, BIOSSlaveBase, ICW3SlaveID2, 0xFF},
	} {
		c.chip.write(PortCommand, ICW1Init|ICW1IC4)
		c.chip.write(PortData, c.base)
		c.chip.write(PortData, c.icw3)
		c.chip.write(PortData, ICW4UPM)
		c.chip.write(PortData, c.imr)
	}
	return p
}

// line is one of the sixteen input wires.
type line struct {
	p *Pair
	n int
}

// SetLevel drives the wire and re-evaluates the INT outputs.
func (l line) SetLevel(high bool) {
	switch {
	case l.n == cascadeIR:
		l.p.irq2 = high
	case l.n < 8:
		l.p.master.setLine(uint(l.n), high)
	default:
		l.p.slave.setLine(uint(l.n-8), high)
	}
	l.p.update()
}

// IRQ returns input line n: 0-7 are the master's IR0-IR7, 8-15 the slave's.
// Line 2 shares the master's IR2 with the slave's INT output (a wired OR).
// It panics if n is outside 0..15, a wiring mistake of the machine.
func (p *Pair) IRQ(n int) devices.IRQLine {
	if n < 0 || n > 15 {
		panic(fmt.Sprintf("pic: IRQ %d does not exist (0..15)", n))
	}
	return line{p, n}
}

// INTR reports the current level of the master's INT output.
func (p *Pair) INTR() bool { return p.level }

// slaves is the set of master inputs that carry a slave.
func (p *Pair) slaves() uint8 {
	if p.master.single() {
		return 0
	}
	return 1 << cascadeIR
}

// update propagates the slave's INT to the master's IR2 and drives the
// master's INT to the CPU if its level changed. Every register access and
// every line change ends here.
func (p *Pair) update() {
	p.master.setLine(cascadeIR, p.slave.pending(0) >= 0 || p.irq2)
	level := p.master.pending(p.slaves()) >= 0
	if level != p.level {
		p.level = level
		if p.intr != nil {
			p.intr.SetLevel(level)
		}
	}
}

// Acknowledge is the CPU's interrupt-acknowledge cycle: it returns the
// vector of the highest-priority request and moves that request from IRR to
// ISR (unless in auto-EOI mode). If the master's winner is IR2, the slave's
// winner is acknowledged too and supplies the vector. With nothing to serve
// (the request was withdrawn before the acknowledge) the answer is the
// spurious vector: the master's IR7, or the slave's IR7 with the master's IR2
// marked in service.
func (p *Pair) Acknowledge() uint8 {
	var vector uint8
	n := p.master.pending(p.slaves())
	switch {
	case n < 0:
		vector = p.master.VectorBase + 7
	case p.slaves()&(1<<n) != 0:
		s := p.slave.pending(0)
		if s < 0 {
			s = 7
		} else {
			p.slave.acknowledge(s)
		}
		vector = p.slave.VectorBase + uint8(s)
		p.master.acknowledge(n)
	default:
		vector = p.master.VectorBase + uint8(n)
		p.master.acknowledge(n)
	}
	p.update()
	return vector
}

// State returns a copy of the pair's state.
func (p *Pair) State() State {
	return State{Master: p.master, Slave: p.slave, IRQ2: p.irq2, INTR: p.level}
}

// SetState replaces the pair's state, then drives intr if the restored
// pair's INT level differs from the one last driven. Fields out of range (an InitStep
// past InitICW4, a vector base with low bits, ELCR bits that are read-only)
// are brought into range.
func (p *Pair) SetState(s State) {
	clean := func(c Chip, writable uint8) Chip {
		c.VectorBase &= ICW2VectorMask
		c.ELCR &= writable
		c.Highest &= 7
		if c.InitStep > InitICW4 {
			c.InitStep = InitDone
		}
		return c
	}
	p.master = clean(s.Master, ELCRMasterWritable)
	p.slave = clean(s.Slave, ELCRSlaveWritable)
	p.irq2 = s.IRQ2
	p.update() // p.level is still the level on the wire

}
