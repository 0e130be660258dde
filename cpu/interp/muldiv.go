package interp

import (
	"math/bits"

	"golang.org/x/arch/x86/x86asm"
)

// Multiplication and division: MUL, IMUL (one, two and three operands),
// DIV and IDIV, with #DE for a zero divisor or a quotient that does not
// fit. The flags the SDM leaves undefined follow the AMD host the tests
// compare against (see muldiv_test.go).

func init() {
	register(fixed(opMUL), x86asm.MUL)
	register(buildIMUL, x86asm.IMUL)
	register(fixed(opDIV), x86asm.DIV)
	register(fixed(opIDIV), x86asm.IDIV)
}

// mulFlags sets CF=OF=overflow. SF, ZF, AF and PF are undefined in the
// SDM; AMD Zen leaves them unchanged.
func (c *CPU) mulFlags(size uint8, lo uint64, overflow bool) {
	c.materialize()
	f := c.rflags &^ (flagCF | flagOF)
	if overflow {
		f |= flagCF | flagOF
	}
	c.rflags = f
}

// divFlags: every status flag is undefined after DIV and IDIV; AMD Zen
// keeps CF and OF, clears SF, ZF and PF and sets AF.
func (c *CPU) divFlags() {
	c.materialize()
	c.rflags = c.rflags&^(flagSF|flagZF|flagPF) | flagAF
}

func opMUL(c *CPU, in *insn) {
	src := c.opGet(in, 0)
	switch in.size {
	case 1:
		r := uint64(*c.reg8(0)) * src
		c.setReg(0, 2, r)
		c.mulFlags(1, r, r>>8 != 0)
	case 2:
		r := c.regs[0] & 0xffff * src
		c.setReg(0, 2, r)
		c.setReg(2, 2, r>>16)
		c.mulFlags(2, r, r>>16 != 0)
	case 4:
		r := c.regs[0] & 0xffffffff * src
		c.regs[0], c.regs[2] = r&0xffffffff, r>>32
		c.mulFlags(4, r, r>>32 != 0)
	default:
		hi, lo := bits.Mul64(c.regs[0], src)
		c.regs[0], c.regs[2] = lo, hi
		c.mulFlags(8, lo, hi != 0)
	}
}

func buildIMUL(in *insn, inst *x86asm.Inst) handler {
	switch {
	case in.k[1] == kNone:
		return opIMUL1
	case in.k[2] == kImm:
		in.imm = uint64(signExtend(in.imm, in.size)) // the immediate, sign-extended
		return opIMUL3
	default:
		return opIMUL2
	}
}

// imulTrunc multiplies two signed values of size bytes and reports whether
// the truncated product overflowed.
func imulTrunc(size uint8, a, b int64) (uint64, bool) {
	if size == 8 {
		hi, lo := bits.Mul64(uint64(a), uint64(b))
		// Signed high half: correct the unsigned product for negative
		// factors.
		if a < 0 {
			hi -= uint64(b)
		}
		if b < 0 {
			hi -= uint64(a)
		}
		return lo, hi != uint64(int64(lo)>>63)
	}
	p := a * b
	t := signExtend(uint64(p), size)
	return uint64(p) & sizeMask[size], t != p
}

func opIMUL1(c *CPU, in *insn) {
	src := signExtend(c.opGet(in, 0), in.size)
	switch in.size {
	case 1:
		p := int64(int8(*c.reg8(0))) * src
		c.setReg(0, 2, uint64(p))
		c.mulFlags(1, uint64(p), int64(int8(p)) != p)
	case 2:
		p := int64(int16(c.regs[0])) * src
		c.setReg(0, 2, uint64(p))
		c.setReg(2, 2, uint64(p)>>16)
		c.mulFlags(2, uint64(p), int64(int16(p)) != p)
	case 4:
		p := int64(int32(c.regs[0])) * src
		c.regs[0], c.regs[2] = uint64(p)&0xffffffff, uint64(p)>>32&0xffffffff
		c.mulFlags(4, uint64(p), int64(int32(p)) != p)
	default:
		a := int64(c.regs[0])
		hi, lo := bits.Mul64(uint64(a), uint64(src))
		if a < 0 {
			hi -= uint64(src)
		}
		if src < 0 {
			hi -= uint64(a)
		}
		c.regs[0], c.regs[2] = lo, hi
		c.mulFlags(8, lo, hi != uint64(int64(lo)>>63))
	}
}

