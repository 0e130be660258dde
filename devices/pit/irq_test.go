package pit

import (
	"testing"

	"github.com/pollscope/pollscope/devices"
)

// countRisesOverASecond runs the clock through one virtual second from the
// rig's current time, calling Advance every step, and returns how many times
// IRQ 0 rose.
func (r *rig) countRisesOverASecond(step devices.Time) int {
	r.t.Helper()
	r.p.Advance(r.clock.T)
	start, before := r.clock.T, r.rises
	for r.clock.T < start+second {
		r.clock.Advance(step)
		r.p.Advance(r.clock.T)
	}
	return r.rises - before
}

// countRisesByDeadline does the same, but jumps from deadline to deadline as
// the machine's run loop does.
func (r *rig) countRisesByDeadline() int {
	r.t.Helper()
	r.p.Advance(r.clock.T)
	end, before := r.clock.T+second, r.rises
	for {
		d, ok := r.p.NextDeadline()
		if !ok {
			r.t.Fatal("no next deadline for a periodic counter")
		}
		if d <= r.clock.T {
			r.t.Fatalf("next deadline %v not after now %v", d, r.clock.T)
		}
		if d > end {
			break
		}
		r.clock.T = d
		n := r.rises
		r.p.Advance(r.clock.T)
		if r.rises != n+1 {
			r.t.Fatalf("Update at the deadline %v raised IRQ 0 %d times, want once", d, r.rises-n)
		}
	}
	if r.p.MissedTicks() != 0 {
		r.t.Errorf("MissedTicks = %d with Update at every deadline", r.p.MissedTicks())
	}
	return r.rises - before
}

func TestIRQ0Frequency(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cw      uint8
		divisor int
	}{
		{"mode 2 divisor 1193 (Linux HZ=1000)", 0x34, 1193},
		{"mode 2 divisor 11932 (HZ=100)", 0x34, 11932},
		{"mode 2 divisor 0 (18.2 Hz)", 0x34, 0},
		{"mode 3 divisor 11932 (even)", 0x36, 11932},
		{"mode 3 divisor 11931 (odd)", 0x36, 11931},
		{"mode 3 divisor 2 (596591 Hz)", 0x36, 2},
		{"mode 2 BCD divisor 1000", 0x35, 0x1000},
	} {
		n := tc.divisor
		switch {
		case tc.cw&CWBCD != 0:
			n = 1000
		case n == 0:
			n = 0x10000
		}
		hz := Hz / n
		t.Run(tc.name+" sampled every 100µs", func(t *testing.T) {
			if n < 200 {
				t.Skip("faster than the sampling: see the deadline variant")
			}
			r := newRig(t, 3*second+7)
			r.program(tc.cw, port40, tc.divisor)
			if got := r.countRisesOverASecond(100 * microsecond); got < hz-1 || got > hz+1 {
				t.Errorf("%d rises in a second, want %d±1", got, hz)
			}
		})
		t.Run(tc.name+" by deadlines", func(t *testing.T) {
			r := newRig(t, 12345)
			r.program(tc.cw, port40, tc.divisor)
			if got := r.countRisesByDeadline(); got < hz-1 || got > hz+1 {
				t.Errorf("%d rises in a second, want %d±1", got, hz)
			}
		})
	}
}

func TestMissedTicks(t *testing.T) {
	r := newRig(t, 0)
	r.program(0x34, port40, 1193)
	r.settle()
	r.advance(10*1193 + 5) // ten periods without an Update
	r.p.Advance(r.clock.T)
	if r.rises != 1 {
		t.Errorf("IRQ 0 rose %d times, want one pulse", r.rises)
	}
	if got := r.p.MissedTicks(); got != 9 {
		t.Errorf("MissedTicks = %d, want 9", got)
	}
	r.p.Advance(r.clock.T)
	if r.rises != 1 || r.p.MissedTicks() != 9 {
		t.Errorf("a second Update at the same time pulsed again")
	}
}

func TestUpdateLeavesTheLineAtOUT0(t *testing.T) {
	r := newRig(t, 0)
	r.program(0x36, port40, 100) // mode 3: 50 ticks high, 50 low
	r.settle()
	r.advance(60)
	r.p.Advance(r.clock.T)
	if r.level {
		t.Fatal("IRQ 0 high in OUT0's low half")
	}
	r.advance(50) // tick 110: OUT0 rose at 100
	r.p.Advance(r.clock.T)
	if !r.level || r.rises != 1 {
		t.Fatalf("IRQ 0 level %v after %d rises, want high after 1", r.level, r.rises)
	}
}

