package cpu

import "fmt"

// ExitKind says why Run returned.
type ExitKind int

// The exits a vCPU reports.
const (
	// ExitPortIO: the guest executed IN/OUT (or INS/OUTS).
	ExitPortIO ExitKind = iota
	// ExitMMIO: the guest accessed a physical address with no RAM behind it.
	ExitMMIO
	// ExitHLT: the guest executed HLT and waits for an interrupt.
	ExitHLT
	// ExitInterruptWindow: the guest can now take the interrupt it was
	// asked about with RequestInterruptWindow.
	ExitInterruptWindow
	// ExitKicked: Kick (or a host signal) interrupted Run.
	ExitKicked
	// ExitShutdown: the processor shut down, normally after a triple fault.
	ExitShutdown
	// ExitFailEntry: the hardware refused to enter the guest (invalid state).
	ExitFailEntry
	// ExitInternalError: the backend could not emulate something.
	ExitInternalError
	// ExitDebug: a debug exception or breakpoint trapped to the host.
	ExitDebug
	// ExitUnknown: anything else; Reason holds the backend's code.
	ExitUnknown
	numExitKinds
)

// NumExitKinds is the number of ExitKind values, for per-kind counters.
const NumExitKinds = int(numExitKinds)

var exitNames = [...]string{
	ExitPortIO:          "port-io",
	ExitMMIO:            "mmio",
	ExitHLT:             "hlt",
	ExitInterruptWindow: "irq-window",
	ExitKicked:          "kicked",
	ExitShutdown:        "shutdown",
	ExitFailEntry:       "fail-entry",
	ExitInternalError:   "internal-error",
	ExitDebug:           "debug",
	ExitUnknown:         "unknown",
}

func (k ExitKind) String() string {
	if k >= 0 && int(k) < len(exitNames) {
		return exitNames[k]
	}
	return fmt.Sprintf("ExitKind(%d)", int(k))
}

// Exit describes one exit from Run.
type Exit struct {
	Kind ExitKind

	// Port I/O: the port, the direction, the access width in bytes and the
	// repeat count of a string instruction. Data holds Size*Count bytes: for
	// an OUT the values written, for an IN the buffer to fill.
	Port  uint16
	Write bool
	Size  int
	Count int
	Data  []byte

	// MMIO: the physical address; Data and Write as for port I/O.
	Addr uint64

	// Reason is the backend's own exit or failure code, for diagnostics
	// (hardware entry failure reason, internal-error suberror, unknown exit).
	Reason uint64

	// Debug says why an ExitDebug stopped the vCPU.
	Debug DebugStop
}
