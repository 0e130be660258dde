package trace

import (
	"fmt"
	"time"
)

// LintKind says what a lint is about.
type LintKind int

// The lints.
const (
	// LintLostWaker: a task returned Pending keeping no clone of its waker
	// and nothing has woken or polled it since: it will never be polled
	// again. It is evaluated at each Snapshot, so it goes away if a wake
	// comes after all, and it is not raised under the simple executor,
	// which polls tasks without wakes.
	LintLostWaker LintKind = iota
	// LintLongPoll: a poll ran longer than Options.LongPoll, holding up
	// every other task.
	LintLongPoll
	// LintSelfWakeShare: most of a task's wakes are its own (it yields
	// constantly): it is busy-looping through the executor.
	LintSelfWakeShare
	// LintMissedWakeup: the executor halted (IdleEnter) with tasks in its
	// ready queue.
	LintMissedWakeup
	lintKinds
)

var lintNames = [...]string{"lost-waker", "long-poll", "self-wake-share", "missed-wakeup"}

// String names the lint: "lost-waker", "long-poll", "self-wake-share" or
// "missed-wakeup".
func (k LintKind) String() string {
	if k >= 0 && k < lintKinds {
		return lintNames[k]
	}
	return fmt.Sprintf("lint(%d)", int(k))
}

// Lint is one finding about the guest's executor or its tasks. Each kind
// fires at most once per task (LintMissedWakeup at most once, for task 0).
type Lint struct {
	Kind    LintKind
	Task    uint32 // 0 for LintMissedWakeup
	Time    int64  // when the condition was seen
	Message string // what happened and what to do about it
}

// taskLabel names a task in messages and exports.
func taskLabel(id uint32, name string) string {
	if name == "" {
		return fmt.Sprintf("task %d", id)
	}
	return name
}

// taskRef is how lint messages name a task: `task 5 "name"`.
func taskRef(id uint32, name string) string {
	if name == "" {
		return fmt.Sprintf("task %d", id)
	}
	return fmt.Sprintf("task %d %q", id, name)
}

func lostWakerLint(id uint32, name string, at int64) Lint {
	return Lint{Kind: LintLostWaker, Task: id, Time: at, Message: fmt.Sprintf(
		"%s returned Pending without keeping its waker: nothing can wake it; "+
			"store cx.waker().clone() where the event it waits for can reach it before returning Pending",
		taskRef(id, name))}
}

func longPollLint(id uint32, name string, at int64, d, limit time.Duration) Lint {
	return Lint{Kind: LintLongPoll, Task: id, Time: at, Message: fmt.Sprintf(
		"%s was polled for %v (limit %v): no other task could run meanwhile; "+
			"split the work with yield points or move it out of the poll",
		taskRef(id, name), d, limit)}
}

func selfWakeLint(id uint32, name string, at int64, self, wakes uint64) Lint {
	return Lint{Kind: LintSelfWakeShare, Task: id, Time: at, Message: fmt.Sprintf(
		"%s woke itself for %d of its %d wakes: it is busy-looping through the executor; "+
			"wait on the event it needs (a timer, an interrupt, a channel) instead of yielding",
		taskRef(id, name), self, wakes)}
}

func missedWakeupLint(at int64, queue uint16) Lint {
	return Lint{Kind: LintMissedWakeup, Time: at, Message: fmt.Sprintf(
		"the executor entered hlt with %d task(s) in its ready queue: they wait for the next interrupt; "+
			"check the ready queue with interrupts disabled and halt only when it is empty (cli; check; sti; hlt)",
		queue)}
}
