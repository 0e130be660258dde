package trace

import (
	"time"

	"github.com/pollscope/pollscope/guest"
)

// execState is what the executor is doing, as far as the events tell.
type execState struct {
	haveGuest bool
	lastGuest int64 // time of the last guest event applied

	haveQueue bool
	queue     uint16

	running *taskState // the task being polled

	idleOpen  bool
	idleStart int64

	irqOpen []IRQSpan // interrupt handlers running, outermost first (End unused)
	irqDone []IRQSpan // nested handlers that ended while an outer one runs

	executor     string
	missedLinted bool
	nextTok      uint64

	// The executor's own switch: from one poll's end to the next poll's
	// begin, counted only when nothing (an interrupt, a hlt) came between.
	lastPollEnd  int64
	lastPollEndS int64 // the stopped clock there
	switchClean  bool
}

// applyGuest applies a guest event whose time, t, is already clamped.
func (c *Collector) applyGuest(e Event, t int64) {
	if !c.exec.haveQueue || c.exec.queue != e.Queue {
		c.exec.haveQueue, c.exec.queue = true, e.Queue
		c.queue = append(grow(c.queue, 1), CounterSample{Time: t, Value: int(e.Queue)})
		c.queueB.added(c.queue)
		c.stored++
		c.queueChanged(int(e.Queue))
	}
	switch e.Kind {
	case kSpawn:
		c.spawn(e.Task, e.Name, t)
	case kPollBegin:
		c.pollBegin(e.Task, t)
	case kPollEnd:
		c.pollEnd(e.Task, e.Arg, t)
	case kWake:
		c.wake(e.Task, e.Arg, t)
	case kIrqEnter:
		c.irqEnter(uint8(e.Arg), t)
	case kIrqExit:
		c.irqExit(uint8(e.Arg), t)
	case kIdleEnter:
		c.idleEnter(e.Queue, t)
	case kIdleExit:
		c.idleExit(t)
	case kExecStart:
		c.exec.executor = executorName(e.Arg)
	case kMark:
		e.Time = t
		c.marks = append(grow(c.marks, 1), e)
		c.stored++
	case kTaskExit:
		c.taskExit(e.Task, t)
	case kResNew, kResState, kResWait, kResWaitEnd, kResDrop:
		c.applyResource(e, t)
	}
}

func executorName(arg uint64) string {
	switch arg {
	case 0:
		return "simple"
	case 1:
		return "waker"
	}
	return ""
}

func (c *Collector) spawn(id uint32, name string, t int64) {
	ts := c.taskFor(id, t)
	switch {
	case ts == nil:
	case ts.done: // the id is reused: a new life
		c.reset(ts, id, t, name)
	case name != "":
		ts.Name = name
	}
}

func (c *Collector) pollBegin(id uint32, t int64) {
	if c.exec.idleOpen {
		c.unmatched++ // its IdleExit was lost
		c.endIdle(t)
	}
	if r := c.exec.running; r != nil {
		c.unmatched++ // its PollEnd was lost
		c.endPoll(r, t, false, 0, true)
	}
	ts := c.taskFor(id, t)
	if ts == nil {
		return
	}
	if ts.done {
		c.unmatched++
		return
	}
	now := c.stop.stoppedAt(t)
	if c.exec.switchClean {
		c.switches.Record(time.Duration(t-c.exec.lastPollEnd) - c.stoppedSince(c.exec.lastPollEndS, t))
	}
	c.exec.switchClean = false
	ts.running, ts.pollStart, ts.pollTok, ts.pollWake, ts.pollS = true, t, ts.tok, -1, now
	ts.tok = c.newTok()
	lanes := c.lanes.task(id)
	if ts.pending {
		from, fromS := ts.schedFrom()
		ts.Stats.Scheduled += time.Duration(t-from) - c.stoppedSince(fromS, t)
		ts.Stats.WakeLatency.Record(time.Duration(t-ts.pendingTime) - c.stoppedSince(ts.pendingS, t))
		ts.pollWake, ts.pending = int64(ts.pendingWake), false
		if ts.pendingTime < t {
			lanes.waits.add(ts.pendingTime, t, 0, ts.pendingWake)
		}
	}
	ts.Stats.Polls++
	ts.Stats.LastPoll = t
	ts.lostWaker = false
	c.exec.running = ts
}

func (c *Collector) pollEnd(id uint32, arg uint64, t int64) {
	ts := c.exec.running
	if ts == nil || ts.ID != id {
		c.unmatched++
		return
	}
	ready, live := guest.PollResult(arg)
	c.endPoll(ts, t, ready, live, false)
}

