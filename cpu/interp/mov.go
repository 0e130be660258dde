package interp

import (
	"math/bits"

	"golang.org/x/arch/x86/x86asm"
)

// Data movement: MOV (general registers, memory, immediates; the segment,
// control and debug register forms are in system.go), MOVZX, MOVSX,
// MOVSXD, LEA, XCHG, CMOVcc, SETcc, BSWAP, the sign extensions (CBW ...
// CQO), XLAT and the NOPs.

func init() {
	register(buildMOV, x86asm.MOV)
	register(buildMOVX(false), x86asm.MOVZX)
	register(buildMOVX(true), x86asm.MOVSX, x86asm.MOVSXD)
	register(buildLEA, x86asm.LEA)
	register(buildXCHG, x86asm.XCHG)
	register(buildCMOV, x86asm.CMOVO, x86asm.CMOVNO, x86asm.CMOVB, x86asm.CMOVAE, x86asm.CMOVE,
		x86asm.CMOVNE, x86asm.CMOVBE, x86asm.CMOVA, x86asm.CMOVS, x86asm.CMOVNS, x86asm.CMOVP,
		x86asm.CMOVNP, x86asm.CMOVL, x86asm.CMOVGE, x86asm.CMOVLE, x86asm.CMOVG)
	register(buildSETcc, x86asm.SETO, x86asm.SETNO, x86asm.SETB, x86asm.SETAE, x86asm.SETE,
		x86asm.SETNE, x86asm.SETBE, x86asm.SETA, x86asm.SETS, x86asm.SETNS, x86asm.SETP,
		x86asm.SETNP, x86asm.SETL, x86asm.SETGE, x86asm.SETLE, x86asm.SETG)
	register(fixed(opBSWAP), x86asm.BSWAP)
	register(fixed(opCBW), x86asm.CBW, x86asm.CWDE, x86asm.CDQE)
	register(fixed(opCWD), x86asm.CWD, x86asm.CDQ, x86asm.CQO)
	register(fixed(opXLAT), x86asm.XLATB)
	register(fixed(opNop), x86asm.NOP, x86asm.PAUSE, x86asm.PREFETCHNTA, x86asm.PREFETCHT0,
		x86asm.PREFETCHT1, x86asm.PREFETCHT2, x86asm.PREFETCHW, x86asm.LFENCE, x86asm.MFENCE,
		x86asm.SFENCE, x86asm.FWAIT)
}

func opNop(c *CPU, in *insn) {}

func buildMOV(in *insn, inst *x86asm.Inst) handler {
	switch {
	case in.k[0] == kSeg || in.k[1] == kSeg:
		return buildMovSeg(in, inst)
	case in.k[0] == kCR || in.k[1] == kCR || in.k[0] == kDR || in.k[1] == kDR:
		return buildMovCtl(in, inst)
	case in.k[0] == kReg && in.k[1] == kReg:
		if in.size == 8 {
			return opMovRR64
		}
		if in.size == 4 {
			return opMovRR32
		}
		return opMovRR
	case in.k[0] == kReg && in.k[1] == kImm:
		in.imm &= sizeMask[in.size]
		if in.size >= 4 {
			return opMovRI64 // the masked immediate zero-extends either way
		}
		return opMovRI
	case in.k[0] == kReg && in.k[1] == kMem:
		switch in.size {
		case 8:
			return opMovRM64
		case 4:
			return opMovRM32
		}
		return opMovRM
	case in.k[0] == kMem && in.k[1] == kReg:
		switch in.size {
		case 8:
			return opMovMR64
		case 4:
			return opMovMR32
		}
		return opMovMR
	case in.k[0] == kMem && in.k[1] == kImm:
		in.imm &= sizeMask[in.size]
		return opMovMI
	}
	return nil
}

