package guest

import "fmt"

// The executor's resources in the trace (docs/trace-abi.md, "Resources"):
// decoders for the arguments of the records EvResourceNew ..
// EvResourceDrop and for the resource a Wake names.

// ResourceID is a resource's id in the trace; 0 means none.
type ResourceID uint16

// ResourceKind says what a resource is.
type ResourceKind uint8

// The resource kinds.
const (
	ResourceReadyQueue ResourceKind = 1 // the waker executor's ready queue; its length is every record's Queue field
	ResourceChannel    ResourceKind = 2 // a bounded async channel
	ResourceTimers     ResourceKind = 3 // the sleeps' timer table
	ResourceKeyboard   ResourceKind = 4 // the scancode queue IRQ1 fills, and its AtomicWaker
)

var resourceKindNames = [...]string{
	ResourceReadyQueue: "ready-queue", ResourceChannel: "channel",
	ResourceTimers: "timers", ResourceKeyboard: "keyboard",
}

// Valid reports whether k is a kind this ABI defines.
func (k ResourceKind) Valid() bool { return k >= ResourceReadyQueue && k <= ResourceKeyboard }

func (k ResourceKind) String() string {
	if k.Valid() {
		return resourceKindNames[k]
	}
	return fmt.Sprintf("resource-kind(%d)", uint8(k))
}

// WaitEndReason says why a task stopped waiting on a resource without a
// wake (EvResourceWaitEnd).
type WaitEndReason uint8

// The reasons.
const (
	WaitTaken    WaitEndReason = 1 // the task took its waker back: it found what it waited for itself
	WaitDropped  WaitEndReason = 2 // the waiting future or the resource went
	WaitReplaced WaitEndReason = 3 // another registration replaced the waker
)

func (r WaitEndReason) String() string {
	switch r {
	case WaitTaken:
		return "taken"
	case WaitDropped:
		return "dropped"
	case WaitReplaced:
		return "replaced"
	}
	return fmt.Sprintf("reason(%d)", uint8(r))
}

// Channel waits: what the waiting side wants (EvResourceWait's detail on a
// channel).
const (
	ChannelWantsValue = 0 // the receiver waits for a value
	ChannelWantsRoom  = 1 // a sender waits for room
)

// ResourceOf is the resource id every resource record carries in bits
// 48-63 of its argument.
func ResourceOf(arg uint64) ResourceID { return ResourceID(arg >> 48) }

// ResourceNewArg decodes an EvResourceNew argument: the id, the kind, and
// the physical address and length of the resource's name.
func ResourceNewArg(arg uint64) (id ResourceID, kind ResourceKind, nameAddr uint64, nameLen int) {
	return ResourceOf(arg), ResourceKind(arg >> 40), arg & 0xFFFF_FFFF, int(uint8(arg >> 32))
}

// ResourceStateArg decodes an EvResourceState argument: the id, how much
// the resource holds now and how much it can hold (channel: values
// buffered of capacity; timers: sleeps pending of slots; keyboard:
// scancodes queued of the queue's size; ready queue: 0 of its capacity,
// once, its length being every record's Queue field).
func ResourceStateArg(arg uint64) (id ResourceID, length, capacity uint32) {
	const mask = 1<<24 - 1
	return ResourceOf(arg), uint32(arg & mask), uint32(arg >> 24 & mask)
}

// ResourceDetail decodes an EvResourceWait or EvResourceWaitEnd
// argument: the id and bits 0-47 (a wait's detail: a timer's deadline
// (TimerWait), a channel's ChannelWants*; a wait end's WaitEndReason).
func ResourceDetail(arg uint64) (id ResourceID, detail uint64) {
	return ResourceOf(arg), arg & (1<<48 - 1)
}

// TimerWait decodes the detail of a wait on the timer table: the sleep's
// deadline (the low 32 bits of the guest's tick count) and how many ticks
// were left until it when the wait began (at most 65535).
func TimerWait(detail uint64) (deadline uint32, ticksLeft uint16) {
	return uint32(detail), uint16(detail >> 32)
}

// WakeResource decodes the resource a Wake record's argument names (bits
// 32-47): the one the wake came through, 0 from a guest that predates
// resources.
func WakeResource(arg uint64) ResourceID { return ResourceID(arg >> 32) }