func opIMUL2(c *CPU, in *insn) {
	a := signExtend(c.getReg(in.r[0], in.size), in.size)
	b := signExtend(c.opGet(in, 1), in.size)
	r, of := imulTrunc(in.size, a, b)
	c.setReg(in.r[0], in.size, r)
	c.mulFlags(in.size, r, of)
}

func opIMUL3(c *CPU, in *insn) {
	a := signExtend(c.opGet(in, 1), in.size)
	r, of := imulTrunc(in.size, a, int64(in.imm))
	c.setReg(in.r[0], in.size, r)
	c.mulFlags(in.size, r, of)
}

func opDIV(c *CPU, in *insn) {
	d := c.opGet(in, 0)
	if d == 0 {
		c.raise(vecDE, 0)
	}
	switch in.size {
	case 1:
		n := c.regs[0] & 0xffff
		q, r := n/d, n%d
		if q > 0xff {
			c.raise(vecDE, 0)
		}
		c.setReg(0, 2, r<<8|q)
	case 2:
		n := (c.regs[2]&0xffff)<<16 | c.regs[0]&0xffff
		q, r := n/d, n%d
		if q > 0xffff {
			c.raise(vecDE, 0)
		}
		c.setReg(0, 2, q)
		c.setReg(2, 2, r)
	case 4:
		n := (c.regs[2]&0xffffffff)<<32 | c.regs[0]&0xffffffff
		q, r := n/d, n%d
		if q > 0xffffffff {
			c.raise(vecDE, 0)
		}
		c.regs[0], c.regs[2] = q, r
	default:
		if c.regs[2] >= d {
			c.raise(vecDE, 0)
		}
		q, r := bits.Div64(c.regs[2], c.regs[0], d)
		c.regs[0], c.regs[2] = q, r
	}
	c.divFlags()
}

func opIDIV(c *CPU, in *insn) {
	d := signExtend(c.opGet(in, 0), in.size)
	if d == 0 {
		c.raise(vecDE, 0)
	}
	switch in.size {
	case 1:
		n := int64(int16(c.regs[0]))
		q, r := n/d, n%d
		if q != int64(int8(q)) {
			c.raise(vecDE, 0)
		}
		c.setReg(0, 2, uint64(r&0xff)<<8|uint64(q&0xff))
	case 2:
		n := int64(int32(uint32(c.regs[2]&0xffff)<<16 | uint32(c.regs[0]&0xffff)))
		q, r := n/d, n%d
		if q != int64(int16(q)) {
			c.raise(vecDE, 0)
		}
		c.setReg(0, 2, uint64(q))
		c.setReg(2, 2, uint64(r))
	case 4:
		n := int64(c.regs[2]<<32 | c.regs[0]&0xffffffff)
		if d == -1 && n == -1<<63 {
			c.raise(vecDE, 0)
		}
		q, r := n/d, n%d
		if q != int64(int32(q)) {
			c.raise(vecDE, 0)
		}
		c.regs[0], c.regs[2] = uint64(q)&0xffffffff, uint64(r)&0xffffffff
	default:
		q, r, ok := idiv128(c.regs[2], c.regs[0], d)
		if !ok {
			c.raise(vecDE, 0)
		}
		c.regs[0], c.regs[2] = uint64(q), uint64(r)
	}
	c.divFlags()
}

// idiv128 divides the signed 128-bit hi:lo by d, truncating toward zero;
// ok is false when the quotient does not fit in 64 bits.
func idiv128(hi, lo uint64, d int64) (q, r int64, ok bool) {
	neg := int64(hi) < 0
	if neg {
		lo = -lo
		hi = ^hi
		if lo == 0 {
			hi++
		}
	}
	ud := uint64(d)
	if d < 0 {
		ud = -ud
	}
	if hi >= ud {
		return 0, 0, false
	}
	uq, ur := bits.Div64(hi, lo, ud)
	if neg != (d < 0) {
		if uq > 1<<63 {
			return 0, 0, false
		}
		q = -int64(uq)
	} else {
		if uq >= 1<<63 {
			return 0, 0, false
		}
		q = int64(uq)
	}
	r = int64(ur)
	if neg {
		r = -r
	}
	return q, r, true
}
