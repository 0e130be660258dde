package emulator

import (
	"encoding/binary"
	"fmt"
	"strings"

	"golang.org/x/arch/x86/x86asm"

	"github.com/pollscope/pollscope/cpu"
)

// CPUDump is the processor state when the guest stopped abnormally, with the
// instructions at RIP disassembled.
type CPUDump struct {
	Regs  cpu.Regs
	SRegs cpu.SRegs
	// Code is the disassembly of the instructions at RIP, one per line, or
	// a note saying why RIP's memory could not be read.
	Code string
}

// String formats the dump the way a kernel developer reads a crash: the
// registers, the mode, then the code.
func (d *CPUDump) String() string {
	r, s := &d.Regs, &d.SRegs
	var b strings.Builder
	fmt.Fprintf(&b, "RAX=%016x RBX=%016x RCX=%016x RDX=%016x\n", r.RAX, r.RBX, r.RCX, r.RDX)
	fmt.Fprintf(&b, "RSI=%016x RDI=%016x RBP=%016x RSP=%016x\n", r.RSI, r.RDI, r.RBP, r.RSP)
	fmt.Fprintf(&b, "R8 =%016x R9 =%016x R10=%016x R11=%016x\n", r.R8, r.R9, r.R10, r.R11)
	fmt.Fprintf(&b, "R12=%016x R13=%016x R14=%016x R15=%016x\n", r.R12, r.R13, r.R14, r.R15)
	fmt.Fprintf(&b, "RIP=%016x RFLAGS=%08x mode=%s\n", r.RIP, r.RFLAGS, modeName(s))
	fmt.Fprintf(&b, "CS=%04x SS=%04x DS=%04x  CR0=%08x CR2=%016x CR3=%016x CR4=%08x EFER=%x\n",
		s.CS.Selector, s.SS.Selector, s.DS.Selector, s.CR0, s.CR2, s.CR3, s.CR4, s.EFER)
	fmt.Fprintf(&b, "GDT=%x/%x IDT=%x/%x TR=%04x\n", s.GDT.Base, s.GDT.Limit, s.IDT.Base, s.IDT.Limit, s.TR.Selector)
	b.WriteString("code at RIP:\n")
	b.WriteString(d.Code)
	return b.String()
}

func modeName(s *cpu.SRegs) string {
	switch s.CodeSize() {
	case 64:
		return "long (64-bit)"
	case 32:
		if s.CR0&cpu.CR0PG != 0 {
			return "protected (32-bit, paging)"
		}
		return "protected (32-bit)"
	default:
		if s.CR0&cpu.CR0PE != 0 {
			return "protected (16-bit)"
		}
		return "real"
	}
}

// dumpCPU reads the vCPU's registers and disassembles a few instructions at
// RIP from guest RAM.
func dumpCPU(v cpu.VCPU, ram []byte) (*CPUDump, error) {
	regs, err := v.Regs()
	if err != nil {
		return nil, err
	}
	sregs, err := v.SRegs()
	if err != nil {
		return nil, err
	}
	d := &CPUDump{Regs: regs, SRegs: sregs}
	d.Code = disassembleAt(ram, &sregs, sregs.CS.Base+regs.RIP, 6)
	return d, nil
}

func disassembleAt(ram []byte, s *cpu.SRegs, linear uint64, count int) string {
	phys, ok := translate(ram, s, linear)
	if !ok {
		return fmt.Sprintf("  (RIP %#x is not mapped by the guest's page tables)\n", linear)
	}
	if phys >= uint64(len(ram)) {
		return fmt.Sprintf("  (RIP %#x maps to %#x, outside guest RAM)\n", linear, phys)
	}
	// Stay within the page: the next one may map elsewhere.
	end := min(uint64(len(ram)), (phys|0xfff)+1, phys+15*uint64(count))
	code := ram[phys:end]
	mode := s.CodeSize()
	var b strings.Builder
	pc := linear
	for i := 0; i < count && len(code) > 0; i++ {
		inst, err := x86asm.Decode(code, mode)
		if err != nil {
			fmt.Fprintf(&b, "  %016x: %02x  (undecodable: %v)\n", pc, code[0], err)
			break
		}
		fmt.Fprintf(&b, "  %016x: %-24x %s\n", pc, code[:inst.Len], x86asm.IntelSyntax(inst, pc, nil))
		code = code[inst.Len:]
		pc += uint64(inst.Len)
	}
	return b.String()
}

// translate walks the guest's page tables from CR3 to turn a linear address
// into a physical one: none with paging off, 2-level 32-bit paging, PAE, or
// 4-level long-mode paging, with large pages at every level that has them.
func translate(ram []byte, s *cpu.SRegs, linear uint64) (uint64, bool) {
	if s.CR0&cpu.CR0PG == 0 {
		return linear, true
	}
	read64 := func(addr uint64) (uint64, bool) {
		if addr+8 > uint64(len(ram)) {
			return 0, false
		}
		return binary.LittleEndian.Uint64(ram[addr:]), true
	}
	const present, large = 1, 1 << 7
	const addrMask = 0x000ffffffffff000
	if s.CR4&cpu.CR4PAE == 0 {
		// 32-bit paging: 10-bit directory and table indexes, 4 MiB pages.
		if uint64(s.CR3&^0xfff)+4096 > uint64(len(ram)) {
			return 0, false
		}
		pde := uint64(binary.LittleEndian.Uint32(ram[(s.CR3&^0xfff)+4*((linear>>22)&0x3ff):]))
		if pde&present == 0 {
			return 0, false
		}
		if pde&large != 0 {
			return (pde &^ 0x3fffff) | (linear & 0x3fffff), true
		}
		if (pde&^0xfff)+4096 > uint64(len(ram)) {
			return 0, false
		}
		pte := uint64(binary.LittleEndian.Uint32(ram[(pde&^0xfff)+4*((linear>>12)&0x3ff):]))
		if pte&present == 0 {
			return 0, false
		}
		return (pte &^ 0xfff) | (linear & 0xfff), true
	}
	// PAE and 4-level paging: 9-bit indexes. Long mode starts at PML4 (bit
	// 39); PAE starts at a 4-entry PDPT (bit 30) pointed to by CR3 bits 5+.
	level, table := 4, s.CR3&addrMask
	if s.EFER&cpu.EFERLMA == 0 {
		level, table = 3, s.CR3&^0x1f
	}
	for ; level >= 1; level-- {
		shift := 12 + 9*uint(level-1)
		idx := (linear >> shift) & 0x1ff
		if level == 3 && s.EFER&cpu.EFERLMA == 0 {
			idx &= 3
		}
		e, ok := read64(table + 8*idx)
		if !ok || e&present == 0 {
			return 0, false
		}
		if level == 1 || (level <= 3 && e&large != 0) {
			pageMask := uint64(1)<<shift - 1
			return (e & addrMask &^ pageMask) | (linear & pageMask), true
		}
		table = e & addrMask
	}
	return 0, false
}
