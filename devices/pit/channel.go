package pit

// Channel is the complete state of one counter. Ticks are counted from the
// Clock's epoch.
type Channel struct {
	// Programming, from the last control word.
	Mode   uint8 // M2-M0 as written (6 and 7 act as 2 and 3)
	Access uint8 // RW1-RW0: AccessLSB, AccessMSB or AccessWord
	BCD    bool  // count in BCD
	Gate   bool  // the GATE input (tied high on counters 0 and 1)

	// The count register and the byte flip-flops. Reads and writes each
	// have their own: a guest may read the LSB, write a new count and then
	// read the MSB.
	CR       uint16 // count register: the last count written, as written
	WriteMSB bool   // the next count byte written is the MSB (AccessWord)
	WriteLSB uint8  // the LSB of a two-byte count, until its MSB arrives
	ReadMSB  bool   // the next direct read returns the MSB (AccessWord)

	// Latches. A latched count is read (one or two bytes, per Access)
	// before any direct read; a latched status before that.
	Latch         uint16 // output latch, as the guest reads it (BCD digits if BCD)
	LatchBytes    uint8  // latched bytes left: 0, AccessLSB, AccessMSB or AccessWord
	Status        uint8  // latched status byte
	StatusLatched bool   // Status waits to be read

	NullCount bool   // a count was written that has not reached the CE...
	LoadTick  uint64 // ...until this tick (never: until a GATE trigger)

	// The counting element (see counting.go).
	Armed    bool   // a count is programmed: the CE counts or waits for GATE
	Running  bool   // the CE counts from Start; otherwise it holds HeldCE
	HeldCE   uint32 // the CE while not running
	HeldOut  bool   // OUT while not running
	Fired    bool   // one-shot: TC passed before Start
	Start    uint64 // tick at which the CE started from the state below
	CE0      uint32 // one-shot: the CE at Start (0: a full modulus to TC)
	N        uint32 // periodic: ticks per period of the current count
	Phase    uint32 // periodic: the phase at which N's periods start after Pre
	Pre      uint32 // periodic: ticks left of the old count's (half) period at Start
	PreN     uint32 // periodic: the old count
	PrePhase uint32 // periodic: the old count's phase at Start
}

// count converts CR to the number of ticks it stands for: 0 is the full
// modulus (0x10000, or 10000 in BCD). BCD digits above 9 count as their
// binary value, as the counter's decades would take them.
func (c *Channel) count() uint32 {
	v := uint32(c.CR)
	if c.BCD {
		v = (v>>12&0xF)*1000 + (v>>8&0xF)*100 + (v>>4&0xF)*10 + v&0xF
		v %= 10000
	}
	if v == 0 {
		return c.modulus()
	}
	return v
}

// value is the CE at tick now as the guest reads it.
func (c *Channel) value(now uint64) uint16 {
	ce := c.ceAt(now)
	if !c.BCD {
		return uint16(ce)
	}
	return uint16(ce/1000%10<<12 | ce/100%10<<8 | ce/10%10<<4 | ce%10)
}

// hold stops the CE at its value at tick now; OUT keeps its level except
// where the mode decides otherwise (the callers).
func (c *Channel) hold(now uint64) {
	if !c.Running {
		return
	}
	c.HeldCE = c.ceAt(now)
	c.HeldOut = c.outAt(now)
	if !c.periodic() {
		c.Fired = c.firedAt(now)
	}
	c.Running = false
}

// startOneShot starts the CE at tick now from ce0.
func (c *Channel) startOneShot(now uint64, ce0 uint32, fired bool) {
	c.Running = true
	c.Start = now
	c.CE0 = ce0 % c.modulus()
	c.Fired = fired
}

// startPeriodic starts a fresh period of the current count at tick now.
func (c *Channel) startPeriodic(now uint64) {
	n := c.count()
	c.Running = true
	c.Start = now
	c.N, c.Phase = n, 0
	c.Pre, c.PreN, c.PrePhase = 0, n, 0
}

// program takes a control word that selects this counter with a nonzero
// access mode. The 8254 resets its control logic: the flip-flops start at
// the LSB, pending latches are dropped, OUT goes to the mode's initial level
// (low in mode 0, high otherwise) and the CE stops until a count is written.
func (c *Channel) program(cw uint8, now uint64) {
	c.hold(now)
	c.Mode = cw & CWModeMask >> CWModeShift
	c.Access = cw & CWAccessMask >> CWAccessShift
	c.BCD = cw&CWBCD != 0
	c.WriteMSB, c.ReadMSB = false, false
	c.LatchBytes, c.StatusLatched = 0, false
	c.NullCount, c.LoadTick = true, never
	c.Armed, c.Fired = false, false
	c.HeldCE %= c.modulus()
	c.HeldOut = c.mode() != ModeInterruptOnTC
}

