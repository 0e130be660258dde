package cpu

import (
	"time"

	"golang.org/x/sys/unix"
)

// Clock is a machine's time: a monotonic duration since the machine was
// created.
type Clock interface {
	Now() time.Duration
}

// HostClock is the time of a guest that runs in real time: the host's
// monotonic clock since the clock was made.
//
// Now uses Go's monotonic clock, which reads CLOCK_MONOTONIC through the
// vDSO (about 50 ns here); x/sys's ClockGettime is a real system call (about
// 300 ns), too slow for every VM exit. Host timers need absolute
// CLOCK_MONOTONIC times, so the clock also keeps the CLOCK_MONOTONIC reading
// taken just after its start: absolute times are then at most that call's
// duration late, never early.
type HostClock struct {
	start     time.Time
	startMono time.Duration
}

// NewHostClock starts a host clock at zero.
func NewHostClock() *HostClock {
	c := &HostClock{start: time.Now()}
	var ts unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	c.startMono = time.Duration(ts.Nano())
	return c
}

// Now returns the time since the clock was made.
func (c *HostClock) Now() time.Duration { return time.Since(c.start) }

// Monotonic converts one of the clock's times into CLOCK_MONOTONIC time.
func (c *HostClock) Monotonic(t time.Duration) time.Duration { return c.startMono + t }