func opMovRR64(c *CPU, in *insn) { c.regs[in.r[0]&31] = c.regs[in.r[1]&31] }
func opMovRR32(c *CPU, in *insn) { c.regs[in.r[0]&31] = c.regs[in.r[1]&31] & 0xffffffff }
func opMovRR(c *CPU, in *insn)   { c.setReg(in.r[0], in.size, c.getReg(in.r[1], in.size)) }
func opMovRI64(c *CPU, in *insn) { c.regs[in.r[0]&31] = in.imm }
func opMovRI(c *CPU, in *insn)   { c.setReg(in.r[0], in.size, in.imm) }
func opMovRM64(c *CPU, in *insn) { c.regs[in.r[0]&31] = c.read64(c.ea(in)) }
func opMovRM32(c *CPU, in *insn) { c.regs[in.r[0]&31] = uint64(c.read32(c.ea(in))) }
func opMovRM(c *CPU, in *insn)   { c.setReg(in.r[0], in.size, c.readN(c.ea(in), in.size)) }
func opMovMR64(c *CPU, in *insn) { c.write64(c.ea(in), c.regs[in.r[1]&31]) }
func opMovMR32(c *CPU, in *insn) { c.write32(c.ea(in), uint32(c.regs[in.r[1]&31])) }
func opMovMR(c *CPU, in *insn)   { c.writeN(c.ea(in), in.size, c.getReg(in.r[1], in.size)) }
func opMovMI(c *CPU, in *insn)   { c.writeN(c.ea(in), in.size, in.imm) }

// buildMOVX handles MOVZX/MOVSX/MOVSXD: the source size is in.ssize.
func buildMOVX(signed bool) builder {
	return func(in *insn, inst *x86asm.Inst) handler {
		if in.ssize == 0 {
			in.ssize = uint8(inst.MemBytes)
		}
		if in.ssize == 0 || in.k[0] != kReg {
			return nil
		}
		if signed {
			return opMOVSX
		}
		if in.ssize == 1 && in.size == 4 && in.k[1] == kMem {
			return opMovzxRM8to32
		}
		return opMOVZX
	}
}

func opMOVZX(c *CPU, in *insn) { c.setReg(in.r[0], in.size, c.srcGet(in, 1)) }

func opMovzxRM8to32(c *CPU, in *insn) { c.regs[in.r[0]&31] = uint64(c.read8(c.ea(in))) }

func opMOVSX(c *CPU, in *insn) {
	v := uint64(signExtend(c.srcGet(in, 1), in.ssize))
	c.setReg(in.r[0], in.size, v&sizeMask[in.size])
}

func buildLEA(in *insn, inst *x86asm.Inst) handler {
	if in.k[0] != kReg || in.k[1] != kMem {
		return nil // LEA with a register operand is #UD
	}
	if in.size == 8 && in.asize == 8 {
		return opLEA64
	}
	return opLEA
}

func opLEA64(c *CPU, in *insn) {
	c.regs[in.r[0]&31] = in.disp + c.regs[in.base&31] + c.regs[in.index&31]<<(in.scale&3)
}

func opLEA(c *CPU, in *insn) { c.setReg(in.r[0], in.size, c.eaOffset(in)&sizeMask[in.size]) }

func buildXCHG(in *insn, inst *x86asm.Inst) handler {
	switch {
	case in.k[0] == kReg && in.k[1] == kReg:
		return opXchgRR
	case in.k[0] == kMem && in.k[1] == kReg:
		return opXchgMR
	case in.k[0] == kReg && in.k[1] == kMem:
		in.k[0], in.k[1] = kMem, kReg
		in.r[1] = in.r[0]
		return opXchgMR
	}
	return nil
}

func opXchgRR(c *CPU, in *insn) {
	a, b := c.getReg(in.r[0], in.size), c.getReg(in.r[1], in.size)
	c.setReg(in.r[0], in.size, b)
	c.setReg(in.r[1], in.size, a)
}

// XCHG with memory is always locked; one vCPU makes it a plain swap.
func opXchgMR(c *CPU, in *insn) {
	addr := c.ea(in)
	v := c.getReg(in.r[1], in.size)
	var old uint64
	if p := c.rmwPtr(addr, in.size); p != nil {
		old = ldN(p, in.size)
		stN(p, in.size, v)
	} else {
		old = c.readN(addr, in.size)
		c.writeN(addr, in.size, v)
	}
	c.setReg(in.r[1], in.size, old)
}

