package trace_test

import (
	"fmt"
	"time"

	"github.com/pollscope/pollscope/guest"
	"github.com/pollscope/pollscope/trace"
)

// A task polled once that returned Pending without keeping its waker, as
// the emulator would report it, and what the model says about it.
func ExampleCollector() {
	c := trace.NewCollector(trace.Options{})
	us := int64(time.Microsecond)
	c.Add(
		trace.Event{Time: 0, Kind: trace.Kind(guest.EvExecutorStart), Arg: 1},
		trace.Event{Time: 1 * us, Kind: trace.Kind(guest.EvTaskSpawn), Task: 5, Name: "lost-waker"},
		trace.Event{Time: 2 * us, Kind: trace.Kind(guest.EvPollBegin), Task: 5},
		trace.Event{Time: 5 * us, Kind: trace.Kind(guest.EvPollEnd), Task: 5, Arg: 0}, // Pending, 0 live wakers
		trace.Event{Time: 6 * us, Kind: trace.Kind(guest.EvIdleEnter)},
	)
	m := c.Snapshot()
	task, _ := m.Task(5)
	fmt.Println(task.Label(), task.State, task.Stats.Polls, "poll, busy", task.Stats.Busy)
	for _, l := range m.Lints {
		fmt.Println(l.Kind)
	}
	// Output:
	// lost-waker idle 1 poll, busy 3µs
	// lost-waker
}
