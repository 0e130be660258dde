package trace

import "sort"

// evict drops the oldest tenth of MaxEvents (at least one item) from the
// stored lists. It cuts all lists at one time, so the model keeps covering
// [Start, End] evenly; when too many items share the cut time for that to
// work, each list loses its oldest items in proportion to its length.
// Everything is copied into new arrays: snapshots keep the old ones, and
// the memory of the evicted items is released once they are gone.
func (c *Collector) evict() {
	total := c.stored
	chunk := max(c.opt.MaxEvents/10, 1, total-c.opt.MaxEvents)
	cut, ok := c.cutTime(chunk)
	var k evictCounts
	if ok && c.countBefore(cut).sum() <= max(total/2, chunk) {
		k = c.countBefore(cut)
	} else {
		k = c.proportional(chunk)
		cut = c.firstKeyAfter(k)
	}
	cut = min(cut, c.end)
	// Keep the ready-queue length known from the cut on: the last evicted
	// sample stays, moved to the cut, unless a retained one starts there.
	retime := k.queue > 0 && k.sum() > max(1, total-c.opt.MaxEvents) &&
		(k.queue == len(c.queue) || c.queue[k.queue].Time > cut)
	if retime {
		k.queue--
	}
	c.trimLanes(k, max(c.start, cut))
	c.dropFront(k)
	if retime {
		// At the cut, but never after the last guest event: a later one
		// comes at that time at the earliest (the cut can pass it when
		// host events run ahead).
		c.queue[0].Time = cut
		if c.exec.haveGuest {
			c.queue[0].Time = min(cut, c.exec.lastGuest)
		}
	}
	c.queueB.rebuild(c.queue)
	c.start = max(c.start, cut)
	c.evicted += uint64(k.sum())
}

// evictCounts is how many items to drop from the front of each list.
type evictCounts struct{ polls, wakes, irqs, idle, stops, host, queue, marks, keys, waits, fills int }

func (k evictCounts) sum() int {
	return k.polls + k.wakes + k.irqs + k.idle + k.stops + k.host + k.queue + k.marks + k.keys + k.waits + k.fills
}

func before[T any](s []T, t int64, key func(*T) int64) int {
	return sort.Search(len(s), func(i int) bool { return key(&s[i]) >= t })
}

func pollKey(p *PollSpan) int64        { return p.Start }
func wakeKey(w *Wake) int64            { return w.Time }
func irqKey(s *IRQSpan) int64          { return s.Start }
func spanKey(s *Span) int64            { return s.Start }
func eventKey(e *Event) int64          { return e.Time }
func sampleKey(s *CounterSample) int64 { return s.Time }
func keyKey(k *KeyEvent) int64         { return k.Time }
func stopKey(s *DebugStop) int64       { return s.Start }
func waitKey(w *ResourceWait) int64    { return w.End }
func fillKey(f *fillSample) int64      { return f.Time }

// countBefore counts, per list, the items whose time is before t.
func (c *Collector) countBefore(t int64) evictCounts {
	return evictCounts{
		polls: before(c.polls, t, pollKey),
		wakes: before(c.wakes, t, wakeKey),
		irqs:  before(c.irqs, t, irqKey),
		idle:  before(c.idle, t, spanKey),
		stops: before(c.stops, t, stopKey),
		host:  before(c.host, t, eventKey),
		queue: before(c.queue, t, sampleKey),
		marks: before(c.marks, t, eventKey),
		keys:  before(c.keys, t, keyKey),
		waits: before(c.waits, t, waitKey),
		fills: before(c.fills, t, fillKey),
	}
}

