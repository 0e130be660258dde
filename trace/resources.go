package trace

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/pollscope/pollscope/guest"
)

// The executor's resources (docs/trace-abi.md, "Resources"): what tasks
// wait on, as tokio-console shows them. The guest reports each resource's
// creation, state, the waits on it and its drop (kinds 12-16), and names
// in every Wake the resource the wake came through. The model keeps, from
// those records alone: each resource with its state now; its fill level
// over time (a CounterLane; a ready queue's is the queue field every
// record carries); every wait on it, from the ResourceWait to the wake
// through it or the ResourceWaitEnd that ended it; and the wakes it
// caused.

// ResourceKind says what a resource is (guest.ResourceKind).
type ResourceKind = guest.ResourceKind

// The resource kinds.
const (
	ResourceReadyQueue = guest.ResourceReadyQueue // the waker executor's ready queue
	ResourceChannel    = guest.ResourceChannel    // a bounded async channel
	ResourceTimers     = guest.ResourceTimers     // the sleeps' timer table
	ResourceKeyboard   = guest.ResourceKeyboard   // the scancode queue IRQ1 fills
)

// Resource is one of the executor's resources.
type Resource struct {
	// Key numbers the resources in the order the trace made them, from 1:
	// unique even where the guest's 16-bit ids wrapped and came again.
	Key  uint32
	ID   uint16 // the guest's id (guest.ResourceID)
	Kind ResourceKind
	// Name is the guest's name for it ("numbers", "timers"); "" for one
	// the trace names without having announced it.
	Name    string
	Created int64
	Alive   bool
	Dropped int64 // when it was dropped, if not Alive
	// Len is what it holds now, of Capacity (a ready queue's length is the
	// queue field of the latest record); MaxLen the most it held.
	Len, Capacity, MaxLen int
	// Waiting counts the tasks waiting on it now (Model.OpenWaits).
	Waiting int
	// Waits counts the waits begun on it; Wakes the wakes that came
	// through it (each a Wake with ResourceKey == Key).
	Waits, Wakes uint64
}

// Label is how the resource is named to the user: "numbers (channel) #4".
func (r *Resource) Label() string {
	name := r.Name
	if name == "" {
		name = "resource"
	}
	return fmt.Sprintf("%s (%v) #%d", name, r.Kind, r.ID)
}

// WaitEnd says how a wait on a resource ended.
type WaitEnd uint8

// How waits end.
const (
	WaitOpen     WaitEnd = iota // still waiting (Model.OpenWaits)
	WaitWoken                   // a wake through the resource ended it (ResourceWait.Wake)
	WaitTaken                   // the task took its waker back: it found what it waited for itself
	WaitDropped                 // the waiting future or the resource went; the waker was dropped unwoken
	WaitReplaced                // another registration took its place
	WaitUnknown                 // its ResourceWaitEnd gave a reason the trace ABI does not define
)

var waitEndNames = [...]string{"waiting", "woken", "taken", "dropped", "replaced", "ended"}

// String names how the wait ended: "woken", "taken", ...
func (w WaitEnd) String() string {
	if int(w) < len(waitEndNames) {
		return waitEndNames[w]
	}
	return fmt.Sprintf("wait-end(%d)", uint8(w))
}

// ResourceWait is one task's wait on a resource.
type ResourceWait struct {
	Resource   uint32 // the Resource's Key
	Task       uint32
	Start, End int64 // End is Model.End for a wait still open
	// Detail is the ResourceWait record's detail (bits 0-47): for a
	// channel, guest.ChannelWantsValue or ChannelWantsRoom; for the timer
	// table, the sleep's deadline (guest.TimerWait).
	Detail uint64
	How    WaitEnd
	// Wake is the index in Model.Wakes of the wake that ended it (How ==
	// WaitWoken), -1 otherwise or if that wake was evicted.
	Wake int
	// Deadline is, on the timer table, when the sleep is due: the wait's
	// start plus the ticks it had left at the PIT's rate (Model.TickRate);
	// 0 elsewhere.
	Deadline int64
	// Slot is the row of its resource's lanes it is drawn in
	// (Model.ResourceWaitLanes), -1 for none (more waits at once than
	// maxWaitSlots).
	Slot int
}

