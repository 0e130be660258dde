package interp

import (
	"fmt"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Time. In real-time mode the clock is the host's and the TSC runs from it
// at 1 GHz; deadlines are checked every pollInterval instructions and by
// Sleep's timed wait. Under ICount the clock is
//
//	now = instructions retired × NsPerInstruction + time skipped while halted
//
// and the TSC is the same number at 1 GHz, so a deadline falls on an exact
// instruction boundary and two runs with the same inputs agree.

// icountClock is the virtual clock's cpu.Clock. Other goroutines see the
// value published at the last exit (or Sleep); the vCPU thread between
// Runs sees the exact one.
type icountClock struct{ c *CPU }

func (k icountClock) Now() time.Duration { return time.Duration(k.c.vclock.Load()) }

// vnow is the virtual time at instruction count n.
func (c *CPU) vnow(n uint64) time.Duration {
	return time.Duration(n*c.opts.NsPerInstruction + c.idleNs)
}

// publishClock makes the virtual time visible to the clock's readers.
func (c *CPU) publishClock() {
	if c.opts.ICount {
		c.vclock.Store(int64(c.vnow(c.icount)))
	}
}

// tsc is the time-stamp counter for the instruction at index idx of the
// executing block.
func (c *CPU) tsc(idx uint16) uint64 {
	var ns uint64
	if c.opts.ICount {
		ns = uint64(c.vnow(c.icount + uint64(idx)))
	} else {
		ns = uint64(c.host.Now())
	}
	return ns + uint64(c.tscOffset)
}

// setTSC makes the TSC read v now (WRMSR to IA32_TSC).
func (c *CPU) setTSC(v uint64, idx uint16) {
	c.tscOffset = 0
	c.tscOffset = int64(v - c.tsc(idx))
}

// Kick makes Run (or Sleep) return promptly, now or the next time it is
// called. Safe from any goroutine.
func (c *CPU) Kick() {
	if c.kick.Swap(1) == 0 {
		futexWake(c.kickAddr())
	}
}

// KickAt arms a one-shot deadline in Clock time (0 disarms it): when the
// clock reaches it, Run returns ExitKicked and Sleep returns.
func (c *CPU) KickAt(deadline time.Duration) error {
	if deadline < 0 {
		return fmt.Errorf("KickAt(%v): negative deadline", deadline)
	}
	c.deadline = deadline
	if c.opts.ICount && deadline > 0 {
		c.deadlineIC = c.countAt(deadline)
	}
	c.updateCheck()
	return nil
}

// countAt is the first instruction count at which the virtual clock
// reaches t.
func (c *CPU) countAt(t time.Duration) uint64 {
	ns := uint64(t)
	if ns <= c.idleNs {
		return 0
	}
	per := c.opts.NsPerInstruction
	return (ns - c.idleNs + per - 1) / per
}

// deadlineReached reports whether the armed deadline has passed.
func (c *CPU) deadlineReached() bool {
	if c.opts.ICount {
		return c.icount >= c.deadlineIC
	}
	return c.host.Now() >= c.deadline
}

// Sleep blocks until a kick or the armed deadline. Under ICount a halted
// guest does not wait for its deadline: the virtual clock jumps to it (at
// wall-clock pace with Options.PaceIdle), and Sleep waits in real time
// only when no deadline is armed, for a kick.
func (c *CPU) Sleep() {
	if c.kick.Swap(0) != 0 {
		return
	}
	if c.opts.ICount && c.deadline > 0 {
		now := c.vnow(c.icount)
		reached := true
		if c.deadline > now {
			skip := c.deadline - now
			if c.opts.PaceIdle && c.waitKick(time.Now().Add(skip)) {
				// Kicked early: only the time that really passed is
				// skipped, and the deadline stays armed.
				if passed := time.Since(c.sleepStart); passed < skip {
					skip, reached = passed, false
				}
			}
			c.idleNs += uint64(skip)
		}
		if reached {
			c.deadline = 0
		} else {
			c.deadlineIC = c.countAt(c.deadline)
		}
		c.updateCheck()
		c.publishClock()
		return
	}
	var until time.Time
	if !c.opts.ICount && c.deadline > 0 {
		until = time.Now().Add(c.deadline - c.host.Now())
	}
	c.waitKick(until)
	c.kick.Store(0)
}

// AdvanceTo moves the virtual clock of a halted guest forward to t (under
// ICount), as if it had slept until then: a replay applies a recorded
// input that arrived while the guest was idle at the recorded time. It is
// an error to move the clock backwards or to use it in real-time mode.
func (c *CPU) AdvanceTo(t time.Duration) error {
	if !c.opts.ICount {
		return fmt.Errorf("AdvanceTo needs ICount mode")
	}
	now := c.vnow(c.icount)
	if t < now {
		return fmt.Errorf("AdvanceTo(%v): the clock is already at %v", t, now)
	}
	c.idleNs += uint64(t - now)
	if c.deadline > 0 {
		c.deadlineIC = c.countAt(c.deadline)
	}
	c.updateCheck()
	c.publishClock()
	return nil
}

// waitKick blocks until a kick or until the given time (zero: no limit)
// and reports whether a kick ended it.
func (c *CPU) waitKick(until time.Time) bool {
	c.sleepStart = time.Now()
	for {
		if c.kick.Load() != 0 {
			return true
		}
		var ts *unix.Timespec
		if !until.IsZero() {
			d := time.Until(until)
			if d <= 0 {
				return false
			}
			t := unix.NsecToTimespec(int64(d))
			ts = &t
		}
		futexWait(c.kickAddr(), 0, ts)
		if c.kick.Load() != 0 {
			return true
		}
	}
}

// kickAddr is the kick flag as a futex word: a waiter sleeps only while it
// reads 0, so a Kick between its check and its wait is not lost.
func (c *CPU) kickAddr() *uint32 { return (*uint32)(unsafe.Pointer(&c.kick)) }

// Linux futex operations (linux/futex.h): FUTEX_WAIT and FUTEX_WAKE with
// FUTEX_PRIVATE_FLAG.
const (
	futexWaitPrivate = 0 | 128
	futexWakePrivate = 1 | 128
)

func futexWait(addr *uint32, val uint32, ts *unix.Timespec) {
	_, _, _ = unix.Syscall6(unix.SYS_FUTEX, uintptr(unsafe.Pointer(addr)), futexWaitPrivate,
		uintptr(val), uintptr(unsafe.Pointer(ts)), 0, 0)
}

func futexWake(addr *uint32) {
	_, _, _ = unix.Syscall6(unix.SYS_FUTEX, uintptr(unsafe.Pointer(addr)), futexWakePrivate, 1, 0, 0, 0)
}
