package pic

// Port offsets of one chip.
const (
	PortCommand = 0 // 0x20 / 0xA0: ICW1, OCW2, OCW3; reads IRR or ISR
	PortData    = 1 // 0x21 / 0xA1: ICW2-ICW4, OCW1 (IMR)
)

// write handles a guest write to one of the chip's ports.
func (c *Chip) write(off uint16, v uint8) {
	switch {
	case off == PortCommand && v&ICW1Init != 0:
		c.writeICW1(v)
	case off == PortCommand && v&ocw2Or3Select != 0:
		c.writeOCW3(v)
	case off == PortCommand:
		c.writeOCW2(v)
	case off == PortData && c.InitStep != InitDone:
		c.writeICW(v)
	case off == PortData:
		c.IMR = v
	}
}

// writeICW1 resets the chip and starts the initialisation sequence. The
// vector base and the ELCR are kept; everything the datasheet lists as reset
// by ICW1 is cleared.
func (c *Chip) writeICW1(v uint8) {
	c.ICW1 = v
	c.ICW4 = 0
	c.IMR = 0
	c.ISR = 0
	c.IRR = c.Lines & c.levelMask() // edge inputs need a new rising edge
	c.Highest = 0
	c.RotateOnAutoEOI = false
	c.SpecialMask = false
	c.ReadISR = false
	c.Poll = false
	c.InitStep = InitICW2
}

// writeICW takes ICW2, ICW3 and ICW4 in turn, skipping ICW3 in single mode
// and ICW4 when ICW1 did not ask for it.
func (c *Chip) writeICW(v uint8) {
	switch c.InitStep {
	case InitICW2:
		c.VectorBase = v & ICW2VectorMask
		c.InitStep = InitICW3
		if c.single() {
			c.InitStep = c.afterICW3()
		}
	case InitICW3:
		c.ICW3 = v
		c.InitStep = c.afterICW3()
	case InitICW4:
		c.ICW4 = v
		c.InitStep = InitDone
	}
}

func (c *Chip) afterICW3() uint8 {
	if c.ICW1&ICW1IC4 != 0 {
		return InitICW4
	}
	return InitDone
}

// writeOCW2 runs an end-of-interrupt or priority command. Linux sends a
// specific EOI (0x60 + IR) to the slave and then to the master for IR2.
func (c *Chip) writeOCW2(v uint8) {
	level := int(v & OCW2LevelMask)
	switch v & OCW2CommandMask {
	case OCW2RotateAEOIClear:
		c.RotateOnAutoEOI = false
	case OCW2RotateAEOISet:
		c.RotateOnAutoEOI = true
	case OCW2NonSpecificEOI, OCW2RotateNonSpecificEOI:
		n := c.best(c.ISR)
		if n < 0 {
			return
		}
		c.ISR &^= 1 << n
		if v&OCW2CommandMask == OCW2RotateNonSpecificEOI {
			c.Highest = uint8(n+1) & 7
		}
	case OCW2SpecificEOI:
		c.ISR &^= 1 << level
	case OCW2RotateSpecificEOI:
		c.ISR &^= 1 << level
		c.Highest = uint8(level+1) & 7
	case OCW2SetPriority:
		c.Highest = uint8(level+1) & 7
	case OCW2NoOp:
	}
}

// writeOCW3 selects the register the command port reads, arms a poll, or
// enters or leaves special mask mode; each part acts only if its enable bit
// is set.
func (c *Chip) writeOCW3(v uint8) {
	if v&OCW3P != 0 {
		c.Poll = true
	}
	if v&OCW3RR != 0 {
		c.ReadISR = v&OCW3RIS != 0
	}
	if v&OCW3ESMM != 0 {
		c.SpecialMask = v&OCW3SMM != 0
	}
}

// read handles a guest read of one of the chip's ports. After a poll command
// either port returns the poll word and acknowledges the level it names.
func (c *Chip) read(off uint16, slaves uint8) uint8 {
	if c.Poll {
		c.Poll = false
		n := c.pending(slaves)
		if n < 0 {
			return 0
		}
		c.acknowledge(n)
		return PollPending | uint8(n)
	}
	if off == PortData {
		return c.IMR
	}
	if c.ReadISR {
		return c.ISR
	}
	return c.IRR
}
