package rtc

// Replays of what Linux 6.1 does to the RTC, register by register:
// drivers/rtc/rtc-mc146818-lib.c (mc146818_avoid_UIP, mc146818_get_time,
// mc146818_set_time), drivers/rtc/rtc-cmos.c (cmos_do_probe,
// cmos_read_alarm, cmos_set_alarm, cmos_irq_enable/disable,
// cmos_interrupt) and arch/x86/kernel/rtc.c (mach_get_cmos_time, the boot
// clock). x86 defines RTC_ALWAYS_BCD, so every value is decoded as BCD.

// Linux's names for register bits (include/linux/mc146818rtc.h).
const (
	rtcUIP         = 0x80
	rtcDivReset2   = 0x70
	rtcRefClck32k  = 0x20
	rtcSET         = 0x80
	rtcPIE         = 0x40
	rtcAIE         = 0x20
	rtcUIE         = 0x10
	rtcDMBinary    = 0x04
	rtc24H         = 0x02
	rtcIRQF        = 0x80
	rtcIRQMask     = 0x70 // RTC_PF | RTC_AF | RTC_UF
	rtcAF          = 0x20
	rtcFreqSelect  = RegA
	rtcControl     = RegB
	rtcIntrFlags   = RegC
	rtcValid       = RegD
	rtcSecondsReg  = RegSeconds
	mdelay1        = 1 * ms
	avoidUIPTrials = 10
)

// rtcTime is Linux's struct rtc_time: tm_mon counts from 0, tm_year from
// 1900.
type rtcTime struct{ sec, min, hour, mday, mon, year int }

func bcd2bin(b uint8) int { return int(b&0x0F) + int(b>>4)*10 }

func bin2bcd(v int) uint8 { return uint8(v/10<<4 | v%10) }

// mktime64 is Linux's mktime64 (kernel/time/time.c), the conversion behind
// rtc_tm_to_time64: Gauss's formula, independent of the model's calendar.
func mktime64(year, mon, day, hour, min, sec int64) int64 {
	mon -= 2
	if mon <= 0 {
		mon += 12
		year--
	}
	days := year/4 - year/100 + year/400 + 367*mon/12 + day + year*365 - 719499
	return ((days*24+hour)*60+min)*60 + sec
}

func (t rtcTime) time64() int64 {
	return mktime64(int64(t.year)+1900, int64(t.mon)+1, int64(t.mday), int64(t.hour), int64(t.min), int64(t.sec))
}

// avoidUIP is mc146818_avoid_UIP: run callback while UIP is clear and the
// seconds do not move, up to ten tries a millisecond apart.
func (g *rig) avoidUIP(callback func(seconds uint8)) bool {
	for i := 0; i < avoidUIPTrials; i++ {
		seconds := g.cmosRead(rtcSecondsReg)
		if g.cmosRead(rtcFreqSelect)&rtcUIP != 0 {
			g.wait(mdelay1)
			continue
		}
		if seconds != g.cmosRead(rtcSecondsReg) {
			continue
		}
		if callback != nil {
			callback(seconds)
		}
		if g.cmosRead(rtcFreqSelect)&rtcUIP != 0 {
			g.wait(mdelay1)
			continue
		}
		if seconds != g.cmosRead(rtcSecondsReg) {
			continue
		}
		return true
	}
	return false
}

// getTime is mc146818_get_time without ACPI (no century register), as a
// kernel booted with acpi=off runs it.
func (g *rig) getTime() (rtcTime, bool) {
	var t rtcTime
	var raw [6]uint8
	ok := g.avoidUIP(func(seconds uint8) {
		raw[0] = seconds
		raw[1] = g.cmosRead(RegMinutes)
		raw[2] = g.cmosRead(RegHours)
		raw[3] = g.cmosRead(RegDayOfMonth)
		raw[4] = g.cmosRead(RegMonth)
		raw[5] = g.cmosRead(RegYear)
		g.cmosRead(rtcControl) // ctrl: decides BCD, but x86 always decodes BCD
	})
	if !ok {
		return t, false
	}
	t = rtcTime{bcd2bin(raw[0]), bcd2bin(raw[1]), bcd2bin(raw[2]), bcd2bin(raw[3]), bcd2bin(raw[4]), bcd2bin(raw[5])}
	if t.year <= 69 {
		t.year += 100
	}
	t.mon--
	return t, true
}

