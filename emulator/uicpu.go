package emulator

import (
	"github.com/pollscope/pollscope/cpu"
	"github.com/pollscope/pollscope/gdbstub"
)

// The processor's types a front end's CPU pane shows (CPUView), named here
// so that the GUI imports the emulator and the trace model only, as for
// the devices in uiapi.go.

// Regs are the vCPU's general registers, RIP and RFLAGS.
type Regs = cpu.Regs

// SRegs are its segment, descriptor-table and control registers and EFER.
type SRegs = cpu.SRegs

// Segment is a segment register with its descriptor cache.
type Segment = cpu.Segment

// DebugStop says why the vCPU stopped in the debugger (Debugger.Stopped).
type DebugStop = gdbstub.Stop
