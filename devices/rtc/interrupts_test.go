package rtc

import (
	"fmt"
	"testing"
)

func TestPeriodicRates(t *testing.T) {
	for _, tc := range []struct {
		rs     uint8
		perSec int   // interrupts in one second
		period int64 // ns between the first two, rounded up
	}{
		{1, 256, 3906250}, {2, 128, 7812500}, {3, 8192, 122071}, {4, 4096, 244141},
		{5, 2048, 488282}, {6, 1024, 976563}, {7, 512, 1953125}, {8, 256, 3906250},
		{9, 128, 7812500}, {10, 64, 15625000}, {11, 32, 31250000}, {12, 16, 62500000},
		{13, 8, 125000000}, {14, 4, 250000000}, {15, 2, 500000000},
	} {
		t.Run(fmt.Sprintf("rate select %d", tc.rs), func(t *testing.T) {
			g := newRig(t, wall(bootWall, 0)) // the divider's second begins at start
			g.cmosWrite(ADivider32kHz|tc.rs, RegA)
			g.cmosRead(RegC)
			g.irqEnable(rtcPIE)
			n, first := 0, int64(0)
			for {
				d := g.deadline()
				if d > start+second {
					break
				}
				g.runToDeadline()
				if n == 0 {
					first = d
				} else if n == 1 && d-first != tc.period && d-first != tc.period-1 {
					t.Fatalf("period %d ns, want %d", d-first, tc.period)
				}
				if got := g.interrupt(); got != CPF {
					t.Fatalf("edge %d: handler saw %#x, want PF", n, got)
				}
				n++
			}
			if n != tc.perSec {
				t.Errorf("%d periodic interrupts in a second, want %d", n, tc.perSec)
			}
		})
	}
}

func TestPeriodicFlagWithoutEnable(t *testing.T) {
	g := newRig(t, wall(bootWall, 0))
	g.cmosRead(RegC)
	g.wait(2 * ms)
	if c := g.cmosRead(RegC); c != CPF {
		t.Fatalf("register C = %#x, want PF without IRQF", c)
	}
	g.wantIRQ(false)
	g.wait(2 * ms)
	// Enabling PIE with PF already set raises IRQ 8 at once.
	g.cmosWrite(BPIE|B24H, RegB)
	g.wantIRQ(true)
	if c := g.cmosRead(RegC); c != CIRQF|CPF {
		t.Fatalf("register C = %#x, want IRQF and PF", c)
	}
	g.wantIRQ(false)
}

func TestReadingCClearsAndLowersIRQ8(t *testing.T) {
	g := newRig(t, wall(bootWall, 0))
	g.cmosWrite(BUIE|B24H, RegB)
	g.runToDeadline()
	if _, ok := g.r.nextDeadline(); ok {
		t.Error("a deadline while IRQ 8 is high: nothing can raise it further")
	}
	// A handler that does not read C gets no more interrupts.
	g.wait(3 * second)
	g.r.advance(g.now())
	if g.rises() != 1 {
		t.Fatalf("IRQ 8 rose %d times without C being read, want once", g.rises())
	}
	c := g.cmosRead(RegC)
	if c != CIRQF|CPF|CUF {
		t.Errorf("register C = %#x, want IRQF, PF, UF", c)
	}
	g.wantIRQ(false)
	if c := g.cmosRead(RegC); c != 0 {
		t.Errorf("register C read twice = %#x, want 0", c)
	}
}

func TestLateAdvanceFoldsEvents(t *testing.T) {
	g := newRig(t, wall(bootWall, 0))
	g.cmosWrite(BPIE|B24H, RegB)
	d := g.deadline()
	g.at(d + 50*ms) // 50 edges late
	g.r.advance(g.now())
	if g.rises() != 1 {
		t.Errorf("IRQ 8 rose %d times for 51 missed edges, want once (a real 8259A loses them too)", g.rises())
	}
}

func TestAlarms(t *testing.T) {
	for _, tc := range []struct {
		name          string
		b             uint8
		hour, min, s  uint8 // alarm registers
		wantAfterBoot int64 // updates from 11:14:58 to the first match; 0 for never
	}{
		{"11:15:00", B24H, 0x11, 0x15, 0x00, 2},
		{"any hour, any minute, second 30", B24H, 0xC0, 0xFF, 0x30, 32},
		{"any hour, minute 14, second 59", B24H, 0xC3, 0x14, 0x59, 1},
		{"every second", B24H, 0xFF, 0xFF, 0xFF, 1},
		{"tomorrow 11:14:57", B24H, 0x11, 0x14, 0x57, 86399},
		{"12-hour mode, 11:15:00 AM", 0, 0x11, 0x15, 0x00, 2},
		{"12-hour mode, 11:15:00 PM", 0, 0x91, 0x15, 0x00, 2 + 12*3600},
		{"binary, 11:15:00", B24H | BDM, 11, 15, 0, 2},
		{"BCD minute 0x60 never matches", B24H, 0xC0, 0x60, 0x00, 0},
		{"24-hour hour 0x24 never matches", B24H, 0x24, 0x00, 0x00, 0},
		{"12-hour hour 0x13 never matches", 0, 0x13, 0x00, 0x00, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := newRig(t, wall(bootWall, 0)) // 11:14:58, updates at start + k s
			g.cmosWrite(tc.b|BSET, RegB)      // format change re-expresses the time
			g.cmosWrite(tc.hour, RegHoursAlarm)
			g.cmosWrite(tc.min, RegMinutesAlarm)
			g.cmosWrite(tc.s, RegSecondsAlarm)
			g.cmosWrite(tc.b|BAIE, RegB)
			d, ok := g.r.nextDeadline()
			if tc.wantAfterBoot == 0 {
				if ok {
					t.Fatalf("deadline %d for an alarm that cannot match", d)
				}
				g.at(start + 2*86400*second)
				if c := g.cmosRead(RegC); c&CAF != 0 {
					t.Errorf("register C = %#x after two days: AF for an alarm that cannot match", c)
				}
				return
			}
			if want := start + tc.wantAfterBoot*second; !ok || d != want {
				t.Fatalf("alarm deadline %d (%v), want %d", d, ok, want)
			}
			g.runToDeadline()
			if c := g.cmosRead(RegC); c&(CIRQF|CAF) != CIRQF|CAF {
				t.Errorf("register C = %#x at the alarm", c)
			}
		})
	}
}

func TestAlarmFoundAcrossALongGap(t *testing.T) {
	g := newRig(t, wall(bootWall, 0))
	g.cmosWrite(0x11, RegHoursAlarm)
	g.cmosWrite(0x15, RegMinutesAlarm)
	g.cmosWrite(0x00, RegSecondsAlarm)
	g.at(start + 10*second) // the alarm time passed between two accesses
	if c := g.cmosRead(RegC); c&CAF == 0 {
		t.Errorf("register C = %#x: the alarm second passed unnoticed", c)
	}
}

func TestNoDeadlineWithoutEnables(t *testing.T) {
	g := newRig(t, wall(bootWall, 0))
	if d, ok := g.r.nextDeadline(); ok {
		t.Fatalf("deadline %d with every interrupt disabled", d)
	}
	g.cmosWrite(BPIE|B24H, RegB)
	g.cmosWrite(ADivider32kHz, RegA) // rate 0: no periodic interrupt
	if d, ok := g.r.nextDeadline(); ok {
		t.Fatalf("deadline %d with PIE but rate select 0", d)
	}
}