// Duration is End - Start.
func (w ResourceWait) Duration() int64 { return w.End - w.Start }

// TimerDeadline decodes a timer wait's detail: the deadline tick and the
// ticks left when the wait began.
func (w ResourceWait) TimerDeadline() (tick uint32, left uint16) { return guest.TimerWait(w.Detail) }

// Limits of the resource model.
const (
	// maxWaitSlots is how many waits on one resource at once get a row
	// of their own in its lanes; more are kept in the lists only.
	maxWaitSlots = 8
	// defaultTickNs is the guest's tick until the timer waits tell:
	// the demo kernel programs the PIT for 100 Hz.
	defaultTickNs = 10_000_000
	// tickBaseline is how far apart two timer waits must be for their
	// ticks to give the tick's length.
	tickBaseline = 200_000_000
)

// resState is the collector's record of a resource.
type resState struct {
	Resource
	open  []openWait      // the waits in progress, in start order
	slots []spanLane      // the wait rows (Model.ResourceWaitLanes)
	fill  []CounterSample // its ResourceState lengths (not a ready queue's)
	fillB counterBuilder
	// The fill level before fill[0], once older samples were evicted.
	fillBefore    int
	hasFillBefore bool
	wakes         instantLane // the wakes through it
}

// openWait is a wait in progress.
type openWait struct {
	task     uint32
	start    int64
	detail   uint64
	deadline int64
	slot     int
}

// resourceSet is the collector's resources.
type resourceSet struct {
	byKey map[uint32]*resState
	live  map[uint16]*resState // the alive resource with each id
	order []*resState          // by key
	// queues are the alive ready queues, whose length is the queue field.
	queues []*resState
	next   uint32 // the last key given
	// The guest's tick, from the timer waits: the tick count then (the
	// deadline less the ticks left) at a reference wait and now.
	tickRef     uint32
	tickRefTime int64
	haveTickRef bool
	tickNs      float64
}

func newResourceSet() resourceSet {
	return resourceSet{byKey: map[uint32]*resState{}, live: map[uint16]*resState{}, tickNs: defaultTickNs}
}

// applyResource applies one of the resource records at t.
func (c *Collector) applyResource(e Event, t int64) {
	id := guest.ResourceOf(e.Arg)
	if id == 0 {
		c.unmatched++
		return
	}
	switch guest.EventKind(e.Kind) {
	case guest.EvResourceNew:
		_, kind, _, _ := guest.ResourceNewArg(e.Arg)
		if old := c.res.live[uint16(id)]; old != nil {
			c.dropResource(old, t) // the id wrapped while it lived
		}
		c.newResource(uint16(id), kind, e.Name, t)
	case guest.EvResourceState:
		if r := c.resourceFor(uint16(id), t); r != nil {
			_, n, capacity := guest.ResourceStateArg(e.Arg)
			c.resourceState(r, int(n), int(capacity), t)
		}
	case guest.EvResourceWait:
		if r := c.resourceFor(uint16(id), t); r != nil {
			_, detail := guest.ResourceDetail(e.Arg)
			c.resourceWait(r, e.Task, detail, t)
		}
	case guest.EvResourceWaitEnd:
		if r := c.resourceFor(uint16(id), t); r != nil {
			_, why := guest.ResourceDetail(e.Arg)
			c.resourceWaitEnd(r, e.Task, why, t)
		}
	case guest.EvResourceDrop:
		if r := c.res.live[uint16(id)]; r != nil {
			c.dropResource(r, t)
		} else {
			c.unmatched++
		}
	}
}

