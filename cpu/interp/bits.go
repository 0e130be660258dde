package interp

import (
	"math/bits"

	"golang.org/x/arch/x86/x86asm"
)

// Bit instructions: BT, BTS, BTR, BTC, BSF, BSR, LZCNT, POPCNT, and TZCNT,
// which without BMI1 in CPUID executes as BSF (its F3 prefix is ignored,
// as on processors without BMI1). Undefined flags follow the AMD host (see
// bits_test.go).

func init() {
	register(buildBT(0), x86asm.BT)
	register(buildBT(1), x86asm.BTS)
	register(buildBT(2), x86asm.BTR)
	register(buildBT(3), x86asm.BTC)
	register(fixed(opBSF), x86asm.BSF, x86asm.TZCNT)
	register(fixed(opBSR), x86asm.BSR)
	register(fixed(opLZCNT), x86asm.LZCNT)
	register(fixed(opPOPCNT), x86asm.POPCNT)
}

func buildBT(kind uint8) builder {
	return func(in *insn, inst *x86asm.Inst) handler {
		in.cond = kind
		return opBT
	}
}

// setCF sets CF alone.
func (c *CPU) setCF(cf uint64) {
	c.materialize()
	c.rflags = c.rflags&^flagCF | cf&1
}

func opBT(c *CPU, in *insn) {
	w := uint64(in.size) * 8
	var off uint64
	if in.k[1] == kImm {
		off = in.imm & (w - 1)
	} else {
		off = c.getReg(in.r[1], in.size)
	}
	if in.k[0] == kReg {
		off &= w - 1
		v := c.getReg(in.r[0], in.size)
		c.setCF(v >> off & 1)
		if in.cond != 0 {
			c.setReg(in.r[0], in.size, bitOp(in.cond, v, off))
		}
		return
	}
	addr := c.ea(in)
	if in.k[1] == kReg {
		// A register bit offset is signed and reaches beyond the operand.
		soff := signExtend(off, in.size)
		addr = (addr + uint64((soff>>bits.TrailingZeros64(w))*int64(in.size))) & c.linMask
		off = uint64(soff) & (w - 1)
	}
	if in.cond == 0 {
		c.setCF(c.readN(addr, in.size) >> off & 1)
		return
	}
	var v uint64
	if p := c.rmwPtr(addr, in.size); p != nil {
		v = ldN(p, in.size)
		stN(p, in.size, bitOp(in.cond, v, off))
	} else {
		v = c.readN(addr, in.size)
		c.writeN(addr, in.size, bitOp(in.cond, v, off))
	}
	c.setCF(v >> off & 1)
}

func bitOp(kind uint8, v, off uint64) uint64 {
	switch kind {
	case 1:
		return v | 1<<off
	case 2:
		return v &^ (1 << off)
	}
	return v ^ 1<<off
}

// scanFlags sets ZF for a zero source. The other status flags are
// undefined in the SDM; AMD Zen clears CF, OF, SF and AF and sets PF from
// the bit index found (from 0 for a zero source).
func (c *CPU) scanFlags(zero bool, dst uint64) {
	c.materialize()
	f := c.rflags &^ flagsArith
	if zero {
		f |= flagZF
	}
	f |= uint64(parity[uint8(dst)]) << 2
	c.rflags = f
}

func opBSF(c *CPU, in *insn) {
	v := c.opGet(in, 1)
	if v == 0 {
		c.scanFlags(true, 0)
		return // destination unchanged (AMD documents it; Intel does it)
	}
	n := uint64(bits.TrailingZeros64(v))
	c.setReg(in.r[0], in.size, n)
	c.scanFlags(false, n)
}

func opBSR(c *CPU, in *insn) {
	v := c.opGet(in, 1)
	if v == 0 {
		c.scanFlags(true, 0)
		return
	}
	n := uint64(63 - bits.LeadingZeros64(v))
	c.setReg(in.r[0], in.size, n)
	c.scanFlags(false, n)
}

func opLZCNT(c *CPU, in *insn) {
	v := c.opGet(in, 1)
	n := uint64(bits.LeadingZeros64(v)) - (64 - uint64(in.size)*8)
	c.setReg(in.r[0], in.size, n)
	// OF is kept and SF, AF, PF cleared (undefined in the SDM; AMD Zen).
	c.materialize()
	c.rflags &^= flagCF | flagZF | flagSF | flagAF | flagPF
	if v == 0 {
		c.rflags |= flagCF
	}
	if n == 0 {
		c.rflags |= flagZF
	}
}

func opPOPCNT(c *CPU, in *insn) {
	v := c.opGet(in, 1)
	c.setReg(in.r[0], in.size, uint64(bits.OnesCount64(v)))
	c.materialize()
	c.rflags &^= flagsArith
	if v == 0 {
		c.rflags |= flagZF
	}
}