func TestOneShotClockevent(t *testing.T) {
	// Linux's i8253 clockevent in one-shot mode: 0x38 (mode 4), then each
	// event's delta as LSB and MSB.
	r := newRig(t, hour)
	r.settle()
	r.program(0x38, port40, -1)
	if _, ok := r.p.NextDeadline(); ok {
		t.Fatal("deadline before a count was written")
	}
	start := r.ticks()
	r.outb(0xE8, port40)
	r.outb(0x03, port40) // 1000 ticks
	d, ok := r.p.NextDeadline()
	r.toTick(start + 1001) // OUT0 low at TC, rising one tick later
	if !ok || d != r.clock.T {
		t.Fatalf("deadline %v %v, want %v", d, ok, r.clock.T)
	}
	r.clock.T = d - 1
	r.p.Advance(r.clock.T)
	if r.rises != 0 {
		t.Fatal("IRQ 0 before the deadline")
	}
	r.clock.T = d
	r.p.Advance(r.clock.T)
	if r.rises != 1 {
		t.Fatalf("IRQ 0 rose %d times at the deadline, want 1", r.rises)
	}
	if _, ok := r.p.NextDeadline(); ok {
		t.Error("a deadline after the strobe fired")
	}
	r.outb(0x64, port40) // next event: 100 ticks
	r.outb(0x00, port40)
	if d, ok := r.p.NextDeadline(); !ok || d <= r.clock.T {
		t.Errorf("deadline %v %v after re-arming at %v", d, ok, r.clock.T)
	}
}

func TestMode0OnCounter0(t *testing.T) {
	r := newRig(t, 0)
	r.p.Advance(r.clock.T)
	if !r.level {
		t.Fatal("IRQ 0 low in mode 2's power-on state")
	}
	r.program(0x30, port40, 500)
	if r.level {
		t.Fatal("IRQ 0 still high after a mode 0 control word")
	}
	r.advance(500)
	r.p.Advance(r.clock.T)
	if !r.level || r.rises != 2 {
		t.Fatalf("IRQ 0 %v after %d rises, want high after 2 (power-on, TC)", r.level, r.rises)
	}
	if _, ok := r.p.NextDeadline(); ok {
		t.Error("deadline after mode 0 fired")
	}
}

func TestNoDeadlineWithoutCount(t *testing.T) {
	r := newRig(t, 0)
	r.program(0x34, port40, -1)
	r.advance(100000)
	if _, ok := r.p.NextDeadline(); ok {
		t.Error("deadline after a control word without a count")
	}
	r.p.Advance(r.clock.T)
	if r.rises != 1 || !r.level || r.calls != 1 {
		t.Errorf("IRQ 0: %d rises in %d calls, level %v; want the one from New", r.rises, r.calls, r.level)
	}
}

func TestLongUptime(t *testing.T) {
	const century = 100 * 365 * 24 * hour
	r := newRig(t, century)
	r.program(0x34, port40, 1193)
	if got := r.countRisesByDeadline(); got < 999 || got > 1001 {
		t.Errorf("%d rises in a second after a century, want 1000±1", got)
	}
	r.outb(0x00, port43)
	if got := r.word(port40); got == 0 || got > 1193 {
		t.Errorf("count %d out of range", got)
	}
}

func TestStateRoundTrip(t *testing.T) {
	r := newRig(t, 0)
	r.outb(PortBGate2|PortBSpeakerData, port61)
	r.program(0x34, port40, 1193)
	r.program(0xB6, port42, 0x1234)
	r.advance(3000)
	r.p.Advance(r.clock.T)
	r.outb(0xE2, port43) // status of counter 0 latched
	r.inb(port42)        // read flip-flop mid-word
	s := r.p.State()

	q := New(r.clock, nil)
	q.SetState(s)
	if q.State() != s {
		t.Fatalf("round trip: got %+v, want %+v", q.State(), s)
	}
	d1, ok1 := r.p.NextDeadline()
	d2, ok2 := q.NextDeadline()
	if d1 != d2 || ok1 != ok2 {
		t.Errorf("deadlines differ: %v %v vs %v %v", d1, ok1, d2, ok2)
	}
	a, b := []byte{0, 0, 0}, []byte{0, 0, 0}
	r.p.Ports().In(0, a)
	q.Ports().In(0, b)
	if string(a) != string(b) {
		t.Errorf("restored reads % x, original % x", b, a)
	}
}
