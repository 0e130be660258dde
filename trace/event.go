package trace

import (
	"fmt"

	"github.com/pollscope/pollscope/guest"
)

// Kind is an event's kind. Guest kinds reuse guest.EventKind's numbers
// (1..11); host kinds start at 100.
type Kind uint16

// The guest kinds, for this package's switch statements. Callers convert a
// guest.EventKind directly: Kind(guest.EvPollBegin).
const (
	kSpawn     = Kind(guest.EvTaskSpawn)
	kPollBegin = Kind(guest.EvPollBegin)
	kPollEnd   = Kind(guest.EvPollEnd)
	kWake      = Kind(guest.EvWake)
	kIrqEnter  = Kind(guest.EvIrqEnter)
	kIrqExit   = Kind(guest.EvIrqExit)
	kIdleEnter = Kind(guest.EvIdleEnter)
	kIdleExit  = Kind(guest.EvIdleExit)
	kExecStart = Kind(guest.EvExecutorStart)
	kMark      = Kind(guest.EvMark)
	kTaskExit  = Kind(guest.EvTaskExit)

	kResNew     = Kind(guest.EvResourceNew)
	kResState   = Kind(guest.EvResourceState)
	kResWait    = Kind(guest.EvResourceWait)
	kResWaitEnd = Kind(guest.EvResourceWaitEnd)
	kResDrop    = Kind(guest.EvResourceDrop)
)

// The host kinds.
const (
	HostIRQRaise Kind = 100 // a device raised ISA IRQ line Arg (at the PIC input)
	HostInject   Kind = 101 // the host injected vector Arg into the vCPU
	HostExit     Kind = 102 // a VM exit; Arg = exit kind number, Name = its name (e.g. "port-io", "hlt")
	HostKeyEvent Kind = 103 // a host key press/release entered the keyboard; Arg = key code (| KeyReleased for a release), Name = key name
	// HostDebugStop: the vCPU stopped for the debugger; Arg = the stop's
	// reason (gdbstub.StopReason). Until HostDebugResume the guest stands
	// still: that time is not the guest's.
	HostDebugStop Kind = 104
	// HostDebugResume: the debugger let the vCPU run again; Arg has
	// DebugResumeStep set for a single step (the stop goes on through it).
	HostDebugResume Kind = 105
	hostKindEnd          = HostDebugResume + 1
)

var hostKindNames = [...]string{"irq-raise", "inject", "exit", "key", "debug-stop", "debug-resume"}

// Guest reports whether k is a guest kind the trace ABI defines.
func (k Kind) Guest() bool { return guest.EventKind(k).Valid() }

// Host reports whether k is one of the host kinds.
func (k Kind) Host() bool { return k >= HostIRQRaise && k < hostKindEnd }

// String names the kind: "poll-begin", "inject", or "kind(n)" if unknown.
func (k Kind) String() string {
	switch {
	case k.Guest():
		return guest.EventKind(k).String()
	case k.Host():
		return hostKindNames[k-HostIRQRaise]
	default:
		return fmt.Sprintf("kind(%d)", uint16(k))
	}
}

// Event is one guest record or host event as the emulator hands it to the
// Collector.
type Event struct {
	Time  int64  // ns since machine start, host monotonic clock
	Kind  Kind   // what happened
	Task  uint32 // the record's task id (guest events; 0 = none)
	Arg   uint64 // kind-specific argument, as in docs/trace-abi.md or the host kind's comment
	Queue uint16 // guest ready-queue length at that event (guest events only)
	Name  string // TaskSpawn: the task's name; HostExit: exit kind name; HostKeyEvent: key name; otherwise ""
}
