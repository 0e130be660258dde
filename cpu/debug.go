package cpu

// Debugger is implemented by a backend that can stop the guest for a
// debugger: after one instruction, before executing an address, or after an
// access to watched memory. A stop is reported as ExitDebug with
// Exit.Debug saying why.
type Debugger interface {
	// SetDebug replaces the debug configuration for the following Runs.
	// A backend that cannot do what is asked returns an error wrapping
	// ErrDebugUnsupported and naming the feature, and changes nothing.
	SetDebug(DebugConfig) error
}

// DebugConfig is what the debugger wants the vCPU to stop on.
type DebugConfig struct {
	// SingleStep stops after every instruction.
	SingleStep bool
	// Breakpoints are linear addresses at which the vCPU stops before
	// executing the instruction there, without patching guest memory (the
	// x86 debug registers' execute breakpoints, or the software CPU's
	// check at fetch).
	Breakpoints []uint64
	// Watchpoints stop the vCPU after an access to watched memory.
	Watchpoints []Watchpoint
	// TrapBreakpointInstruction reports an INT3 (#BP) to the host as an
	// ExitDebug instead of delivering it to the guest: a debugger that
	// writes 0xCC into guest code sees its breakpoints.
	TrapBreakpointInstruction bool
}

// WatchKind is what access a watchpoint stops on.
type WatchKind uint8

// The watchpoint kinds, as the x86 debug registers' R/W field names them.
const (
	WatchWrite     WatchKind = 1 // data writes
	WatchReadWrite WatchKind = 3 // data reads or writes
	WatchRead      WatchKind = 4 // data reads only (the software CPU only)
)

// Watchpoint is a range of linear addresses to watch. Len is 1, 2, 4 or 8
// and Addr a multiple of it, as the debug registers require.
type Watchpoint struct {
	Addr uint64
	Len  int
	Kind WatchKind
}

// DebugReason says why the vCPU stopped with ExitDebug.
type DebugReason uint8

// The debug stop reasons.
const (
	DebugStep             DebugReason = iota + 1 // one instruction executed (SingleStep)
	DebugBreakpoint                              // at a Breakpoints address, not yet executed
	DebugWatchpoint                              // after an access to a Watchpoint
	DebugBreakInstruction                        // an INT3 executed (TrapBreakpointInstruction)
)

// DebugStop describes an ExitDebug.
type DebugStop struct {
	Reason DebugReason
	// Addr is the breakpoint's or watched access's linear address.
	Addr uint64
	// Watch is the index in DebugConfig.Watchpoints that fired.
	Watch int
}

// ErrDebugUnsupported is wrapped by SetDebug errors for features the backend
// (or the host under it) cannot provide.
var ErrDebugUnsupported = errDebugUnsupported{}

type errDebugUnsupported struct{}

func (errDebugUnsupported) Error() string { return "not supported by this CPU backend" }
