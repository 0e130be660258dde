package emulator

import (
	"testing"
	"time"

	"github.com/pollscope/pollscope/devices"
)

// fakeTimed is a device with a periodic deadline.
type fakeTimed struct {
	next     devices.Time
	period   devices.Time // 0: no deadline
	advanced []devices.Time
}

func (f *fakeTimed) NextDeadline() (devices.Time, bool) { return f.next, f.period != 0 }

func (f *fakeTimed) Advance(now devices.Time) {
	f.advanced = append(f.advanced, now)
	for f.next <= now {
		f.next += f.period
	}
}

// armLog records what the service asks of the vCPU's timer.
type armLog []time.Duration

func (a *armLog) kickAt(t time.Duration) error { *a = append(*a, t); return nil }

func TestTimerServiceAdvancesDueDevicesAndArmsTheEarliest(t *testing.T) {
	pit := &fakeTimed{next: 10, period: 10}
	kbd := &fakeTimed{next: 25, period: 30}
	idle := &fakeTimed{}
	s := newTimerService([]devices.Timed{pit, kbd, idle})
	var arms armLog
	step := func(now time.Duration) {
		t.Helper()
		if !s.due(now) {
			return
		}
		if err := s.arm(s.advance(now), arms.kickAt); err != nil {
			t.Fatal(err)
		}
	}
	step(0) // stale at start: looks, advances nothing, arms 10
	step(5) // not due
	step(12)
	step(26)
	if len(pit.advanced) != 2 || pit.advanced[0] != 12 || pit.advanced[1] != 26 {
		t.Errorf("PIT advanced at %v, want [12 26]", pit.advanced)
	}
	if len(kbd.advanced) != 1 || kbd.advanced[0] != 26 {
		t.Errorf("keyboard advanced at %v, want [26]", kbd.advanced)
	}
	if len(idle.advanced) != 0 {
		t.Errorf("a device without deadlines was advanced at %v", idle.advanced)
	}
	want := armLog{10, 20, 30}
	if len(arms) != len(want) || arms[0] != want[0] || arms[1] != want[1] || arms[2] != want[2] {
		t.Errorf("timer armed for %v, want %v", arms, want)
	}
}

// A port write may move a deadline: after touched the service looks again
// even before the armed time, and re-arms only if the deadline moved.
func TestTimerServiceRearmsOnlyWhenTheDeadlineMoves(t *testing.T) {
	pit := &fakeTimed{next: 100, period: 100}
	s := newTimerService([]devices.Timed{pit})
	var arms armLog
	_ = s.arm(s.advance(0), arms.kickAt)
	s.touched()
	if !s.due(1) {
		t.Fatal("a touched service is not due")
	}
	_ = s.arm(s.advance(1), arms.kickAt)
	pit.next = 50 // the guest reprogrammed it
	s.touched()
	_ = s.arm(s.advance(2), arms.kickAt)
	pit.period = 0 // and stopped it
	s.touched()
	_ = s.arm(s.advance(3), arms.kickAt)
	if want := (armLog{100, 50, 0}); len(arms) != 3 || arms[0] != want[0] || arms[1] != want[1] || arms[2] != want[2] {
		t.Fatalf("timer armed for %v, want %v (0 disarms)", arms, want)
	}
	if err := s.disarm(arms.kickAt); err != nil || !s.due(4) {
		t.Fatalf("after disarm: err %v, due %v; want stale", err, s.due(4))
	}
}
