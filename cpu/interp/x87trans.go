package interp

import (
	"math"

	"golang.org/x/arch/x86/x86asm"
)

// The x87's transcendental and remainder instructions, computed in float64
// with Go's math package: FSIN, FCOS, FSINCOS, FPTAN (operands of magnitude
// 2^63 or more are left alone with C2 set, as on hardware), FPATAN, F2XM1,
// FYL2X, FYL2XP1, FPREM, FPREM1 and FXTRACT. Results are accurate to
// float64, not to the x87's 64-bit significand.

func init() {
	x := func(h handler, ops ...x86asm.Op) { register(fpuOp(h), ops...) }
	x(trig(func(v float64) float64 { return math.Sin(v) }), x86asm.FSIN)
	x(trig(func(v float64) float64 { return math.Cos(v) }), x86asm.FCOS)
	x(opFSINCOS, x86asm.FSINCOS)
	x(opFPTAN, x86asm.FPTAN)
	x(func(c *CPU, in *insn) {
		f := &c.fpu
		f.setF(1, math.Atan2(f.getF(1), f.getF(0)))
		f.pop()
	}, x86asm.FPATAN)
	x(func(c *CPU, in *insn) { c.fpu.setF(0, math.Expm1(c.fpu.getF(0)*math.Ln2)) }, x86asm.F2XM1)
	x(func(c *CPU, in *insn) {
		f := &c.fpu
		f.setF(1, f.getF(1)*math.Log2(f.getF(0)))
		f.pop()
	}, x86asm.FYL2X)
	x(func(c *CPU, in *insn) {
		f := &c.fpu
		f.setF(1, f.getF(1)*math.Log1p(f.getF(0))/math.Ln2)
		f.pop()
	}, x86asm.FYL2XP1)
	x(prem(false), x86asm.FPREM)
	x(prem(true), x86asm.FPREM1)
	x(opFXTRACT, x86asm.FXTRACT)
}

// trigRange is the operand magnitude the trigonometric instructions
// accept.
var trigRange = math.Ldexp(1, 63)

// trig applies f to ST(0), or sets C2 for an out-of-range operand.
func trig(fn func(float64) float64) handler {
	return func(c *CPU, in *insn) {
		f := &c.fpu
		v := f.getF(0)
		if math.Abs(v) >= trigRange {
			f.fsw |= fswC2
			return
		}
		f.fsw &^= fswC2
		f.setF(0, fn(v))
	}
}

func opFSINCOS(c *CPU, in *insn) {
	f := &c.fpu
	v := f.getF(0)
	if math.Abs(v) >= trigRange {
		f.fsw |= fswC2
		return
	}
	f.fsw &^= fswC2
	s, co := math.Sincos(v)
	f.setF(0, s)
	f.push(to80(co))
}

func opFPTAN(c *CPU, in *insn) {
	f := &c.fpu
	v := f.getF(0)
	if math.Abs(v) >= trigRange {
		f.fsw |= fswC2
		return
	}
	f.fsw &^= fswC2
	f.setF(0, math.Tan(v))
	f.push(to80(1))
}

// prem computes the partial remainder of ST(0) by ST(1): truncating
// (FPREM) or rounding to nearest (FPREM1). The quotient's low three bits
// go to C0 (bit 2), C3 (bit 1) and C1 (bit 0); the reduction is always
// complete here (C2 clear).
func prem(ieee bool) handler {
	return func(c *CPU, in *insn) {
		f := &c.fpu
		a, b := f.getF(0), f.getF(1)
		var r, q float64
		if ieee {
			r = math.Remainder(a, b)
			q = math.RoundToEven(a / b)
		} else {
			r = math.Mod(a, b)
			q = math.Trunc(a / b)
		}
		f.setF(0, r)
		fsw := f.fsw &^ fswCond
		if !math.IsNaN(q) && !math.IsInf(q, 0) {
			n := uint64(math.Abs(math.Mod(q, 8)))
			if n&4 != 0 {
				fsw |= fswC0
			}
			if n&2 != 0 {
				fsw |= fswC3
			}
			if n&1 != 0 {
				fsw |= fswC1
			}
		}
		f.fsw = fsw
	}
}

// FXTRACT splits ST(0) into its exponent (left in ST(0)) and significand
// (pushed).
func opFXTRACT(c *CPU, in *insn) {
	f := &c.fpu
	v := f.getF(0)
	if v == 0 {
		f.setF(0, math.Inf(-1))
		f.push(to80(v))
		return
	}
	m, e := math.Frexp(v) // v = m * 2^e, 0.5 <= |m| < 1
	f.setF(0, float64(e-1))
	f.push(to80(m * 2))
}
