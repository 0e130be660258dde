package emulator

import "time"

// hostClock is the machine's virtual time: the host's monotonic clock since
// the machine was created. Devices read it through devices.Clock.
type hostClock struct{ start time.Time }

func newHostClock() *hostClock { return &hostClock{start: time.Now()} }

// Now returns the time since the machine was created.
func (c *hostClock) Now() time.Duration { return time.Since(c.start) }
