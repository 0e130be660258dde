package interp

import (
	"golang.org/x/arch/x86/x86asm"
)

// Shifts and rotates: SHL/SAL, SHR, SAR (lazy flags), ROL, ROR, RCL, RCR,
// SHLD, SHRD. The count is masked to 5 bits (6 for 64-bit operands); a
// masked count of 0 changes no flags. Where the SDM leaves a flag
// undefined (OF for counts above 1, AF), this CPU does what the AMD Zen
// host these tests run on does (see shift_test.go).

func init() {
	register(buildShift(shiftSHL), x86asm.SHL)
	register(buildShift(shiftSHR), x86asm.SHR)
	register(buildShift(shiftSAR), x86asm.SAR)
	register(buildShift(shiftROL), x86asm.ROL)
	register(buildShift(shiftROR), x86asm.ROR)
	register(buildShift(shiftRCL), x86asm.RCL)
	register(buildShift(shiftRCR), x86asm.RCR)
	register(buildDouble(false), x86asm.SHLD)
	register(buildDouble(true), x86asm.SHRD)
}

const (
	shiftSHL = iota
	shiftSHR
	shiftSAR
	shiftROL
	shiftROR
	shiftRCL
	shiftRCR
)

func buildShift(kind uint8) builder {
	return func(in *insn, inst *x86asm.Inst) handler {
		in.cond = kind
		if in.k[1] == kImm {
			in.imm &= 0xff
		}
		return opShift
	}
}

// shiftCount reads the count operand (CL or an immediate) and masks it.
func (c *CPU) shiftCount(in *insn) uint64 {
	n := in.imm
	if in.k[1] == kReg {
		n = c.regs[1] & 0xff
	}
	if in.size == 8 {
		return n & 63
	}
	return n & 31
}

func opShift(c *CPU, in *insn) {
	n := c.shiftCount(in)
	if in.k[0] == kMem {
		c.rmw(in, func(v uint64) uint64 { return c.shift(in.cond, in.size, v, n) })
		return
	}
	c.setReg(in.r[0], in.size, c.shift(in.cond, in.size, c.getReg(in.r[0], in.size), n))
}

// shift computes one shift or rotate and its flags.
func (c *CPU) shift(kind, size uint8, a, n uint64) uint64 {
	if n == 0 {
		return a
	}
	w := uint64(size) * 8
	m := sizeMask[size]
	switch kind {
	case shiftSHL:
		var r uint64
		if n < 64 {
			r = (a << n) & m
		}
		c.setLazy(lazyShl, size, a, n, r)
		return r
	case shiftSHR:
		var r uint64
		if n < 64 {
			r = a >> n
		}
		c.setLazy(lazyShr, size, a, n, r)
		return r
	case shiftSAR:
		r := uint64(signExtend(a, size)>>min(n, 63)) & m
		c.setLazy(lazySar, size, a, n, r)
		return r
	}
	c.materialize()
	f := c.rflags
	var r, cf, of uint64
	switch kind {
	case shiftROL:
		k := n % w
		r = (a<<k | a>>((w-k)%w)) & m
		cf = r & 1
		of = (r>>(w-1))&1 ^ cf
	case shiftROR:
		k := n % w
		r = (a>>k | a<<((w-k)%w)) & m
		cf = r >> (w - 1) & 1
		of = (r>>(w-1))&1 ^ (r>>(w-2))&1
	case shiftRCL:
		k := n % (w + 1)
		r, cf = a, f&flagCF
		for i := uint64(0); i < k; i++ {
			out := r >> (w - 1) & 1
			r = (r<<1 | cf) & m
			cf = out
		}
		of = (r>>(w-1))&1 ^ cf
	case shiftRCR:
		k := n % (w + 1)
		r, cf = a, f&flagCF
		for i := uint64(0); i < k; i++ {
			out := r & 1
			r = r>>1 | cf<<(w-1)
			cf = out
		}
		of = (r>>(w-1))&1 ^ (r>>(w-2))&1
	}
	f = f&^(flagCF|flagOF) | cf | of<<11
	c.rflags = f
	return r
}

func buildDouble(right bool) builder {
	return func(in *insn, inst *x86asm.Inst) handler {
		if right {
			in.cond = 1
		}
		if in.k[2] == kImm {
			in.imm &= 0xff
		}
		return opDoubleShift
	}
}

// SHLD/SHRD shift the destination, filling from the source register.
func opDoubleShift(c *CPU, in *insn) {
	n := in.imm
	if in.k[2] == kReg {
		n = c.regs[1] & 0xff
	}
	if in.size == 8 {
		n &= 63
	} else {
		n &= 31
	}
	src := c.getReg(in.r[1], in.size)
	f := func(dst uint64) uint64 { return c.doubleShift(in.cond == 1, in.size, dst, src, n) }
	if in.k[0] == kMem {
		c.rmw(in, f)
		return
	}
	c.setReg(in.r[0], in.size, f(c.getReg(in.r[0], in.size)))
}

func (c *CPU) doubleShift(right bool, size uint8, dst, src, n uint64) uint64 {
	if n == 0 {
		return dst
	}
	w := uint64(size) * 8
	m := sizeMask[size]
	var r, cf uint64
	switch {
	case size == 2 && n > 16:
		// Undefined for 16-bit operands. AMD Zen shifts a 48-bit
		// dst:src:src (SHLD) or src:src:dst (SHRD), which rotates src by
		// n-16, and leaves CF clear.
		if right {
			r = ((src<<32 | src<<16 | dst) >> n) & m
		} else {
			r = ((dst<<32 | src<<16 | src) << n >> 32) & m
		}
	case right:
		r = (dst>>n | src<<(w-n)) & m
		cf = (dst >> (n - 1)) & 1
	default:
		r = (dst<<n | src>>(w-n)) & m
		cf = (dst >> (w - n)) & 1
	}
	// OF is defined for a count of 1 (the sign changed); AMD Zen computes
	// it as for SHL (top bit XOR CF) and SHR (top two bits of the result)
	// for every count.
	// A 16-bit SHLD by exactly 16 copies CF into OF instead, and by more
	// than 16 leaves OF clear.
	var of uint64
	switch {
	case right:
		of = (r>>(w-1) ^ r>>(w-2)) & 1
	case size == 2 && n == 16:
		of = cf
	case size == 2 && n > 16:
	default:
		of = (r>>(w-1))&1 ^ cf
	}
	c.materialize()
	fl := c.rflags &^ flagsArith
	// AF is undefined; AMD Zen sets it, as after the single shifts.
	fl |= cf | of<<11 | uint64(parity[uint8(r)])<<2 | flagAF
	if r == 0 {
		fl |= flagZF
	}
	if r>>(w-1)&1 != 0 {
		fl |= flagSF
	}
	c.rflags = fl
	return r
}
