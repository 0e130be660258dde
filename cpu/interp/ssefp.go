package interp

import (
	"math"

	"golang.org/x/arch/x86/x86asm"
)

// SSE and SSE2 floating point: scalar (SS, SD) and packed (PS, PD)
// add, subtract, multiply, divide, minimum, maximum and square root,
// compares (CMPcc, COMIS, UCOMIS) and the conversions. Arithmetic is Go's
// float32/float64 arithmetic, which on amd64 is the host's SSE with the
// default MXCSR: round to nearest, exceptions masked, x86's NaN rules.
//
// Deviations: MXCSR's rounding control applies to the conversions only;
// arithmetic always rounds to nearest; DAZ and FTZ are ignored; the
// exception flags are not set and unmasked exceptions (#XM) are never
// raised. RCPSS/RCPPS and RSQRTSS/RSQRTPS return the exactly rounded
// reciprocal, not the hardware's 12-bit approximation.

const (
	fpAdd = iota
	fpSub
	fpMul
	fpDiv
	fpMin
	fpMax
	fpSqrt
	fpRcp
	fpRsqrt
)

func init() {
	for _, o := range []struct {
		op             uint8
		ss, sd, ps, pd x86asm.Op
	}{
		{fpAdd, x86asm.ADDSS, x86asm.ADDSD, x86asm.ADDPS, x86asm.ADDPD},
		{fpSub, x86asm.SUBSS, x86asm.SUBSD, x86asm.SUBPS, x86asm.SUBPD},
		{fpMul, x86asm.MULSS, x86asm.MULSD, x86asm.MULPS, x86asm.MULPD},
		{fpDiv, x86asm.DIVSS, x86asm.DIVSD, x86asm.DIVPS, x86asm.DIVPD},
		{fpMin, x86asm.MINSS, x86asm.MINSD, x86asm.MINPS, x86asm.MINPD},
		{fpMax, x86asm.MAXSS, x86asm.MAXSD, x86asm.MAXPS, x86asm.MAXPD},
		{fpSqrt, x86asm.SQRTSS, x86asm.SQRTSD, x86asm.SQRTPS, x86asm.SQRTPD},
	} {
		register(buildFP(o.op, 4, false), o.ss)
		register(buildFP(o.op, 8, false), o.sd)
		register(buildFP(o.op, 4, true), o.ps)
		register(buildFP(o.op, 8, true), o.pd)
	}
	register(buildFP(fpRcp, 4, false), x86asm.RCPSS)
	register(buildFP(fpRcp, 4, true), x86asm.RCPPS)
	register(buildFP(fpRsqrt, 4, false), x86asm.RSQRTSS)
	register(buildFP(fpRsqrt, 4, true), x86asm.RSQRTPS)
	register(buildFPCmp(4, false), x86asm.CMPSS)
	register(buildFPCmp(8, false), x86asm.CMPSD_XMM)
	register(buildFPCmp(4, true), x86asm.CMPPS)
	register(buildFPCmp(8, true), x86asm.CMPPD)
	register(buildCOMIS(4), x86asm.COMISS, x86asm.UCOMISS)
	register(buildCOMIS(8), x86asm.COMISD, x86asm.UCOMISD)
	registerConversions()
}

func f32(r *xmmReg, i int) float32       { return math.Float32frombits(uint32(r.lane(4, i))) }
func f64(r *xmmReg, i int) float64       { return math.Float64frombits(r.lane(8, i)) }
func setF32(r *xmmReg, i int, v float32) { r.setLane(4, i, uint64(math.Float32bits(v))) }
func setF64(r *xmmReg, i int, v float64) { r.setLane(8, i, math.Float64bits(v)) }

// fpSource reads the source operand: a register, or memory (16 aligned
// bytes for packed instructions, one element for scalar ones).
func (c *CPU) fpSource(in *insn, size int, packed bool) xmmReg {
	if in.k[1] == kXMM {
		return c.xmm[in.r[1]&15]
	}
	if packed {
		return c.loadVec(in, true)
	}
	var v xmmReg
	v.setLane(size, 0, c.readN(c.ea(in), uint8(size)))
	return v
}

