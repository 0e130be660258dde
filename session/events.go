package session

import (
	"encoding/binary"

	"github.com/pollscope/pollscope/trace"
)

// Batch is one drain of the machine's trace: the events it handed to the
// trace model in one Collector.Add (in that order, unsorted), and the
// guest ring's counters as that drain left them.
type Batch struct {
	Flush     int64  // machine time of the drain
	Dropped   uint64 // the guest ring's count of records it could not write, after the drain (a total)
	Malformed uint64 // records the host rejected in this drain
	Events    []trace.Event

	// continues: the batch goes on in the next chunk (a chunk holds at
	// most maxRaw bytes; a drain can be larger). Readers join the parts.
	continues bool
}

// A batch starts with a flags byte, the drain's time (a step from the
// chunk's running time), the ring's dropped total, the malformed count and
// the number of events as a fixed uint32, written last.
const (
	batchContinues = 1 << 0
	batchCountSize = 4
)

// eventChunk is a writer's events chunk in progress.
type eventChunk struct {
	enc
	prev  int64          // the running time
	names map[string]int // the chunk's string table
}

func (c *eventChunk) reset() {
	c.b, c.prev = c.b[:0], 0
	clear(c.names)
}

// beginBatch writes a batch header and returns where its flags byte and
// count are, to patch.
func (c *eventChunk) beginBatch(b *Batch) (flagsAt, countAt int) {
	flagsAt = len(c.b)
	c.byte1(0)
	t := clampTime(b.Flush)
	c.varint(t - c.prev)
	c.prev = t
	c.uvarint(b.Dropped)
	c.uvarint(b.Malformed)
	countAt = len(c.b)
	c.b = append(c.b, make([]byte, batchCountSize)...)
	return flagsAt, countAt
}

func (c *eventChunk) endBatch(flagsAt, countAt, n int, continues bool) {
	if continues {
		c.b[flagsAt] |= batchContinues
	}
	binary.LittleEndian.PutUint32(c.b[countAt:], uint32(n))
}

// minEventSize is the smallest encoded event: its first byte and a time
// step.
const minEventSize = 2

// decodeEvents decodes an events chunk of a file in format version v,
// appending its events to evs and its batches (whose Events point into
// evs) to batches.
func decodeEvents(v uint16, raw []byte, evs []trace.Event, batches []Batch) ([]trace.Event, []Batch, error) {
	d := dec{b: raw}
	var t int64
	var names []string
	first := len(batches)
	for d.more() {
		flags := d.byte1()
		if flags&^batchContinues != 0 {
			d.failf("a batch has unknown flags %#x", flags)
			break
		}
		b := Batch{continues: flags&batchContinues != 0}
		t = d.timeAt(t)
		b.Flush, b.Dropped, b.Malformed = t, d.uvarint(), d.uvarint()
		cnt := d.bytes(batchCountSize)
		if d.err != nil {
			break
		}
		n := binary.LittleEndian.Uint32(cnt)
		if uint64(n) > uint64(len(d.b)/minEventSize) {
			d.failf("a batch claims %d events; the %d bytes left hold fewer", n, len(d.b))
			break
		}
		from := len(evs)
		for range n {
			var e trace.Event
			if v == 1 {
				e, t, names = decodeEventV1(&d, t, names)
			} else {
				e, t, names = decodeEvent(&d, t, names)
			}
			if d.err != nil {
				break
			}
			evs = append(evs, e)
		}
		if d.err != nil {
			evs = evs[:from]
			break
		}
		b.Events = evs[from:len(evs):len(evs)]
		batches = append(batches, b)
	}
	// Point the new batches at evs's final storage (it may have moved as
	// it grew), so that older copies can be freed.
	at := len(evs)
	for i := len(batches) - 1; i >= first; i-- {
		n := len(batches[i].Events)
		at -= n
		batches[i].Events = evs[at : at+n : at+n]
	}
	return evs, batches, d.err
}
