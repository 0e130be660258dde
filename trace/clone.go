package trace

import (
	"maps"
	"slices"
)

// Clone returns a collector in the state c is in now, which goes on on
// its own: events added to either are not seen by the other. It costs
// O(tasks + resources + lanes), not O(events): the clone shares c's
// stored lists up to their present lengths, as a snapshot does (nothing
// below a list's length is ever written again, so neither side disturbs
// the other; the clone copies a list the first time it appends to it).
// Subscribers stay with c. A viewer of a recorded session keeps clones as
// checkpoints, so that going back in time replays from the nearest one
// rather than from the start.
func (c *Collector) Clone() *Collector {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sharing = true
	// Inserts below these marks copy first, in c as in the clone.
	c.hostShared, c.keysShared = len(c.host), len(c.keys)
	c.switches.share()
	d := &Collector{
		opt:        c.opt,
		polls:      share(c.polls),
		wakes:      share(c.wakes),
		irqs:       share(c.irqs),
		idle:       share(c.idle),
		host:       share(c.host),
		queue:      share(c.queue),
		marks:      share(c.marks),
		keys:       share(c.keys),
		stops:      share(c.stops),
		lints:      share(c.lints),
		switches:   c.switches,
		hostShared: c.hostShared,
		keysShared: c.keysShared,
		hostLast:   c.hostLast,
		stored:     c.stored,
		pollBase:   c.pollBase,
		wakeBase:   c.wakeBase,
		waits:      share(c.waits),
		waitBase:   c.waitBase,
		fills:      share(c.fills),
		queueB:     c.queueB.clone(),
		lanes:      c.lanes.clone(),
		tasks:      make(map[uint32]*taskState, len(c.tasks)),
		order:      make([]*taskState, len(c.order)),
		exec:       c.exec,
		stop:       c.stop,
		start:      c.start,
		end:        c.end,
		haveTime:   c.haveTime,
		dropped:    c.dropped,
		malformed:  c.malformed,
		evicted:    c.evicted,
		subDrops:   c.subDrops,
		unmatched:  c.unmatched,
		count:      c.count,
		subs:       map[*subscriber]struct{}{},
		sharing:    true,
		version:    c.version,
		// The snapshot is immutable: the clone may hand it out until it
		// changes.
		cached:        c.cached,
		cachedVersion: c.cachedVersion,
	}
	for i, ts := range c.order {
		ts.Stats.PollTime.share()
		ts.Stats.WakeLatency.share()
		cp := *ts
		d.order[i] = &cp
		d.tasks[cp.ID] = &cp
	}
	if r := c.exec.running; r != nil {
		d.exec.running = d.tasks[r.ID]
	}
	// What the executor state changes in place.
	d.exec.irqOpen = slices.Clone(c.exec.irqOpen)
	d.exec.irqDone = slices.Clone(c.exec.irqDone)
	d.stop.ahead = slices.Clone(c.stop.ahead)
	d.res = c.res.clone()
	return d
}

// grow returns s with room for n more, doubling its capacity when it
// must grow (append grows large slices by a quarter). A collector's lists
// are shared with its clones, each keeping the array it saw: growing by
// doubling keeps the arrays that clones taken as a list grew hold at most
// twice the list's own size.
func grow[T any](s []T, n int) []T {
	if len(s)+n <= cap(s) {
		return s
	}
	return slices.Grow(s, max(n, len(s)))
}

// Evicted is Model.Evicted without a snapshot: the items and tasks
// evicted so far.
func (c *Collector) Evicted() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.evicted
}

func (b counterBuilder) clone() counterBuilder { return counterBuilder{blocks: share(b.blocks)} }

// clone shares the lane's lists up to their lengths.
func (l spanLane) clone() spanLane {
	l.starts, l.spans = share(l.starts), share(l.spans)
	return l
}

// clone shares the lane's lists; l's inserts below them copy first.
func (l *instantLane) clone() instantLane {
	l.shared = len(l.times)
	return instantLane{times: share(l.times), flags: share(l.flags), shared: l.shared, changed: l.changed, view: l.view}
}

func (s *laneSet) clone() laneSet {
	d := laneSet{
		tasks:     make(map[uint32]*taskLanes, len(s.tasks)),
		irqs:      make(map[uint8]*spanLane, len(s.irqs)),
		idle:      s.idle.clone(),
		stops:     s.stops.clone(),
		exits:     make(map[string]*instantLane, len(s.exits)),
		keys:      s.keys.clone(),
		vectors:   s.vectors, // replaced, never written in place
		exitKinds: s.exitKinds,
	}
	for id, t := range s.tasks {
		d.tasks[id] = &taskLanes{polls: t.polls.clone(), waits: t.waits.clone()}
	}
	for v, l := range s.irqs {
		cp := l.clone()
		d.irqs[v] = &cp
	}
	for k, l := range s.exits {
		cp := l.clone()
		d.exits[k] = &cp
	}
	return d
}

func (s *resourceSet) clone() resourceSet {
	d := *s
	d.byKey = make(map[uint32]*resState, len(s.byKey))
	d.live = make(map[uint16]*resState, len(s.live))
	d.order = make([]*resState, len(s.order))
	for i, r := range s.order {
		cp := &resState{
			Resource:      r.Resource,
			open:          slices.Clone(r.open),
			slots:         make([]spanLane, len(r.slots)),
			fill:          share(r.fill),
			fillB:         r.fillB.clone(),
			fillBefore:    r.fillBefore,
			hasFillBefore: r.hasFillBefore,
			wakes:         r.wakes.clone(),
		}
		for k := range r.slots {
			cp.slots[k] = r.slots[k].clone()
		}
		d.order[i] = cp
		d.byKey[cp.Key] = cp
	}
	for id, r := range s.live {
		d.live[id] = d.byKey[r.Key]
	}
	d.queues = make([]*resState, len(s.queues))
	for i, r := range s.queues {
		d.queues[i] = d.byKey[r.Key]
	}
	maps.DeleteFunc(d.live, func(_ uint16, r *resState) bool { return r == nil })
	return d
}
