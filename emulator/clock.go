package emulator

import (
	"errors"
	"time"

	"golang.org/x/sys/unix"
)

// hostClock is the machine's virtual time: the host's CLOCK_MONOTONIC since
// the machine was created. Devices read it through devices.Clock; the timer
// thread arms timerfds against the same clock.
type hostClock struct{ start time.Duration }

func monotonicNow() time.Duration {
	var ts unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	return time.Duration(ts.Nano())
}

func newHostClock() *hostClock { return &hostClock{start: monotonicNow()} }

// Now returns the time since the machine was created.
func (c *hostClock) Now() time.Duration { return monotonicNow() - c.start }

// absolute converts a machine time into a CLOCK_MONOTONIC timespec.
func (c *hostClock) absolute(t time.Duration) unix.Timespec {
	return unix.NsecToTimespec(int64(c.start + t))
}

func errorsJoin(errs ...error) error { return errors.Join(errs...) }
