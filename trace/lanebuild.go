package trace

import (
	"cmp"
	"slices"
	"sort"
)

// The collector's side of the lanes: each lane is an append-only list that
// snapshots share up to their length, like the model's other lists. Spans
// come in order within a lane (the executor polls one task at a time, a
// task waits once per poll, the CPU halts once at a time); instants may
// come a little late and are inserted at their time.

// spanLane builds one SpanList.
type spanLane struct {
	starts  []int64
	spans   []laneSpan
	changed bool      // spans changed since the last snapshot
	view    *SpanList // what the last snapshot holds of it
}

// add appends the ended span [start, end]. A span starting before the last
// one ended, which the executor's structure rules out, is cut to start
// there, so the lane stays sorted and free of overlaps whatever comes.
func (l *spanLane) add(start, end int64, flag SpanFlag, ref uint64) {
	var cum int64
	if n := len(l.spans); n > 0 {
		last := &l.spans[n-1]
		start = max(start, last.end)
		cum = last.cum + last.end - l.starts[n-1]
	}
	end = max(end, start)
	l.starts = append(grow(l.starts, 1), start)
	l.spans = append(grow(l.spans, 1), laneSpan{end: end, cum: cum, ref: ref, flag: flag})
	l.changed = true
}

// openSpan is a span in progress, as the executor state knows it.
type openSpan struct {
	start int64
	ref   uint64
}

// snapshot returns the lane as a snapshot holds it, with open (if ok) as its
// span in progress ending at end. An unchanged lane with nothing open gives
// the same *SpanList as the previous snapshot.
func (l *spanLane) snapshot(open openSpan, ok bool, end int64) *SpanList {
	if !l.changed && !ok && l.view != nil && !l.view.hasOpen {
		return l.view
	}
	v := &SpanList{starts: share(l.starts), spans: share(l.spans)}
	if n := len(l.spans); n > 0 {
		last := &l.spans[n-1]
		v.open.cum = last.cum + last.end - l.starts[n-1]
	}
	if ok {
		start := open.start
		if n := len(l.spans); n > 0 {
			start = max(start, l.spans[n-1].end)
		}
		v.openStart, v.hasOpen = start, true
		v.open.end, v.open.ref, v.open.flag = max(end, start), open.ref, SpanOpen
	}
	l.changed, l.view = false, v
	return v
}

// dropBefore drops the spans that start before t (see dropHead).
func (l *spanLane) dropBefore(t int64, reslice bool) {
	l.dropFront(sort.Search(len(l.starts), func(i int) bool { return l.starts[i] >= t }), reslice)
}

func (l *spanLane) dropFront(k int, reslice bool) {
	if k > 0 {
		l.starts, l.spans = dropHead(l.starts, k, reslice), dropHead(l.spans, k, reslice)
		l.changed = true
	}
}

// instantLane builds one Instants.
type instantLane struct {
	times   []int64
	flags   []InstantFlag
	shared  int // [:shared] is seen by a snapshot
	changed bool
	view    *Instants
}

// add inserts an instant at its time, after those at the same time. An
// insert before what a snapshot sees copies the lists first.
func (l *instantLane) add(t int64, flag InstantFlag) {
	n := len(l.times)
	i := n
	if n > 0 && l.times[n-1] > t {
		i = sort.Search(n, func(i int) bool { return l.times[i] > t })
	}
	switch {
	case i == n:
		l.times, l.flags = append(grow(l.times, 1), t), append(grow(l.flags, 1), flag)
	case i < l.shared:
		l.times = slices.Insert(slices.Clip(l.times), i, t)
		l.flags = slices.Insert(slices.Clip(l.flags), i, flag)
		l.shared = 0
	default:
		l.times, l.flags = slices.Insert(l.times, i, t), slices.Insert(l.flags, i, flag)
	}
	l.changed = true
}

