package pit

import "github.com/pollscope/pollscope/devices"

// PIT is the 8254 with the PC's wiring: counter 0's OUT drives IRQ 0,
// counters 0 and 1 have GATE tied high, counter 2's GATE and OUT are on port
// 0x61. It is a pure function of its state and the clock: nothing happens
// between calls, and Advance tells the interrupt line what OUT0 did.
type PIT struct {
	clock devices.Clock
	irq0  devices.IRQLine
	s     State
}

// State is everything the PIT holds, for display, save and restore. Ticks
// count PIT input clocks since the Clock's epoch, so a restored PIT must run
// on a clock that continues the saved one's time line.
type State struct {
	Channels   [3]Channel
	PortB      uint8  // the writable bits of port 0x61 (bit 0 is counter 2's GATE)
	LastUpdate uint64 // tick of the last Advance: OUT0 edges after it are still to be reported
	IRQ0       bool   // level last driven on irq0
	Missed     uint64 // OUT0 rising edges folded into another one's pulse
}

// New returns a PIT in its power-on state: counter 0 in mode 2 with count 0
// (18.2 Hz), as SeaBIOS programs it; counters 1 and 2 in mode 3 with count 0,
// as QEMU resets them, counter 2 stopped by its low GATE. Counter 0 starts
// counting at clock.Now(), and New drives irq0 high, OUT0's level in mode 2,
// as the wire of a freshly booted PC is.
func New(clock devices.Clock, irq0 devices.IRQLine) *PIT {
	p := &PIT{clock: clock, irq0: irq0}
	now := p.now()
	p.s.LastUpdate = now
	for i, cw := range []uint8{0x34, 0x76, 0xB6} {
		c := &p.s.Channels[i]
		c.Gate = i != 2
		c.program(cw, now)
		c.write(0, now)
		c.write(0, now)
	}
	p.drive(p.s.Channels[0].outAt(now))
	return p
}

// now is the current tick.
func (p *PIT) now() uint64 { return tickAt(p.clock.Now()) }

// drive sets irq0 to level if it is not there already.
func (p *PIT) drive(level bool) {
	if level == p.s.IRQ0 {
		return
	}
	p.s.IRQ0 = level
	if p.irq0 != nil {
		p.irq0.SetLevel(level)
	}
}

// edgesSinceUpdate counts counter 0's rising OUT edges after LastUpdate up to
// tick now.
func (p *PIT) edgesSinceUpdate(now uint64) uint64 {
	c := &p.s.Channels[0]
	if !c.Running || now <= c.Start {
		return 0
	}
	return c.edges().count(c.since(p.s.LastUpdate), now-c.Start)
}

// Advance brings irq0 up to time now (devices.Timed). If OUT0 rose once or
// more since the last Advance, it drives one pulse (low, then high) for the
// edge-triggered PIC and counts the edges beyond the first in MissedTicks;
// then it leaves the line at OUT0's current level.
func (p *PIT) Advance(t devices.Time) {
	now := tickAt(t)
	if n := p.edgesSinceUpdate(now); n > 0 {
		if p.irq0 != nil {
			p.irq0.SetLevel(false)
			p.irq0.SetLevel(true)
		}
		p.s.IRQ0 = true
		p.s.Missed += n - 1
	}
	if now > p.s.LastUpdate {
		p.s.LastUpdate = now
	}
	p.drive(p.s.Channels[0].outAt(now))
}

// NextDeadline returns the time of counter 0's first rising OUT edge after
// the last Advance: the time at which the machine should call Advance next
// (devices.Timed). It
// may lie in the past if Update is late. It returns false if no edge will
// come: counter 0 is not counting, or it counts in a one-shot mode whose
// edge has passed.
func (p *PIT) NextDeadline() (devices.Time, bool) {
	c := &p.s.Channels[0]
	if !c.Running {
		return 0, false
	}
	d, ok := c.edges().next(c.since(p.s.LastUpdate))
	if !ok {
		return 0, false
	}
	return timeOfTick(c.Start + d), true
}

// MissedTicks returns how many OUT0 edges were not delivered as pulses of
// their own because Advance was called less often than OUT0 rose.
func (p *PIT) MissedTicks() uint64 { return p.s.Missed }

// State returns a copy of the PIT's state.
func (p *PIT) State() State { return p.s }

// SetState replaces the PIT's state, bringing out-of-range fields into range
// (the gates follow the PC's wiring and port 0x61), then drives irq0 to the
// saved line level if that differs from the level last driven. OUT0's edges
// after the saved LastUpdate are reported by the next Advance.
func (p *PIT) SetState(s State) {
	s.PortB &= portBWritable
	for i := range s.Channels {
		c := &s.Channels[i]
		c.Mode &= 7
		if c.Access == AccessLatch || c.Access > AccessWord {
			c.Access = AccessWord
		}
		if c.LatchBytes > AccessWord {
			c.LatchBytes = AccessWord
		}
		c.Gate = i != 2 || s.PortB&PortBGate2 != 0
		// Fields of other modes may hold stale values; only those the
		// current mode uses must be in range.
		m := c.modulus()
		c.HeldCE %= m
		switch {
		case !c.Running:
		case c.periodic():
			if c.N == 0 || c.N > m {
				c.N = m
			}
			c.Phase %= c.N
		default:
			c.CE0 %= m
		}
	}
	wire := s.IRQ0
	s.IRQ0 = p.s.IRQ0 // the level actually on the wire
	p.s = s
	p.drive(wire) // edges since LastUpdate are left for the next Advance
}

// Observation is what counter n shows at the clock's time, for a monitor:
// its count as a read would return it and its OUT level. Nothing is
// latched and no flip-flop moves.
type Observation struct {
	Count uint16
	Out   bool
}

// Observe returns counter n's count and OUT now (n is 0, 1 or 2).
func (p *PIT) Observe(n int) Observation {
	now := p.now()
	c := &p.s.Channels[n%3]
	return Observation{Count: c.value(now), Out: c.outAt(now)}
}
