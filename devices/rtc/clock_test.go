package rtc

import "testing"

func TestUIPWindow(t *testing.T) {
	for _, tc := range []struct {
		name   string
		before int64 // time left until the update
		uip    bool
	}{
		{"300 µs before the update", 300 * us, false},
		{"245 µs before", 245 * us, false},
		{"244 µs before", 244 * us, true},
		{"1 ns before", 1, true},
		{"at the update", 0, false},
		{"a second before the next one", second, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := newRig(t, wall(bootWall, 0)) // the update is due at start+1s
			g.at(start + second - tc.before)
			a := g.cmosRead(RegA)
			if got := a&AUIP != 0; got != tc.uip {
				t.Errorf("UIP = %v (register A %#x), want %v", got, a, tc.uip)
			}
			if a&^AUIP != 0x26 {
				t.Errorf("register A = %#x, want 0x26 with or without UIP", a)
			}
		})
	}
}

func TestUpdateAdvancesTheRegisters(t *testing.T) {
	g := newRig(t, wall(bootWall, 0))
	g.at(start + second - 1)
	g.wantReg(RegSeconds, "seconds before the update", 0x58)
	g.at(start + second)
	g.wantReg(RegSeconds, "seconds after the update", 0x59)
	g.at(start + 3*second)
	g.wantReg(RegSeconds, "seconds", 0x01)
	g.wantReg(RegMinutes, "minutes", 0x15)
	// The power-on 1024 Hz rate sets PF too; nothing is enabled, so no IRQF.
	if c := g.cmosRead(RegC); c != CPF|CUF {
		t.Errorf("register C = %#x, want PF and UF", c)
	}
}

func TestRollovers(t *testing.T) {
	for _, tc := range []struct {
		name            string
		from            int64 // one second before the rollover
		day, month, yr  uint8 // BCD, after
		century, wday   uint8
		hour, min, secs uint8
	}{
		{"into 2000", 946684799, 0x01, 0x01, 0x00, 0x20, 0x07, 0, 0, 0},
		{"into a leap day", 1709164799, 0x29, 0x02, 0x24, 0x20, 0x05, 0, 0, 0},
		{"past February in 2023", 1677628799, 0x01, 0x03, 0x23, 0x20, 0x04, 0, 0, 0},
		{"past February in 2100", 4107542399, 0x01, 0x03, 0x00, 0x21, 0x02, 0, 0, 0},
		{"into 10000 wraps to 0000", 253402300799, 0x01, 0x01, 0x00, 0x00, 0x07, 0, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := newRig(t, wall(tc.from, 0))
			g.at(start + second)
			for _, r := range []struct {
				reg  uint8
				name string
				want uint8
			}{
				{RegSeconds, "seconds", tc.secs}, {RegMinutes, "minutes", tc.min}, {RegHours, "hours", tc.hour},
				{RegDayOfWeek, "day of week", tc.wday}, {RegDayOfMonth, "day", tc.day}, {RegMonth, "month", tc.month},
				{RegYear, "year", tc.yr}, {RegCentury, "century", tc.century},
			} {
				g.wantReg(r.reg, r.name, r.want)
			}
		})
	}
}

func TestHourModesAndDataModes(t *testing.T) {
	for _, tc := range []struct {
		name  string
		b     uint8 // register B
		clock int64 // seconds into 1970-01-01
		hours uint8
		secs  uint8
	}{
		{"24-hour BCD, 23:59:59", B24H, 23*3600 + 59*60 + 59, 0x23, 0x59},
		{"12-hour BCD, midnight is 12 AM", 0, 30, 0x12, 0x30},
		{"12-hour BCD, 1 AM", 0, 3600, 0x01, 0x00},
		{"12-hour BCD, noon is 12 PM", 0, 12 * 3600, 0x92, 0x00},
		{"12-hour BCD, 1 PM", 0, 13 * 3600, 0x81, 0x00},
		{"12-hour BCD, 11 PM", 0, 23 * 3600, 0x91, 0x00},
		{"24-hour binary, 23:59:59", B24H | BDM, 23*3600 + 59*60 + 59, 23, 59},
		{"12-hour binary, 11 PM", BDM, 23 * 3600, 0x8B, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := newRig(t, wall(tc.clock, 0))
			g.cmosWrite(tc.b, RegB) // the format change re-expresses the registers
			g.wantReg(RegHours, "hours", tc.hours)
			g.wantReg(RegSeconds, "seconds", tc.secs)
			// Writing back what was read sets the same time.
			before := g.r.State().Seconds
			g.cmosWrite(tc.hours, RegHours)
			if got := g.r.State().Seconds; got != before {
				t.Errorf("writing hours %#x back moved the count from %d to %d", tc.hours, before, got)
			}
		})
	}
}

