package rtc

// The divider chain divides the 32.768 kHz crystal down to one pulse a
// second, which starts an update cycle: the time registers advance by one
// second, the alarm is compared, UF is set. Taps of the same chain give the
// periodic interrupt. Nothing is stepped here: the chain's state is a
// function of the time since Phase, and catchUp applies every update and
// periodic edge between Last and now at once, whenever the guest touches a
// port or the board calls Advance.

// crystalHz is the PC's RTC time base.
const crystalHz = 32768

// uipLead is how long before an update register A's UIP bit is set: the
// datasheet's t_BUC, 244 µs (8 cycles of the 32.768 kHz crystal), rounded up
// to a whole nanosecond. A reader that sees UIP clear has at least that long
// to read the time registers before they change.
const uipLead nanos = 244141

// firstUpdateDelay is how long after the divider chain leaves reset the
// first update comes: half a second, as the datasheet says and Linux's
// mach_set_cmos_time relies on.
const firstUpdateDelay = second / 2

// running reports whether the divider chain counts: a time base is selected
// (DV2-DV0 000, 001 or 010), not the reset or a test setting.
func (r *RTC) running() bool { return r.s.CMOS[RegA]&ADividerMask <= ADivider32kHz }

// halted reports whether register B's SET bit holds the updates.
func (r *RTC) halted() bool { return r.s.CMOS[RegB]&BSET != 0 }

// secondsAt is how many whole seconds the divider chain has counted at t.
func (r *RTC) secondsAt(t nanos) int64 {
	q, _ := floorDiv(t-r.s.Phase, second)
	return q
}

// updateAfter returns the time of the first update after t.
func (r *RTC) updateAfter(t nanos) nanos {
	return r.s.Phase + (r.secondsAt(t)+1)*second
}

// updateInProgress is register A's UIP bit at time now: set from 244 µs
// before an update until the update, which this model does in an instant.
func (r *RTC) updateInProgress(now nanos) bool {
	return r.running() && !r.halted() && r.updateAfter(now)-now <= uipLead
}

// catchUp applies what the chain did between Last and now: the updates (all
// at once, as one jump of the count), UF, AF if the alarm time was among the
// seconds passed, and PF if a periodic edge passed. It leaves IRQ 8 to
// updateIRQ.
func (r *RTC) catchUp(now nanos) {
	if now <= r.s.Last {
		return
	}
	if r.running() {
		if n := r.secondsAt(now) - r.secondsAt(r.s.Last); n > 0 && !r.halted() {
			before := r.s.Seconds
			r.s.Seconds += n
			r.render()
			r.s.Flags |= CUF
			if r.alarmDue(before, r.s.Seconds) {
				r.s.Flags |= CAF
			}
		}
		if p := r.period(); p > 0 && r.edgesAt(now, p) != r.edgesAt(r.s.Last, p) {
			r.s.Flags |= CPF
		}
	}
	r.s.Last = now
}

// render writes the count into the time registers in the current format.
// The year register holds the year within the century and the PC's century
// byte the rest; years beyond 0-9999 wrap, as the two-digit counters would.
func (r *RTC) render() {
	c := civilFromSeconds(r.s.Seconds)
	_, year := floorDiv(c.year, 10000)
	f := formatOf(r.s.CMOS[RegB])
	ram := &r.s.CMOS
	ram[RegSeconds] = f.encode(c.second)
	ram[RegMinutes] = f.encode(c.minute)
	ram[RegHours] = f.encodeHour(c.hour)
	ram[RegDayOfWeek] = f.encode(c.weekday)
	ram[RegDayOfMonth] = f.encode(c.day)
	ram[RegMonth] = f.encode(c.month)
	ram[RegYear] = f.encode(int(year % 100))
	ram[RegCentury] = f.encode(int(year / 100))
}

// parse reads the count back from the time registers in the current format.
// Values out of range carry into the next field (61 seconds is a minute and
// a second), which is what the next update would do to them here; a real
// part's behaviour with them is undefined. The day of the week is not read:
// it follows from the date.
func (r *RTC) parse() int64 {
	f := formatOf(r.s.CMOS[RegB])
	ram := &r.s.CMOS
	return civil{
		year:   int64(f.decode(ram[RegCentury]))*100 + int64(f.decode(ram[RegYear])),
		month:  f.decode(ram[RegMonth]),
		day:    f.decode(ram[RegDayOfMonth]),
		hour:   f.decodeHour(ram[RegHours]),
		minute: f.decode(ram[RegMinutes]),
		second: f.decode(ram[RegSeconds]),
	}.seconds()
}

// isTimeRegister reports whether reg is one of the counters the update
// advances (the day of the week aside): writing one sets the count.
func isTimeRegister(reg uint8) bool {
	switch reg {
	case RegSeconds, RegMinutes, RegHours, RegDayOfMonth, RegMonth, RegYear, RegCentury:
		return true
	}
	return false
}

// writeA stores register A (UIP is read only). When the divider chain leaves
// reset it starts counting at once, and the first update comes half a
// second later.
func (r *RTC) writeA(v uint8, now nanos) {
	wasRunning := r.running()
	r.s.CMOS[RegA] = v &^ AUIP
	if !wasRunning && r.running() {
		r.s.Phase = now + firstUpdateDelay - second
	}
}

// writeB stores register B. Setting SET clears UIE, as on the part. A change
// of data mode or of 12/24-hour mode re-expresses the time registers in the
// new format at once (the alarm registers are the guest's to rewrite).
func (r *RTC) writeB(v uint8) {
	old := r.s.CMOS[RegB]
	if v&BSET != 0 && old&BSET == 0 {
		v &^= BUIE
	}
	r.s.CMOS[RegB] = v
	if formatOf(old) != formatOf(v) {
		r.render()
	}
}
