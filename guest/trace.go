package guest

import (
	"encoding/binary"
	"fmt"
)

// The trace ABI: how the demo kernel's ring of executor events is laid out in
// guest memory. docs/trace-abi.md is the reference; these constants and
// decoders are its Go side.
const (
	// TracePort is the I/O port the guest writes its ring header's physical
	// address to, once, with a 32-bit OUT.
	TracePort = 0x4f0

	TraceMagic       = 0x52545350 // "PSTR"
	TraceVersion     = 1
	TraceHeaderSize  = 64
	TraceRecordSize  = 32
	TraceMaxCapacity = 1 << 20
	TraceMaxNameLen  = 64

	// Header field offsets.
	HdrWriteSeq    = 16
	HdrReadSeq     = 24
	HdrDropped     = 32
	HdrAnnounceTSC = 40

	// Record field offsets.
	RecCommit = 24
)

// EventKind is a record's kind.
type EventKind uint16

// The event kinds.
const (
	EvTaskSpawn     EventKind = 1
	EvPollBegin     EventKind = 2
	EvPollEnd       EventKind = 3
	EvWake          EventKind = 4
	EvIrqEnter      EventKind = 5
	EvIrqExit       EventKind = 6
	EvIdleEnter     EventKind = 7
	EvIdleExit      EventKind = 8
	EvExecutorStart EventKind = 9
	EvMark          EventKind = 10
	EvTaskExit      EventKind = 11
	// The executor's resources (docs/trace-abi.md, "Resources"; decoders
	// in resources.go).
	EvResourceNew     EventKind = 12
	EvResourceState   EventKind = 13
	EvResourceWait    EventKind = 14
	EvResourceWaitEnd EventKind = 15
	EvResourceDrop    EventKind = 16
	evKindEnd                   = EvResourceDrop + 1
)

var kindNames = [...]string{
	EvTaskSpawn: "task-spawn", EvPollBegin: "poll-begin", EvPollEnd: "poll-end",
	EvWake: "wake", EvIrqEnter: "irq-enter", EvIrqExit: "irq-exit",
	EvIdleEnter: "idle-enter", EvIdleExit: "idle-exit",
	EvExecutorStart: "executor-start", EvMark: "mark", EvTaskExit: "task-exit",
	EvResourceNew: "resource-new", EvResourceState: "resource-state", EvResourceWait: "resource-wait",
	EvResourceWaitEnd: "resource-wait-end", EvResourceDrop: "resource-drop",
}

// Valid reports whether k is a kind this ABI version defines.
func (k EventKind) Valid() bool { return k >= EvTaskSpawn && k < evKindEnd }

func (k EventKind) String() string {
	if k.Valid() {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint16(k))
}

// TraceHeader is the guest-written part of the ring header.
type TraceHeader struct {
	Capacity    uint64
	WriteSeq    uint64
	ReadSeq     uint64
	Dropped     uint64
	AnnounceTSC uint64
}

// ParseTraceHeader checks and decodes a ring header.
func ParseTraceHeader(b []byte) (TraceHeader, error) {
	if len(b) < TraceHeaderSize {
		return TraceHeader{}, fmt.Errorf("trace header: %d bytes, need %d", len(b), TraceHeaderSize)
	}
	le := binary.LittleEndian
	if m := le.Uint32(b); m != TraceMagic {
		return TraceHeader{}, fmt.Errorf("trace header: magic %#x, want %#x", m, TraceMagic)
	}
	if v := le.Uint16(b[4:]); v != TraceVersion {
		return TraceHeader{}, fmt.Errorf("trace header: version %d, this host reads version %d", v, TraceVersion)
	}
	if s := le.Uint16(b[6:]); s != TraceRecordSize {
		return TraceHeader{}, fmt.Errorf("trace header: record size %d, want %d", s, TraceRecordSize)
	}
	c := le.Uint32(b[8:])
	if c == 0 || c > TraceMaxCapacity || c&(c-1) != 0 {
		return TraceHeader{}, fmt.Errorf("trace header: capacity %d is not a power of two up to %d", c, TraceMaxCapacity)
	}
	return TraceHeader{
		Capacity:    uint64(c),
		WriteSeq:    le.Uint64(b[HdrWriteSeq:]),
		ReadSeq:     le.Uint64(b[HdrReadSeq:]),
		Dropped:     le.Uint64(b[HdrDropped:]),
		AnnounceTSC: le.Uint64(b[HdrAnnounceTSC:]),
	}, nil
}

// WakeSourceKind says what woke a task.
type WakeSourceKind uint8

// Wake sources.
const (
	WakeUnknown   WakeSourceKind = 0
	WakeTask      WakeSourceKind = 1
	WakeInterrupt WakeSourceKind = 2
)

func (k WakeSourceKind) String() string {
	switch k {
	case WakeTask:
		return "task"
	case WakeInterrupt:
		return "interrupt"
	default:
		return "unknown"
	}
}

// WakeSource decodes a Wake record's argument: the source kind and the
// waking task's id or the interrupt vector. WakeResource (resources.go)
// decodes the resource the wake came through.
func WakeSource(arg uint64) (WakeSourceKind, uint32) {
	return WakeSourceKind(arg >> 56), uint32(arg)
}

// PollResult decodes a PollEnd record's argument: whether the future
// completed, and how many clones of the task's waker were alive outside
// the executor when the poll returned.
func PollResult(arg uint64) (ready bool, liveWakers uint32) {
	return arg&1 != 0, uint32(arg >> 32)
}

// SpawnName decodes a TaskSpawn record's argument: the physical address and
// length of the task's name.
func SpawnName(arg uint64) (addr uint64, n int) {
	return arg & (1<<48 - 1), int(arg >> 48)
}