// cutTime returns the earliest time before which at least chunk items lie.
func (c *Collector) cutTime(chunk int) (int64, bool) {
	lo, hi := int64(0), maxTime+1
	if c.countBefore(hi).sum() < chunk {
		return 0, false
	}
	for lo < hi {
		mid := lo + (hi-lo)/2
		if c.countBefore(mid).sum() >= chunk {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo, true
}

// proportional spreads chunk removals over the lists by their lengths.
func (c *Collector) proportional(chunk int) evictCounts {
	total := c.stored
	part := func(n int) int { return min(n, (n*chunk+total-1)/total) }
	return evictCounts{
		polls: part(len(c.polls)), wakes: part(len(c.wakes)), irqs: part(len(c.irqs)),
		idle: part(len(c.idle)), stops: part(len(c.stops)), host: part(len(c.host)), queue: part(len(c.queue)),
		marks: part(len(c.marks)), keys: part(len(c.keys)), waits: part(len(c.waits)), fills: part(len(c.fills)),
	}
}

// dropFront removes k's items from the lists' fronts and rebases the
// indexes that point into them.
func (c *Collector) dropFront(k evictCounts) {
	polls := tail(c.polls, k.polls)
	for i := range polls {
		if w := polls[i].Wake; w >= 0 {
			if w -= k.wakes; w < 0 {
				w = -1
			}
			polls[i].Wake = w
		}
	}
	c.polls = polls
	c.pollBase += uint64(k.polls)
	waits := tail(c.waits, k.waits)
	for i := range waits {
		if w := waits[i].Wake; w >= 0 {
			if w -= k.wakes; w < 0 {
				w = -1
			}
			waits[i].Wake = w
		}
	}
	c.waits = waits
	c.waitBase += uint64(k.waits)
	c.fills = dropHead(c.fills, k.fills, c.sharing)
	c.wakes = dropHead(c.wakes, k.wakes, c.sharing)
	c.wakeBase += uint64(k.wakes)
	c.irqs = dropHead(c.irqs, k.irqs, c.sharing)
	c.idle = dropHead(c.idle, k.idle, c.sharing)
	c.stops = dropHead(c.stops, k.stops, c.sharing)
	c.host = dropHead(c.host, k.host, c.sharing)
	c.hostShared = sharedAfter(c.hostShared, k.host, c.sharing)
	c.queue = tail(c.queue, k.queue)
	c.marks = dropHead(c.marks, k.marks, c.sharing)
	c.keys = dropHead(c.keys, k.keys, c.sharing)
	c.keysShared = sharedAfter(c.keysShared, k.keys, c.sharing)
	c.stored -= k.sum()
}

// dropHead drops the first k items of s. It copies the rest into a new
// array, so that the memory of the dropped ones goes with the last
// snapshot that sees them; or, in a collector that has clones (sharing),
// it reslices, so that clones taken before and after this eviction keep
// sharing one array (a session viewer keeps clones as checkpoints): the
// list's next growth compacts it then. Lists whose items are rewritten
// on eviction (indexes rebased, a sample retimed) always copy.
func dropHead[T any](s []T, k int, reslice bool) []T {
	if k == 0 {
		return s
	}
	if reslice {
		return s[k:]
	}
	return tail(s, k)
}

// sharedAfter is how much of a list snapshots still see after dropHead
// dropped k of it: none of a copy.
func sharedAfter(shared, k int, resliced bool) int {
	if resliced {
		return max(shared-k, 0)
	}
	return 0
}

// tail returns a copy of s[k:] with some room to grow.
func tail[T any](s []T, k int) []T {
	n := len(s) - k
	out := make([]T, n, n+n/4+8)
	copy(out, s[k:])
	return out
}

// firstKeyAfter is the earliest time left in the lists once k's items are
// dropped, or End if none is left.
func (c *Collector) firstKeyAfter(k evictCounts) int64 {
	t := c.end
	if k.polls < len(c.polls) {
		t = min(t, c.polls[k.polls].Start)
	}
	if k.wakes < len(c.wakes) {
		t = min(t, c.wakes[k.wakes].Time)
	}
	if k.irqs < len(c.irqs) {
		t = min(t, c.irqs[k.irqs].Start)
	}
	if k.idle < len(c.idle) {
		t = min(t, c.idle[k.idle].Start)
	}
	if k.stops < len(c.stops) {
		t = min(t, c.stops[k.stops].Start)
	}
	if k.host < len(c.host) {
		t = min(t, c.host[k.host].Time)
	}
	if k.queue < len(c.queue) {
		t = min(t, c.queue[k.queue].Time)
	}
	if k.marks < len(c.marks) {
		t = min(t, c.marks[k.marks].Time)
	}
	if k.keys < len(c.keys) {
		t = min(t, c.keys[k.keys].Time)
	}
	if k.waits < len(c.waits) {
		t = min(t, c.waits[k.waits].End)
	}
	if k.fills < len(c.fills) {
		t = min(t, c.fills[k.fills].Time)
	}
	return t
}
