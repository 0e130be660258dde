package trace

import "time"

// Options tunes a Collector. The zero value of a field selects its default.
type Options struct {
	// MaxEvents caps the stored events and spans (polls, wakes, interrupt
	// and idle spans, debugger stops, host events, key events, queue samples, marks). When the cap is
	// exceeded the oldest tenth is evicted. Default 2_000_000.
	MaxEvents int
	// LongPoll is the long-poll lint threshold. Default 10ms.
	LongPoll time.Duration
	// SelfWakeShare lints a task whose self-wakes / wakes exceeds it once it
	// has at least 20 wakes. Default 0.5.
	SelfWakeShare float64
	// MaxTasks caps the task table. When it is full, the tasks that finished
	// longest ago are evicted; if none has finished, events of new tasks are
	// skipped and counted in Model.Unmatched. Default 4096.
	MaxTasks int
	// MaxResources caps the resource table as MaxTasks caps the tasks:
	// the resources dropped longest ago go first. Default 1024.
	MaxResources int
}

// The defaults Options' zero fields select.
const (
	DefaultMaxEvents     = 2_000_000
	DefaultLongPoll      = 10 * time.Millisecond
	DefaultSelfWakeShare = 0.5
	DefaultMaxTasks      = 4096
	DefaultMaxResources  = 1024

	// selfWakeMinWakes is how many wakes a task needs before the self-wake
	// share lint looks at it.
	selfWakeMinWakes = 20
)

// withDefaults returns o with its zero (or negative) fields replaced by the
// defaults.
func (o Options) withDefaults() Options {
	if o.MaxEvents <= 0 {
		o.MaxEvents = DefaultMaxEvents
	}
	if o.LongPoll <= 0 {
		o.LongPoll = DefaultLongPoll
	}
	if o.SelfWakeShare <= 0 {
		o.SelfWakeShare = DefaultSelfWakeShare
	}
	if o.MaxTasks <= 0 {
		o.MaxTasks = DefaultMaxTasks
	}
	if o.MaxResources <= 0 {
		o.MaxResources = DefaultMaxResources
	}
	return o
}
