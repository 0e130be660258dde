package gdbstub

import (
	"fmt"

	"github.com/pollscope/pollscope/cpu"
)

// A Target over a cpu.VCPU that implements cpu.Debugger turns the set of
// gdb breakpoints into a cpu.DebugConfig, and the vCPU's ExitDebug stops
// back into gdb's terms. DebugPlan does both, so that every backend's
// Target reports the same stops.

// PlanOptions say how the backend does what gdb asks.
type PlanOptions struct {
	// SoftwareAsHardware puts software breakpoints (Z0) among
	// DebugConfig.Breakpoints: the software CPU checks them at fetch, and
	// a KVM host that cannot intercept INT3 (PVM) spends debug registers
	// on them. Otherwise they are INT3 written into guest memory
	// (PatchedBreakpoints) and the plan asks for TrapBreakpointInstruction.
	SoftwareAsHardware bool
}

// maxWatchPieces bounds how many aligned pieces watched ranges may make.
const maxWatchPieces = 64

// DebugPlan is a cpu.DebugConfig for a set of gdb breakpoints and the way
// back from its stops.
type DebugPlan struct {
	// Config is what to give cpu.Debugger.SetDebug.
	Config cpu.DebugConfig
	// Software are the addresses of the software breakpoints to write
	// into memory as INT3 (without SoftwareAsHardware).
	Software []uint64

	breakpoints []Breakpoint
	watchOwner  []int // Config.Watchpoints[i] watches breakpoints[watchOwner[i]]
}

// PlanDebug plans the debug configuration for gdb's breakpoints, with
// single-stepping if step. Watched ranges are cut into the aligned 1-, 2-,
// 4- and 8-byte pieces the debug registers watch.
func PlanDebug(bps []Breakpoint, step bool, opts PlanOptions) (DebugPlan, error) {
	p := DebugPlan{breakpoints: bps}
	p.Config.SingleStep = step
	for i, bp := range bps {
		switch bp.Kind {
		case SoftwareBreakpoint:
			if opts.SoftwareAsHardware {
				p.Config.Breakpoints = append(p.Config.Breakpoints, bp.Addr)
			} else {
				p.Software = append(p.Software, bp.Addr)
				p.Config.TrapBreakpointInstruction = true
			}
		case HardwareBreakpoint:
			p.Config.Breakpoints = append(p.Config.Breakpoints, bp.Addr)
		case WriteWatchpoint, ReadWatchpoint, AccessWatchpoint:
			kind := map[BreakpointKind]cpu.WatchKind{WriteWatchpoint: cpu.WatchWrite, ReadWatchpoint: cpu.WatchRead, AccessWatchpoint: cpu.WatchReadWrite}[bp.Kind]
			for _, piece := range AlignedPieces(bp.Addr, bp.Len) {
				if len(p.Config.Watchpoints) == maxWatchPieces {
					return DebugPlan{}, fmt.Errorf("%w: the watched ranges need more than %d aligned pieces", cpu.ErrDebugUnsupported, maxWatchPieces)
				}
				p.Config.Watchpoints = append(p.Config.Watchpoints, cpu.Watchpoint{Addr: piece.Addr, Len: int(piece.Len), Kind: kind})
				p.watchOwner = append(p.watchOwner, i)
			}
		default:
			return DebugPlan{}, fmt.Errorf("breakpoint kind %d is not one gdb sends", bp.Kind)
		}
	}
	return p, nil
}

// Piece is an aligned range of 1, 2, 4 or 8 bytes.
type Piece struct {
	Addr, Len uint64
}

// AlignedPieces cuts [addr, addr+length) into the fewest naturally
// aligned pieces of 1, 2, 4 or 8 bytes, in address order.
func AlignedPieces(addr, length uint64) []Piece {
	var out []Piece
	for length > 0 {
		size := uint64(8)
		for size > 1 && (addr%size != 0 || size > length) {
			size /= 2
		}
		out = append(out, Piece{addr, size})
		addr += size
		length -= size
	}
	return out
}

// Stop says in gdb's terms why the vCPU stopped with ExitDebug.
func (p *DebugPlan) Stop(d cpu.DebugStop) Stop {
	switch d.Reason {
	case cpu.DebugStep:
		return Stop{Reason: StopStep}
	case cpu.DebugBreakpoint:
		if p.has(SoftwareBreakpoint, d.Addr) {
			return Stop{Reason: StopSoftwareBreakpoint}
		}
		return Stop{Reason: StopHardwareBreakpoint}
	case cpu.DebugWatchpoint:
		if d.Watch >= 0 && d.Watch < len(p.watchOwner) {
			return Stop{Reason: StopWatchpoint, Watch: p.breakpoints[p.watchOwner[d.Watch]], Addr: d.Addr}
		}
	case cpu.DebugBreakInstruction:
		if p.has(SoftwareBreakpoint, d.Addr) {
			return Stop{Reason: StopSoftwareBreakpoint}
		}
	}
	return Stop{Reason: StopTrap}
}

func (p *DebugPlan) has(kind BreakpointKind, addr uint64) bool {
	for _, bp := range p.breakpoints {
		if bp.Kind == kind && bp.Addr == addr {
			return true
		}
	}
	return false
}