// setTime is mc146818_set_time without ACPI.
func (g *rig) setTime(t rtcTime) {
	yrs := t.year
	if yrs > 169 {
		g.t.Fatalf("mc146818_set_time refuses year %d", yrs+1900)
	}
	if yrs >= 100 {
		yrs -= 100
	}
	g.cmosRead(rtcControl) // the DM check; x86 encodes BCD regardless
	saveControl := g.cmosRead(rtcControl)
	g.cmosWrite(saveControl|rtcSET, rtcControl)
	saveFreqSelect := g.cmosRead(rtcFreqSelect)
	g.cmosWrite(saveFreqSelect|rtcDivReset2, rtcFreqSelect)
	g.cmosWrite(bin2bcd(yrs), RegYear)
	g.cmosWrite(bin2bcd(t.mon+1), RegMonth)
	g.cmosWrite(bin2bcd(t.mday), RegDayOfMonth)
	g.cmosWrite(bin2bcd(t.hour), RegHours)
	g.cmosWrite(bin2bcd(t.min), RegMinutes)
	g.cmosWrite(bin2bcd(t.sec), RegSeconds)
	g.cmosWrite(saveControl, rtcControl)
	g.cmosWrite(saveFreqSelect, rtcFreqSelect)
}

// checkintr is cmos_checkintr: read C, and report the enabled flags if
// IRQF is among them.
func (g *rig) checkintr(control uint8) uint8 {
	intr := g.cmosRead(rtcIntrFlags)
	intr &= control&rtcIRQMask | rtcIRQF
	if intr&rtcIRQF == 0 {
		return 0
	}
	return intr & rtcIRQMask
}

// irqEnable and irqDisable are cmos_irq_enable and cmos_irq_disable
// (no HPET, no ACPI).
func (g *rig) irqEnable(mask uint8) {
	control := g.cmosRead(rtcControl)
	g.checkintr(control)
	control |= mask
	g.cmosWrite(control, rtcControl)
	g.checkintr(control)
}

func (g *rig) irqDisable(mask uint8) {
	control := g.cmosRead(rtcControl) &^ mask
	g.cmosWrite(control, rtcControl)
	g.checkintr(control)
}

// probe is cmos_do_probe on a PC without ACPI or HPET, up to the IRQ
// request: it returns false where the driver gives up.
func (g *rig) probe() bool {
	if !g.avoidUIP(nil) { // mc146818_does_rtc_work
		return false
	}
	g.cmosWrite(rtcRefClck32k|0x06, rtcFreqSelect) // 1024 Hz
	g.irqDisable(rtcPIE | rtcAIE | rtcUIE)
	control := g.cmosRead(rtcControl)
	return control&rtc24H != 0 // "only 24-hr supported"
}

// readAlarm is cmos_read_alarm without day and month alarm registers: the
// hours, minutes and seconds in BCD (-1 for a "don't care" value) and
// whether AIE is on.
func (g *rig) readAlarm() (hour, min, sec int, enabled bool) {
	var raw [3]uint8
	var control uint8
	if !g.avoidUIP(func(uint8) {
		raw[0] = g.cmosRead(RegSecondsAlarm)
		raw[1] = g.cmosRead(RegMinutesAlarm)
		raw[2] = g.cmosRead(RegHoursAlarm)
		control = g.cmosRead(rtcControl)
	}) {
		g.t.Fatal("cmos_read_alarm: UIP never clears")
	}
	decode := func(b uint8, limit uint8) int {
		if b < limit {
			return bcd2bin(b)
		}
		return -1
	}
	return decode(raw[2], 0x24), decode(raw[1], 0x60), decode(raw[0], 0x60), control&rtcAIE != 0
}

// setAlarm is cmos_set_alarm for a time within a day (no day alarm):
// values out of range become 0xFF, "don't care".
func (g *rig) setAlarm(hour, min, sec int, enabled bool) {
	enc := func(v, limit int) uint8 {
		if v >= 0 && v < limit {
			return bin2bcd(v)
		}
		return 0xFF
	}
	hrs, mins, secs := enc(hour, 24), enc(min, 60), enc(sec, 60)
	g.cmosRead(rtcControl)
	if !g.avoidUIP(func(uint8) {
		g.irqDisable(rtcAIE)
		g.cmosWrite(hrs, RegHoursAlarm)
		g.cmosWrite(mins, RegMinutesAlarm)
		g.cmosWrite(secs, RegSecondsAlarm)
		if enabled {
			g.irqEnable(rtcAIE)
		}
	}) {
		g.t.Fatal("cmos_set_alarm: UIP never clears")
	}
}

// interrupt is cmos_interrupt: read C and B, keep the enabled flags, and
// clear AIE after an alarm (Linux's alarms are one-shot). It returns the
// flags the handler passes to rtc_update_irq, 0 for IRQ_NONE.
func (g *rig) interrupt() uint8 {
	irqstat := g.cmosRead(rtcIntrFlags)
	control := g.cmosRead(rtcControl)
	irqstat &= control&rtcIRQMask | rtcIRQF
	if irqstat&rtcAIE != 0 {
		control &^= rtcAIE
		g.cmosWrite(control, rtcControl)
		g.cmosRead(rtcIntrFlags)
	}
	if irqstat&rtcIRQF == 0 {
		return 0
	}
	return irqstat & rtcIRQMask
}
