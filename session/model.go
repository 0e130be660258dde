package session

import (
	"math"

	"github.com/pollscope/pollscope/trace"
)

// A cursor is a trace model being rebuilt: a collector that has been fed,
// batch by batch in the recorded order, every event with Time ≤ at (and
// the ring counters of every batch drained by at). That is the definition
// of Session.Model(at).
//
// Moving a cursor forward from at1 to at2 feeds, again batch by batch, the
// events in (at1, at2]. That gives the same collector as feeding the
// events ≤ at2 from scratch provided no batch before the last one holding
// an event ≤ at1 (last) holds an event in (at1, at2]: then every Add
// happens in the same order with the same events, except that batch last
// is added in two parts, all of the first older than all of the second,
// which Add (it sorts each batch) applies exactly as one. Drains race
// only by microseconds, so this holds nearly always; where it does not,
// the model is rebuilt from the start.
type cursor struct {
	c    *trace.Collector
	at   int64 // fed: the events with Time ≤ at
	last int   // the last batch holding an event ≤ at; -1 if none
	used uint64
}

// noTime is before every time a session holds.
const noTime = math.MinInt64

func newCursor(o trace.Options) *cursor {
	return &cursor{c: trace.NewCollector(o), at: noTime, last: -1}
}

// joiner joins the parts of a batch split over chunks and feeds each whole
// batch's events in (from, to] to a cursor.
type joiner struct {
	cur      *cursor
	from, to int64
	scratch  []trace.Event
	// The batch being joined.
	open      bool
	index     int
	malformed uint64
	parts     []trace.Event
	// conflict: a batch before cur.last holds an event in (from, to]: this
	// cursor cannot be moved there (see cursor).
	conflict bool
	// Ring counters of batches before cur.last, held back until no
	// conflict can come, so that a conflict leaves the cursor unchanged.
	// Counters and events commute (Collector.SetDropped and AddMalformed
	// touch nothing an event reads), so applying them later is exact.
	heldMalformed uint64
	heldDropped   uint64
	haveDropped   bool
	// after, if set, is told of each whole batch fed (Open's checkpoints),
	// with the earliest time in the batch after it if that is in the same
	// chunk (noTime if not).
	after   func(cur *cursor, flush int64, evs []trace.Event, nextMin int64)
	nextMin int64
}

// chunk takes the batches of events chunk ref.
func (j *joiner) chunk(ref *chunkRef, batches []Batch) {
	for i := range batches {
		b := &batches[i]
		if !j.open {
			// Batch i of the chunk is number firstBatch+i, whether it
			// starts here or goes on from a previous chunk.
			j.open, j.index, j.malformed, j.parts = true, ref.firstBatch+i, 0, j.parts[:0]
		}
		j.malformed += b.Malformed
		if b.continues {
			j.parts = append(j.parts, b.Events...)
			continue
		}
		evs := b.Events
		if len(j.parts) > 0 {
			j.parts = append(j.parts, b.Events...)
			evs = j.parts
		}
		j.nextMin = noTime
		if j.after != nil && i+1 < len(batches) {
			j.nextMin = batchMin(&batches[i+1])
		}
		j.batch(j.index, b.Flush, b.Dropped, j.malformed, evs)
		j.open = false
		if j.conflict {
			return
		}
	}
}

// finish feeds a batch left open by a file that ends inside it, and the
// counters held back.
func (j *joiner) finish() {
	if j.open && !j.conflict {
		j.nextMin = noTime
		j.batch(j.index, noTime, 0, j.malformed, j.parts)
		j.open = false
	}
	if !j.conflict {
		j.release()
	}
}

// release applies the counters held back.
func (j *joiner) release() {
	if j.heldMalformed > 0 {
		j.cur.c.AddMalformed(j.heldMalformed)
		j.heldMalformed = 0
	}
	if j.haveDropped {
		j.cur.c.SetDropped(j.heldDropped)
		j.haveDropped = false
	}
}

// batch feeds one whole batch's events in (from, to], and its counters if
// it was drained in (from, to].
func (j *joiner) batch(index int, flush int64, dropped, malformed uint64, evs []trace.Event) {
	c := j.cur
	win := evs
	if j.from != noTime || j.to != math.MaxInt64 {
		win = j.scratch[:0]
		for _, e := range evs {
			if e.Time > j.from && e.Time <= j.to {
				win = append(win, e)
			}
		}
		j.scratch = win
	}
	if len(win) > 0 && index < c.last {
		j.conflict = true
		return
	}
	if flush != noTime && flush > j.from && flush <= j.to {
		// Drains are recorded in order, so the last one fed sets the
		// dropped total, as it did live.
		j.heldMalformed += malformed
		j.heldDropped, j.haveDropped = dropped, true
	}
	if index >= c.last {
		j.release()
	}
	if len(win) > 0 {
		c.c.Add(win...)
		c.last = max(c.last, index)
	}
	if j.after != nil {
		j.after(c, flush, evs, j.nextMin)
	}
}

// batchMin is the earliest time in a batch (part): its drain's and its
// events'.
func batchMin(b *Batch) int64 {
	lo := b.Flush
	for i := range b.Events {
		lo = min(lo, b.Events[i].Time)
	}
	return lo
}
