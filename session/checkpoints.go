package session

import (
	"math"

	"github.com/pollscope/pollscope/trace"
)

// Checkpoints: models kept from the pass that Open makes over the whole
// file, so that Model at an earlier time replays the events from the
// nearest checkpoint before it instead of from the start. A checkpoint is
// a clone of the model being built (trace.Collector.Clone, which costs
// O(tasks), not O(events)) taken after a whole batch: the cursor at T, the
// latest time in that batch and the ones before it, provided no later
// batch holds anything at or before T (no event, no drain; the drain race
// puts a few host events in the drain after the one their time belongs
// to, so some batch ends are not such cuts and the next one is taken).
// Then the batches fed so far are exactly the events ≤ T: the definition
// of Model(T).
//
// Checkpoints share the stored lists with the model they were cloned
// from, up to their lengths: a collector with clones evicts by reslicing
// its lists and grows them by doubling, so checkpoints share arrays
// across evictions, and the arrays they keep from before a growth add up
// to at most the lists' own size. Only the few lists eviction rewrites
// (the polls, the waits, the ready queue's samples) are copied at each
// eviction, so each checkpoint taken after another eviction holds a copy
// of those of its own; such checkpoints are thinned to
// maxCheckpointCopies, evenly spread. What they cost and save on a
// 5-million-event session (BenchmarkOpen5M's heap and checkpoints,
// BenchmarkModel5M's backward jump against a rebuild from the start) is
// in benchmarks/README.md.

// checkpointEvery is how many events apart checkpoints are taken at
// first: replaying that many costs a few tens of milliseconds. (A
// variable for the tests.)
var checkpointEvery int64 = 250_000

const (
	// maxCheckpointCopies is how many checkpoints holding copies of
	// lists of their own (see above) are kept; past it every other one
	// goes and they are taken twice as far apart.
	maxCheckpointCopies = 12
)

// checkpoint is one kept model. Its collector is never fed: Model clones
// it.
type checkpoint struct {
	cur     cursor
	events  int64  // events fed before it
	evicted uint64 // the model's Evicted then; checkpoints that differ in it hold separate copies
}

// checkpointer takes checkpoints as Open feeds the batches.
type checkpointer struct {
	every  int64
	events int64 // events fed so far
	maxT   int64 // the latest time in the batches fed so far
	lastAt int64 // events at the last checkpoint kept
	cand   *checkpoint
	list   []checkpoint
}

func newCheckpointer() *checkpointer {
	return &checkpointer{every: checkpointEvery, maxT: math.MinInt64}
}

// afterBatch is told of each whole batch as it is fed to cur, and of the
// earliest time in the next one when that is known (noTime if not).
func (k *checkpointer) afterBatch(cur *cursor, flush int64, evs []trace.Event, nextMin int64) {
	lo, hi := int64(math.MaxInt64), k.maxT
	if flush != noTime {
		lo, hi = min(lo, flush), max(hi, flush)
	}
	for i := range evs {
		lo, hi = min(lo, evs[i].Time), max(hi, evs[i].Time)
	}
	// The candidate taken after the previous batch is a clean cut if this
	// batch holds nothing at or before its time; a kept one stops being
	// one if any later batch does (times only grow along the list).
	if c := k.cand; c != nil {
		k.cand = nil
		if lo > c.cur.at {
			k.keep(*c)
		}
	}
	for n := len(k.list); n > 0 && k.list[n-1].cur.at >= lo; n-- {
		k.list = k.list[:n-1]
	}
	k.maxT = hi
	k.events += int64(len(evs))
	// A candidate is taken only where the next batch does not already show
	// that this is no clean cut: cloning makes the model copy a list it
	// then inserts a late host event into, and a clean cut's later events
	// are all appended.
	if k.events-k.lastAt >= k.every && len(evs) > 0 && (nextMin == noTime || nextMin > k.maxT) {
		k.cand = &checkpoint{cur: cursor{c: cur.c.Clone(), at: k.maxT, last: cur.last}, events: k.events,
			evicted: cur.c.Evicted()}
	}
}

// keep adds a clean checkpoint, thinning those that hold copies of their
// own when there are too many.
func (k *checkpointer) keep(c checkpoint) {
	k.list = append(k.list, c)
	k.lastAt = c.events
	if k.copies() <= maxCheckpointCopies {
		return
	}
	// Drop every other checkpoint after the first eviction (the latest
	// stays), and take them twice as far apart from now on.
	var kept []checkpoint
	odd := false
	for i := len(k.list) - 1; i >= 0; i-- {
		cp := k.list[i]
		if cp.evicted != 0 && odd {
			odd = false
			continue
		}
		odd = cp.evicted != 0
		kept = append(kept, cp)
	}
	for i, j := 0, len(kept)-1; i < j; i, j = i+1, j-1 {
		kept[i], kept[j] = kept[j], kept[i]
	}
	k.list = kept
	k.every *= 2
}

// copies counts the kept checkpoints that hold copies of the stored lists
// of their own: each one after the first eviction whose model evicted
// since the checkpoint before it.
func (k *checkpointer) copies() int {
	n := 0
	for i, c := range k.list {
		if c.evicted != 0 && (i == 0 || c.evicted != k.list[i-1].evicted) {
			n++
		}
	}
	return n
}

// finish drops a candidate that nothing came after: the head is the
// model there.
func (k *checkpointer) finish() { k.cand = nil }

// nearest returns the latest checkpoint at or before at, or nil.
func nearestCheckpoint(list []checkpoint, at int64) *checkpoint {
	lo, hi := 0, len(list)
	for lo < hi {
		mid := (lo + hi) / 2
		if list[mid].cur.at <= at {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo == 0 {
		return nil
	}
	return &list[lo-1]
}

// resume returns a cursor that starts from the checkpoint, without
// touching it.
func (c *checkpoint) resume() *cursor {
	return &cursor{c: c.cur.c.Clone(), at: c.cur.at, last: c.cur.last}
}
