package trace

import "time"

// Model is what a Collector knows at one moment: an immutable snapshot. Its
// slices share storage with the Collector and with other snapshots; do not
// write to them.
type Model struct {
	// Start is the first event's time, or after an eviction the time before
	// which stored items were evicted; End is the last event's time.
	Start, End int64
	// Executor is "simple", "waker", or "" until ExecutorStart arrives.
	Executor string

	Tasks []Task          // sorted by ID
	Polls []PollSpan      // ended polls, sorted by Start
	Wakes []Wake          // sorted by Time
	IRQs  []IRQSpan       // ended guest IrqEnter..IrqExit spans, sorted by Start
	Idle  []Span          // ended IdleEnter..IdleExit (hlt) spans, sorted by Start
	Host  []Event         // host events, sorted by Time
	Queue []CounterSample // ready-queue length over time, one sample per change
	Marks []Event         // guest Mark events, sorted by Time
	Keys  []KeyEvent      // host key presses and releases, sorted by Time
	Lints []Lint          // sorted by Time
	// DebugStops are the ended intervals stopped in the debugger, sorted
	// by Start: their time is left out of every duration and statistic.
	DebugStops []DebugStop

	// Switches is the executor's own task-switch cost: the time from one
	// poll's end to the next poll's begin, over the switches with no
	// interrupt or idle period between them. Its histogram is the user's
	// workload's switch-cost distribution.
	Switches Histogram

	// What has begun and not ended at End; End is set to Model.End.
	OpenPolls []PollSpan // the poll in progress (at most one)
	OpenIRQs  []IRQSpan  // interrupt handlers running, outermost first
	OpenIdle  []Span     // the hlt in progress (at most one)
	// OpenDebugStops is the stop in the debugger in progress (at most one).
	OpenDebugStops []DebugStop

	// Resources are the executor's resources (resources.go), alive and
	// dropped, sorted by Key; Waits the ended waits on them, sorted by
	// End; OpenWaits the waits in progress, sorted by Start, with End set
	// to Model.End. Tick is the guest's timer tick as its timer waits tell
	// (10 ms until they do), by which a timer wait's Deadline is placed.
	Resources []Resource
	Waits     []ResourceWait
	OpenWaits []ResourceWait
	Tick      time.Duration

	// Dropped counts records the guest could not write (its ring was full);
	// Malformed, records the host rejected; Evicted, stored items and tasks
	// evicted to respect Options.MaxEvents and Options.MaxTasks;
	// SubscriberDrops, events a slow subscriber did not receive; Unmatched,
	// events that did not fit the executor's state machine and were skipped
	// or repaired (see the package documentation).
	Dropped, Malformed, Evicted, SubscriberDrops, Unmatched uint64
	// EventCount is the number of events ever added.
	EventCount uint64

	// Final is the model's watermark: what the lanes (PollLane and the
	// methods beside it) and the lists hold before Final is final. Later
	// events add nothing that starts before it and end nothing open before
	// it; only eviction removes items, from Start on. Final is the earliest
	// of the spans still open (a poll, a handler, a hlt, a task's wait), the
	// last guest event, and HostSettle before the last host event. A
	// resource wait still open does not hold it back (a task may wait on
	// the keyboard for hours): such a wait ends, if ever, after the last
	// guest event, and its row's span is flagged SpanOpen until then.
	Final int64

	pollBase uint64     // global number of Polls[0]
	wakeBase uint64     // global number of Wakes[0]
	waitBase uint64     // global number of Waits[0]
	lanes    *laneIndex // the lanes; nil in a zero Model
}

// HostSettle is how late a host event may come: the collector inserts a
// host event at its own time as long as that is at most HostSettle before
// the latest host event, and applies an older one at that bound instead (as
// it applies a late guest event at the last guest event's time). Host
// events from the emulator are late by the moment between taking the time
// and logging the event, far below this.
const HostSettle = 250_000_000

// KeyReleased is set in a HostKeyEvent's Arg for a release; the rest of Arg
// is the key's code.
const KeyReleased = 1 << 31

