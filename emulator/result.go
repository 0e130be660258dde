package emulator

import "fmt"

// Outcome says how a guest run ended.
type Outcome int

const (
	// OutcomeRunning: the guest has not ended yet.
	OutcomeRunning Outcome = iota
	// OutcomeExit: the guest wrote its exit value to isa-debug-exit.
	OutcomeExit
	// OutcomeShutdown: the processor shut down, normally a triple fault.
	OutcomeShutdown
	// OutcomeHalted: the guest executed HLT with interrupts disabled, so
	// nothing could ever wake it.
	OutcomeHalted
	// OutcomeStopped: the host stopped the guest (Stop, Close or a context).
	OutcomeStopped
	// OutcomeError: the emulator itself failed; Result.Err says how.
	OutcomeError
	// OutcomeReset: the guest reset the machine through the 8042's reset
	// line. pollscope does not reboot, like QEMU with -no-reboot.
	OutcomeReset
)

var outcomeNames = [...]string{"running", "exit", "shutdown", "halted", "stopped", "error", "reset"}

// String names the outcome: "exit", "shutdown", "halted", ...
func (o Outcome) String() string {
	if o >= 0 && int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// Result is how a guest run ended.
type Result struct {
	Outcome Outcome
	// ExitValue is the value the guest wrote to isa-debug-exit (port 0xf4),
	// for OutcomeExit.
	ExitValue uint32
	// Dump is the processor state for OutcomeShutdown, OutcomeHalted and
	// the emulator errors that come from the guest's state.
	Dump *CPUDump
	// Err describes an OutcomeError.
	Err error
}

// Status is the process exit status that reports this result, following
// QEMU where QEMU has a convention: (value << 1) | 1 for isa-debug-exit, so
// test runners configured for QEMU work unchanged. That is always odd; the
// other outcomes get even statuses no guest can produce: 0 when the host
// stopped the guest; 2 for a shutdown, a reset or a guest halted for good;
// 4 for an emulator error.
func (r Result) Status() int {
	switch r.Outcome {
	case OutcomeExit:
		return int(r.ExitValue<<1 | 1)
	case OutcomeStopped, OutcomeRunning:
		return 0
	case OutcomeShutdown, OutcomeHalted, OutcomeReset:
		return 2
	default:
		return 4
	}
}

// String describes the result in a line (plus the dump, if any).
func (r Result) String() string {
	var s string
	switch r.Outcome {
	case OutcomeExit:
		s = fmt.Sprintf("guest exited through isa-debug-exit with value %d (status %d)", r.ExitValue, r.Status())
	case OutcomeShutdown:
		s = "guest shut down (triple fault: an exception while delivering a double fault)"
	case OutcomeHalted:
		s = "guest halted with interrupts disabled; nothing can wake it"
	case OutcomeStopped:
		s = "guest stopped by the host"
	case OutcomeReset:
		s = "guest reset the machine through the 8042 keyboard controller"
	case OutcomeError:
		s = fmt.Sprintf("emulator error: %v", r.Err)
	default:
		s = r.Outcome.String()
	}
	if r.Dump != nil {
		s += "\n" + r.Dump.String()
	}
	return s
}
