package gdbstub

import (
	"context"

	"github.com/pollscope/pollscope/cpu"
)

// Target is the machine as the debugger sees it: one x86-64 vCPU, its
// registers, the guest's memory, and control over running it.
//
// A session calls the methods one at a time, from its own goroutine, never
// two at once; only Resume's context is cancelled from elsewhere. Register,
// memory and breakpoint methods are called only while the target is
// stopped (after Halt or Resume returned).
type Target interface {
	// Halt stops the vCPU at an instruction boundary if it runs, and
	// returns once it stands still: when gdb connects. It reports
	// StopHalted, or StopExited/StopFault if the guest has already ended.
	Halt(ctx context.Context) (Stop, error)
	// Resume lets the vCPU run (one instruction, if step) with the
	// breakpoints last set, and blocks until it stops, saying why. When
	// ctx is cancelled first (gdb's Ctrl-C, a disconnect), the target
	// stops at the next instruction boundary and reports StopHalted. An
	// error wrapping cpu.ErrDebugUnsupported means the target cannot do
	// this (e.g. single-step here) and has not moved.
	Resume(ctx context.Context, step bool) (Stop, error)

	// Regs, SRegs and FPU read the vCPU's registers; the setters write
	// them back. A session calls a setter only for a group that changed.
	Regs() (cpu.Regs, error)
	SetRegs(cpu.Regs) error
	SRegs() (cpu.SRegs, error)
	SetSRegs(cpu.SRegs) error
	FPU() (cpu.FXSave, error)
	SetFPU(cpu.FXSave) error

	// ReadMemory reads guest memory at addr into buf and says how many
	// bytes it could read: fewer than len(buf) where the range runs into
	// an unmapped page or past RAM. WriteMemory is its counterpart.
	ReadMemory(space Space, addr uint64, buf []byte) (int, error)
	WriteMemory(space Space, addr uint64, data []byte) (int, error)

	// SetBreakpoints replaces the set of breakpoints and watchpoints the
	// next Resume honours. An error wrapping cpu.ErrDebugUnsupported says
	// the target cannot do one of them (its message names which, in gdb's
	// words); the set is then unchanged.
	SetBreakpoints([]Breakpoint) error

	// Detach lets the guest run on freely, without breakpoints: gdb
	// detached or went away.
	Detach() error
	// Kill ends the guest: gdb's kill.
	Kill() error
}

// Space says how an address is translated to guest RAM.
type Space uint8

// The address spaces.
const (
	// Linear addresses go through the guest's page tables (with paging
	// off they are physical). These are the addresses gdb uses.
	Linear Space = iota
	// Physical addresses are guest-physical RAM offsets.
	Physical
)

func (s Space) String() string {
	if s == Physical {
		return "physical"
	}
	return "linear"
}

// BreakpointKind is what a Z packet asks for.
type BreakpointKind uint8

// The breakpoint kinds, numbered as the Z packets number them.
const (
	SoftwareBreakpoint BreakpointKind = iota // Z0: break
	HardwareBreakpoint                       // Z1: hbreak
	WriteWatchpoint                          // Z2: watch
	ReadWatchpoint                           // Z3: rwatch
	AccessWatchpoint                         // Z4: awatch
	numBreakpointKinds
)

var breakpointKindNames = [...]string{
	SoftwareBreakpoint: "software breakpoint (break)",
	HardwareBreakpoint: "hardware breakpoint (hbreak)",
	WriteWatchpoint:    "write watchpoint (watch)",
	ReadWatchpoint:     "read watchpoint (rwatch)",
	AccessWatchpoint:   "access watchpoint (awatch)",
}

func (k BreakpointKind) String() string {
	if k < numBreakpointKinds {
		return breakpointKindNames[k]
	}
	return "breakpoint kind ?"
}

// IsWatchpoint reports whether the kind watches data.
func (k BreakpointKind) IsWatchpoint() bool { return k >= WriteWatchpoint && k < numBreakpointKinds }

// Breakpoint is one Z packet's request.
type Breakpoint struct {
	Kind BreakpointKind
	// Addr is the linear address of the instruction or watched data.
	Addr uint64
	// Len is how many bytes a watchpoint watches; for a breakpoint it is
	// gdb's "kind", the breakpoint instruction's length (1 on x86).
	Len uint64
}

// StopReason says why the target stopped.
type StopReason uint8

// The stop reasons.
const (
	// StopHalted: stopped because the debugger asked (Halt, a cancelled
	// Resume). Reported as SIGINT after a Resume, SIGTRAP on connecting.
	StopHalted StopReason = iota + 1
	// StopStep: the single instruction of a stepping Resume executed.
	StopStep
	// StopSoftwareBreakpoint: at a SoftwareBreakpoint's address, the
	// instruction there not executed.
	StopSoftwareBreakpoint
	// StopHardwareBreakpoint: at a HardwareBreakpoint's address, the
	// instruction there not executed.
	StopHardwareBreakpoint
	// StopWatchpoint: after an access to watched data (Watch, Addr).
	StopWatchpoint
	// StopTrap: a debug trap that is none of the debugger's own, such as
	// an INT3 the guest executed itself. Reported as SIGTRAP.
	StopTrap
	// StopFault: the guest can run no further (a triple fault, an
	// instruction the CPU could not execute); its registers and memory
	// are still readable. Reported as SIGSEGV.
	StopFault
	// StopExited: the guest ended (isa-debug-exit, a reset, the machine
	// stopped) with ExitCode.
	StopExited
)

// Stop says why and where the target stopped.
type Stop struct {
	Reason StopReason
	// Watch is the watchpoint that fired and Addr the address accessed
	// (StopWatchpoint).
	Watch Breakpoint
	Addr  uint64
	// ExitCode is the guest's exit status (StopExited).
	ExitCode uint8
	// Message, when set, is shown in gdb's console with the stop: why the
	// guest faulted or exited, for instance.
	Message string
}
