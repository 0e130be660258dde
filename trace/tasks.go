package trace

import (
	"cmp"
	"slices"
)

// taskState is the collector's record of a task: the public Task (its State
// is filled in by snapshots) and where the task is in the executor's state
// machine.
type taskState struct {
	Task
	done bool

	// The poll in progress, if running.
	running   bool
	pollStart int64
	pollWake  int64  // global number of the wake that caused it, -1 if none
	pollTok   uint64 // its token

	// tok is the token of the task's next poll: a wake carries it so the
	// model can find the poll the wake caused. Tokens are unique across all
	// tasks and lives, so a token is never reused.
	tok uint64

	// The earliest wake not yet consumed by a poll.
	pending     bool
	pendingTime int64
	pendingWake uint64 // its global number

	lastEnd int64 // end of the task's last poll; Spawned before it

	// Readings of the stopped clock (stopState.stoppedAt) where the
	// intervals the statistics measure begin: its spawn, its poll in
	// progress, its last poll's end, its earliest pending wake, its exit.
	spawnS, pollS, lastEndS, pendingS, exitS int64

	// lostWaker: the last poll returned Pending with no live waker and
	// nothing has woken or polled the task since.
	lostWaker   bool
	lostWakerAt int64

	linted [lintKinds]bool
}

// taskFor returns the state of task id, creating it at time t if needed.
// It returns nil (and counts the event as unmatched) for task 0 or when the
// task table is full of live tasks.
func (c *Collector) taskFor(id uint32, t int64) *taskState {
	if id == 0 {
		c.unmatched++
		return nil
	}
	if ts := c.tasks[id]; ts != nil {
		return ts
	}
	if len(c.order) >= c.opt.MaxTasks {
		c.evictTasks()
		if len(c.order) >= c.opt.MaxTasks {
			c.unmatched++
			return nil
		}
	}
	ts := &taskState{}
	c.reset(ts, id, t, "")
	c.tasks[id] = ts
	i, _ := slices.BinarySearchFunc(c.order, id, func(s *taskState, id uint32) int { return cmp.Compare(s.ID, id) })
	c.order = slices.Insert(c.order, i, ts)
	return ts
}

// reset starts a new life of task id at time t.
func (c *Collector) reset(ts *taskState, id uint32, t int64, name string) {
	s := c.stop.stoppedAt(t)
	*ts = taskState{Task: Task{ID: id, Name: name, Spawned: t}, pollWake: -1, tok: c.newTok(), lastEnd: t, spawnS: s, lastEndS: s}
}

// schedFrom is where ts's time in the ready queue counts from, with the
// stopped clock's reading there: its earliest pending wake, or its last
// poll's end if it was woken during that poll.
func (ts *taskState) schedFrom() (int64, int64) {
	if ts.lastEnd > ts.pendingTime {
		return ts.lastEnd, ts.lastEndS
	}
	return ts.pendingTime, ts.pendingS
}

func (c *Collector) newTok() uint64 {
	c.exec.nextTok++
	return c.exec.nextTok
}

// evictTasks drops the tenth of MaxTasks (at least one) of finished tasks
// that finished longest ago. Their ended polls (and lanes) stay in the
// model.
func (c *Collector) evictTasks() {
	var done []*taskState
	for _, ts := range c.order {
		if ts.done {
			done = append(done, ts)
		}
	}
	if len(done) == 0 {
		return
	}
	slices.SortFunc(done, func(a, b *taskState) int { return cmp.Compare(a.Exited, b.Exited) })
	done = done[:min(len(done), max(c.opt.MaxTasks/10, 1))]
	for _, ts := range done {
		delete(c.tasks, ts.ID)
		if tl := c.lanes.tasks[ts.ID]; tl != nil && len(tl.polls.spans) == 0 && len(tl.waits.spans) == 0 {
			delete(c.lanes.tasks, ts.ID)
		}
	}
	c.order = slices.DeleteFunc(c.order, func(ts *taskState) bool { return c.tasks[ts.ID] != ts })
	c.evicted += uint64(len(done))
}