// KeyEvent is a host key press or release entering the guest's keyboard.
type KeyEvent struct {
	Time int64
	Code uint32 // the key's code (the emulator's key number)
	Name string // the key's name ("A", "Backspace")
	Down bool   // pressed; false for a release
}

// TaskState is where a task is in its life.
type TaskState uint8

// The task states.
const (
	Idle      TaskState = iota // pending, waiting for a wake
	Scheduled                  // woken, not yet polled
	Running                    // inside a poll
	Done                       // its future completed (or it exited)
)

var taskStateNames = [...]string{"idle", "scheduled", "running", "done"}

// String names the state: "idle", "scheduled", "running" or "done".
func (s TaskState) String() string {
	if int(s) < len(taskStateNames) {
		return taskStateNames[s]
	}
	return "state(?)"
}

// Task is one task of the guest executor.
type Task struct {
	ID      uint32
	Name    string // from TaskSpawn; "" if its spawn was not seen
	Spawned int64  // TaskSpawn time, or the task's first event's time
	Exited  int64  // TaskExit (or Ready PollEnd) time; 0 = alive
	State   TaskState
	Stats   TaskStats
}

// Label is the task's name, or "task <id>" when it has none.
func (t *Task) Label() string { return taskLabel(t.ID, t.Name) }

// PollSpan is one poll of a task: PollBegin..PollEnd.
type PollSpan struct {
	Task       uint32
	Start, End int64
	// Stopped is the time within it the vCPU spent stopped in the
	// debugger (single steps included), which Duration leaves out.
	Stopped    time.Duration
	Ready      bool   // the future completed
	LiveWakers uint32 // clones of the task's waker alive outside the executor when it returned
	// Wake is the index in Model.Wakes of the wake that caused this poll:
	// the earliest wake of the task since its previous poll began. -1 if
	// none (a first poll, a simple executor) or if that wake was evicted.
	Wake int

	tok uint64 // the token the task's wakes carried for this poll
}

// Duration is how long the poll ran: End - Start, less the time stopped
// in the debugger.
func (p PollSpan) Duration() time.Duration { return time.Duration(p.End-p.Start) - p.Stopped }

// Wake is one guest Wake record: something made a task ready to be polled.
// Each wake links to the task's next poll (Model.WakePoll); when several
// wakes arrive before that poll, they all link to it and the poll names the
// earliest (PollSpan.Wake).
type Wake struct {
	Time     int64
	Task     uint32         // the task woken
	Source   WakeSourceKind // what woke it
	SourceID uint32         // the waking task's id or the interrupt vector
	// Self: the task woke itself during its own poll (yield_now does this).
	Self bool
	// Resource is the guest's id of the resource the wake came through (0:
	// none named, a guest that predates resources); ResourceKey is that
	// Resource's Key in the model (0 if it names none).
	Resource    uint16
	ResourceKey uint32

	tok uint64 // the token of the poll this wake causes; 0 = none (the task had finished)
}

// IRQSpan is one guest interrupt handler run: IrqEnter..IrqExit.
type IRQSpan struct {
	Vector     uint8
	Start, End int64
}

// Span is a time interval.
type Span struct{ Start, End int64 }

// CounterSample is a counter's value from Time on.
type CounterSample struct {
	Time  int64
	Value int
}

// TaskStats are a task's cumulative statistics. They accumulate as events
// arrive and survive eviction of the spans they were computed from. Time
// stopped in the debugger is in none of them. Busy + Scheduled + Idle ==
// Lifetime.
type TaskStats struct {
	Polls, Wakes, SelfWakes uint64
	Busy                    time.Duration // sum of poll durations
	Scheduled               time.Duration // time woken and waiting to be polled, outside its own polls
	Idle                    time.Duration // Lifetime - Busy - Scheduled
	Lifetime                time.Duration // spawn to exit, or to Model.End while alive, less the time stopped in the debugger
	LastPoll                int64         // start of its last poll; 0 if never polled
	PollTime                Histogram     // poll durations
	WakeLatency             Histogram     // wake-to-poll latency: poll start - earliest wake since the previous poll
}