// newResource starts resource id's life at t. It returns nil, counting
// the record as unmatched, when the resource table is full of live ones.
func (c *Collector) newResource(id uint16, kind ResourceKind, name string, t int64) *resState {
	if len(c.res.order) >= c.opt.MaxResources {
		c.evictResources()
		if len(c.res.order) >= c.opt.MaxResources {
			c.unmatched++
			return nil
		}
	}
	c.res.next++
	r := &resState{Resource: Resource{Key: c.res.next, ID: id, Kind: kind, Name: name, Created: t, Alive: true}}
	if kind == ResourceReadyQueue {
		r.Len, r.MaxLen = int(c.exec.queue), int(c.exec.queue)
		c.res.queues = append(c.res.queues, r)
	}
	c.res.byKey[r.Key] = r
	c.res.live[id] = r
	c.res.order = append(c.res.order, r)
	return r
}

// resourceFor returns the alive resource id. A record naming one never
// announced (its ResourceNew lost) makes it, unnamed, counting the record
// as unmatched.
func (c *Collector) resourceFor(id uint16, t int64) *resState {
	if r := c.res.live[id]; r != nil {
		return r
	}
	c.unmatched++
	return c.newResource(id, 0, "", t)
}

func (c *Collector) resourceState(r *resState, n, capacity int, t int64) {
	r.Capacity = capacity
	if r.Kind == ResourceReadyQueue {
		return // its length is the queue field
	}
	r.Len, r.MaxLen = n, max(r.MaxLen, n)
	if k := len(r.fill); k > 0 && r.fill[k-1].Value == n {
		return
	}
	r.fill = append(grow(r.fill, 1), CounterSample{Time: t, Value: n})
	r.fillB.added(r.fill)
	c.fills = append(grow(c.fills, 1), fillSample{Time: t, Resource: r.Key})
	c.stored++
}

// fillSample is one sample of a resource's fill level, as the eviction
// counts it (the value is in the resource's own list).
type fillSample struct {
	Time     int64
	Resource uint32
}

func (c *Collector) resourceWait(r *resState, task uint32, detail uint64, t int64) {
	if task == 0 {
		c.unmatched++
		return
	}
	if i := r.openBy(task); i >= 0 {
		c.unmatched++ // its end was lost
		c.endWait(r, i, t, WaitReplaced, -1)
	} else if len(r.open) >= c.opt.MaxTasks {
		// More tasks waiting at once than the task table holds: their
		// ends were lost, or the stream is not a kernel's.
		c.unmatched++
		return
	}
	w := openWait{task: task, start: t, detail: detail, slot: r.freeSlot()}
	if r.Kind == ResourceTimers {
		w.deadline = c.timerDeadline(detail, t)
	}
	r.open = append(r.open, w)
	r.Waiting = len(r.open)
	r.Waits++
}

// openBy returns the index in r.open of task's wait, or -1.
func (r *resState) openBy(task uint32) int {
	return slices.IndexFunc(r.open, func(w openWait) bool { return w.task == task })
}

// freeSlot returns the lowest wait row no open wait holds, or -1.
func (r *resState) freeSlot() int {
	for s := range maxWaitSlots {
		if !slices.ContainsFunc(r.open, func(w openWait) bool { return w.slot == s }) {
			if s == len(r.slots) {
				r.slots = append(r.slots, spanLane{})
			}
			return s
		}
	}
	return -1
}

// timerDeadline is when a sleep waiting from t is due, from the ticks it
// has left, and updates the tick's length from the tick count the detail
// implies.
func (c *Collector) timerDeadline(detail uint64, t int64) int64 {
	deadline, left := guest.TimerWait(detail)
	s := &c.res
	now := deadline - uint32(left)
	switch {
	case !s.haveTickRef:
		s.tickRef, s.tickRefTime, s.haveTickRef = now, t, true
	case t-s.tickRefTime >= tickBaseline && now != s.tickRef && now-s.tickRef < 1<<31:
		s.tickNs = float64(t-s.tickRefTime) / float64(now-s.tickRef)
	}
	return min(t+int64(float64(left)*s.tickNs), maxTime)
}

