package session

import (
	"github.com/pollscope/pollscope/guest"
	"github.com/pollscope/pollscope/trace"
)

// One event as format version 2 writes it (docs/session-format.md,
// "events"): a head byte with a 5-bit kind code in bits 3-7 and a field
// mask in bits 0-2; the kind as a uvarint if the code is 0; the time step;
// the task, the argument and the queue if their mask bits say so; and a
// name for the kinds that carry one (and after code 0).
//
// Codes 1-16 are the guest kinds 1-16 (docs/trace-abi.md: task-spawn ...
// task-exit, then the resource records), 17-22 the host kinds 100-105;
// 0 is any other kind, or a kind with a name it does not usually carry.

const (
	hostKindBase  = 100               // the first host kind
	lastGuestKind = 16                // the last guest kind with a code of its own
	lastHostKind  = 105               // the last host kind with a code of its own
	hostCode      = lastGuestKind + 1 // the code of the first host kind
	maxCode       = hostCode + lastHostKind - hostKindBase
)

// The head byte's field mask.
const (
	hasTask   = 1 << 0
	hasArg    = 1 << 1
	hasQueue  = 1 << 2
	codeShift = 3
)

// kindCode is k's code, 0 for one that has none.
func kindCode(k trace.Kind) byte {
	switch {
	case k >= 1 && k <= lastGuestKind:
		return byte(k)
	case k >= hostKindBase && k <= lastHostKind:
		return byte(k-hostKindBase) + hostCode
	}
	return 0
}

// codeKind is the kind of code c (1..maxCode).
func codeKind(c byte) trace.Kind {
	if c >= hostCode {
		return trace.Kind(c-hostCode) + hostKindBase
	}
	return trace.Kind(c)
}

// carriesName reports whether events of kind k are written with a name:
// a task spawn, a resource's creation, a VM exit, a key.
func carriesName(k trace.Kind) bool {
	switch k {
	case trace.Kind(guest.EvTaskSpawn), trace.Kind(guest.EvResourceNew), trace.HostExit, trace.HostKeyEvent:
		return true
	}
	return false
}

// argFields is how an argument of kind k is written: as one uvarint per
// bit field, from the highest field down, each field's lowest bit given.
// The guest packs small fields high in some arguments (docs/trace-abi.md);
// written apart they take a byte or two each instead of nine or ten.
// Every other kind's argument is one uvarint (one field from bit 0).
func argFields(k trace.Kind) []uint8 {
	switch guest.EventKind(k) {
	case guest.EvTaskSpawn:
		return []uint8{48, 0} // name length, name address
	case guest.EvPollEnd:
		return []uint8{32, 0} // live wakers, result
	case guest.EvWake:
		return []uint8{56, 48, 32, 0} // source kind, 0, resource, source id
	case guest.EvResourceNew:
		return []uint8{48, 40, 32, 0} // id, kind, name length, name address
	case guest.EvResourceState:
		return []uint8{48, 24, 0} // id, capacity, length
	case guest.EvResourceWait:
		return []uint8{48, 32, 0} // id, detail's high 16 bits (a timer's ticks left), low 32 (its deadline)
	case guest.EvResourceWaitEnd, guest.EvResourceDrop:
		return []uint8{48, 0} // id, reason
	}
	return wholeArg
}

var wholeArg = []uint8{0}

// event appends e to the chunk.
func (c *eventChunk) event(e *trace.Event) {
	code := kindCode(e.Kind)
	if e.Name != "" && !carriesName(e.Kind) {
		code = 0 // the escape carries a name for any kind
	}
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
	c.byte1(code<<codeShift | mask)
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
		top := uint8(64)
		for _, lo := range argFields(e.Kind) {
			c.uvarint(e.Arg >> lo & fieldMask(top-lo))
			top = lo
		}
	}
	if mask&hasQueue != 0 {
		c.uvarint(uint64(e.Queue))
	}
	if code == 0 || carriesName(e.Kind) {
		c.name(e.Name)
	}
}

func fieldMask(width uint8) uint64 {
	if width >= 64 {
		return ^uint64(0)
	}
	return 1<<width - 1
}

// name writes a name through the chunk's string table.
func (c *eventChunk) name(name string) {
	if len(name) > maxName {
		name = name[:maxName]
	}
	if i, ok := c.names[name]; ok {
		c.uvarint(uint64(i))
		return
	}
	c.uvarint(uint64(len(c.names)))
	c.str(name)
	c.names[name] = len(c.names)
}

// decodeEvent decodes one version 2 event after time t.
func decodeEvent(d *dec, t int64, names []string) (trace.Event, int64, []string) {
	head := d.byte1()
	code, mask := head>>codeShift, head&(1<<codeShift-1)
	if code > maxCode {
		d.failf("an event has kind code %d, which format version 2 does not define", code)
		return trace.Event{}, t, names
	}
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
		top := uint8(64)
		for _, lo := range argFields(e.Kind) {
			e.Arg |= d.small(fieldMask(top-lo), "a field of an event's argument") << lo
			top = lo
		}
	}
	if mask&hasQueue != 0 {
		e.Queue = uint16(d.small(1<<16-1, "a queue length"))
	}
	if code == 0 || carriesName(e.Kind) {
		e.Name, names = decodeName(d, names)
	}
	return e, t, names
}

// decodeName reads a name through the chunk's string table.
func decodeName(d *dec, names []string) (string, []string) {
	i := d.uvarint()
	switch {
	case d.err != nil:
	case i < uint64(len(names)):
		return names[i], names
	case i == uint64(len(names)):
		name := d.str(maxName)
		return name, append(names, name)
	default:
		d.failf("an event names string %d of a table of %d", i, len(names))
	}
	return "", names
}
