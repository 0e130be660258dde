package rtc

import "testing"

// 2026-12-01 11:14:58 UTC, the time QEMU's RTC gave the Debian kernel whose
// boot docs/linux.md quotes.
const bootWall = 1796123698

func TestLinuxBootClock(t *testing.T) {
	for _, tc := range []struct {
		name string
		wall WallTime
		want int64 // what mach_get_cmos_time returns
	}{
		{"QEMU's boot time", wall(bootWall, 250*ms), bootWall},
		{"a leap day", wall(1709164799+1, 0), 1709164800},
		{"the last second of 1999", wall(946684799, 500*ms), 946684799},
		{"the last second Linux's two-digit window reads", wall(3155759999, 0), 3155759999},
		{"2038", wall(2147483647, 0), 2147483647},
		// 100 µs before the update UIP is set: Linux waits a millisecond
		// and reads the next second.
		{"inside the UIP window", wall(bootWall, second-100*us), bootWall + 1},
		{"just before the UIP window", wall(bootWall, second-300*us), bootWall},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := newRig(t, tc.wall)
			tm, ok := g.getTime()
			if !ok {
				t.Fatal("mc146818_get_time: UIP never cleared")
			}
			if got := tm.time64(); got != tc.want {
				t.Errorf("mach_get_cmos_time = %d (%+v), want %d", got, tm, tc.want)
			}
		})
	}
}

func TestLinuxBootClockFields(t *testing.T) {
	g := newRig(t, wall(bootWall, 0))
	for _, r := range []struct {
		reg  uint8
		name string
		want uint8
	}{
		{RegSeconds, "seconds", 0x58},
		{RegMinutes, "minutes", 0x14},
		{RegHours, "hours", 0x11},
		{RegDayOfWeek, "day of week (Tuesday)", 0x03},
		{RegDayOfMonth, "day of month", 0x01},
		{RegMonth, "month", 0x12},
		{RegYear, "year", 0x26},
		{RegCentury, "century", 0x20},
		{RegA, "register A", 0x26},
		{RegB, "register B", 0x02},
		{RegC, "register C", 0x00},
		{RegD, "register D", 0x80},
	} {
		g.wantReg(r.reg, r.name, r.want)
	}
}

func TestLinuxDoesRTCWork(t *testing.T) {
	g := newRig(t, wall(bootWall, second-50*us))
	if !g.avoidUIP(nil) {
		t.Fatal("mc146818_does_rtc_work: UIP never clears")
	}
}

func TestLinuxSetTime(t *testing.T) {
	g := newRig(t, wall(bootWall, 300*ms))
	// hwclock --systohc for 2030-06-15 08:30:00.
	set := rtcTime{sec: 0, min: 30, hour: 8, mday: 15, mon: 5, year: 130}
	g.setTime(set)
	t0 := g.now()
	if tm, _ := g.getTime(); tm != set {
		t.Fatalf("read back %+v right after setting %+v", tm, set)
	}
	g.wantReg(RegCentury, "century", 0x20)

	// The first update comes 500 ms after register A leaves reset.
	g.at(t0 + 500*ms - 1)
	g.wantReg(RegSeconds, "seconds just before the first update", 0x00)
	if a := g.cmosRead(RegA); a&AUIP == 0 {
		t.Fatalf("register A = %#x just before the first update, want UIP", a)
	}
	g.at(t0 + 500*ms)
	if tm, _ := g.getTime(); tm.sec != 1 || tm.time64() != 1907742601 {
		t.Fatalf("after the first update: %+v (%d), want 08:30:01 (1907742601)", tm, tm.time64())
	}
	g.wantReg(RegDayOfWeek, "day of week (Saturday), once updated", 0x07)
	if c := g.cmosRead(RegC); c&CUF == 0 {
		t.Errorf("register C = %#x after an update, want UF", c)
	}
	g.wantIRQ(false)
}

func TestLinuxTwoDigitWindow(t *testing.T) {
	// Without ACPI's century register, Linux reads years 70-99 as 19xx and
	// 00-69 as 20xx, and refuses to set a year past 2069.
	g := newRig(t, wall(bootWall, 0))
	g.setTime(rtcTime{sec: 59, min: 59, hour: 23, mday: 31, mon: 11, year: 169}) // 2069-12-31 23:59:59
	g.wait(500 * ms)
	tm, _ := g.getTime()
	if want := (rtcTime{0, 0, 0, 1, 0, 70}); tm != want {
		t.Errorf("after 2069-12-31 23:59:59 Linux reads %+v, want 1970-01-01 00:00:00 (%+v)", tm, want)
	}
	g.wantReg(RegYear, "year", 0x70)
	g.wantReg(RegCentury, "century", 0x20)
}

