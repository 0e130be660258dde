package trace

import (
	"cmp"
	"slices"
	"time"
)

// Snapshot returns the model as of the last event added. The Model is
// immutable and stays valid while more events arrive: it shares the
// collector's append-only lists up to their current lengths, so a snapshot
// costs O(tasks), not O(events), and calling it every GUI frame is fine.
// Without new events since the last call it returns the same *Model.
func (c *Collector) Snapshot() *Model {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cached != nil && c.cachedVersion == c.version {
		return c.cached
	}
	m := &Model{
		Start:           c.start,
		End:             c.end,
		Executor:        c.exec.executor,
		Polls:           share(c.polls),
		Wakes:           share(c.wakes),
		IRQs:            share(c.irqs),
		Idle:            share(c.idle),
		Host:            share(c.host),
		Queue:           share(c.queue),
		Marks:           share(c.marks),
		Keys:            share(c.keys),
		DebugStops:      share(c.stops),
		Dropped:         c.dropped,
		Malformed:       c.malformed,
		Evicted:         c.evicted,
		SubscriberDrops: c.subDrops,
		Unmatched:       c.unmatched,
		EventCount:      c.count,
		pollBase:        c.pollBase,
		wakeBase:        c.wakeBase,
		lanes:           c.snapshotLanes(c.end),
	}
	c.snapshotResources(m, m.lanes)
	c.switches.share()
	m.Switches = c.switches
	c.hostShared, c.keysShared = len(c.host), len(c.keys)
	m.Tasks = make([]Task, len(c.order))
	var lost []Lint
	for i, ts := range c.order {
		m.Tasks[i] = c.taskView(ts)
		if ts.lostWaker && c.exec.executor != "simple" {
			lost = append(lost, lostWakerLint(ts.ID, ts.Name, ts.lostWakerAt))
		}
	}
	m.Lints = share(c.lints)
	if len(lost) > 0 {
		m.Lints = slices.Concat(c.lints, lost)
		slices.SortStableFunc(m.Lints, func(a, b Lint) int { return cmp.Compare(a.Time, b.Time) })
	}
	c.openSpans(m)
	m.Final = c.final()
	c.cached, c.cachedVersion = m, c.version
	return m
}

// final is the watermark (Model.Final): the earliest start of a span still
// open, the last guest event, and HostSettle before the last host event.
func (c *Collector) final() int64 {
	f := c.end
	if c.exec.haveGuest {
		f = min(f, c.exec.lastGuest)
	}
	if len(c.host) > 0 || c.hostLast > 0 {
		f = min(f, c.hostLast-HostSettle)
	}
	if r := c.exec.running; r != nil {
		f = min(f, r.pollStart)
	}
	for _, o := range c.exec.irqOpen {
		f = min(f, o.Start)
	}
	if c.exec.idleOpen {
		f = min(f, c.exec.idleStart)
	}
	if c.stop.open {
		f = min(f, c.stop.start)
	}
	for _, ts := range c.order {
		if ts.pending {
			f = min(f, ts.pendingTime)
		}
	}
	return max(f, c.start)
}

// share returns s capped at its length, so that appending to it copies
// rather than writes into the collector's spare capacity.
func share[T any](s []T) []T { return s[:len(s):len(s)] }

// taskView is ts as a snapshot shows it at c.end: its state, and its
// statistics including the poll or the wait in progress.
func (c *Collector) taskView(ts *taskState) Task {
	ts.Stats.PollTime.share()
	ts.Stats.WakeLatency.share()
	t := ts.Task
	st := &t.Stats
	end, endS := c.end, c.stop.stoppedAt(c.end)
	switch {
	case ts.done:
		t.State, end, endS = Done, ts.Exited, ts.exitS
	case ts.running:
		t.State = Running
		st.Busy += time.Duration(end-ts.pollStart) - time.Duration(max(endS-ts.pollS, 0))
	case ts.pending:
		t.State = Scheduled
		from, fromS := ts.schedFrom()
		st.Scheduled += time.Duration(end-from) - time.Duration(max(endS-fromS, 0))
	default:
		t.State = Idle
	}
	st.Lifetime = time.Duration(end-ts.Spawned) - time.Duration(max(endS-ts.spawnS, 0))
	st.Idle = max(st.Lifetime-st.Busy-st.Scheduled, 0)
	return t
}

// openSpans fills in the spans in progress, ending at m.End.
func (c *Collector) openSpans(m *Model) {
	if ts := c.exec.running; ts != nil {
		m.OpenPolls = []PollSpan{{Task: ts.ID, Start: ts.pollStart, End: m.End, Stopped: c.stoppedSince(ts.pollS, m.End),
			Wake: c.wakeIndex(ts.pollWake), tok: ts.pollTok}}
	}
	m.OpenDebugStops = c.openStop(m.End)
	if len(c.exec.irqOpen) > 0 {
		m.OpenIRQs = slices.Clone(c.exec.irqOpen)
		for i := range m.OpenIRQs {
			m.OpenIRQs[i].End = m.End
		}
	}
	if c.exec.idleOpen {
		m.OpenIdle = []Span{{Start: c.exec.idleStart, End: m.End}}
	}
}
