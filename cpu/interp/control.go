package interp

import (
	"golang.org/x/arch/x86/x86asm"
)

// Near control transfers: JMP, Jcc, CALL, RET, LOOP*, JrCXZ.

func init() {
	register(branching(buildJMP), x86asm.JMP)
	register(branching(buildJcc), x86asm.JO, x86asm.JNO, x86asm.JB, x86asm.JAE, x86asm.JE, x86asm.JNE,
		x86asm.JBE, x86asm.JA, x86asm.JS, x86asm.JNS, x86asm.JP, x86asm.JNP, x86asm.JL, x86asm.JGE,
		x86asm.JLE, x86asm.JG)
	register(branching(buildCALL), x86asm.CALL)
	register(branching(buildRET), x86asm.RET)
	register(branching(buildLOOP), x86asm.LOOP, x86asm.LOOPE, x86asm.LOOPNE)
	register(branching(buildJCXZ), x86asm.JCXZ, x86asm.JECXZ, x86asm.JRCXZ)
}

// branchSize is the operand size of a near branch: 8 in 64-bit mode, else
// the instruction's.
func branchSize(inst *x86asm.Inst) uint8 {
	if inst.Mode == 64 {
		return 8
	}
	return uint8(inst.DataSize / 8)
}

// relTarget masks a relative target to the operand size outside 64-bit
// mode (IP wraps at 64 KiB with a 16-bit operand).
func relTarget(in *insn, inst *x86asm.Inst) {
	if inst.Mode != 64 {
		in.imm &= sizeMask[uint8(inst.DataSize/8)]
	}
}

func buildJMP(in *insn, inst *x86asm.Inst) handler {
	in.size = branchSize(inst)
	if in.k[0] == kImm {
		relTarget(in, inst)
		return opJmpRel
	}
	if in.k[0] == kReg || in.k[0] == kMem {
		return opJmpInd
	}
	return nil
}

func opJmpRel(c *CPU, in *insn) { c.rip = in.imm }
func opJmpInd(c *CPU, in *insn) { c.rip = c.opGet(in, 0) }

func buildJcc(in *insn, inst *x86asm.Inst) handler {
	in.cond = ccOf(inst.Op)
	relTarget(in, inst)
	switch in.cond {
	case ccE:
		return opJE
	case ccNE:
		return opJNE
	}
	return opJcc
}

func opJcc(c *CPU, in *insn) {
	if c.cond(in.cond) {
		c.rip = in.imm
	} else {
		c.rip = in.next
	}
}

// JE and JNE test the last result directly unless the flags are known.
func opJE(c *CPU, in *insn) {
	z := c.lf.res == 0
	if c.lf.op == lazyKnown {
		z = c.rflags&flagZF != 0
	}
	if z {
		c.rip = in.imm
	} else {
		c.rip = in.next
	}
}

func opJNE(c *CPU, in *insn) {
	z := c.lf.res == 0
	if c.lf.op == lazyKnown {
		z = c.rflags&flagZF != 0
	}
	if !z {
		c.rip = in.imm
	} else {
		c.rip = in.next
	}
}

func buildCALL(in *insn, inst *x86asm.Inst) handler {
	in.size = branchSize(inst)
	if in.k[0] == kImm {
		relTarget(in, inst)
		if in.size == 8 {
			return opCall64Rel
		}
		return opCallRel
	}
	if in.k[0] == kReg || in.k[0] == kMem {
		return opCallInd
	}
	return nil
}

func opCall64Rel(c *CPU, in *insn) {
	sp := c.regs[4] - 8
	c.write64(sp, in.next)
	c.regs[4] = sp
	c.rip = in.imm
}

func opCallRel(c *CPU, in *insn) {
	c.push(in.next, in.size)
	c.rip = in.imm
}

func opCallInd(c *CPU, in *insn) {
	target := c.opGet(in, 0)
	c.push(in.next, in.size)
	c.rip = target
}

func buildRET(in *insn, inst *x86asm.Inst) handler {
	in.size = branchSize(inst)
	if in.k[0] == kImm {
		in.imm &= 0xffff
		return opRetImm
	}
	if in.size == 8 {
		return opRet64
	}
	return opRet
}

func opRet64(c *CPU, in *insn) {
	sp := c.regs[4]
	c.rip = c.read64(sp)
	c.regs[4] = sp + 8
}

func opRet(c *CPU, in *insn) { c.rip = c.pop(in.size) }

func opRetImm(c *CPU, in *insn) {
	ip := c.pop(in.size)
	c.setSP(c.regs[4] + in.imm)
	c.rip = ip
}

func buildLOOP(in *insn, inst *x86asm.Inst) handler {
	relTarget(in, inst)
	switch inst.Op {
	case x86asm.LOOPE:
		in.cond = 1
	case x86asm.LOOPNE:
		in.cond = 2
	}
	return opLOOP
}

// LOOP counts rCX (at the address size) down and branches while it is not
// zero (and, for LOOPE/LOOPNE, while ZF is set/clear).
func opLOOP(c *CPU, in *insn) {
	n := (c.regs[1] - 1) & in.amask
	c.setAddrReg(1, in.asize, n)
	take := n != 0
	switch in.cond {
	case 1:
		take = take && c.zf() != 0
	case 2:
		take = take && c.zf() == 0
	}
	if take {
		c.rip = in.imm
	} else {
		c.rip = in.next
	}
}

func buildJCXZ(in *insn, inst *x86asm.Inst) handler {
	relTarget(in, inst)
	return opJCXZ
}

func opJCXZ(c *CPU, in *insn) {
	if c.regs[1]&in.amask == 0 {
		c.rip = in.imm
	} else {
		c.rip = in.next
	}
}
