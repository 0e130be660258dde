package session

import (
	"math/bits"

	"github.com/pollscope/pollscope/guest"
	"github.com/pollscope/pollscope/trace"
)

// Format version 1's events (docs/session-format.md, "Version 1"), read
// so that the files pollscope wrote before version 2 still open: a head
// byte with a 4-bit kind code (1-11 the guest kinds 1-11, 12-15 the host
// kinds 100-103, 0 an escape: the kind follows as a uvarint) and a 4-bit
// field mask (task, argument, queue, name); the argument as one uvarint,
// rotated left by a number of bits that depends on the kind.

// The version 1 head byte's fields.
const (
	v1CodeShift    = 4
	v1HostCodeBase = 12
	v1HasName      = 1 << 3
)

func v1CodeKind(c byte) trace.Kind {
	if c >= v1HostCodeBase {
		return trace.Kind(c-v1HostCodeBase) + hostKindBase
	}
	return trace.Kind(c)
}

// v1ArgRotation is how far version 1 rotated an argument of kind k left.
func v1ArgRotation(k trace.Kind) int {
	switch guest.EventKind(k) {
	case guest.EvWake:
		return 8
	case guest.EvTaskSpawn:
		return 16
	case guest.EvPollEnd:
		return 33
	}
	return 0
}

// decodeEventV1 decodes one version 1 event after time t.
func decodeEventV1(d *dec, t int64, names []string) (trace.Event, int64, []string) {
	head := d.byte1()
	code, mask := head>>v1CodeShift, head&0x0f
	e := trace.Event{Kind: v1CodeKind(code)}
	if code == 0 {
		e.Kind = trace.Kind(d.small(1<<16-1, "an event kind"))
	}
	t = d.timeAt(t)
	e.Time = t
	if mask&hasTask != 0 {
		e.Task = uint32(d.small(1<<32-1, "a task id"))
	}
	if mask&hasArg != 0 {
		e.Arg = bits.RotateLeft64(d.uvarint(), -v1ArgRotation(e.Kind))
	}
	if mask&hasQueue != 0 {
		e.Queue = uint16(d.small(1<<16-1, "a queue length"))
	}
	if mask&v1HasName != 0 {
		e.Name, names = decodeName(d, names)
	}
	return e, t, names
}
