package trace

import (
	"cmp"
	"slices"
	"sync"
)

// Collector builds the Model from the event stream. Its methods are safe for
// concurrent use: the emulator calls Add while the GUI calls Snapshot.
type Collector struct {
	mu  sync.Mutex
	opt Options

	// Stored items, append-only: a snapshot shares each slice up to its
	// length at the time, so nothing below that length is written again
	// (eviction and out-of-order host inserts copy instead).
	polls      []PollSpan
	wakes      []Wake
	irqs       []IRQSpan
	idle       []Span
	host       []Event
	queue      []CounterSample
	marks      []Event
	keys       []KeyEvent
	stops      []DebugStop
	lints      []Lint
	switches   Histogram      // executor switch costs (see Model.Switches)
	hostShared int            // host[:hostShared] is shared with a snapshot
	keysShared int            // keys[:keysShared] is shared with a snapshot
	hostLast   int64          // the latest host event's time
	stored     int            // items in the lists above, lints excepted
	pollBase   uint64         // global number of polls[0]
	wakeBase   uint64         // global number of wakes[0]
	waits      []ResourceWait // ended waits on resources, by end
	waitBase   uint64         // global number of waits[0]
	fills      []fillSample   // the resources' fill samples, by time (for eviction)
	queueB     counterBuilder // block maxima of queue
	res        resourceSet
	// sharing: the collector has clones (Clone), so eviction reslices the
	// lists it can rather than copying them (see dropHead).
	sharing bool
	lanes   laneSet // the timeline's lanes (see lanes.go)

	tasks map[uint32]*taskState
	order []*taskState // tasks sorted by id

	exec execState
	stop stopState // the debugger's stops and the stopped clock

	start, end int64
	haveTime   bool

	dropped, malformed, evicted, subDrops, unmatched, count uint64

	subs map[*subscriber]struct{}

	version       uint64 // bumped by every change a snapshot can see
	cached        *Model
	cachedVersion uint64
}

// NewCollector returns an empty Collector.
func NewCollector(o Options) *Collector {
	return &Collector{
		opt:   o.withDefaults(),
		lanes: newLaneSet(),
		res:   newResourceSet(),
		tasks: make(map[uint32]*taskState),
		subs:  make(map[*subscriber]struct{}),
	}
}

// Add applies events. A batch is sorted by time first (stably), so guest
// and host streams may interleave within it; across batches, a host event
// older than the last guest event is fine (it is inserted at its time), and
// a guest event older than the last guest event is applied at that last
// time (see the package documentation). Subscribers receive the batch in
// that sorted order.
func (c *Collector) Add(evs ...Event) {
	if len(evs) == 0 {
		return
	}
	batch := evs
	if !slices.IsSortedFunc(evs, byTime) {
		batch = slices.Clone(evs)
		slices.SortStableFunc(batch, byTime)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range batch {
		c.count++
		c.apply(e)
		for c.stored > c.opt.MaxEvents {
			c.evict()
		}
	}
	c.publish(batch)
	c.version++
}

func byTime(a, b Event) int { return cmp.Compare(a.Time, b.Time) }

// SetDropped records the guest ring's dropped counter: records the guest
// could not write because the ring was full.
func (c *Collector) SetDropped(n uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dropped != n {
		c.dropped = n
		c.version++
	}
}

// AddMalformed counts n more records the host rejected (unknown kind, name
// outside guest RAM).
func (c *Collector) AddMalformed(n uint64) {
	if n == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.malformed += n
	c.version++
}

// maxTime is the largest event time kept; larger times are clamped to it so
// that differences of times never overflow.
const maxTime = int64(1) << 62

func clampTime(t int64) int64 { return min(max(t, 0), maxTime) }

// apply applies one event of a sorted batch.
func (c *Collector) apply(e Event) {
	switch {
	case e.Kind.Guest():
		t := clampTime(e.Time)
		if c.exec.haveGuest && t < c.exec.lastGuest {
			t = c.exec.lastGuest
		}
		c.exec.lastGuest, c.exec.haveGuest = t, true
		c.noteTime(t)
		c.stop.noteGuest(t)
		c.applyGuest(e, t)
	case e.Kind.Host():
		e.Time = clampTime(e.Time)
		if e.Time > c.hostLast {
			c.hostLast = e.Time
		}
		e.Time = max(e.Time, c.hostLast-HostSettle)
		c.noteTime(e.Time)
		c.addHost(e)
	default:
		c.unmatched++
	}
}

func (c *Collector) noteTime(t int64) {
	if !c.haveTime {
		c.start, c.end, c.haveTime = t, t, true
		return
	}
	c.start = min(c.start, t)
	c.end = max(c.end, t)
}

// addHost inserts a host event at its time, and into its lane. Host events
// from one source arrive in order; one older than the last stored is
// inserted, copying the list first if a snapshot shares the place it goes.
func (c *Collector) addHost(e Event) {
	c.host = insertByTime(c.host, &c.hostShared, e, eventKey)
	c.stored++
	c.lanes.addHost(&e)
	switch e.Kind {
	case HostDebugStop:
		c.debugStop(uint8(e.Arg), e.Time)
	case HostDebugResume:
		c.debugResume(e.Arg, e.Time)
	case HostKeyEvent:
		k := KeyEvent{Time: e.Time, Code: uint32(e.Arg &^ KeyReleased), Name: e.Name, Down: e.Arg&KeyReleased == 0}
		c.keys = insertByTime(c.keys, &c.keysShared, k, func(k *KeyEvent) int64 { return k.Time })
		c.stored++
	}
}