// write takes a byte written to the counter's port.
func (c *Channel) write(v uint8, now uint64) {
	switch c.Access {
	case AccessLSB:
		c.CR = uint16(v)
	case AccessMSB:
		c.CR = uint16(v) << 8
	default:
		if !c.WriteMSB {
			c.WriteLSB, c.WriteMSB = v, true
			if c.mode() == ModeInterruptOnTC {
				// Mode 0: the first byte stops the count and OUT
				// falls at once; the second byte starts it again.
				c.hold(now)
				c.Armed, c.Fired, c.HeldOut = false, false, false
			}
			return
		}
		c.WriteMSB = false
		c.CR = uint16(v)<<8 | uint16(c.WriteLSB)
	}
	c.load(now)
}

// load acts on a complete new count in CR, as each mode wants.
func (c *Channel) load(now uint64) {
	c.NullCount = true
	c.LoadTick = now + 1 // the CE takes CR on the next clock
	switch c.mode() {
	case ModeInterruptOnTC, ModeSoftwareStrobe:
		// Counting (re)starts from the new count, if GATE allows.
		c.Armed, c.Running, c.Fired = true, false, false
		c.HeldCE = c.count() % c.modulus()
		c.HeldOut = c.mode() == ModeSoftwareStrobe
		if c.Gate {
			c.startOneShot(now, c.HeldCE, false)
		}
	case ModeOneShot, ModeHardwareStrobe:
		// The count waits for GATE's next rising edge; a count under
		// way is not disturbed.
		c.Armed = true
		c.LoadTick = never
	default:
		if c.Running {
			c.reloadAtPeriodEnd(now)
			return
		}
		c.Armed = true
		c.HeldCE, c.HeldOut = c.count()%c.modulus(), true
		if c.Gate {
			c.startPeriodic(now)
		}
	}
}

// reloadAtPeriodEnd lets the period (mode 2) or half period (mode 3) under
// way at tick now run out with the old count, then continues with CR.
func (c *Channel) reloadAtPeriodEnd(now uint64) {
	n, r := c.periodAt(c.since(now))
	pre, phase := n-r, uint32(0)
	if c.mode() == ModeSquareWave && r < (n+1)/2 {
		pre, phase = (n+1)/2-r, halfStart(c.count())
	}
	c.Start = now
	c.Pre, c.PreN, c.PrePhase = pre, n, r
	c.N, c.Phase = c.count(), phase
	c.LoadTick = now + uint64(pre)
}

// setGate drives the GATE input.
func (c *Channel) setGate(high bool, now uint64) {
	if high == c.Gate {
		return
	}
	c.Gate = high
	switch c.mode() {
	case ModeInterruptOnTC, ModeSoftwareStrobe:
		// GATE low suspends counting; high resumes it.
		if !high {
			c.hold(now)
			if c.mode() == ModeSoftwareStrobe {
				c.HeldOut = true
			}
		} else if c.Armed && !c.Running {
			c.startOneShot(now, c.HeldCE, c.Fired)
		}
	case ModeOneShot, ModeHardwareStrobe:
		// A rising edge (re)triggers: the CE reloads from CR, mode 1
		// drives OUT low until TC.
		if high && c.Armed {
			c.startOneShot(now, c.count(), false)
			c.LoadTick = now + 1
		}
	default:
		// GATE low stops the count with OUT high; the rising edge
		// restarts a whole period.
		if !high {
			c.hold(now)
			c.HeldOut = true
		} else if c.Armed {
			c.startPeriodic(now)
			if c.LoadTick > now+1 {
				c.LoadTick = now + 1
			}
		}
	}
}

// latchCount is the counter latch command: the CE is copied to the output
// latch, unless a latched count is still unread.
func (c *Channel) latchCount(now uint64) {
	if c.LatchBytes != 0 {
		return
	}
	c.Latch = c.value(now)
	c.LatchBytes = c.Access
}

// latchStatus is the read-back command's status latch, ignored while a
// latched status is unread.
func (c *Channel) latchStatus(now uint64) {
	if c.StatusLatched {
		return
	}
	s := c.Access<<4 | c.Mode<<1
	if c.outAt(now) {
		s |= StatusOUT
	}
	if c.NullCount && now < c.LoadTick {
		s |= StatusNullCount
	}
	if c.BCD {
		s |= StatusBCD
	}
	c.Status, c.StatusLatched = s, true
}

// read returns the next byte of the counter's port: a latched status, then
// a latched count, else the live CE through the read flip-flop.
func (c *Channel) read(now uint64) uint8 {
	if c.StatusLatched {
		c.StatusLatched = false
		return c.Status
	}
	switch c.LatchBytes {
	case AccessLSB:
		c.LatchBytes = 0
		return uint8(c.Latch)
	case AccessMSB:
		c.LatchBytes = 0
		return uint8(c.Latch >> 8)
	case AccessWord:
		c.LatchBytes = AccessMSB
		return uint8(c.Latch)
	}
	v := c.value(now)
	switch c.Access {
	case AccessLSB:
		return uint8(v)
	case AccessMSB:
		return uint8(v >> 8)
	}
	c.ReadMSB = !c.ReadMSB
	if c.ReadMSB {
		return uint8(v)
	}
	return uint8(v >> 8)
}
