package interp

import (
	"strings"

	"golang.org/x/arch/x86/x86asm"
)

// The two-operand ALU instructions: ADD, OR, ADC, SBB, AND, SUB, XOR, CMP
// and TEST, each in four forms (register destination with a register,
// immediate or memory source; memory destination), computing the result
// and leaving lazy flags. A LOCK prefix needs no extra work: there is one
// vCPU and an instruction is never interrupted halfway.

func (c *CPU) aluAdd(size uint8, a, b uint64) uint64 {
	r := (a + b) & sizeMask[size]
	c.setLazy(lazyAdd, size, a, b, r)
	return r
}

func (c *CPU) aluOr(size uint8, a, b uint64) uint64 {
	r := a | b
	c.setLazy(lazyLogic, size, a, b, r)
	return r
}

func (c *CPU) aluAdc(size uint8, a, b uint64) uint64 {
	cf := c.cf()
	r := (a + b + cf) & sizeMask[size]
	c.setLazy(lazyAdc, size, a, b, r)
	c.lf.carry = cf
	return r
}

func (c *CPU) aluSbb(size uint8, a, b uint64) uint64 {
	cf := c.cf()
	r := (a - b - cf) & sizeMask[size]
	c.setLazy(lazySbb, size, a, b, r)
	c.lf.carry = cf
	return r
}

func (c *CPU) aluAnd(size uint8, a, b uint64) uint64 {
	r := a & b
	c.setLazy(lazyLogic, size, a, b, r)
	return r
}

func (c *CPU) aluSub(size uint8, a, b uint64) uint64 {
	r := (a - b) & sizeMask[size]
	c.setLazy(lazySub, size, a, b, r)
	return r
}

func (c *CPU) aluXor(size uint8, a, b uint64) uint64 {
	r := a ^ b
	c.setLazy(lazyLogic, size, a, b, r)
	return r
}

func (c *CPU) aluCmp(size uint8, a, b uint64) uint64 { return c.aluSub(size, a, b) }

func (c *CPU) aluTest(size uint8, a, b uint64) uint64 { return c.aluAnd(size, a, b) }

// opName is a mnemonic in the spelling alu_fast.go's table uses ("Add").
func opName(op x86asm.Op) string {
	s := op.String()
	return s[:1] + strings.ToLower(s[1:])
}

// aluForms are one operation's handlers by form.
type aluForms struct{ rr, ri, rm, m handler }

