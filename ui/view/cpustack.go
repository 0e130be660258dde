package view

import (
	"encoding/binary"

	"golang.org/x/arch/x86/x86asm"

	"github.com/pollscope/pollscope/emulator"
)

// StackFrame is one frame of the stack: RIP for the innermost, then the
// return addresses, each with where on the stack it was found.
type StackFrame struct {
	Addr uint64 // the code address
	Slot uint64 // the stack address it was read from; 0 for RIP
	Name string // its symbol and offset, "" if none holds it
	// Doubtful: the call before it names a function other than the frame
	// above's, so it is more likely left over from an earlier call (a
	// scan finds those too) than the way back from the frames above.
	Doubtful bool
}

// How WalkStack found the frames.
const (
	StackFramePointers = "frame pointers" // the RBP chain
	StackScan          = "stack scan"     // words on the stack that point into code
)

// StackTrace is the stack as far as it can be read: the frames, how they
// were found, and how much stack was looked at.
type StackTrace struct {
	Method  string
	Frames  []StackFrame
	Scanned int // bytes of stack read from RSP
}

// WalkStack finds the return addresses on v's stack, at most max frames
// (RIP's included). It follows the RBP chain where the code keeps one
// (each frame: saved RBP, then the return address above it, each frame
// further up the stack, every return address inside a code symbol), and
// otherwise scans the stack from RSP for words that point into code but
// not at a function's first byte (a function pointer, not a return), just
// after a call instruction where the code before them was read: a kernel
// built without frame pointers uses RBP as an ordinary register. A scan
// may still find a return address left over from an earlier call.
func WalkStack(v *emulator.CPUView, syms *emulator.Symbols, max int) StackTrace {
	rip := StackFrame{Addr: v.Regs.RIP, Name: syms.Describe(v.Regs.RIP)}
	st := StackTrace{Frames: []StackFrame{rip}, Scanned: len(v.Stack)}
	if max <= 1 {
		st.Method = StackScan
		return st
	}
	if fp := framePointerWalk(v, syms, max-1); len(fp) >= 2 {
		st.Method, st.Frames = StackFramePointers, append(st.Frames, fp...)
		return st
	}
	st.Method = StackScan
	rsp := v.Regs.RSP
	callee := v.Regs.RIP // the function the next return address returns from
	for off := 0; off+8 <= len(v.Stack) && len(st.Frames) < max; off += 8 {
		a := binary.LittleEndian.Uint64(v.Stack[off:])
		s, ok := syms.Lookup(a)
		if !ok || !s.Code || a == s.Addr || !afterCall(v, a) {
			continue
		}
		if last := st.Frames[len(st.Frames)-1]; last.Addr == a && last.Slot != 0 {
			continue // the same return address saved twice in a row
		}
		f := StackFrame{Addr: a, Slot: rsp + uint64(off), Name: syms.Describe(a)}
		if target, ok := directCallTarget(v, a); ok {
			f.Doubtful = !sameFunction(syms, target, callee)
		}
		if !f.Doubtful {
			callee = a
		}
		st.Frames = append(st.Frames, f)
	}
	return st
}

// directCallTarget returns where the direct call (E8 rel32) that ends at a
// goes, if the code before a is one.
func directCallTarget(v *emulator.CPUView, a uint64) (uint64, bool) {
	before := v.Callers[a]
	if len(before) < 5 || before[len(before)-5] != 0xe8 {
		return 0, false
	}
	rel := int32(binary.LittleEndian.Uint32(before[len(before)-4:]))
	return a + uint64(int64(rel)), true
}

// sameFunction reports whether a and b lie in the same symbol.
func sameFunction(syms *emulator.Symbols, a, b uint64) bool {
	sa, okA := syms.Lookup(a)
	sb, okB := syms.Lookup(b)
	return okA && okB && sa.Addr == sb.Addr
}

// afterCall reports whether a call instruction ends at a, as one does
// before a return address, judging by the code bytes InspectCPU read before
// a (CPUView.Callers); without them it cannot tell and says yes.
func afterCall(v *emulator.CPUView, a uint64) bool {
	if v.Callers == nil {
		return true
	}
	before := v.Callers[a]
	bits := CodeBits(&v.SRegs)
	for n := 2; n <= len(before); n++ {
		inst, err := decode(before[len(before)-n:], bits)
		if err == nil && inst.Len == n && inst.Op == x86asm.CALL {
			return true
		}
	}
	return false
}

// framePointerWalk follows RBP from frame to frame while each looks like
// one, within the stack bytes read.
func framePointerWalk(v *emulator.CPUView, syms *emulator.Symbols, max int) []StackFrame {
	rsp, end := v.Regs.RSP, v.Regs.RSP+uint64(len(v.Stack))
	word := func(addr uint64) uint64 {
		return binary.LittleEndian.Uint64(v.Stack[addr-rsp:])
	}
	var out []StackFrame
	for bp := v.Regs.RBP; len(out) < max; {
		if bp < rsp || bp%8 != 0 || bp+16 > end || bp+16 < bp {
			break
		}
		ret := word(bp + 8)
		if !syms.Code(ret) || !afterCall(v, ret) {
			break
		}
		out = append(out, StackFrame{Addr: ret, Slot: bp + 8, Name: syms.Describe(ret)})
		next := word(bp)
		if next <= bp {
			break // frames go up the stack
		}
		bp = next
	}
	return out
}