func buildFP(op uint8, size int, packed bool) builder {
	return func(in *insn, inst *x86asm.Inst) handler {
		if in.k[0] != kXMM || (in.k[1] != kXMM && in.k[1] != kMem) {
			return nil
		}
		return func(c *CPU, in *insn) {
			c.sseCheck()
			s := c.fpSource(in, size, packed)
			d := &c.xmm[in.r[0]&15]
			n := 1
			if packed {
				n = 16 / size
			}
			for i := 0; i < n; i++ {
				if size == 4 {
					setF32(d, i, fp32(op, f32(d, i), f32(&s, i)))
				} else {
					setF64(d, i, fp64(op, f64(d, i), f64(&s, i)))
				}
			}
		}
	}
}

// quiet64 and quiet32 set a NaN's quiet bit.
func quiet64(x float64) float64 { return math.Float64frombits(math.Float64bits(x) | 1<<51) }
func quiet32(x float32) float32 { return math.Float32frombits(math.Float32bits(x) | 1<<22) }

// fp64 computes one lane. For the arithmetic, a NaN operand is returned
// (quieted) as x86 does, the first one when both are: done here because Go
// may swap the operands of a commutative operation.
func fp64(op uint8, a, b float64) float64 {
	if op <= fpDiv {
		if a != a {
			return quiet64(a)
		}
		if b != b {
			return quiet64(b)
		}
	}
	switch op {
	case fpAdd:
		return a + b
	case fpSub:
		return a - b
	case fpMul:
		return a * b
	case fpDiv:
		return a / b
	case fpMin:
		// MIN returns the second operand unless the first is less (so
		// also for NaNs and for two zeros).
		if a < b {
			return a
		}
		return b
	case fpMax:
		if a > b {
			return a
		}
		return b
	case fpSqrt:
		return math.Sqrt(b)
	}
	return b
}

func fp32(op uint8, a, b float32) float32 {
	if op <= fpDiv {
		if a != a {
			return quiet32(a)
		}
		if b != b {
			return quiet32(b)
		}
	}
	switch op {
	case fpAdd:
		return a + b
	case fpSub:
		return a - b
	case fpMul:
		return a * b
	case fpDiv:
		return a / b
	case fpMin:
		if a < b {
			return a
		}
		return b
	case fpMax:
		if a > b {
			return a
		}
		return b
	case fpSqrt:
		return float32(math.Sqrt(float64(b)))
	case fpRcp:
		return 1 / b
	case fpRsqrt:
		return float32(1 / math.Sqrt(float64(b)))
	}
	return b
}

// fpCompare evaluates CMPcc's predicate (imm & 7): EQ, LT, LE, UNORD,
// NEQ, NLT, NLE, ORD.
func fpCompare(pred uint8, a, b float64) bool {
	unord := a != a || b != b
	switch pred & 7 {
	case 0:
		return a == b
	case 1:
		return a < b
	case 2:
		return a <= b
	case 3:
		return unord
	case 4:
		return a != b
	case 5:
		return !(a < b)
	case 6:
		return !(a <= b)
	}
	return !unord
}

func buildFPCmp(size int, packed bool) builder {
	return func(in *insn, inst *x86asm.Inst) handler {
		if in.k[0] != kXMM {
			return nil
		}
		pred := uint8(in.imm)
		return func(c *CPU, in *insn) {
			c.sseCheck()
			s := c.fpSource(in, size, packed)
			d := &c.xmm[in.r[0]&15]
			n := 1
			if packed {
				n = 16 / size
			}
			for i := 0; i < n; i++ {
				var a, b float64
				if size == 4 {
					a, b = float64(f32(d, i)), float64(f32(&s, i))
				} else {
					a, b = f64(d, i), f64(&s, i)
				}
				d.setLane(size, i, mask01(fpCompare(pred, a, b)))
			}
		}
	}
}

// COMIS/UCOMIS set ZF, PF, CF: unordered 111, less 001, equal 100,
// greater 000; OF, SF and AF are cleared.
func buildCOMIS(size int) builder {
	return func(in *insn, inst *x86asm.Inst) handler {
		return func(c *CPU, in *insn) {
			c.sseCheck()
			s := c.fpSource(in, size, false)
			d := &c.xmm[in.r[0]&15]
			var a, b float64
			if size == 4 {
				a, b = float64(f32(d, 0)), float64(f32(&s, 0))
			} else {
				a, b = f64(d, 0), f64(&s, 0)
			}
			var f uint64
			switch {
			case a != a || b != b:
				f = flagZF | flagPF | flagCF
			case a < b:
				f = flagCF
			case a == b:
				f = flagZF
			}
			c.setStatus(f)
		}
	}
}
