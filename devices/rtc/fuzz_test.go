package rtc

import (
	"testing"

	"github.com/pollscope/pollscope/devices"
)

// FuzzPorts replays a sequence of four-byte operations on an RTC: port
// accesses (any offset, width and direction), clock advances, Advance,
// NextDeadline checks, SetWallTime and save/restore. After each operation it
// checks the invariants a driver and the board rely on.
//
// Operation bytes: kind, arg, v1, v2. kind%6: 0 port access (arg bits 0-1
// offset 0-3, bits 2-3 width 1/2/4, bit 4 write; data v1, v2, ...); 1 advance
// the clock by (v1<<8|v2) << (arg%40) ns; 2 Advance at the clock's time;
// 3 check NextDeadline on a copy; 4 State/SetState round trip; 5 SetWallTime
// to (arg<<16|v1<<8|v2) << 8 seconds.
func FuzzPorts(f *testing.F) {
	f.Add([]byte{ // Linux's probe, then UIE on and a few seconds
		0, 0x10, 0x0A, 0, 0, 0x11, 0x26, 0, 0, 0x10, 0x0B, 0, 0, 0x11, 0x12, 0, 0, 0x10, 0x0C, 0, 0, 0x01, 0, 0,
		0, 0x11, 0x12, 0, 3, 0, 0, 0, 1, 30, 0x40, 0x00, 2, 0, 0, 0, 0, 0x01, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0,
	})
	f.Add([]byte{ // set the time as mc146818_set_time does
		0, 0x10, 0x0B, 0, 0, 0x11, 0x82, 0, 0, 0x10, 0x0A, 0, 0, 0x11, 0x76, 0, 0, 0x10, 0x09, 0, 0, 0x11, 0x30, 0,
		0, 0x10, 0x04, 0, 0, 0x11, 0x23, 0, 0, 0x10, 0x0B, 0, 0, 0x11, 0x02, 0, 0, 0x10, 0x0A, 0, 0, 0x11, 0x26, 0,
		1, 20, 0x07, 0xA1, 3, 0, 0, 0, 5, 0x12, 0x34, 0x56,
	})
	f.Add([]byte{ // 12-hour binary mode with an alarm and PIE, via word writes
		0, 0x14, 0x0B, 0x60, 0, 0x14, 0x05, 0xC0, 0, 0x14, 0x01, 0x05, 0, 0x14, 0x0A, 0x2F, 3, 0, 0, 0, 1, 30, 0xFF, 0xFF, 2, 0, 0, 0,
	})
	f.Fuzz(func(t *testing.T, ops []byte) {
		clock := &devices.ManualClock{}
		setNanos(&clock.T, start)
		var levels []bool
		r := New(clock, devices.LineFunc(func(h bool) { levels = append(levels, h) }), wall(bootWall, 0))
		for ; len(ops) >= 4; ops = ops[4:] {
			kind, arg, v1, v2 := ops[0]%6, ops[1], ops[2], ops[3]
			switch kind {
			case 0:
				data := make([]byte, 1<<((arg>>2&3)%3))
				off := uint16(arg & 3)
				if arg&0x10 != 0 {
					for i := range data {
						data[i] = []byte{v1, v2}[i%2]
					}
					r.Out(off, data)
					break
				}
				index := r.State().Index & indexMask
				r.In(off, data)
				checkReads(t, off, index, data)
			case 1:
				setNanos(&clock.T, int64(clock.T)+int64(uint64(v1)<<8|uint64(v2))<<(arg%40))
			case 2:
				r.advance(int64(clock.T))
			case 3:
				checkDeadline(t, r)
			case 4:
				s := r.State()
				q := New(clock, nil, WallTime{})
				q.SetState(s)
				if q.State() != s {
					t.Fatalf("State round trip: got %+v, want %+v", q.State(), s)
				}
			case 5:
				r.SetWallTime(wall(int64(uint32(arg)<<16|uint32(v1)<<8|uint32(v2))<<8, int64(v2)*ms))
			}
			checkInvariants(t, r, levels)
		}
	})
}

// checkReads checks what a guest read returned from ports 0x70 and up, with
// index selected at the time.
func checkReads(t *testing.T, off uint16, index uint8, data []byte) {
	t.Helper()
	for i, b := range data {
		switch o := off + uint16(i); {
		case o != PortData && b != 0xFF:
			t.Fatalf("port %#x reads %#x, want 0xff", 0x70+o, b)
		case o == PortData && index == RegD && b != DVRT:
			t.Fatalf("register D = %#x", b)
		case o == PortData && index == RegC && b&0x0F != 0:
			t.Fatalf("register C = %#x: bits 3-0 set", b)
		case o == PortData && index == RegC && (b&CIRQF != 0) != (b&cFlag != 0) && b&CIRQF != 0:
			t.Fatalf("register C = %#x: IRQF without a flag", b)
		}
	}
}

// checkDeadline checks NextDeadline against a copy: IRQ 8 stays low until
// the deadline and rises at it, or, with no deadline and the line low, stays
// low for two days.
func checkDeadline(t *testing.T, r *RTC) {
	t.Helper()
	s := r.State()
	d, ok := r.nextDeadline()
	clock := &devices.ManualClock{}
	var level bool
	q := New(clock, devices.LineFunc(func(h bool) { level = h }), WallTime{})
	q.SetState(s)
	level = s.IRQ
	switch {
	case ok && d <= s.Last:
		t.Fatalf("deadline %d not after the last update %d", d, s.Last)
	case ok:
		q.advance(d - 1)
		if level {
			t.Fatalf("IRQ 8 rose before the deadline %d (state %+v)", d, s)
		}
		q.advance(d)
		if !level {
			t.Fatalf("IRQ 8 did not rise at the deadline %d (state %+v)", d, s)
		}
	case !s.IRQ:
		q.advance(s.Last + 2*secondsPerDay*second)
		if level {
			t.Fatalf("IRQ 8 rose with no deadline (state %+v)", s)
		}
	}
}

func checkInvariants(t *testing.T, r *RTC, levels []bool) {
	t.Helper()
	for i, h := range levels {
		if h == (i%2 == 1) {
			t.Fatalf("IRQ 8 driven %v: not alternating from high", levels)
		}
	}
	s := r.State()
	if got := len(levels) > 0 && levels[len(levels)-1]; got != s.IRQ {
		t.Fatalf("IRQ 8 at %v, state says %v", got, s.IRQ)
	}
	if want := s.Flags&s.CMOS[RegB]&cFlag != 0; s.IRQ != want {
		t.Fatalf("IRQ 8 %v with flags %#x and register B %#x", s.IRQ, s.Flags, s.CMOS[RegB])
	}
	if s.CMOS[RegA]&AUIP != 0 || s.Flags&^cFlag != 0 || s.CMOS[RegC] != 0 || s.CMOS[RegD] != 0 {
		t.Fatalf("state out of range: %+v", s)
	}
	// The time registers say what the count says, whenever the count's
	// year is one the registers can show.
	if y := civilFromSeconds(s.Seconds).year; y >= 0 && y <= 9999 {
		q := &RTC{s: s}
		if got := q.parse(); got != s.Seconds {
			t.Fatalf("time registers say %d, count %d (CMOS % x)", got, s.Seconds, s.CMOS[:10])
		}
	}
}