func (l *instantLane) snapshot() *Instants {
	if !l.changed && l.view != nil {
		return l.view
	}
	l.shared = len(l.times)
	l.changed, l.view = false, &Instants{times: share(l.times), flags: share(l.flags)}
	return l.view
}

// dropFront drops the first k instants (see dropHead).
func (l *instantLane) dropFront(k int, reslice bool) {
	if k = min(k, len(l.times)); k > 0 {
		l.times, l.flags, l.shared, l.changed = dropHead(l.times, k, reslice), dropHead(l.flags, k, reslice), sharedAfter(l.shared, k, reslice), true
	}
}

// insertByTime inserts v into s, sorted by time, after the items at v's
// time. s[:*shared] is seen by snapshots: an insert there copies s first.
func insertByTime[T any](s []T, shared *int, v T, time func(*T) int64) []T {
	n := len(s)
	t := time(&v)
	if n == 0 || time(&s[n-1]) <= t {
		return append(grow(s, 1), v)
	}
	i := sort.Search(n, func(i int) bool { return time(&s[i]) > t })
	if i < *shared {
		c := make([]T, 0, n+n/4+1)
		c = append(c, s[:i]...)
		c = append(c, v)
		*shared = 0
		return append(c, s[i:]...)
	}
	return slices.Insert(s, i, v)
}

// taskLanes is one task's two lanes.
type taskLanes struct{ polls, waits spanLane }

// laneSet is every lane of the collector.
type laneSet struct {
	tasks map[uint32]*taskLanes
	irqs  map[uint8]*spanLane
	idle  spanLane
	stops spanLane // the intervals stopped in the debugger
	exits map[string]*instantLane
	keys  instantLane

	// The sorted keys of irqs and exits. Snapshots share them, so a change
	// replaces them rather than writing in place.
	vectors   []uint8
	exitKinds []string
}

func newLaneSet() laneSet {
	return laneSet{tasks: map[uint32]*taskLanes{}, irqs: map[uint8]*spanLane{}, exits: map[string]*instantLane{}}
}

func (s *laneSet) task(id uint32) *taskLanes {
	t := s.tasks[id]
	if t == nil {
		t = &taskLanes{}
		s.tasks[id] = t
	}
	return t
}

func (s *laneSet) irq(v uint8) *spanLane {
	l := s.irqs[v]
	if l == nil {
		l = &spanLane{}
		s.irqs[v] = l
		s.vectors = slices.Insert(slices.Clone(s.vectors), sortedIndex(s.vectors, v), v)
	}
	return l
}

func (s *laneSet) exit(kind string) *instantLane {
	l := s.exits[kind]
	if l == nil {
		l = &instantLane{}
		s.exits[kind] = l
		s.exitKinds = slices.Insert(slices.Clone(s.exitKinds), sortedIndex(s.exitKinds, kind), kind)
	}
	return l
}

func sortedIndex[T cmp.Ordered](s []T, v T) int {
	i, _ := slices.BinarySearch(s, v)
	return i
}

// addHost files a host event in its lane, if it has one.
func (s *laneSet) addHost(e *Event) {
	switch e.Kind {
	case HostExit:
		s.exit(e.Name).add(e.Time, 0)
	case HostKeyEvent:
		var f InstantFlag
		if e.Arg&KeyReleased != 0 {
			f = InstantKeyUp
		}
		s.keys.add(e.Time, f)
	}
}

