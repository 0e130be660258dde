package kvm

import (
	"fmt"

	"github.com/pollscope/pollscope/cpu"
)

// The x86 debug registers (Intel SDM vol. 3, 18.2) as KVM_SET_GUEST_DEBUG
// takes them: DR0–DR3 hold linear addresses, DR7 says what each one
// watches, and on a #DB DR6 says which condition fired.
const (
	numDebugRegs = 4 // DR0–DR3

	// DR7: Ln (bit 2n) and Gn (bit 2n+1) enable breakpoint n; LE/GE (8, 9)
	// ask for exact data breakpoints; bit 10 reads as 1. R/Wn (bits 16+4n)
	// says what access fires breakpoint n, LENn (bits 18+4n) how wide it is.
	dr7GE       = 1 << 9
	dr7Reserved = 1 << 10
	dr7RWExec   = 0b00
	dr7RWWrite  = 0b01
	dr7RWAccess = 0b11

	// DR6: Bn (bit n) says breakpoint n fired; BS (bit 14) a single step.
	dr6BS = 1 << 14

	vectorDB = 1 // debug exception
	vectorBP = 3 // breakpoint exception (INT3)
)

// dr7Len encodes a watchpoint's width in a LEN field.
func dr7Len(n int) (uint64, bool) {
	switch n {
	case 1:
		return 0b00, true
	case 2:
		return 0b01, true
	case 4:
		return 0b11, true
	case 8:
		return 0b10, true
	}
	return 0, false
}

// debugSlot is what a debug register holds: a breakpoint or a watchpoint,
// by its index in the DebugConfig.
type debugSlot struct {
	used  bool
	watch bool // else an execute breakpoint
	index int
	addr  uint64
}

// debugRegs are DR0–DR3 and DR7 for a configuration, and what each slot
// holds.
type debugRegs struct {
	addr  [numDebugRegs]uint64
	dr7   uint64
	slots [numDebugRegs]debugSlot
}

// used reports whether any debug register is enabled.
func (d *debugRegs) used() bool { return d.slots[0].used }

// encodeDebugRegs assigns the breakpoints, then the watchpoints, to DR0–DR3.
func encodeDebugRegs(breakpoints []uint64, watchpoints []cpu.Watchpoint) (debugRegs, error) {
	var d debugRegs
	if n := len(breakpoints) + len(watchpoints); n > numDebugRegs {
		return d, fmt.Errorf("%w: %d hardware breakpoints and watchpoints asked, the x86 debug registers hold %d", cpu.ErrDebugUnsupported, n, numDebugRegs)
	}
	slot := 0
	for i, addr := range breakpoints {
		d.addr[slot] = addr
		d.dr7 |= 2<<(2*slot) | dr7RWExec<<(16+4*slot)
		d.slots[slot] = debugSlot{used: true, index: i, addr: addr}
		slot++
	}
	for i, w := range watchpoints {
		length, ok := dr7Len(w.Len)
		if !ok || w.Addr%uint64(w.Len) != 0 {
			return d, fmt.Errorf("%w: a watchpoint of %d bytes at %#x (the debug registers watch 1, 2, 4 or 8 bytes at an address aligned to that)", cpu.ErrDebugUnsupported, w.Len, w.Addr)
		}
		var rw uint64
		switch w.Kind {
		case cpu.WatchWrite:
			rw = dr7RWWrite
		case cpu.WatchReadWrite:
			rw = dr7RWAccess
		case cpu.WatchRead:
			return d, fmt.Errorf("%w: read watchpoints (rwatch): the x86 debug registers watch writes (watch) or every access (awatch)", cpu.ErrDebugUnsupported)
		default:
			return d, fmt.Errorf("watchpoint kind %d is not a cpu.WatchKind", w.Kind)
		}
		d.addr[slot] = w.Addr
		d.dr7 |= 2<<(2*slot) | rw<<(16+4*slot) | length<<(18+4*slot)
		d.slots[slot] = debugSlot{used: true, watch: true, index: i, addr: w.Addr}
		slot++
	}
	if slot > 0 {
		d.dr7 |= dr7GE | dr7Reserved
	}
	return d, nil
}

// classifyDebugStop maps the exception vector and DR6 of a KVM_EXIT_DEBUG
// to a DebugStop. A breakpoint or watchpoint wins over a single step that
// completed on the same instruction; a DR6 naming no condition KVM was
// asked for leaves Reason 0.
func classifyDebugStop(exception uint32, pc, dr6 uint64, slots *[numDebugRegs]debugSlot) cpu.DebugStop {
	if exception == vectorBP {
		return cpu.DebugStop{Reason: cpu.DebugBreakInstruction, Addr: pc}
	}
	for i := range slots {
		s := &slots[i]
		if dr6&(1<<i) == 0 || !s.used {
			continue
		}
		if s.watch {
			return cpu.DebugStop{Reason: cpu.DebugWatchpoint, Addr: s.addr, Watch: s.index}
		}
		return cpu.DebugStop{Reason: cpu.DebugBreakpoint, Addr: s.addr}
	}
	if dr6&dr6BS != 0 {
		return cpu.DebugStop{Reason: cpu.DebugStep, Addr: pc}
	}
	return cpu.DebugStop{Addr: pc}
}
