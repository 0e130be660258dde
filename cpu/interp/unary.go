package interp

import (
	"golang.org/x/arch/x86/x86asm"
)

// One-operand ALU instructions (INC, DEC, NEG, NOT) and the flag
// instructions (CLC, STC, CMC, CLD, STD, LAHF, SAHF).

func init() {
	register(buildUnary(opIncR, opIncM), x86asm.INC)
	register(buildUnary(opDecR, opDecM), x86asm.DEC)
	register(buildUnary(opNegR, opNegM), x86asm.NEG)
	register(buildUnary(opNotR, opNotM), x86asm.NOT)
	register(fixed(func(c *CPU, in *insn) { c.materialize(); c.rflags &^= flagCF }), x86asm.CLC)
	register(fixed(func(c *CPU, in *insn) { c.materialize(); c.rflags |= flagCF }), x86asm.STC)
	register(fixed(func(c *CPU, in *insn) { c.materialize(); c.rflags ^= flagCF }), x86asm.CMC)
	register(fixed(func(c *CPU, in *insn) { c.rflags &^= flagDF }), x86asm.CLD)
	register(fixed(func(c *CPU, in *insn) { c.rflags |= flagDF }), x86asm.STD)
	register(fixed(opLAHF), x86asm.LAHF)
	register(fixed(opSAHF), x86asm.SAHF)
}

func buildUnary(r, m handler) builder {
	return func(in *insn, inst *x86asm.Inst) handler {
		if in.k[0] == kMem {
			return m
		}
		return r
	}
}

func (c *CPU) inc(size uint8, a uint64) uint64 {
	cf := c.cf()
	r := (a + 1) & sizeMask[size]
	c.setLazy(lazyInc, size, a, 1, r)
	c.lf.carry = cf
	return r
}

func (c *CPU) dec(size uint8, a uint64) uint64 {
	cf := c.cf()
	r := (a - 1) & sizeMask[size]
	c.setLazy(lazyDec, size, a, 1, r)
	c.lf.carry = cf
	return r
}

func (c *CPU) neg(size uint8, a uint64) uint64 {
	r := (0 - a) & sizeMask[size]
	c.setLazy(lazySub, size, 0, a, r)
	return r
}

func opIncR(c *CPU, in *insn) {
	c.setReg(in.r[0], in.size, c.inc(in.size, c.getReg(in.r[0], in.size)))
}

func opDecR(c *CPU, in *insn) {
	c.setReg(in.r[0], in.size, c.dec(in.size, c.getReg(in.r[0], in.size)))
}

func opNegR(c *CPU, in *insn) {
	c.setReg(in.r[0], in.size, c.neg(in.size, c.getReg(in.r[0], in.size)))
}

func opNotR(c *CPU, in *insn) {
	c.setReg(in.r[0], in.size, ^c.getReg(in.r[0], in.size))
}

// rmw applies f to the memory operand.
func (c *CPU) rmw(in *insn, f func(uint64) uint64) {
	addr := c.ea(in)
	if p := c.rmwPtr(addr, in.size); p != nil {
		stN(p, in.size, f(ldN(p, in.size)))
		return
	}
	c.writeN(addr, in.size, f(c.readN(addr, in.size)))
}

// INC and DEC of memory are frequent in kernels (counters, preempt
// counts): no closure on their path.
func opIncM(c *CPU, in *insn) {
	addr := c.ea(in)
	if p := c.rmwPtr(addr, in.size); p != nil {
		stN(p, in.size, c.inc(in.size, ldN(p, in.size)))
		return
	}
	c.writeN(addr, in.size, c.inc(in.size, c.readN(addr, in.size)))
}

func opDecM(c *CPU, in *insn) {
	addr := c.ea(in)
	if p := c.rmwPtr(addr, in.size); p != nil {
		stN(p, in.size, c.dec(in.size, ldN(p, in.size)))
		return
	}
	c.writeN(addr, in.size, c.dec(in.size, c.readN(addr, in.size)))
}
func opNegM(c *CPU, in *insn) { c.rmw(in, func(v uint64) uint64 { return c.neg(in.size, v) }) }
func opNotM(c *CPU, in *insn) { c.rmw(in, func(v uint64) uint64 { return ^v }) }

// LAHF loads SF, ZF, AF, PF and CF into AH (bit 1 reads as 1).
func opLAHF(c *CPU, in *insn) {
	f := c.flags()
	*c.reg8(1) = uint8(f&(flagSF|flagZF|flagAF|flagPF|flagCF) | flagsFixed1)
}

// SAHF stores AH into SF, ZF, AF, PF and CF.
func opSAHF(c *CPU, in *insn) {
	c.materialize()
	ah := uint64(*c.reg8(1))
	m := uint64(flagSF | flagZF | flagAF | flagPF | flagCF)
	c.rflags = c.rflags&^m | ah&m
}
