package pic

// Initialisation steps: which ICW the next data-port write is. ICW1 moves the
// chip to InitICW2; the last ICW the sequence needs returns it to InitDone.
const (
	InitDone = 0 // operational: data-port writes are OCW1
	InitICW2 = 1 // expecting ICW2 (vector base)
	InitICW3 = 2 // expecting ICW3 (cascade)
	InitICW4 = 3 // expecting ICW4 (mode)
)

// Chip is the complete state of one 8259A.
type Chip struct {
	IRR   uint8 // interrupt request register: inputs asking for service
	ISR   uint8 // in-service register: acknowledged, not yet ended by an EOI
	IMR   uint8 // interrupt mask register (OCW1): set bits are ignored
	Lines uint8 // current level of the eight IR input wires
	ELCR  uint8 // edge/level control: set bits are level triggered

	ICW1       uint8 // the last ICW1 (IC4, SNGL, LTIM)
	VectorBase uint8 // ICW2 with bits 2-0 clear
	ICW3       uint8 // cascade bitmap (master) or identity (slave)
	ICW4       uint8 // the last ICW4 (AEOI, SFNM); 0 if ICW1 had no IC4
	InitStep   uint8 // InitDone, or the ICW the next data-port write is

	Highest         uint8 // the IR that currently has the highest priority (rotation moves it)
	RotateOnAutoEOI bool  // OCW2: in auto-EOI mode, each acknowledged IR becomes the lowest priority
	SpecialMask     bool  // OCW3: special mask mode
	ReadISR         bool  // OCW3: the command port reads ISR instead of IRR
	Poll            bool  // OCW3: the next read is a poll
}

// levelMask reports the inputs that are level triggered.
func (c *Chip) levelMask() uint8 {
	if c.ICW1&ICW1LTIM != 0 {
		return 0xFF
	}
	return c.ELCR
}

func (c *Chip) autoEOI() bool { return c.ICW4&ICW4AEOI != 0 }

func (c *Chip) single() bool { return c.ICW1&ICW1SNGL != 0 }

// setLine drives input n. Nothing happens unless the level changes. A rising
// edge raises the request in either trigger mode; a falling one withdraws it
// (for level inputs because the request is the level, for edge inputs because
// the 8259A needs the line held high until the acknowledge).
func (c *Chip) setLine(n uint, high bool) {
	bit := uint8(1) << n
	if (c.Lines&bit != 0) == high {
		return
	}
	if high {
		c.Lines |= bit
		c.IRR |= bit
	} else {
		c.Lines &^= bit
		c.IRR &^= bit
	}
}

// priority ranks IR n: 0 is the highest, 7 the lowest.
func (c *Chip) priority(n int) int { return (n - int(c.Highest)) & 7 }

// best returns the IR in mask with the highest priority, or -1.
func (c *Chip) best(mask uint8) int {
	for i := 0; i < 8; i++ {
		n := (int(c.Highest) + i) & 7
		if mask&(1<<n) != 0 {
			return n
		}
	}
	return -1
}

// pending returns the IR the chip would present at the next acknowledge, or
// -1 if INT is low. slaves is the set of inputs that carry a slave, for
// special fully nested mode.
func (c *Chip) pending(slaves uint8) int {
	req := c.IRR &^ c.IMR
	if c.SpecialMask {
		// Every unmasked level not itself in service may interrupt.
		return c.best(req &^ c.ISR)
	}
	n := c.best(req)
	if n < 0 {
		return -1
	}
	inService := c.ISR
	if c.ICW4&ICW4SFNM != 0 {
		// A slave in service does not block its own further requests: the
		// slave sorts out their priority itself.
		inService &^= slaves
	}
	if s := c.best(inService); s >= 0 && c.priority(s) <= c.priority(n) {
		return -1
	}
	return n
}

// acknowledge is the chip's half of an INTA cycle (or a poll) for IR n: the
// request moves to ISR, or in auto-EOI mode is forgotten at once (rotating
// the priority if asked to). An edge request is consumed; a level request
// stays in IRR for as long as its line is high.
func (c *Chip) acknowledge(n int) {
	bit := uint8(1) << n
	if c.autoEOI() {
		if c.RotateOnAutoEOI {
			c.Highest = uint8(n+1) & 7
		}
	} else {
		c.ISR |= bit
	}
	if c.levelMask()&bit == 0 {
		c.IRR &^= bit
	}
}

// setELCR stores a new edge/level selection. An input that becomes level
// triggered requests exactly while its line is high.
func (c *Chip) setELCR(v, writable uint8) {
	c.ELCR = v & writable
	level := c.levelMask()
	c.IRR = c.IRR&^level | c.Lines&level
}