func TestRTCCmosProbe(t *testing.T) {
	g := newRig(t, wall(bootWall, 900*ms))
	// Firmware left every interrupt on and the flags set: the probe must
	// quiet them.
	g.cmosWrite(0x72, RegB)
	g.wait(2 * second)
	g.r.advance(g.now())
	g.wantIRQ(true)
	if !g.probe() {
		t.Fatal("cmos_do_probe gave up")
	}
	g.wantIRQ(false)
	g.wantReg(RegA, "register A", 0x26)
	g.wantReg(RegB, "register B", 0x02)
	if hour, min, sec, enabled := g.readAlarm(); hour != 0 || min != 0 || sec != 0 || enabled {
		t.Errorf("cmos_read_alarm = %02d:%02d:%02d enabled %v, want 00:00:00 disabled", hour, min, sec, enabled)
	}
	if tm, ok := g.getTime(); !ok || tm.time64() != bootWall+2 {
		t.Errorf("rtc_hctosys reads %+v, want %d", tm, bootWall+2)
	}
	if _, ok := g.r.nextDeadline(); ok {
		t.Error("a deadline with every interrupt disabled")
	}
}

func TestRTCCmosAlarm(t *testing.T) {
	g := newRig(t, wall(bootWall, 0)) // 11:14:58
	g.probe()
	g.setAlarm(11, 15, 30, true)
	if hour, min, sec, enabled := g.readAlarm(); hour != 11 || min != 15 || sec != 30 || !enabled {
		t.Fatalf("cmos_read_alarm = %02d:%02d:%02d enabled %v, want 11:15:30 enabled", hour, min, sec, enabled)
	}
	g.wantIRQ(false)
	d := g.runToDeadline()
	// 32 updates after 11:14:58, on the boundary of the second that began
	// at start.
	if want := start + 32*second; d != want {
		t.Errorf("alarm deadline %d, want %d", d, want)
	}
	if got := g.interrupt(); got != rtcAF {
		t.Errorf("cmos_interrupt saw flags %#x, want AF", got)
	}
	g.wantIRQ(false)
	if tm, _ := g.getTime(); tm.hour != 11 || tm.min != 15 || tm.sec != 30 {
		t.Errorf("time at the alarm: %+v", tm)
	}
	if _, ok := g.r.nextDeadline(); ok {
		t.Error("a deadline after the one-shot alarm cleared AIE")
	}
	if g.rises() != 1 {
		t.Errorf("IRQ 8 rose %d times, want once", g.rises())
	}
}

func TestRTCCmosUpdateInterrupts(t *testing.T) {
	g := newRig(t, wall(bootWall, 400*ms))
	g.probe()
	g.irqEnable(rtcUIE) // RTC_UIE_ON on kernels that drive UIE directly
	first := g.deadline()
	if want := start + 600*ms; first != want {
		t.Fatalf("first update-ended deadline %d, want %d", first, want)
	}
	for i := 0; i < 5; i++ {
		d := g.runToDeadline()
		if want := first + int64(i)*second; d != want {
			t.Fatalf("update %d at %d, want %d", i, d, want)
		}
		if got := g.interrupt(); got != CUF {
			t.Fatalf("update %d: handler saw %#x, want UF", i, got)
		}
		g.wantIRQ(false)
	}
	if tm, _ := g.getTime(); tm.time64() != bootWall+5 {
		t.Errorf("after five updates the time is %d, want %d", tm.time64(), bootWall+5)
	}
}

func TestRTCCmosIgnoresFlagsWithoutEnables(t *testing.T) {
	g := newRig(t, wall(bootWall, 0))
	g.probe()
	g.wait(3 * second) // PF and UF set, nothing enabled
	if got := g.interrupt(); got != 0 {
		t.Errorf("cmos_interrupt = %#x with no interrupt enabled, want IRQ_NONE", got)
	}
	g.wantIRQ(false)
	if g.rises() != 0 {
		t.Errorf("IRQ 8 rose %d times", g.rises())
	}
}

func TestRTCCmosProcfs(t *testing.T) {
	g := newRig(t, wall(bootWall, 0))
	if v := g.cmosRead(rtcValid); v&DVRT == 0 {
		t.Errorf("batt_status dead: register D = %#x", v)
	}
	if g.cmosRead(rtcControl)&rtcDMBinary != 0 {
		t.Error("BCD: no")
	}
}
