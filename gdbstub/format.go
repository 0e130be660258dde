package gdbstub

import (
	"fmt"
	"io"

	"github.com/pollscope/pollscope/cpu"
)

// FormatRegisters prints the vCPU's state as QEMU's `info registers`
// does: the general registers, RIP and the flags, each segment with its
// descriptor cache, the descriptor tables and the control registers.
func FormatRegisters(out io.Writer, r *cpu.Regs, s *cpu.SRegs) {
	fmt.Fprintf(out, "RAX=%016x RBX=%016x RCX=%016x RDX=%016x\n", r.RAX, r.RBX, r.RCX, r.RDX)
	fmt.Fprintf(out, "RSI=%016x RDI=%016x RBP=%016x RSP=%016x\n", r.RSI, r.RDI, r.RBP, r.RSP)
	fmt.Fprintf(out, "R8 =%016x R9 =%016x R10=%016x R11=%016x\n", r.R8, r.R9, r.R10, r.R11)
	fmt.Fprintf(out, "R12=%016x R13=%016x R14=%016x R15=%016x\n", r.R12, r.R13, r.R14, r.R15)
	fmt.Fprintf(out, "RIP=%016x RFL=%08x [%s] CPL=%d %s\n", r.RIP, r.RFLAGS, flagLetters(r.RFLAGS), cpl(s), modeName(s))
	for _, seg := range []struct {
		name string
		s    *cpu.Segment
	}{{"ES ", &s.ES}, {"CS ", &s.CS}, {"SS ", &s.SS}, {"DS ", &s.DS}, {"FS ", &s.FS}, {"GS ", &s.GS}, {"LDT", &s.LDT}, {"TR ", &s.TR}} {
		fmt.Fprintf(out, "%s=%04x %016x %08x %08x %s\n", seg.name, seg.s.Selector, seg.s.Base, seg.s.Limit, descriptorFlags(seg.s), describeSegment(seg.s))
	}
	fmt.Fprintf(out, "GDT=     %016x %08x\n", s.GDT.Base, s.GDT.Limit)
	fmt.Fprintf(out, "IDT=     %016x %08x\n", s.IDT.Base, s.IDT.Limit)
	fmt.Fprintf(out, "CR0=%08x CR2=%016x CR3=%016x CR4=%08x\n", s.CR0, s.CR2, s.CR3, s.CR4)
	fmt.Fprintf(out, "CR8=%016x EFER=%016x\n", s.CR8, s.EFER)
}

// flagLetters shows the arithmetic flags as QEMU does: O D S Z A P C,
// a letter where the flag is set.
func flagLetters(f uint64) string {
	flags := []struct {
		bit    uint
		letter byte
	}{{11, 'O'}, {10, 'D'}, {7, 'S'}, {6, 'Z'}, {4, 'A'}, {2, 'P'}, {0, 'C'}}
	b := make([]byte, len(flags))
	for i, fl := range flags {
		b[i] = '-'
		if f&(1<<fl.bit) != 0 {
			b[i] = fl.letter
		}
	}
	return string(b)
}

// cpl is the current privilege level: CS's RPL in protected mode.
func cpl(s *cpu.SRegs) int {
	if s.CR0&cpu.CR0PE == 0 {
		return 0
	}
	return int(s.CS.Selector & 3)
}

func modeName(s *cpu.SRegs) string {
	switch s.CodeSize() {
	case 64:
		return "long mode (64-bit code)"
	case 32:
		if s.EFER&cpu.EFERLMA != 0 {
			return "long mode (32-bit compatibility code)"
		}
		if s.CR0&cpu.CR0PG != 0 {
			return "protected mode (32-bit, paging)"
		}
		return "protected mode (32-bit)"
	}
	if s.CR0&cpu.CR0PE != 0 {
		return "protected mode (16-bit)"
	}
	return "real mode"
}

// descriptorFlags rebuilds bits 8-23 of a descriptor's high doubleword
// (type, S, DPL, P, L, D/B, G) from the cache, in their places.
func descriptorFlags(s *cpu.Segment) uint32 {
	b := func(v bool, bit uint) uint32 {
		if v {
			return 1 << bit
		}
		return 0
	}
	return uint32(s.Type&0xf)<<8 | b(s.S, 12) | uint32(s.DPL&3)<<13 | b(s.Present, 15) |
		b(s.L, 21) | b(s.DB, 22) | b(s.G, 23)
}

// describeSegment says what kind of segment a cache holds, as QEMU does:
// "DPL=0 CS64 [-RA]".
func describeSegment(s *cpu.Segment) string {
	if s.Unusable || !s.Present {
		return "(unusable)"
	}
	if !s.S {
		names := map[uint8]string{2: "LDT", 9: "TSS64-avl", 11: "TSS64-busy"}
		if n, ok := names[s.Type]; ok {
			return fmt.Sprintf("DPL=%d %s", s.DPL, n)
		}
		return fmt.Sprintf("DPL=%d system type %d", s.DPL, s.Type)
	}
	if s.Type&8 != 0 { // code: conforming, readable, accessed
		kind := "CS16"
		switch {
		case s.L:
			kind = "CS64"
		case s.DB:
			kind = "CS32"
		}
		return fmt.Sprintf("DPL=%d %s [%s]", s.DPL, kind, typeLetters(s.Type, "CRA"))
	}
	kind := "DS16" // data: expand-down, writable, accessed
	if s.DB {
		kind = "DS"
	}
	return fmt.Sprintf("DPL=%d %s [%s]", s.DPL, kind, typeLetters(s.Type, "EWA"))
}

// typeLetters shows the low three bits of a segment's type field, one
// letter each where set.
func typeLetters(typ uint8, letters string) string {
	b := []byte("---")
	for i := range 3 {
		if typ&(4>>i) != 0 {
			b[i] = letters[i]
		}
	}
	return string(b)
}
