package emulator

import (
	"time"

	"golang.org/x/sys/unix"
)

// hostClock is the machine's virtual time: the host's monotonic clock since
// the machine was created. Devices read it through devices.Clock; the vCPU
// thread arms its timer against it.
//
// Now uses Go's monotonic clock, which reads CLOCK_MONOTONIC through the
// vDSO (about 50 ns here); x/sys's ClockGettime is a real system call (about
// 300 ns), too slow for every VM exit. The timer needs absolute
// CLOCK_MONOTONIC times, so the clock also keeps the CLOCK_MONOTONIC reading
// taken just after its start: absolute times are then at most that call's
// duration late, never early.
type hostClock struct {
	start     time.Time
	startMono time.Duration
}

func newHostClock() *hostClock {
	c := &hostClock{start: time.Now()}
	var ts unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	c.startMono = time.Duration(ts.Nano())
	return c
}

// Now returns the time since the machine was created.
func (c *hostClock) Now() time.Duration { return time.Since(c.start) }

// monotonic converts a machine time into CLOCK_MONOTONIC time.
func (c *hostClock) monotonic(t time.Duration) time.Duration { return c.startMono + t }
