package emulator

import (
	"math"
	"time"

	"github.com/pollscope/pollscope/devices"
)

// The timer service runs every device that has deadlines (devices.Timed:
// the PIT's counter 0, the keyboard's typematic repeat) on the vCPU's own
// thread. Before each entry into the guest, and whenever the halted vCPU is
// woken, the run loop asks it to advance the devices that are due (raising
// their interrupt lines) and to arm the vCPU's one timer for the earliest
// next deadline, so the thread is kicked out of the guest or out of its
// sleep exactly then. No second thread and no Go timer stand between a tick
// and its injection: Go's timers can fire a millisecond late, which at
// 1000 Hz would swallow ticks. With a deterministic software CPU the vCPU's
// clock and timer count instructions, and the same service runs off them.

// noDeadline marks a disarmed timer.
const noDeadline = time.Duration(math.MaxInt64)

// timerService holds the deadline the vCPU's timer is armed for. Only the
// vCPU thread uses it.
type timerService struct {
	timed []devices.Timed
	armed time.Duration // the vCPU timer's deadline, noDeadline when disarmed
	stale bool          // a device may have moved its deadline since
}

func newTimerService(timed []devices.Timed) *timerService {
	return &timerService{timed: timed, armed: noDeadline, stale: true}
}

// touched says that a device's registers or inputs changed (a port write,
// host input, a restore): its deadline may have moved.
func (s *timerService) touched() { s.stale = true }

// due reports whether advance has anything to do at now.
func (s *timerService) due(now time.Duration) bool { return s.stale || now >= s.armed }

// advance brings every device whose deadline has passed up to now and
// returns the earliest deadline left (noDeadline if none). Call it with the
// board's lock held.
func (s *timerService) advance(now time.Duration) time.Duration {
	next := noDeadline
	for _, d := range s.timed {
		t, ok := d.NextDeadline()
		if ok && time.Duration(t) <= now {
			d.Advance(devices.Time(now))
			t, ok = d.NextDeadline()
		}
		if ok && time.Duration(t) < next {
			next = time.Duration(t)
		}
	}
	s.stale = false
	return next
}

// arm points the vCPU's timer at next, calling kickAt only when the
// deadline changed (kickAt(0) disarms).
func (s *timerService) arm(next time.Duration, kickAt func(time.Duration) error) error {
	if next == s.armed {
		return nil
	}
	s.armed = next
	if next == noDeadline {
		return kickAt(0)
	}
	return kickAt(max(next, 1)) // 0 would disarm
}

// disarm stops the vCPU's timer (for a pause) and marks every deadline
// stale, so the next service re-arms it.
func (s *timerService) disarm(kickAt func(time.Duration) error) error {
	s.armed, s.stale = noDeadline, true
	return kickAt(0)
}
