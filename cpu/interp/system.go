package interp

import (
	"golang.org/x/arch/x86/x86asm"

	"github.com/pollscope/pollscope/cpu"
	"github.com/pollscope/pollscope/cpu/cpuid"
)

// System instructions: control and debug registers, descriptor tables,
// task register, HLT, CLI/STI, CPUID, RDTSC(P), RDMSR/WRMSR, INVLPG, cache
// maintenance, SWAPGS, INT n, UD2.

func init() {
	register(ending(fixed(opHLT)), x86asm.HLT)
	register(fixed(opCLI), x86asm.CLI)
	register(ending(fixed(opSTI)), x86asm.STI)
	register(fixed(opCPUID), x86asm.CPUID)
	register(fixed(opRDTSC), x86asm.RDTSC)
	register(fixed(opRDTSCP), x86asm.RDTSCP)
	register(fixed(opRDMSR), x86asm.RDMSR)
	register(ending(fixed(opWRMSR)), x86asm.WRMSR)
	register(ending(fixed(opINVLPG)), x86asm.INVLPG)
	register(fixed(opPriv), x86asm.WBINVD, x86asm.INVD)
	register(fixed(opNop), x86asm.CLFLUSH)
	register(fixed(opCLTS), x86asm.CLTS)
	register(ending(fixed(opLGDT)), x86asm.LGDT)
	register(ending(fixed(opLIDT)), x86asm.LIDT)
	register(fixed(opSGDT), x86asm.SGDT)
	register(fixed(opSIDT), x86asm.SIDT)
	register(fixed(opLTR), x86asm.LTR)
	register(fixed(opLLDT), x86asm.LLDT)
	register(fixed(opSTR), x86asm.STR)
	register(fixed(opSLDT), x86asm.SLDT)
	register(fixed(opSMSW), x86asm.SMSW)
	register(ending(fixed(opLMSW)), x86asm.LMSW)
	register(ending(fixed(opSWAPGS)), x86asm.SWAPGS)
	register(branching(buildINT), x86asm.INT)
	register(branching(fixed(opINTO)), x86asm.INTO)
	register(branching(fixed(opInvalid)), x86asm.UD2, x86asm.UD1, x86asm.UD0)
	register(fixed(opRDPMC), x86asm.RDPMC)
}

// opInvalid raises #UD.
func opInvalid(c *CPU, in *insn) { c.raise(vecUD, 0) }

// opUnimplemented raises #UD for an instruction this CPU lacks, counting
// it and naming it in the log the first time.
func opUnimplemented(c *CPU, in *insn) {
	name := in.op.String()
	if c.unimplementedSeen[name] == 0 {
		c.logf("interp: unimplemented instruction %s at %#x (raising #UD in the guest)", name, in.rip)
	}
	c.unimplementedSeen[name]++
	c.raise(vecUD, 0)
}

// requireCPL0 raises #GP(0) outside ring 0 (and in virtual-8086 mode).
func (c *CPU) requireCPL0() {
	if c.cpl != 0 || c.rflags&flagVM != 0 {
		c.raise(vecGP, 0)
	}
}

func opPriv(c *CPU, in *insn) { c.requireCPL0() }

func opHLT(c *CPU, in *insn) {
	c.requireCPL0()
	c.exitWith(cpu.Exit{Kind: cpu.ExitHLT})
	c.stop = true
}

func opCLI(c *CPU, in *insn) {
	c.requireIOPL()
	c.rflags &^= flagIF
	c.updateAttn()
}

// STI sets IF; if IF was clear, interrupts stay blocked for one more
// instruction (so STI; HLT cannot miss a wake-up).
func opSTI(c *CPU, in *insn) {
	c.requireIOPL()
	if c.rflags&flagIF == 0 {
		c.rflags |= flagIF
		c.setShadow(in)
	}
	c.updateAttn()
}

func opCPUID(c *CPU, in *insn) {
	leaf, sub := uint32(c.regs[0]), uint32(c.regs[1])
	a, b, cc, d := cpuid.Lookup(leaf, sub)
	c.regs[0], c.regs[3], c.regs[1], c.regs[2] = uint64(a), uint64(b), uint64(cc), uint64(d)
}

