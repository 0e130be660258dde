// Package trace turns the executor events a pollscope guest reports through
// its trace ring, merged with the host's own events, into the model the GUI,
// the tests and the benchmarks read.
//
// The emulator decodes guest records (see docs/trace-abi.md and package
// guest), converts their TSC to host nanoseconds, and hands them to a
// Collector as Events together with host-side events (an IRQ line raised, a
// vector injected, a VM exit, a key press). The Collector keeps the state
// machine of the executor (which task is being polled, which tasks were woken
// and not yet polled, which interrupt is running, whether the CPU sits in
// hlt) and builds, event by event:
//
//   - tasks with names, states and cumulative statistics (polls, wakes,
//     self-wakes, busy / scheduled / idle time, poll-duration and
//     wake-to-poll latency histograms);
//   - poll spans, wakes and the wake→poll links between them;
//   - interrupt spans, idle (hlt) spans, the ready-queue length over time,
//     marks, host events and host key presses and releases;
//   - the intervals stopped in the debugger (Model.DebugStops), whose
//     time the durations and statistics leave out (see debugstop.go);
//   - the executor's resources (resources.go): each with its state now,
//     its fill level over time, the tasks' waits on it and how each
//     ended, and the wakes that came through it;
//   - lints: lost waker, long poll, self-wake share, missed wakeup;
//   - the lanes a timeline draws, one list per row, searchable and with
//     running sums of durations: per task its polls and its waits in the
//     ready queue, per vector its handler runs, the hlt periods, the stops
//     in the debugger, per VM exit kind its exits, the key events, per
//     resource its fill level, its waits in rows and its wakes
//     (Model.PollLane and its siblings, Model.ResourceFill).
//
// Collector.Snapshot returns an immutable Model that shares the collector's
// append-only storage, so the GUI can take one every frame. Model.Final is
// its watermark: what the model holds before it is final, so a reader may
// keep what it computed from that part. Model.WritePerfetto exports a Model
// as Chrome Trace Event Format JSON for ui.perfetto.dev.
//
// # Time
//
// Event times are nanoseconds since machine start. Times are clamped to
// [0, 2^62]. Guest events drive a state machine and must be applied in order:
// a batch passed to Add is sorted by time (stably), and a guest event older
// than the last guest event already applied (it came in a later batch) is
// applied at that last time instead. Host events only ever go to Model.Host
// (and their lanes, Model.Keys and Model.DebugStops) and are inserted at
// their own time, or at HostSettle before the latest host event if they are
// older than that.
//
// Time stopped in the debugger (HostDebugStop to HostDebugResume) keeps
// the trace's meaning: a poll, a wake-to-poll latency, a task switch or a
// task's life that spans a stop leaves the stop out (PollSpan.Stopped says
// how much), so does busy, scheduled and idle time, and the lints judge
// what is left: a poll held ten seconds at a breakpoint is no long poll.
// A KVM guest's TSC runs on while stopped, so guest event times include
// the stop; the stop is found by time, whatever the clock.
//
// # What is in the sorted lists
//
// Only spans that have ended are in Model.Polls, Model.IRQs, Model.Idle and
// Model.DebugStops; the ones still open at the last event are in
// Model.OpenPolls, Model.OpenIRQs, Model.OpenIdle and Model.OpenDebugStops,
// with End set to Model.End. That is what
// lets a Snapshot share storage instead of copying it: nothing a snapshot can
// see is ever written again. A lane (a SpanList) holds its ended spans and,
// last, the one still open, flagged SpanOpen.
//
// # Repairs
//
// Records can be lost (a full ring drops them, see Model.Dropped). The
// collector repairs what the executor's structure allows and counts each
// repair or skipped event in Model.Unmatched: a poll still open when the next
// PollBegin or an IdleEnter arrives ends there (the executor polls one task
// at a time and cannot halt inside a poll); an idle period still open at a
// PollBegin ends there; interrupts still open at an IdleEnter end there (the
// guest writes IdleEnter with interrupts disabled); a PollEnd, IrqExit or
// IdleExit with nothing open is skipped, as is a task event for task 0.
package trace
