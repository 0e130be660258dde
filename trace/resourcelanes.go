package trace

import (
	"cmp"
	"slices"
	"sort"
	"time"
)

// The resources' lanes: per resource its fill level (a CounterLane), its
// waits in rows (one SpanList per row; a wait keeps its row from start to
// end, so no two of a row overlap) and the wakes through it (Instants).

// resourceLaneViews is what a snapshot holds of one resource's lanes.
type resourceLaneViews struct {
	fill  *CounterLane
	slots []*SpanList
	wakes *Instants
}

// snapshotResources fills in m's resources, their waits and lanes.
func (c *Collector) snapshotResources(m *Model, x *laneIndex) {
	s := &c.res
	x.queue = c.queueB.lane(c.queue, 0, false)
	x.resources = make(map[uint32]resourceLaneViews, len(s.order))
	m.Resources = make([]Resource, len(s.order))
	for i, r := range s.order {
		m.Resources[i] = r.Resource
		v := resourceLaneViews{wakes: r.wakes.snapshot(), slots: make([]*SpanList, len(r.slots))}
		if r.Kind == ResourceReadyQueue {
			v.fill = x.queue
		} else {
			v.fill = r.fillB.lane(r.fill, r.fillBefore, r.hasFillBefore)
		}
		for k := range r.slots {
			var open openSpan
			ok := false
			for _, w := range r.open {
				if w.slot == k {
					open, ok = openSpan{start: w.start}, true
				}
			}
			v.slots[k] = r.slots[k].snapshot(open, ok, c.end)
		}
		x.resources[r.Key] = v
		for _, w := range r.open {
			m.OpenWaits = append(m.OpenWaits, ResourceWait{Resource: r.Key, Task: w.task, Start: w.start, End: max(c.end, w.start),
				Detail: w.detail, How: WaitOpen, Wake: -1, Deadline: w.deadline, Slot: w.slot})
		}
	}
	slices.SortStableFunc(m.OpenWaits, func(a, b ResourceWait) int { return cmp.Compare(a.Start, b.Start) })
	m.Waits = share(c.waits)
	m.waitBase = c.waitBase
	m.Tick = time.Duration(s.tickNs)
}

// Resource returns the resource with the given Key.
func (m *Model) Resource(key uint32) (*Resource, bool) {
	i := sort.Search(len(m.Resources), func(i int) bool { return m.Resources[i].Key >= key })
	if i < len(m.Resources) && m.Resources[i].Key == key {
		return &m.Resources[i], true
	}
	return nil, false
}

// QueueLane is the ready queue's length over time: Queue as a lane.
func (m *Model) QueueLane() *CounterLane {
	if m.lanes == nil || m.lanes.queue == nil {
		return noCounter
	}
	return m.lanes.queue
}

// ResourceFill is resource key's fill level over time: its ResourceState
// lengths, or for a ready queue the QueueLane (which covers more than the
// queue's life: read it between Created and Dropped).
func (m *Model) ResourceFill(key uint32) *CounterLane {
	if m.lanes != nil {
		if v, ok := m.lanes.resources[key]; ok {
			return v.fill
		}
	}
	return noCounter
}

// ResourceWaitLanes are resource key's waits, one SpanList per row (see
// ResourceWait.Slot), each with the wait in progress in it (SpanOpen)
// last. Span i of row r is the wait LaneResourceWait(key, r, i) returns.
func (m *Model) ResourceWaitLanes(key uint32) []*SpanList {
	if m.lanes != nil {
		if v, ok := m.lanes.resources[key]; ok {
			return v.slots
		}
	}
	return nil
}

// ResourceWakeLane is the times of the wakes through resource key.
func (m *Model) ResourceWakeLane(key uint32) *Instants {
	if m.lanes != nil {
		if v, ok := m.lanes.resources[key]; ok {
			return v.wakes
		}
	}
	return noInstants
}

// LaneResourceWait returns the wait that span i of resource key's wait
// row slot stands for: one of Waits, or for the span in progress one of
// OpenWaits. It reports false if that wait was evicted.
func (m *Model) LaneResourceWait(key uint32, slot, i int) (ResourceWait, bool) {
	rows := m.ResourceWaitLanes(key)
	if slot < 0 || slot >= len(rows) || i < 0 || i >= rows[slot].Len() {
		return ResourceWait{}, false
	}
	l := rows[slot]
	if i == len(l.spans) {
		for _, w := range m.OpenWaits {
			if w.Resource == key && w.Slot == slot {
				return w, true
			}
		}
		return ResourceWait{}, false
	}
	return m.waitByNumber(l.spans[i].ref)
}

func (m *Model) waitByNumber(g uint64) (ResourceWait, bool) {
	if g < m.waitBase || g-m.waitBase >= uint64(len(m.Waits)) {
		return ResourceWait{}, false
	}
	return m.Waits[g-m.waitBase], true
}

// RecentWaits returns the last n waits on resource key that have a row
// (see ResourceWait.Slot), the open ones included, latest start first.
func (m *Model) RecentWaits(key uint32, n int) []ResourceWait {
	var out []ResourceWait
	for slot, l := range m.ResourceWaitLanes(key) {
		for i := l.Len() - 1; i >= 0 && i >= l.Len()-n; i-- {
			if w, ok := m.LaneResourceWait(key, slot, i); ok {
				out = append(out, w)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b ResourceWait) int { return cmp.Compare(b.Start, a.Start) })
	return out[:min(len(out), n)]
}

// WaitingOn returns the waits in progress on resource key, oldest first.
func (m *Model) WaitingOn(key uint32) []ResourceWait {
	var out []ResourceWait
	for _, w := range m.OpenWaits {
		if w.Resource == key {
			out = append(out, w)
		}
	}
	return out
}

var noCounter = &CounterLane{}

// trimResourceLanes drops from the resources' lanes what eviction drops
// from the lists (see trimLanes): the fill samples among the first
// k.fills (the last value each resource loses stays known as its
// lane's Before), the wakes among the first k.wakes, and the wait rows'
// spans of the first k.waits waits.
func (c *Collector) trimResourceLanes(k evictCounts) {
	fills := map[uint32]int{}
	for _, f := range c.fills[:k.fills] {
		fills[f.Resource]++
	}
	for key, n := range fills {
		if r := c.res.byKey[key]; r != nil {
			if n = min(n, len(r.fill)); n == 0 {
				continue
			}
			r.fillBefore, r.hasFillBefore = r.fill[n-1].Value, true
			r.fill = dropHead(r.fill, n, c.sharing)
			r.fillB.rebuild(r.fill)
		}
	}
	wakes := map[uint32]int{}
	for _, w := range c.wakes[:k.wakes] {
		if w.ResourceKey != 0 {
			wakes[w.ResourceKey]++
		}
	}
	for key, n := range wakes {
		if r := c.res.byKey[key]; r != nil {
			r.wakes.dropFront(n, c.sharing)
		}
	}
	if k.waits == 0 {
		return
	}
	base := c.waitBase + uint64(k.waits)
	for _, r := range c.res.order {
		for s := range r.slots {
			l := &r.slots[s]
			l.dropFront(sort.Search(len(l.spans), func(i int) bool { return l.spans[i].ref >= base }), c.sharing)
		}
	}
}