func opRDTSC(c *CPU, in *insn) {
	if c.cr4&cr4TSD != 0 && c.cpl != 0 {
		c.raise(vecGP, 0)
	}
	t := c.tsc(in.idx)
	c.regs[0], c.regs[2] = t&0xffffffff, t>>32
}

func opRDTSCP(c *CPU, in *insn) {
	opRDTSC(c, in)
	c.regs[1] = c.msr.tscAux & 0xffffffff
}

func opRDPMC(c *CPU, in *insn) { c.raise(vecGP, 0) } // no performance counters

func opRDMSR(c *CPU, in *insn) {
	c.requireCPL0()
	idx := uint32(c.regs[1])
	v, ok := c.readMSRAt(idx, in.idx)
	if !ok {
		c.unknownMSR("RDMSR", idx, 0)
		c.raise(vecGP, 0)
	}
	c.regs[0], c.regs[2] = v&0xffffffff, v>>32
}

func opWRMSR(c *CPU, in *insn) {
	c.requireCPL0()
	idx := uint32(c.regs[1])
	v := c.regs[2]<<32 | c.regs[0]&0xffffffff
	if idx == msrTSC {
		c.setTSC(v, in.idx)
		return
	}
	if !c.writeMSR(idx, v) {
		c.unknownMSR("WRMSR", idx, v)
		c.raise(vecGP, 0)
	}
}

func (c *CPU) unknownMSR(what string, idx uint32, v uint64) {
	if c.msr.refused == nil {
		c.msr.refused = make(map[uint32]uint64)
	}
	if c.msr.refused[idx] == 0 {
		c.logf("interp: %s of MSR %#x (value %#x) refused with #GP", what, idx, v)
	}
	c.msr.refused[idx]++
}

func opINVLPG(c *CPU, in *insn) {
	c.requireCPL0()
	c.flushTLBPage(c.ea(in))
}

func opCLTS(c *CPU, in *insn) {
	c.requireCPL0()
	c.cr0 &^= cr0TS
}

// tableOperand reads LGDT/LIDT's operand: a 16-bit limit and a base of 8
// bytes in 64-bit mode, else 4 (24 bits with a 16-bit operand size).
func (c *CPU) tableOperand(in *insn) cpu.Table {
	addr := c.ea(in)
	limit := uint16(c.readN(addr, 2))
	var base uint64
	if c.mode == 64 {
		base = c.read64(addr + 2)
	} else {
		base = uint64(c.read32(addr + 2))
		if in.size == 2 {
			base &= 0xffffff
		}
	}
	return cpu.Table{Base: base, Limit: limit}
}

func opLGDT(c *CPU, in *insn) {
	c.requireCPL0()
	c.gdtr = c.tableOperand(in)
}

func opLIDT(c *CPU, in *insn) {
	c.requireCPL0()
	c.idtr = c.tableOperand(in)
}

func (c *CPU) storeTable(in *insn, t cpu.Table) {
	addr := c.ea(in)
	c.writeN(addr, 2, uint64(t.Limit))
	if c.mode == 64 {
		c.write64(addr+2, t.Base)
	} else {
		c.write32(addr+2, uint32(t.Base))
	}
}

func opSGDT(c *CPU, in *insn) { c.storeTable(in, c.gdtr) }
func opSIDT(c *CPU, in *insn) { c.storeTable(in, c.idtr) }

// selectorOperand reads a 16-bit selector from a register or memory.
func (c *CPU) selectorOperand(in *insn) uint16 {
	if in.k[0] == kMem {
		return c.read16(c.ea(in))
	}
	return uint16(c.regs[in.r[0]&31])
}