// ccOf maps a CMOVcc/SETcc/Jcc mnemonic to its condition code.
func ccOf(op x86asm.Op) uint8 {
	switch op {
	case x86asm.CMOVO, x86asm.SETO, x86asm.JO:
		return ccO
	case x86asm.CMOVNO, x86asm.SETNO, x86asm.JNO:
		return ccNO
	case x86asm.CMOVB, x86asm.SETB, x86asm.JB:
		return ccB
	case x86asm.CMOVAE, x86asm.SETAE, x86asm.JAE:
		return ccAE
	case x86asm.CMOVE, x86asm.SETE, x86asm.JE:
		return ccE
	case x86asm.CMOVNE, x86asm.SETNE, x86asm.JNE:
		return ccNE
	case x86asm.CMOVBE, x86asm.SETBE, x86asm.JBE:
		return ccBE
	case x86asm.CMOVA, x86asm.SETA, x86asm.JA:
		return ccA
	case x86asm.CMOVS, x86asm.SETS, x86asm.JS:
		return ccS
	case x86asm.CMOVNS, x86asm.SETNS, x86asm.JNS:
		return ccNS
	case x86asm.CMOVP, x86asm.SETP, x86asm.JP:
		return ccP
	case x86asm.CMOVNP, x86asm.SETNP, x86asm.JNP:
		return ccNP
	case x86asm.CMOVL, x86asm.SETL, x86asm.JL:
		return ccL
	case x86asm.CMOVGE, x86asm.SETGE, x86asm.JGE:
		return ccGE
	case x86asm.CMOVLE, x86asm.SETLE, x86asm.JLE:
		return ccLE
	}
	return ccG
}

func buildCMOV(in *insn, inst *x86asm.Inst) handler {
	in.cond = ccOf(inst.Op)
	return opCMOV
}

// CMOVcc reads its source even when the condition is false (a memory
// source can fault), and a 32-bit CMOV zero-extends the destination either
// way.
func opCMOV(c *CPU, in *insn) {
	v := c.opGet(in, 1)
	if c.cond(in.cond) {
		c.setReg(in.r[0], in.size, v)
	} else if in.size == 4 {
		c.regs[in.r[0]&31] &= 0xffffffff
	}
}

func buildSETcc(in *insn, inst *x86asm.Inst) handler {
	in.cond = ccOf(inst.Op)
	in.size = 1
	return opSETcc
}

func opSETcc(c *CPU, in *insn) { c.opSet(in, 0, b2u(c.cond(in.cond))) }

func opBSWAP(c *CPU, in *insn) {
	v := c.getReg(in.r[0], in.size)
	switch in.size {
	case 8:
		v = bits.ReverseBytes64(v)
	case 4:
		v = uint64(bits.ReverseBytes32(uint32(v)))
	default:
		v = 0 // BSWAP of a 16-bit register: undefined; zero on AMD and Intel
	}
	c.setReg(in.r[0], in.size, v)
}

// CBW/CWDE/CDQE sign-extend the lower half of the accumulator into it.
func opCBW(c *CPU, in *insn) {
	half := in.size / 2
	c.setReg(0, in.size, uint64(signExtend(c.regs[0], half))&sizeMask[in.size])
}

// CWD/CDQ/CQO fill rDX with the accumulator's sign.
func opCWD(c *CPU, in *insn) {
	v := uint64(0)
	if c.regs[0]&signBit[in.size] != 0 {
		v = ^uint64(0)
	}
	c.setReg(2, in.size, v&sizeMask[in.size])
}

// XLAT: AL = [seg:rBX + AL].
func opXLAT(c *CPU, in *insn) {
	off := (c.regs[3] + uint64(*c.reg8(0))) & in.amask
	*c.reg8(0) = c.read8((off + c.segBase[in.seg&7]) & c.linMask)
}