// buildALU picks the form from the operands. x86asm gives the destination
// first; the immediate is masked to the operand size once, here. 64- and
// 32-bit register destinations get the specialised handlers of
// alu_fast.go where the operation has them.
func buildALU(f aluForms) builder {
	return func(in *insn, inst *x86asm.Inst) handler {
		in.imm &= sizeMask[in.size]
		if fast, ok := fastALU[opName(inst.Op)]; ok && in.k[0] == kReg && (in.size == 8 || in.size == 4) {
			ff := fast[0]
			if in.size == 4 {
				ff = fast[1]
			}
			switch in.k[1] {
			case kReg:
				return ff.rr
			case kImm:
				return ff.ri
			case kMem:
				return ff.rm
			}
		}
		switch {
		case in.k[0] == kMem:
			return f.m
		case in.k[1] == kReg:
			return f.rr
		case in.k[1] == kImm:
			return f.ri
		case in.k[1] == kMem:
			return f.rm
		}
		return nil
	}
}
func opAddRR(c *CPU, in *insn) {
	c.setReg(in.r[0], in.size, c.aluAdd(in.size, c.getReg(in.r[0], in.size), c.getReg(in.r[1], in.size)))
}
func opAddRI(c *CPU, in *insn) {
	c.setReg(in.r[0], in.size, c.aluAdd(in.size, c.getReg(in.r[0], in.size), in.imm))
}
func opAddRM(c *CPU, in *insn) {
	c.setReg(in.r[0], in.size, c.aluAdd(in.size, c.getReg(in.r[0], in.size), c.readN(c.ea(in), in.size)))
}
func opAddM(c *CPU, in *insn) {
	addr := c.ea(in)
	b := in.imm
	if in.k[1] == kReg {
		b = c.getReg(in.r[1], in.size)
	}
	if p := c.rmwPtr(addr, in.size); p != nil {
		stN(p, in.size, c.aluAdd(in.size, ldN(p, in.size), b))
		return
	}
	c.writeN(addr, in.size, c.aluAdd(in.size, c.readN(addr, in.size), b))
}
func opOrRR(c *CPU, in *insn) {
	c.setReg(in.r[0], in.size, c.aluOr(in.size, c.getReg(in.r[0], in.size), c.getReg(in.r[1], in.size)))
}
func opOrRI(c *CPU, in *insn) {
	c.setReg(in.r[0], in.size, c.aluOr(in.size, c.getReg(in.r[0], in.size), in.imm))
}
func opOrRM(c *CPU, in *insn) {
	c.setReg(in.r[0], in.size, c.aluOr(in.size, c.getReg(in.r[0], in.size), c.readN(c.ea(in), in.size)))
}
func opOrM(c *CPU, in *insn) {
	addr := c.ea(in)
	b := in.imm
	if in.k[1] == kReg {
		b = c.getReg(in.r[1], in.size)
	}
	if p := c.rmwPtr(addr, in.size); p != nil {
		stN(p, in.size, c.aluOr(in.size, ldN(p, in.size), b))
		return
	}
	c.writeN(addr, in.size, c.aluOr(in.size, c.readN(addr, in.size), b))
}
func opAdcRR(c *CPU, in *insn) {
	c.setReg(in.r[0], in.size, c.aluAdc(in.size, c.getReg(in.r[0], in.size), c.getReg(in.r[1], in.size)))
}
func opAdcRI(c *CPU, in *insn) {
	c.setReg(in.r[0], in.size, c.aluAdc(in.size, c.getReg(in.r[0], in.size), in.imm))
}
func opAdcRM(c *CPU, in *insn) {
	c.setReg(in.r[0], in.size, c.aluAdc(in.size, c.getReg(in.r[0], in.size), c.readN(c.ea(in), in.size)))
}
func opAdcM(c *CPU, in *insn) {
	addr := c.ea(in)
	b := in.imm
	if in.k[1] == kReg {
		b = c.getReg(in.r[1], in.size)
	}
	if p := c.rmwPtr(addr, in.size); p != nil {
		stN(p, in.size, c.aluAdc(in.size, ldN(p, in.size), b))
		return
	}
	c.writeN(addr, in.size, c.aluAdc(in.size, c.readN(addr, in.size), b))
}
func opSbbRR(c *CPU, in *insn) {
	c.setReg(in.r[0], in.size, c.aluSbb(in.size, c.getReg(in.r[0], in.size), c.getReg(in.r[1], in.size)))
}
func opSbbRI(c *CPU, in *insn) {
	c.setReg(in.r[0], in.size, c.aluSbb(in.size, c.getReg(in.r[0], in.size), in.imm))
}
func opSbbRM(c *CPU, in *insn) {
	c.setReg(in.r[0], in.size, c.aluSbb(in.size, c.getReg(in.r[0], in.size), c.readN(c.ea(in), in.size)))
}
func opSbbM(c *CPU, in *insn) {
	addr := c.ea(in)
	b := in.imm
	if in.k[1] == kReg {
		b = c.getReg(in.r[1], in.size)
	}
	if p := c.rmwPtr(addr, in.size); p != nil {
		stN(p, in.size, c.aluSbb(in.size, ldN(p, in.size), b))
		return
	}
	c.writeN(addr, in.size, c.aluSbb(in.size, c.readN(addr, in.size), b))
}
func opAndRR(c *CPU, in *insn) {
	c.setReg(in.r[0], in.size, c.aluAnd(in.size, c.getReg(in.r[0], in.size), c.getReg(in.r[1], in.size)))
}
func opAndRI(c *CPU, in *insn) {
	c.setReg(in.r[0], in.size, c.aluAnd(in.size, c.getReg(in.r[0], in.size), in.imm))
}
func opAndRM(c *CPU, in *insn) {
	c.setReg(in.r[0], in.size, c.aluAnd(in.size, c.getReg(in.r[0], in.size), c.readN(c.ea(in), in.size)))
}
func opAndM(c *CPU, in *insn) {
	addr := c.ea(in)
	b := in.imm
	if in.k[1] == kReg {
		b = c.getReg(in.r[1], in.size)
	}
	if p := c.rmwPtr(addr, in.size); p != nil {
		stN(p, in.size, c.aluAnd(in.size, ldN(p, in.size), b))
		return
	}
	c.writeN(addr, in.size, c.aluAnd(in.size, c.readN(addr, in.size), b))
}
func opSubRR(c *CPU, in *insn) {
	c.setReg(in.r[0], in.size, c.aluSub(in.size, c.getReg(in.r[0], in.size), c.getReg(in.r[1], in.size)))
}
func opSubRI(c *CPU, in *insn) {
	c.setReg(in.r[0], in.size, c.aluSub(in.size, c.getReg(in.r[0], in.size), in.imm))
}
func opSubRM(c *CPU, in *insn) {
	c.setReg(in.r[0], in.size, c.aluSub(in.size, c.getReg(in.r[0], in.size), c.readN(c.ea(in), in.size)))
}
func opSubM(c *CPU, in *insn) {
	addr := c.ea(in)
	b := in.imm
	if in.k[1] == kReg {
		b = c.getReg(in.r[1], in.size)
	}
	if p := c.rmwPtr(addr, in.size); p != nil {
		stN(p, in.size, c.aluSub(in.size, ldN(p, in.size), b))
		return
	}
	c.writeN(addr, in.size, c.aluSub(in.size, c.readN(addr, in.size), b))
}
func opXorRR(c *CPU, in *insn) {
	c.setReg(in.r[0], in.size, c.aluXor(in.size, c.getReg(in.r[0], in.size), c.getReg(in.r[1], in.size)))
}
func opXorRI(c *CPU, in *insn) {
	c.setReg(in.r[0], in.size, c.aluXor(in.size, c.getReg(in.r[0], in.size), in.imm))
}
func opXorRM(c *CPU, in *insn) {
	c.setReg(in.r[0], in.size, c.aluXor(in.size, c.getReg(in.r[0], in.size), c.readN(c.ea(in), in.size)))
}
func opXorM(c *CPU, in *insn) {
	addr := c.ea(in)
	b := in.imm
	if in.k[1] == kReg {
		b = c.getReg(in.r[1], in.size)
	}
	if p := c.rmwPtr(addr, in.size); p != nil {
		stN(p, in.size, c.aluXor(in.size, ldN(p, in.size), b))
		return
	}
	c.writeN(addr, in.size, c.aluXor(in.size, c.readN(addr, in.size), b))
}
func opCmpRR(c *CPU, in *insn) {
	c.aluCmp(in.size, c.getReg(in.r[0], in.size), c.getReg(in.r[1], in.size))
}
func opCmpRI(c *CPU, in *insn) { c.aluCmp(in.size, c.getReg(in.r[0], in.size), in.imm) }
func opCmpRM(c *CPU, in *insn) {
	c.aluCmp(in.size, c.getReg(in.r[0], in.size), c.readN(c.ea(in), in.size))
}
func opCmpM(c *CPU, in *insn) {
	b := in.imm
	if in.k[1] == kReg {
		b = c.getReg(in.r[1], in.size)
	}
	c.aluCmp(in.size, c.readN(c.ea(in), in.size), b)
}
func opTestRR(c *CPU, in *insn) {
	c.aluTest(in.size, c.getReg(in.r[0], in.size), c.getReg(in.r[1], in.size))
}
func opTestRI(c *CPU, in *insn) { c.aluTest(in.size, c.getReg(in.r[0], in.size), in.imm) }
func opTestRM(c *CPU, in *insn) {
	c.aluTest(in.size, c.getReg(in.r[0], in.size), c.readN(c.ea(in), in.size))
}
func opTestM(c *CPU, in *insn) {
	b := in.imm
	if in.k[1] == kReg {
		b = c.getReg(in.r[1], in.size)
	}
	c.aluTest(in.size, c.readN(c.ea(in), in.size), b)
}
func init() {
	register(buildALU(aluForms{opAddRR, opAddRI, opAddRM, opAddM}), x86asm.ADD)
	register(buildALU(aluForms{opOrRR, opOrRI, opOrRM, opOrM}), x86asm.OR)
	register(buildALU(aluForms{opAdcRR, opAdcRI, opAdcRM, opAdcM}), x86asm.ADC)
	register(buildALU(aluForms{opSbbRR, opSbbRI, opSbbRM, opSbbM}), x86asm.SBB)
	register(buildALU(aluForms{opAndRR, opAndRI, opAndRM, opAndM}), x86asm.AND)
	register(buildALU(aluForms{opSubRR, opSubRI, opSubRM, opSubM}), x86asm.SUB)
	register(buildALU(aluForms{opXorRR, opXorRI, opXorRM, opXorM}), x86asm.XOR)
	register(buildALU(aluForms{opCmpRR, opCmpRI, opCmpRM, opCmpM}), x86asm.CMP)
	register(buildALU(aluForms{opTestRR, opTestRI, opTestRM, opTestM}), x86asm.TEST)
}