// LTR loads the task register from an available TSS descriptor in the GDT
// and marks it busy.
func opLTR(c *CPU, in *insn) {
	c.requireCPL0()
	if c.cr0&cr0PE == 0 {
		c.raise(vecUD, 0)
	}
	sel := c.selectorOperand(in)
	if sel&^3 == 0 || sel&4 != 0 {
		c.raise(vecGP, uint32(sel&^3))
	}
	s, ok := c.fetchDescriptor(sel)
	if !ok {
		c.raise(vecGP, uint32(sel&^3))
	}
	avail := s.typ == 9 || (s.typ == 1 && c.efer&eferLMA == 0)
	if s.s || !avail {
		c.raise(vecGP, uint32(sel&^3))
	}
	if !s.present {
		c.raise(vecNP, uint32(sel&^3))
	}
	addr, _ := c.descriptorAddr(sel)
	b := c.sysRead(addr+5, 1)
	c.sysWrite(addr+5, 1, b|2)
	s.typ |= 2
	c.seg[segTR] = s
}

func opLLDT(c *CPU, in *insn) {
	c.requireCPL0()
	if c.cr0&cr0PE == 0 {
		c.raise(vecUD, 0)
	}
	sel := c.selectorOperand(in)
	if sel&^3 == 0 {
		c.seg[segLDTR] = segment{sel: sel, unusable: true}
		return
	}
	if sel&4 != 0 {
		c.raise(vecGP, uint32(sel&^3))
	}
	s, ok := c.fetchDescriptor(sel)
	if !ok || s.s || s.typ != 2 {
		c.raise(vecGP, uint32(sel&^3))
	}
	if !s.present {
		c.raise(vecNP, uint32(sel&^3))
	}
	c.seg[segLDTR] = s
}

func (c *CPU) storeSelector(in *insn, sel uint16) {
	if in.k[0] == kMem {
		c.write16(c.ea(in), sel)
		return
	}
	c.setReg(in.r[0], in.size, uint64(sel))
}

func opSTR(c *CPU, in *insn)  { c.storeSelector(in, c.seg[segTR].sel) }
func opSLDT(c *CPU, in *insn) { c.storeSelector(in, c.seg[segLDTR].sel) }

// SMSW stores the low CR0 bits (a register destination gets all of CR0
// at 32/64-bit operand size).
func opSMSW(c *CPU, in *insn) {
	if in.k[0] == kMem {
		c.write16(c.ea(in), uint16(c.cr0))
		return
	}
	c.setReg(in.r[0], in.size, c.cr0&sizeMask[in.size])
}

// LMSW loads CR0's PE, MP, EM and TS; it can set PE but not clear it.
func opLMSW(c *CPU, in *insn) {
	c.requireCPL0()
	v := uint64(c.selectorOperand(in))
	n := c.cr0&^0xe | v&0xf
	n |= c.cr0 & cr0PE
	c.setCR0(n)
}

// SWAPGS exchanges GS's base with IA32_KERNEL_GS_BASE (64-bit mode, CPL 0).
func opSWAPGS(c *CPU, in *insn) {
	if c.mode != 64 {
		c.raise(vecUD, 0)
	}
	c.requireCPL0()
	c.seg[segGS].base, c.msr.kernelGSBase = c.msr.kernelGSBase, c.seg[segGS].base
	c.modeChanged()
}

func buildINT(in *insn, inst *x86asm.Inst) handler {
	in.imm &= 0xff
	if in.len == 1 && in.imm == 3 {
		return opINT3
	}
	return opINTn
}

// INT n delivers a software interrupt: the return address is the next
// instruction, and the gate's DPL must be at least the CPL.
func opINTn(c *CPU, in *insn) {
	c.rip = in.next
	c.softInterrupt(uint8(in.imm))
}

func opINT3(c *CPU, in *insn) {
	if c.debug.trapInt3 {
		c.rip = in.rip
		c.debug.pendingBP3 = true
		c.debug.bp3Addr = (c.seg[segCS].base + in.rip) & c.linMask
		c.stop = true
		return
	}
	c.rip = in.next
	c.softInterrupt(vecBP)
}

func opINTO(c *CPU, in *insn) {
	if c.mode == 64 {
		c.raise(vecUD, 0)
	}
	c.rip = in.next
	if c.of() != 0 {
		c.softInterrupt(vecOF)
	}
}

// softInterrupt delivers INT n from inside an instruction. A fault while
// delivering it is reported at the INT instruction.
func (c *CPU) softInterrupt(vector uint8) {
	c.deliver(vector, evSoftware, false, 0)
}