// snapshot builds the lanes a snapshot holds: the stored spans, and the
// spans the executor has open, ending at end.
func (c *Collector) snapshotLanes(end int64) *laneIndex {
	s := &c.lanes
	x := &laneIndex{
		tasks:     make(map[uint32]taskLaneViews, len(s.tasks)),
		irqs:      make(map[uint8]*SpanList, len(s.irqs)),
		vectors:   share(s.vectors),
		exits:     make(map[string]*Instants, len(s.exits)),
		exitKinds: share(s.exitKinds),
	}
	for id, t := range s.tasks {
		var poll, wait openSpan
		ts := c.tasks[id]
		running := ts != nil && ts.running
		if running {
			poll = openSpan{start: ts.pollStart}
		}
		waiting := ts != nil && ts.pending
		if waiting {
			wait = openSpan{start: ts.pendingTime, ref: ts.pendingWake}
		}
		x.tasks[id] = taskLaneViews{polls: t.polls.snapshot(poll, running, end), waits: t.waits.snapshot(wait, waiting, end)}
	}
	for v, l := range s.irqs {
		start, ok := c.irqOpenSince(v)
		x.irqs[v] = l.snapshot(openSpan{start: start}, ok, end)
	}
	x.idle = s.idle.snapshot(openSpan{start: c.exec.idleStart}, c.exec.idleOpen, end)
	x.stops = s.stops.snapshot(openSpan{start: c.stop.start}, c.stop.open, end)
	for k, l := range s.exits {
		x.exits[k] = l.snapshot()
	}
	x.keys = s.keys.snapshot()
	return x
}

// irqOpenSince returns the start of vector v's outermost handler still
// running, if one is.
func (c *Collector) irqOpenSince(v uint8) (int64, bool) {
	for _, o := range c.exec.irqOpen {
		if o.Vector == v {
			return o.Start, true
		}
	}
	return 0, false
}

func (c *Collector) irqOpen(v uint8) bool {
	_, ok := c.irqOpenSince(v)
	return ok
}

// trimLanes drops from the lanes what eviction drops from the lists: the
// first k.polls polls, k.idle hlt periods, k.stops debugger stops, k.host
// host events and k.keys key events (each lane loses those of its own), the waits that start
// before t and the handler runs that end before it (every handler left in
// the lists starts at t or later). It runs before the lists are cut. It forgets
// lanes left empty: of a task the collector no longer knows, of a vector
// with no handler running, of an exit kind.
func (c *Collector) trimLanes(k evictCounts, t int64) {
	s := &c.lanes
	if k.polls > 0 {
		perTask := map[uint32]int{}
		for _, p := range c.polls[:k.polls] {
			perTask[p.Task]++
		}
		for id, n := range perTask {
			if tl := s.tasks[id]; tl != nil {
				tl.polls.dropFront(min(n, len(tl.polls.spans)), c.sharing)
			}
		}
	}
	for id, tl := range s.tasks {
		tl.waits.dropBefore(t, c.sharing)
		if c.tasks[id] == nil && len(tl.polls.spans) == 0 && len(tl.waits.spans) == 0 {
			delete(s.tasks, id)
		}
	}
	for v, l := range s.irqs {
		// By end: a handler's own nested one may outlive it in the list.
		l.dropFront(sort.Search(len(l.spans), func(i int) bool { return l.spans[i].end >= t }), c.sharing)
		if len(l.spans) == 0 && !c.irqOpen(v) {
			delete(s.irqs, v)
			s.vectors = slices.DeleteFunc(slices.Clone(s.vectors), func(x uint8) bool { return x == v })
		}
	}
	s.idle.dropFront(min(k.idle, len(s.idle.spans)), c.sharing)
	s.stops.dropFront(min(k.stops, len(s.stops.spans)), c.sharing)
	if k.host > 0 {
		perKind := map[string]int{}
		for _, e := range c.host[:k.host] {
			if e.Kind == HostExit {
				perKind[e.Name]++
			}
		}
		for kind, n := range perKind {
			if l := s.exits[kind]; l != nil {
				if l.dropFront(n, c.sharing); len(l.times) == 0 {
					delete(s.exits, kind)
					s.exitKinds = slices.DeleteFunc(slices.Clone(s.exitKinds), func(x string) bool { return x == kind })
				}
			}
		}
	}
	s.keys.dropFront(k.keys, c.sharing)
	c.trimResourceLanes(k)
}
