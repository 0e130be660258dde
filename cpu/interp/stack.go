package interp

import (
	"golang.org/x/arch/x86/x86asm"
)

// The stack: PUSH, POP, PUSHF, POPF, ENTER, LEAVE, PUSHA, POPA, and the
// push/pop helpers the control transfers use. In 64-bit mode the stack is
// flat and RSP is 64 bits; otherwise SS's base applies and SS.B says
// whether ESP or SP moves.
//
// Deviation: near branches and stack operations in 64-bit mode ignore a
// 0x66 prefix on CALL/RET/JMP (Intel's behaviour; AMD would use a 16-bit
// operand).

func init() {
	register(buildPUSH, x86asm.PUSH)
	register(buildPOP, x86asm.POP)
	register(stackSized(opPUSHF), x86asm.PUSHF, x86asm.PUSHFD, x86asm.PUSHFQ)
	register(ending(stackSized(opPOPF)), x86asm.POPF, x86asm.POPFD, x86asm.POPFQ)
	register(stackSized(opENTER), x86asm.ENTER)
	register(stackSized(opLEAVE), x86asm.LEAVE)
	register(stackSized(opPUSHA), x86asm.PUSHA, x86asm.PUSHAD)
	register(stackSized(opPOPA), x86asm.POPA, x86asm.POPAD)
}

// stackOpSize is the operand size of a push or pop: 8 in 64-bit mode
// (2 with 0x66), else the instruction's operand size.
func stackOpSize(inst *x86asm.Inst) uint8 {
	if inst.Mode == 64 {
		if inst.DataSize == 16 {
			return 2
		}
		return 8
	}
	return uint8(inst.DataSize / 8)
}

func stackSized(h handler) builder {
	return func(in *insn, inst *x86asm.Inst) handler {
		in.size = stackOpSize(inst)
		return h
	}
}

// stackLin is the linear address of stack offset sp.
func (c *CPU) stackLin(sp uint64) uint64 {
	if c.mode == 64 {
		return sp
	}
	if c.seg[segSS].db {
		return (c.seg[segSS].base + sp&0xffffffff) & 0xffffffff
	}
	return (c.seg[segSS].base + sp&0xffff) & 0xffffffff
}

// setSP commits a new stack pointer at the stack's width.
func (c *CPU) setSP(sp uint64) {
	switch {
	case c.mode == 64:
		c.regs[4] = sp
	case c.seg[segSS].db:
		c.regs[4] = sp & 0xffffffff
	default:
		c.regs[4] = c.regs[4]&^0xffff | sp&0xffff
	}
}

func (c *CPU) push(v uint64, size uint8) {
	sp := c.regs[4] - uint64(size)
	if c.mode == 64 && size == 8 {
		c.write64(sp, v)
		c.regs[4] = sp
		return
	}
	c.writeN(c.stackLin(sp), size, v)
	c.setSP(sp)
}

// pop reads the top of the stack and then moves the stack pointer.
func (c *CPU) pop(size uint8) uint64 {
	sp := c.regs[4]
	if c.mode == 64 && size == 8 {
		v := c.read64(sp)
		c.regs[4] = sp + 8
		return v
	}
	v := c.readN(c.stackLin(sp), size)
	c.setSP(sp + uint64(size))
	return v
}

// peek reads the stack at offset off from the top without popping.
func (c *CPU) peek(off uint64, size uint8) uint64 {
	return c.readN(c.stackLin(c.regs[4]+off), size)
}

func buildPUSH(in *insn, inst *x86asm.Inst) handler {
	in.size = stackOpSize(inst)
	switch in.k[0] {
	case kReg:
		_, num, _ := regInfo(inst.Args[0].(x86asm.Reg))
		in.r[0] = num
		if in.size == 8 {
			return opPush64R
		}
		return opPushR
	case kImm:
		in.imm &= sizeMask[in.size]
		return opPushI
	case kMem:
		return opPushM
	case kSeg:
		return opPushSeg
	}
	return nil
}

func opPush64R(c *CPU, in *insn) {
	sp := c.regs[4] - 8
	c.write64(sp, c.regs[in.r[0]&31])
	c.regs[4] = sp
}

func opPushR(c *CPU, in *insn) { c.push(c.getReg(in.r[0], in.size), in.size) }
func opPushI(c *CPU, in *insn) { c.push(in.imm, in.size) }
func opPushM(c *CPU, in *insn) { c.push(c.readN(c.ea(in), in.size), in.size) }

// Pushing a segment register with a 32- or 64-bit operand writes only the
// low 16 bits on recent processors; zero-extended here.
func opPushSeg(c *CPU, in *insn) { c.push(uint64(c.seg[in.r[0]&7].sel), in.size) }

