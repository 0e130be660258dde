package session

import (
	"encoding/binary"
	"math/bits"

	"github.com/pollscope/pollscope/guest"

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

// Event kinds travel as a 4-bit code in the event's first byte: codes 1-11
// are the guest kinds 1-11 (docs/trace-abi.md), 12-15 the host kinds
// 100-103; code 0 means the kind follows as a varint (any other kind,
// such as one a newer guest defines).
const (
	hostKindBase = 100
	hostCodeBase = 12
	lastCode     = 15
)

func kindCode(k trace.Kind) byte {
	switch {
	case k >= 1 && k < hostCodeBase:
		return byte(k)
	case k >= hostKindBase && k <= hostKindBase+lastCode-hostCodeBase:
		return byte(k-hostKindBase) + hostCodeBase
	}
	return 0
}

func codeKind(c byte) trace.Kind {
	if c >= hostCodeBase {
		return trace.Kind(c-hostCodeBase) + hostKindBase
	}
	return trace.Kind(c)
}

// argRotation is how far an event's argument is rotated left before it is
// written as a varint, per kind: the guest packs small fields high in some
// arguments (a wake's source kind in bits 56-63, a spawn's name length in
// bits 48-63, a poll's live-waker count in bits 32-63 above the ready
// bit), which a rotation brings low, where a varint is short. Rotating is
// lossless for any value.
func argRotation(k trace.Kind) int {
	switch guest.EventKind(k) {
	case guest.EvWake:
		return 8
	case guest.EvTaskSpawn:
		return 16
	case guest.EvPollEnd:
		return 33 // bit 32 (the count's low bit) to bit 1, the ready bit to bit 33
	}
	return 0
}

// The event's first byte: code<<4 | which optional fields follow.
const (
	hasTask  = 1 << 0
	hasArg   = 1 << 1
	hasQueue = 1 << 2
	hasName  = 1 << 3
)

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

func (c *eventChunk) event(e *trace.Event) {
	code := kindCode(e.Kind)
	var mask byte
	if e.Task != 0 {
		mask |= hasTask
	}
	if e.Arg != 0 {
		mask |= hasArg
	}
	if e.Queue != 0 {
		mask |= hasQueue
	}
	if e.Name != "" {
		mask |= hasName
	}
	c.byte1(code<<4 | mask)
	if code == 0 {
		c.uvarint(uint64(e.Kind))
	}
	t := clampTime(e.Time)
	c.varint(t - c.prev)
	c.prev = t
	if mask&hasTask != 0 {
		c.uvarint(uint64(e.Task))
	}
	if mask&hasArg != 0 {
		c.uvarint(bits.RotateLeft64(e.Arg, argRotation(e.Kind)))
	}
	if mask&hasQueue != 0 {
		c.uvarint(uint64(e.Queue))
	}
	if mask&hasName != 0 {
		name := e.Name
		if len(name) > maxName {
			name = name[:maxName]
		}
		if i, ok := c.names[name]; ok {
			c.uvarint(uint64(i))
		} else {
			c.uvarint(uint64(len(c.names)))
			c.str(name)
			c.names[name] = len(c.names)
		}
	}
}

// minEventSize is the smallest encoded event: its first byte and a time
// step.
const minEventSize = 2

// decodeEvents decodes an events chunk, appending its events to evs and
// its batches (whose Events point into evs) to batches.
func decodeEvents(raw []byte, evs []trace.Event, batches []Batch) ([]trace.Event, []Batch, error) {
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
			e, t, names = decodeEvent(&d, t, names)
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

func decodeEvent(d *dec, t int64, names []string) (trace.Event, int64, []string) {
	head := d.byte1()
	code, mask := head>>4, head&0x0f
	e := trace.Event{Kind: codeKind(code)}
	if code == 0 {
		e.Kind = trace.Kind(d.small(1<<16-1, "an event kind"))
	}
	t = d.timeAt(t)
	e.Time = t
	if mask&hasTask != 0 {
		e.Task = uint32(d.small(1<<32-1, "a task id"))
	}
	if mask&hasArg != 0 {
		e.Arg = bits.RotateLeft64(d.uvarint(), -argRotation(e.Kind))
	}
	if mask&hasQueue != 0 {
		e.Queue = uint16(d.small(1<<16-1, "a queue length"))
	}
	if mask&hasName != 0 {
		i := d.uvarint()
		switch {
		case d.err != nil:
		case i < uint64(len(names)):
			e.Name = names[i]
		case i == uint64(len(names)):
			e.Name = d.str(maxName)
			names = append(names, e.Name)
		default:
			d.failf("an event names string %d of a table of %d", i, len(names))
		}
	}
	return e, t, names
}