func (c *Collector) resourceWaitEnd(r *resState, task uint32, why uint64, t int64) {
	i := r.openBy(task)
	if i < 0 {
		c.unmatched++
		return
	}
	how := WaitUnknown
	switch guest.WaitEndReason(why) {
	case guest.WaitTaken:
		how = WaitTaken
	case guest.WaitDropped:
		how = WaitDropped
	case guest.WaitReplaced:
		how = WaitReplaced
	}
	c.endWait(r, i, t, how, -1)
}

// endWait ends r.open[i] at t; wake is the index in c.wakes of the wake
// that ended it, or -1.
func (c *Collector) endWait(r *resState, i int, t int64, how WaitEnd, wake int) {
	w := r.open[i]
	c.waits = append(grow(c.waits, 1), ResourceWait{Resource: r.Key, Task: w.task, Start: w.start, End: t,
		Detail: w.detail, How: how, Wake: wake, Deadline: w.deadline, Slot: w.slot})
	c.stored++
	if w.slot >= 0 {
		r.slots[w.slot].add(w.start, t, 0, c.waitBase+uint64(len(c.waits)-1))
	}
	r.open = slices.Delete(r.open, i, i+1)
	r.Waiting = len(r.open)
}

// endTaskWaits ends the open waits of a task that exited at t: its
// futures went with it, so any waker it had registered was dropped (the
// kernel says so itself; this is for a stream that lost those records).
func (c *Collector) endTaskWaits(task uint32, t int64) {
	for _, r := range c.res.order {
		if i := r.openBy(task); i >= 0 {
			c.unmatched++
			c.endWait(r, i, t, WaitDropped, -1)
		}
	}
}

// dropResource ends r's life at t, and the waits on it.
func (c *Collector) dropResource(r *resState, t int64) {
	for len(r.open) > 0 {
		c.endWait(r, 0, t, WaitDropped, -1)
	}
	r.Alive, r.Dropped = false, t
	if c.res.live[r.ID] == r {
		delete(c.res.live, r.ID)
	}
	c.res.queues = slices.DeleteFunc(c.res.queues, func(q *resState) bool { return q == r })
}

// resourceWake notes that the wake just stored, c.wakes[len-1], came
// through resource id: the resource caused it, and it ends the woken
// task's wait there.
func (c *Collector) resourceWake(id uint16, t int64) {
	i := len(c.wakes) - 1
	w := &c.wakes[i]
	r := c.resourceFor(id, t)
	if r == nil {
		return
	}
	w.ResourceKey = r.Key
	r.Wakes++
	r.wakes.add(t, 0)
	if k := r.openBy(w.Task); k >= 0 {
		c.endWait(r, k, t, WaitWoken, i)
	}
}

// queueChanged keeps the alive ready queues' lengths: the queue field is
// theirs.
func (c *Collector) queueChanged(n int) {
	for _, r := range c.res.queues {
		r.Len, r.MaxLen = n, max(r.MaxLen, n)
	}
}

// evictResources drops the tenth of MaxResources (at least one) of
// dropped resources that were dropped longest ago, with their lanes.
func (c *Collector) evictResources() {
	var gone []*resState
	for _, r := range c.res.order {
		if !r.Alive {
			gone = append(gone, r)
		}
	}
	if len(gone) == 0 {
		return
	}
	slices.SortStableFunc(gone, func(a, b *resState) int { return cmp.Compare(a.Dropped, b.Dropped) })
	gone = gone[:min(len(gone), max(c.opt.MaxResources/10, 1))]
	for _, r := range gone {
		delete(c.res.byKey, r.Key)
	}
	c.res.order = slices.DeleteFunc(c.res.order, func(r *resState) bool { return c.res.byKey[r.Key] != r })
	c.evicted += uint64(len(gone))
}
