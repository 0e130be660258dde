package rtc

import "github.com/pollscope/pollscope/devices"

// nanos is virtual time in nanoseconds since the Clock's epoch: what
// devices.Clock's Now gives, and what NextDeadline and Advance speak.
type nanos = int64

// second is one second of virtual time.
const second nanos = 1_000_000_000

// WallTime is a moment of the host's wall clock, as time.Time's Unix and
// Nanosecond methods give it: seconds since 1970-01-01 00:00:00 UTC and the
// nanoseconds into that second.
type WallTime struct {
	Sec  int64
	Nsec int64
}

// RTC is the MC146818 with the PC's wiring: ports 0x70-0x71, its IRQ output
// on IRQ 8, the NMI mask in bit 7 of the index port. It implements
// devices.PortDevice. It keeps time from the virtual Clock, starting from
// the wall time the board gave it, and never reads a clock of its own.
type RTC struct {
	clock devices.Clock
	irq   devices.IRQLine
	s     State
}

// State is everything the RTC holds, for display, save and restore. Times
// are virtual nanoseconds of the Clock, so a restored RTC must run on a
// clock that continues the saved one's time line.
type State struct {
	// Index is the last byte written to port 0x70: the selected register
	// in bits 6-0 and the NMI-disable bit.
	Index uint8
	// CMOS is the register file and RAM as the guest reads it, except for
	// register A's UIP bit (derived from the time), register C (Flags) and
	// register D (constant): CMOS[RegC] and CMOS[RegD] are unused.
	CMOS [nRegs]uint8
	// Seconds is the clock's count: the date and time the registers show,
	// as seconds since 1970-01-01 00:00:00.
	Seconds int64
	// Phase is the origin of the divider chain: updates happen at Phase
	// plus a whole number of seconds, periodic edges at Phase plus a whole
	// number of periods. It is meaningless while the chain is in reset.
	Phase nanos
	// Last is the time up to which updates and interrupt flags have been
	// applied.
	Last nanos
	// Flags holds register C's PF, AF and UF.
	Flags uint8
	// IRQ is the level last driven on IRQ 8.
	IRQ bool
}

// New returns an RTC in the state a PC's firmware leaves it: divider running
// from the 32.768 kHz crystal, 1024 Hz periodic rate selected, interrupts
// disabled, 24-hour BCD mode, showing the wall time wall. Its next update
// comes when wall's second ends. irq is IRQ 8.
func New(clock devices.Clock, irq devices.IRQLine, wall WallTime) *RTC {
	r := &RTC{clock: clock, irq: irq}
	now := r.now()
	r.s.CMOS[RegA] = ADivider32kHz | ARate1024Hz
	r.s.CMOS[RegB] = B24H
	r.s.Last = now
	r.setWallTime(wall, now)
	return r
}

// now is the Clock's time: the one place that converts devices.Clock's
// value into the RTC's nanoseconds.
func (r *RTC) now() nanos { return nanos(r.clock.Now()) }

// SetWallTime sets the clock to the wall time w, as if its battery-backed
// time had been set while the machine was off: the registers show w at once
// and the next update comes when w's second ends. The alarm, the control
// registers and the pending flags are kept. The board calls it to resync
// the guest's clock with the host's, e.g. after a pause.
func (r *RTC) SetWallTime(w WallTime) {
	now := r.now()
	r.catchUp(now)
	r.setWallTime(w, now)
	r.updateIRQ()
}

func (r *RTC) setWallTime(w WallTime, now nanos) {
	carry, nsec := floorDiv(w.Nsec, second)
	r.s.Seconds = w.Sec + carry
	r.s.Phase = now - nsec
	r.render()
}

// NMIDisabled reports whether the last index written to port 0x70 had bit 7
// set: on a PC that masks the NMI line to the CPU.
func (r *RTC) NMIDisabled() bool { return r.s.Index&IndexNMIDisable != 0 }

// State returns a copy of the RTC's state as of the last port access or
// Advance (it does not bring the clock up to date itself).
func (r *RTC) State() State { return r.s }

// SetState replaces the RTC's state, dropping bits that do not exist, then
// drives IRQ 8 to what the restored flags and enables say if that differs
// from the level last driven.
func (r *RTC) SetState(s State) {
	s.CMOS[RegA] &^= AUIP
	s.CMOS[RegC], s.CMOS[RegD] = 0, 0
	s.Flags &= cFlag
	s.IRQ = r.s.IRQ // the level actually on the wire
	r.s = s
	r.updateIRQ()
}