// endPoll ends ts's poll at t. forced: its PollEnd was lost, so the result
// is unknown and no lint looks at it.
func (c *Collector) endPoll(ts *taskState, t int64, ready bool, live uint32, forced bool) {
	wake := c.wakeIndex(ts.pollWake)
	g := c.pollBase + uint64(len(c.polls))
	stopped := c.stoppedSince(ts.pollS, t)
	c.polls = append(grow(c.polls, 1), PollSpan{Task: ts.ID, Start: ts.pollStart, End: t, Stopped: stopped, Ready: ready,
		LiveWakers: live, Wake: wake, tok: ts.pollTok})
	c.stored++
	var f SpanFlag
	if ready {
		f = SpanReady
	}
	c.lanes.task(ts.ID).polls.add(ts.pollStart, t, f, g)

	// Time stopped in the debugger is not the poll's: a poll held at a
	// breakpoint for ten seconds is not a long poll.
	d := time.Duration(t-ts.pollStart) - stopped
	ts.Stats.Busy += d
	ts.Stats.PollTime.Record(d)
	ts.running, ts.lastEnd, ts.lastEndS = false, t, c.stop.stoppedAt(t)
	c.exec.running = nil
	if forced {
		return
	}
	c.exec.lastPollEnd, c.exec.lastPollEndS, c.exec.switchClean = t, ts.lastEndS, true
	// A long poll blocks the executor whether or not it completes the task.
	if d > c.opt.LongPoll && !ts.linted[LintLongPoll] {
		ts.linted[LintLongPoll] = true
		c.lints = append(c.lints, longPollLint(ts.ID, ts.Name, t, d, c.opt.LongPoll))
	}
	if ready {
		c.finish(ts, t)
		return
	}
	if live == 0 && !ts.pending {
		ts.lostWaker, ts.lostWakerAt = true, t
	}
}

// wakeIndex converts a wake's global number to its index in the stored
// wakes: -1 for none (g < 0) or an evicted wake.
func (c *Collector) wakeIndex(g int64) int {
	if g < 0 || uint64(g) < c.wakeBase {
		return -1
	}
	return int(uint64(g) - c.wakeBase)
}

// finish ends ts's life at t.
func (c *Collector) finish(ts *taskState, t int64) {
	if ts.pending {
		from, fromS := ts.schedFrom()
		ts.Stats.Scheduled += time.Duration(t-from) - c.stoppedSince(fromS, t)
		ts.pending = false
	}
	ts.done, ts.Exited, ts.exitS, ts.lostWaker = true, t, c.stop.stoppedAt(t), false
	c.endTaskWaits(ts.ID, t)
}

func (c *Collector) wake(id uint32, arg uint64, t int64) {
	ts := c.taskFor(id, t)
	if ts == nil {
		return
	}
	src, srcID := guest.WakeSource(arg)
	w := Wake{Time: t, Task: id, Source: src, SourceID: srcID,
		Self: src == guest.WakeTask && srcID == id && ts.running, Resource: uint16(guest.WakeResource(arg))}
	g := c.wakeBase + uint64(len(c.wakes))
	if !ts.done {
		w.tok = ts.tok
		if !ts.pending {
			ts.pending, ts.pendingTime, ts.pendingWake, ts.pendingS = true, t, g, c.stop.stoppedAt(t)
			c.lanes.task(id)
		}
		ts.lostWaker = false
	}
	c.wakes = append(grow(c.wakes, 1), w)
	c.stored++
	if w.Resource != 0 {
		c.resourceWake(w.Resource, t)
	}

	ts.Stats.Wakes++
	if w.Self {
		ts.Stats.SelfWakes++
	}
	st := &ts.Stats
	if !ts.linted[LintSelfWakeShare] && st.Wakes >= selfWakeMinWakes &&
		float64(st.SelfWakes) > c.opt.SelfWakeShare*float64(st.Wakes) {
		ts.linted[LintSelfWakeShare] = true
		c.lints = append(c.lints, selfWakeLint(id, ts.Name, t, st.SelfWakes, st.Wakes))
	}
}

func (c *Collector) taskExit(id uint32, t int64) {
	ts := c.taskFor(id, t)
	if ts == nil {
		return
	}
	if ts.running {
		c.unmatched++ // its PollEnd was lost
		c.endPoll(ts, t, false, 0, true)
	}
	c.finish(ts, t)
}