func TestTwelveHourRolloverAtMidnight(t *testing.T) {
	g := newRig(t, wall(bootWall-(11*3600+14*60+58)+24*3600-1, 0)) // 2026-12-01 23:59:59
	g.cmosWrite(0, RegB)                                           // 12-hour BCD
	g.wantReg(RegHours, "hours at 11:59:59 PM", 0x91)
	g.at(start + second)
	g.wantReg(RegHours, "hours at midnight", 0x12)
	g.wantReg(RegDayOfMonth, "day", 0x02)
}

func TestSetHaltsUpdates(t *testing.T) {
	g := newRig(t, wall(bootWall, 200*ms))
	g.cmosWrite(BSET|BUIE|B24H, RegB)
	if b := g.cmosRead(RegB); b&BUIE != 0 {
		t.Errorf("register B = %#x: setting SET must clear UIE", b)
	}
	g.at(start + 800*ms - 100*us) // where UIP would be set
	if a := g.cmosRead(RegA); a&AUIP != 0 {
		t.Errorf("register A = %#x: UIP with SET", a)
	}
	g.at(start + 3*second)
	g.wantReg(RegSeconds, "seconds while SET", 0x58)
	if c := g.cmosRead(RegC); c&CUF != 0 {
		t.Errorf("register C = %#x: an update while SET", c)
	}
	g.cmosWrite(B24H, RegB)
	// The divider kept running: the next update is on its old phase.
	g.at(start + 3*second + 800*ms - 1)
	g.wantReg(RegSeconds, "seconds just before the first update after SET", 0x58)
	g.at(start + 3*second + 800*ms)
	g.wantReg(RegSeconds, "seconds after it", 0x59)
}

func TestDividerReset(t *testing.T) {
	g := newRig(t, wall(bootWall, 0))
	g.cmosWrite(ADividerReset|ARate1024Hz, RegA)
	g.cmosWrite(BPIE|BUIE|B24H, RegB)
	g.wait(5 * second)
	g.r.advance(g.now())
	g.wantIRQ(false)
	g.wantReg(RegSeconds, "seconds in reset", 0x58)
	if _, ok := g.r.nextDeadline(); ok {
		t.Error("a deadline while the divider is in reset")
	}
	g.cmosWrite(ADivider32kHz, RegA) // no periodic rate: only updates
	released := g.now()
	if d := g.deadline(); d != released+500*ms {
		t.Errorf("first update %d ns after leaving reset, want 500 ms", d-released)
	}
	for _, tc := range []struct {
		name string
		a    uint8
	}{{"test setting 011", 0x30}, {"test setting 100", 0x40}, {"reset 111", 0x70}} {
		g.cmosWrite(tc.a, RegA)
		if _, ok := g.r.nextDeadline(); ok {
			t.Errorf("%s: a deadline with the chain stopped", tc.name)
		}
	}
}

func TestWritingTimeRegisters(t *testing.T) {
	g := newRig(t, wall(bootWall, 0))
	g.cmosWrite(BSET|B24H, RegB)
	for _, w := range []struct{ reg, v uint8 }{
		{RegCentury, 0x19}, {RegYear, 0x99}, {RegMonth, 0x12}, {RegDayOfMonth, 0x31},
		{RegHours, 0x23}, {RegMinutes, 0x59}, {RegSeconds, 0x59},
	} {
		g.cmosWrite(w.v, w.reg)
		g.wantReg(w.reg, "the register just written", w.v)
	}
	if got := g.r.State().Seconds; got != 946684799 {
		t.Errorf("count after writing 1999-12-31 23:59:59: %d", got)
	}
	g.cmosWrite(B24H, RegB)
	g.wait(second)
	g.wantReg(RegCentury, "century", 0x20)
	g.wantReg(RegYear, "year", 0x00)

	// Out-of-range values read back as written, then carry at the update.
	g.cmosWrite(BSET|B24H, RegB)
	g.cmosWrite(0x00, RegMinutes)
	g.cmosWrite(0x75, RegSeconds) // 75 seconds
	g.wantReg(RegSeconds, "seconds as written", 0x75)
	g.cmosWrite(B24H, RegB)
	g.wait(second)
	g.wantReg(RegSeconds, "seconds after the update", 0x16)
	g.wantReg(RegMinutes, "minutes after the update", 0x01)
}

func TestSetWallTime(t *testing.T) {
	g := newRig(t, wall(bootWall, 0))
	g.cmosWrite(BUIE|B24H, RegB)
	g.at(start + 400*ms)
	g.r.SetWallTime(wall(2147483647, 900*ms))
	g.wantReg(RegYear, "year", 0x38)
	g.wantReg(RegSeconds, "seconds", 0x07)
	if d := g.deadline(); d != start+500*ms {
		t.Errorf("next update at %d, want when the wall second ends (%d)", d, start+500*ms)
	}
}