func buildPOP(in *insn, inst *x86asm.Inst) handler {
	in.size = stackOpSize(inst)
	switch in.k[0] {
	case kReg:
		_, num, _ := regInfo(inst.Args[0].(x86asm.Reg))
		in.r[0] = num
		if in.size == 8 {
			return opPop64R
		}
		return opPopR
	case kMem:
		return opPopM
	case kSeg:
		if in.r[0] == segCS {
			return nil
		}
		in.flags |= fEndsBlock // POP SS shadows the next instruction
		return opPopSeg
	}
	return nil
}

func opPop64R(c *CPU, in *insn) {
	sp := c.regs[4]
	v := c.read64(sp)
	c.regs[4] = sp + 8
	c.regs[in.r[0]&31] = v
}

func opPopR(c *CPU, in *insn) {
	v := c.pop(in.size)
	c.setReg(in.r[0], in.size, v)
}

// POP to memory computes the address after RSP moved.
func opPopM(c *CPU, in *insn) {
	old := c.regs[4]
	v := c.peek(0, in.size)
	c.setSP(old + uint64(in.size))
	addr := c.ea(in)
	c.regs[4] = old
	c.writeN(addr, in.size, v)
	c.setSP(old + uint64(in.size))
}

func opPopSeg(c *CPU, in *insn) {
	v := uint16(c.peek(0, in.size))
	if in.r[0] == segSS {
		c.loadSS(v)
		c.setShadow(in)
	} else {
		c.loadDataSeg(int(in.r[0]), v)
	}
	c.setSP(c.regs[4] + uint64(in.size))
}

func opPUSHF(c *CPU, in *insn) {
	if c.rflags&flagVM != 0 && (c.rflags>>12)&3 != 3 {
		c.raise(vecGP, 0)
	}
	c.push(c.flags()&^(flagVM|flagRF)&sizeMask[in.size], in.size)
}

// POPF: IOPL changes only at CPL 0 and IF only at CPL <= IOPL; VM, VIF
// and VIP never change; RF is cleared.
func opPOPF(c *CPU, in *insn) {
	v := c.peek(0, in.size)
	c.setSP(c.regs[4] + uint64(in.size))
	c.writeFlags(v, in.size)
}

// writeFlags installs a popped RFLAGS image under the privilege rules.
func (c *CPU) writeFlags(v uint64, size uint8) {
	mask := uint64(flagsSettable &^ flagRF)
	if c.cr0&cr0PE != 0 {
		if c.cpl > 0 {
			mask &^= flagIOPL
		}
		if uint64(c.cpl) > (c.rflags>>12)&3 {
			mask &^= flagIF
		}
	}
	mask &= sizeMask[size]
	c.materialize()
	c.rflags = c.rflags&^mask | v&mask | flagsFixed1
	c.rflags &^= flagRF
	c.updateAttn()
}

func opENTER(c *CPU, in *insn) {
	size := in.size
	frame := in.imm & 0xffff
	level := in.imm2 & 31
	bp := c.regs[5]
	sp := c.regs[4] - uint64(size)
	c.writeN(c.stackLin(sp), size, c.getReg(5, size))
	frameTemp := sp
	for i := uint64(1); i < level; i++ {
		bp -= uint64(size)
		v := c.readN(c.stackLin(bp), size)
		sp -= uint64(size)
		c.writeN(c.stackLin(sp), size, v)
	}
	if level > 0 {
		sp -= uint64(size)
		c.writeN(c.stackLin(sp), size, frameTemp)
	}
	sp -= frame
	c.setReg(5, c.stackWidth(), frameTemp)
	c.setSP(sp)
}

// stackWidth is the stack pointer's width in bytes.
func (c *CPU) stackWidth() uint8 {
	switch {
	case c.mode == 64:
		return 8
	case c.seg[segSS].db:
		return 4
	}
	return 2
}

func opLEAVE(c *CPU, in *insn) {
	bp := c.regs[5]
	v := c.readN(c.stackLin(bp), in.size)
	c.setSP(bp + uint64(in.size))
	c.setReg(5, in.size, v)
}

func opPUSHA(c *CPU, in *insn) {
	if c.mode == 64 {
		c.raise(vecUD, 0)
	}
	sp0 := c.regs[4]
	order := [8]uint64{c.regs[0], c.regs[1], c.regs[2], c.regs[3], sp0, c.regs[5], c.regs[6], c.regs[7]}
	sp := sp0
	for _, v := range order {
		sp -= uint64(in.size)
		c.writeN(c.stackLin(sp), in.size, v&sizeMask[in.size])
	}
	c.setSP(sp)
}

func opPOPA(c *CPU, in *insn) {
	if c.mode == 64 {
		c.raise(vecUD, 0)
	}
	sp := c.regs[4]
	var vals [8]uint64
	for i := 7; i >= 0; i-- {
		vals[i] = c.readN(c.stackLin(sp), in.size)
		sp += uint64(in.size)
	}
	for i, v := range vals {
		if i != 4 { // the saved SP is skipped
			c.setReg(uint8(i), in.size, v)
		}
	}
	c.setSP(sp)
}
