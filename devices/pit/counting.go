package pit

// The counting element (CE) is never stepped tick by tick. While it counts,
// the channel records the tick at which it started from a known state
// (Start) and everything needed to derive the CE and OUT at any later tick:
//
//   - One-shot modes (0, 1, 4, 5): the CE counts down from CE0 and wraps
//     through 0 ("terminal count", TC) to the modulus and on. OUT changes at
//     TC once, unless Fired says TC already passed before Start (the count
//     resumed after GATE paused it).
//   - Periodic modes (2, 3): the CE runs through periods of N ticks, and the
//     phase within a period decides CE and OUT. A count written while the
//     CE runs takes effect only at the end of the period (mode 2) or half
//     period (mode 3) under way: that remainder is a "pre" part of Pre ticks
//     of the old period (PreN, starting at phase PrePhase), after which the
//     new count starts at phase Phase (0, or the new low half in mode 3).

// modulus is the CE's range: 2^16 binary, 10^4 in BCD.
func (c *Channel) modulus() uint32 {
	if c.BCD {
		return 10000
	}
	return 0x10000
}

// mode is the effective mode: 6 and 7 are 2 and 3.
func (c *Channel) mode() uint8 {
	if c.Mode >= modeRateGenerator2 {
		return c.Mode - 4
	}
	return c.Mode
}

func (c *Channel) periodic() bool {
	m := c.mode()
	return m == ModeRateGenerator || m == ModeSquareWave
}

// phaseState gives the CE and OUT at phase r of a period of n ticks.
//
// Mode 2: the CE counts n, n-1, ... 1; OUT is low while it reads 1, then
// the CE reloads and OUT rises.
//
// Mode 3: the CE counts down by two. An even n gives n/2 ticks high, n/2
// low; an odd n loads n-1, stays high one tick longer ((n+1)/2) and low one
// tick shorter ((n-1)/2), as the 8254 datasheet describes.
func phaseState(mode uint8, n, r uint32) (ce uint32, out bool) {
	if mode == ModeRateGenerator {
		return n - r, r != n-1
	}
	high := (n + 1) / 2
	if r < high {
		return n&^1 - 2*r, true
	}
	return n&^1 - 2*(r-high), false
}

// halfStart is the phase at which mode 3's low half begins.
func halfStart(n uint32) uint32 { return (n + 1) / 2 % n }

// periodAt returns the period length and phase d ticks after Start.
func (c *Channel) periodAt(d uint64) (n, r uint32) {
	if d < uint64(c.Pre) {
		return c.PreN, c.PrePhase + uint32(d)
	}
	return c.N, uint32((uint64(c.Phase) + d - uint64(c.Pre)) % uint64(c.N))
}

// terminal is the number of ticks from Start to the one-shot TC.
func (c *Channel) terminal() uint64 {
	if c.CE0 == 0 {
		return uint64(c.modulus())
	}
	return uint64(c.CE0)
}

// since returns the ticks elapsed from Start to tick now (0 before Start).
func (c *Channel) since(now uint64) uint64 {
	if now < c.Start {
		return 0
	}
	return now - c.Start
}

// ceAt returns the CE's value (binary, below the modulus) at tick now.
func (c *Channel) ceAt(now uint64) uint32 {
	m := c.modulus()
	if !c.Running {
		return c.HeldCE % m
	}
	d := c.since(now)
	if c.periodic() {
		n, r := c.periodAt(d)
		ce, _ := phaseState(c.mode(), n, r)
		return ce % m
	}
	return uint32((uint64(c.CE0) + uint64(m) - d%uint64(m)) % uint64(m))
}

// firedAt reports whether a one-shot count has passed TC by tick now.
func (c *Channel) firedAt(now uint64) bool {
	return c.Fired || c.since(now) >= c.terminal()
}

// outAt returns OUT's level at tick now.
func (c *Channel) outAt(now uint64) bool {
	if !c.Running {
		return c.HeldOut
	}
	d := c.since(now)
	switch c.mode() {
	case ModeRateGenerator, ModeSquareWave:
		n, r := c.periodAt(d)
		_, out := phaseState(c.mode(), n, r)
		return out
	case ModeInterruptOnTC, ModeOneShot:
		return c.firedAt(now)
	default: // strobes: low for the one tick at TC
		return c.Fired || d != c.terminal()
	}
}

// edges describes when OUT rises while the CE counts: at most one isolated
// edge, plus an endless series every step ticks from first. Ticks are
// relative to Start.
type edges struct {
	single    uint64
	hasSingle bool
	first     uint64
	step      uint64 // 0: no series
}

func (c *Channel) edges() edges {
	var e edges
	if !c.Running {
		return e
	}
	m := c.mode()
	switch m {
	case ModeInterruptOnTC, ModeOneShot:
		e.single, e.hasSingle = c.terminal(), !c.Fired
	case ModeSoftwareStrobe, ModeHardwareStrobe:
		e.single, e.hasSingle = c.terminal()+1, !c.Fired
	default:
		if c.Pre > 0 {
			_, before := phaseState(m, c.PreN, c.PrePhase+c.Pre-1)
			_, after := phaseState(m, c.N, c.Phase)
			e.single, e.hasSingle = uint64(c.Pre), !before && after
		}
		if c.N >= 2 { // with n = 1 OUT never changes (an illegal count)
			wrap := uint64((c.N - c.Phase) % c.N)
			if wrap == 0 {
				wrap = uint64(c.N)
			}
			e.first, e.step = uint64(c.Pre)+wrap, uint64(c.N)
		}
	}
	return e
}

// count returns how many edges fall in (a, b].
func (e edges) count(a, b uint64) uint64 {
	if b <= a {
		return 0
	}
	var n uint64
	if e.hasSingle && a < e.single && e.single <= b {
		n++
	}
	if e.step == 0 || b < e.first {
		return n
	}
	// Series members k = 0, 1, ... at first + k*step; count those in (a, b].
	hi := (b - e.first) / e.step
	lo := uint64(0)
	if a >= e.first {
		lo = (a-e.first)/e.step + 1
	}
	if hi >= lo {
		n += hi - lo + 1
	}
	return n
}

// next returns the first edge after a.
func (e edges) next(a uint64) (uint64, bool) {
	best, ok := uint64(never), false
	if e.hasSingle && e.single > a {
		best, ok = e.single, true
	}
	if e.step != 0 {
		s := e.first
		if a >= e.first {
			s = e.first + ((a-e.first)/e.step+1)*e.step
		}
		if s < best {
			best, ok = s, true
		}
	}
	return best, ok
}
