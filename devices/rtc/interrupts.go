package rtc

import "github.com/pollscope/pollscope/devices"

// The board's timer service drives the RTC's interrupts.
var _ devices.Timed = (*RTC)(nil)

// Three events set flags in register C: a periodic edge (PF), the end of an
// update (UF) and an update at which the time matches the alarm (AF). Each
// flag is set whether or not its interrupt is enabled in register B (PIE,
// AIE, UIE, at the same bit positions); IRQF and the IRQ output are "an
// enabled flag is set". The output stays asserted until the guest reads
// register C, which clears every flag: on a PC, whose 8259A sees IRQ 8 as an
// edge, a handler that does not read C gets no further RTC interrupts.

// enabledFlags are register C's flags whose interrupts register B enables.
func (r *RTC) enabledFlags() uint8 {
	return r.s.Flags & r.s.CMOS[RegB] & cFlag
}

// updateIRQ drives IRQ 8 to IRQF's level if it is not there already.
func (r *RTC) updateIRQ() {
	level := r.enabledFlags() != 0
	if level == r.s.IRQ {
		return
	}
	r.s.IRQ = level
	if r.irq != nil {
		r.irq.SetLevel(level)
	}
}

// readC returns register C and clears it, as reading it does on the part.
func (r *RTC) readC() uint8 {
	v := r.s.Flags
	if r.enabledFlags() != 0 {
		v |= CIRQF
	}
	r.s.Flags = 0
	return v
}

// period returns the periodic interrupt's period in crystal cycles for
// register A's rate select, or 0 for none. Rates 1 and 2 divide the 32.768
// kHz time base like rates 8 and 9 (256 and 128 Hz); rates 3-15 give
// 8192 Hz down to 2 Hz.
func (r *RTC) period() int64 {
	switch rs := r.s.CMOS[RegA] & ARateMask; {
	case rs == 0:
		return 0
	case rs <= 2:
		return 1 << (rs + 6)
	default:
		return 1 << (rs - 1)
	}
}

// cyclesAt is how many crystal cycles the divider chain has counted at t.
func (r *RTC) cyclesAt(t nanos) int64 {
	s, ns := floorDiv(t-r.s.Phase, second)
	return s*crystalHz + ns*crystalHz/second
}

// edgesAt is how many periodic edges of period p cycles the chain has made
// by t.
func (r *RTC) edgesAt(t nanos, p int64) int64 {
	q, _ := floorDiv(r.cyclesAt(t), p)
	return q
}

// timeOfCycle returns the first time at which the chain has counted n
// cycles: Phase + ceil(n * 1 s / 32768).
func (r *RTC) timeOfCycle(n int64) nanos {
	s, c := floorDiv(n, crystalHz)
	return r.s.Phase + s*second + (c*second+crystalHz-1)/crystalHz
}

// alarmMatches reports whether the alarm registers match the time c: each of
// seconds, minutes and hours equals the time register's value in the
// current format, or is "don't care" (0xC0-0xFF).
func (r *RTC) alarmMatches(c civil) bool {
	f := formatOf(r.s.CMOS[RegB])
	match := func(alarm, v uint8) bool { return alarm&alarmDontCare == alarmDontCare || alarm == v }
	return match(r.s.CMOS[RegSecondsAlarm], f.encode(c.second)) &&
		match(r.s.CMOS[RegMinutesAlarm], f.encode(c.minute)) &&
		match(r.s.CMOS[RegHoursAlarm], f.encodeHour(c.hour))
}

// nextAlarm returns the first count after the count after at which the
// alarm matches, searching one day (the alarm's whole cycle): by hours until
// the hour matches, by minutes until the minute does, then by seconds. It
// returns false if an alarm register holds a value no time has (a minute of
// 0x60 in BCD, say), so that it never searches in vain.
func (r *RTC) nextAlarm(after int64) (int64, bool) {
	f := formatOf(r.s.CMOS[RegB])
	hours, minutes := r.s.CMOS[RegHoursAlarm], r.s.CMOS[RegMinutesAlarm]
	if !f.canMatch(r.s.CMOS[RegSecondsAlarm], 60, f.encode) || !f.canMatch(minutes, 60, f.encode) ||
		!f.canMatch(hours, 24, f.encodeHour) {
		return 0, false
	}
	for t := after + 1; t <= after+secondsPerDay; {
		c := civilFromSeconds(t)
		switch {
		case hours&alarmDontCare != alarmDontCare && hours != f.encodeHour(c.hour):
			t += int64(3600 - c.minute*60 - c.second)
		case minutes&alarmDontCare != alarmDontCare && minutes != f.encode(c.minute):
			t += int64(60 - c.second)
		case !r.alarmMatches(c):
			t++
		default:
			return t, true
		}
	}
	return 0, false
}

// canMatch reports whether an alarm byte is "don't care" or the encoding of
// one of the values 0..n-1.
func (f format) canMatch(alarm uint8, n int, encode func(int) uint8) bool {
	if alarm&alarmDontCare == alarmDontCare {
		return true
	}
	for v := 0; v < n; v++ {
		if encode(v) == alarm {
			return true
		}
	}
	return false
}

// alarmDue reports whether the alarm matched at any count in (from, to].
func (r *RTC) alarmDue(from, to int64) bool {
	t, ok := r.nextAlarm(from)
	return ok && t <= to
}

// NextDeadline returns the time at which IRQ 8 next rises by itself: the
// next periodic edge if PIE is set, the next update if UIE is, the next
// update that matches the alarm if AIE is, whichever comes first. The board
// calls Advance then. It returns false when no such time comes: the line is
// already high (only reading register C lowers it), no enabled event is
// due, or the divider chain is in reset. The time may lie in the past if
// Advance is late (devices.Timed).
func (r *RTC) NextDeadline() (devices.Time, bool) {
	t, ok := r.nextDeadline()
	return devices.Time(t), ok
}

func (r *RTC) nextDeadline() (nanos, bool) {
	if r.s.IRQ || !r.running() {
		return 0, false
	}
	var next nanos
	found := false
	consider := func(t nanos) {
		if !found || t < next {
			next, found = t, true
		}
	}
	b := r.s.CMOS[RegB]
	if p := r.period(); b&BPIE != 0 && p > 0 {
		consider(r.timeOfCycle((r.edgesAt(r.s.Last, p) + 1) * p))
	}
	if !r.halted() {
		if b&BUIE != 0 {
			consider(r.updateAfter(r.s.Last))
		}
		if b&BAIE != 0 {
			if t, ok := r.nextAlarm(r.s.Seconds); ok {
				consider(r.updateAfter(r.s.Last) + (t-r.s.Seconds-1)*second)
			}
		}
	}
	return next, found
}

// Advance brings the RTC up to time now: the updates and periodic edges
// since the last access or Advance set their flags, and IRQ 8 rises if an
// enabled one is set. Times before the last access change nothing
// (devices.Timed).
func (r *RTC) Advance(now devices.Time) { r.advance(nanos(now)) }

func (r *RTC) advance(now nanos) {
	r.catchUp(now)
	r.updateIRQ()
}
