package interp

import (
	"math"

	"golang.org/x/arch/x86/x86asm"
)

// SSE/SSE2 conversions between integers, single and double precision, in
// XMM, MMX and general registers. Conversions to integers round by
// MXCSR.RC (CVT*) or truncate (CVTT*); a NaN or out-of-range value gives
// the "integer indefinite" value, the most negative integer.

func registerConversions() {
	register(buildCvtToFloat(4), x86asm.CVTSI2SS)
	register(buildCvtToFloat(8), x86asm.CVTSI2SD)
	register(buildCvtToInt(4, false), x86asm.CVTSS2SI)
	register(buildCvtToInt(4, true), x86asm.CVTTSS2SI)
	register(buildCvtToInt(8, false), x86asm.CVTSD2SI)
	register(buildCvtToInt(8, true), x86asm.CVTTSD2SI)
	register(buildCvt(cvtSD2SS), x86asm.CVTSD2SS)
	register(buildCvt(cvtSS2SD), x86asm.CVTSS2SD)
	register(buildCvt(cvtDQ2PD), x86asm.CVTDQ2PD)
	register(buildCvt(cvtDQ2PS), x86asm.CVTDQ2PS)
	register(buildCvt(cvtPS2DQ(false)), x86asm.CVTPS2DQ)
	register(buildCvt(cvtPS2DQ(true)), x86asm.CVTTPS2DQ)
	register(buildCvt(cvtPD2DQ(false)), x86asm.CVTPD2DQ)
	register(buildCvt(cvtPD2DQ(true)), x86asm.CVTTPD2DQ)
	register(buildCvt(cvtPD2PS), x86asm.CVTPD2PS)
	register(buildCvt(cvtPS2PD), x86asm.CVTPS2PD)
	register(buildCvt(cvtDQ2PD), x86asm.CVTPI2PD)
	register(buildCvt(cvtPI2PS), x86asm.CVTPI2PS)
	register(buildCvt(cvtPS2DQ(false)), x86asm.CVTPS2PI)
	register(buildCvt(cvtPS2DQ(true)), x86asm.CVTTPS2PI)
	register(buildCvt(cvtPD2DQ(false)), x86asm.CVTPD2PI)
	register(buildCvt(cvtPD2DQ(true)), x86asm.CVTTPD2PI)
}

// round applies MXCSR's rounding control (or truncation).
func (c *CPU) round(x float64, trunc bool) float64 {
	if trunc {
		return math.Trunc(x)
	}
	switch (c.mxcsr >> 13) & 3 {
	case 1:
		return math.Floor(x)
	case 2:
		return math.Ceil(x)
	case 3:
		return math.Trunc(x)
	}
	return math.RoundToEven(x)
}

// toInt converts to a size-byte signed integer, or the indefinite value.
func toInt(x float64, size uint8) uint64 {
	bits := uint(size) * 8
	lim := math.Ldexp(1, int(bits)-1)
	if x != x || x >= lim || x < -lim {
		return 1 << (bits - 1)
	}
	return uint64(int64(x)) & sizeMask[size]
}

func buildCvtToFloat(size int) builder {
	return func(in *insn, inst *x86asm.Inst) handler {
		if in.k[0] != kXMM {
			return nil
		}
		if in.k[1] == kReg {
			_, _, in.ssize = regInfo(inst.Args[1].(x86asm.Reg))
		} else if in.ssize == 0 {
			in.ssize = uint8(inst.MemBytes)
		}
		return func(c *CPU, in *insn) {
			c.sseCheck()
			var v uint64
			if in.k[1] == kReg {
				v = c.getReg(in.r[1], in.ssize)
			} else {
				v = c.readN(c.ea(in), in.ssize)
			}
			n := signExtend(v, in.ssize)
			d := &c.xmm[in.r[0]&15]
			if size == 4 {
				setF32(d, 0, float32(n))
			} else {
				setF64(d, 0, float64(n))
			}
		}
	}
}

func buildCvtToInt(size int, trunc bool) builder {
	return func(in *insn, inst *x86asm.Inst) handler {
		if in.k[0] != kReg {
			return nil
		}
		return func(c *CPU, in *insn) {
			c.sseCheck()
			var x float64
			switch {
			case in.k[1] == kXMM && size == 4:
				x = float64(f32(&c.xmm[in.r[1]&15], 0))
			case in.k[1] == kXMM:
				x = f64(&c.xmm[in.r[1]&15], 0)
			case size == 4:
				x = float64(math.Float32frombits(c.read32(c.ea(in))))
			default:
				x = math.Float64frombits(c.read64(c.ea(in)))
			}
			c.setReg(in.r[0], in.size, toInt(c.round(x, trunc), in.size))
		}
	}
}

// cvtFn converts src into dst (d keeps what the instruction keeps).
type cvtFn func(c *CPU, d, s *xmmReg)

// buildCvt handles the register-to-register conversions: XMM or MMX
// destination, XMM, MMX or memory source (of the size the instruction
// reads: a scalar, 8 bytes for the half-width forms, else 16).
func buildCvt(f cvtFn) builder {
	return func(in *insn, inst *x86asm.Inst) handler {
		srcBytes := inst.MemBytes
		return func(c *CPU, in *insn) {
			c.sseCheck()
			var s xmmReg
			switch in.k[1] {
			case kXMM:
				s = c.xmm[in.r[1]&15]
			case kMMX:
				c.mmxEnter()
				s.setLo(c.mmx(in.r[1]))
			case kMem:
				if srcBytes == 16 {
					s = c.loadVec(in, true)
				} else {
					s.setLo(c.readN(c.ea(in), uint8(srcBytes)))
				}
			}
			if in.k[0] == kMMX {
				c.mmxEnter()
				var d xmmReg
				d.setLo(c.mmx(in.r[0]))
				f(c, &d, &s)
				c.setMMX(in.r[0], d.lo())
				return
			}
			f(c, &c.xmm[in.r[0]&15], &s)
		}
	}
}

func cvtSD2SS(c *CPU, d, s *xmmReg) { setF32(d, 0, float32(f64(s, 0))) }
func cvtSS2SD(c *CPU, d, s *xmmReg) { setF64(d, 0, float64(f32(s, 0))) }

func cvtDQ2PD(c *CPU, d, s *xmmReg) {
	a, b := int32(s.lane(4, 0)), int32(s.lane(4, 1))
	setF64(d, 0, float64(a))
	setF64(d, 1, float64(b))
}

func cvtDQ2PS(c *CPU, d, s *xmmReg) {
	for i := 0; i < 4; i++ {
		setF32(d, i, float32(int32(s.lane(4, i))))
	}
}

func cvtPI2PS(c *CPU, d, s *xmmReg) {
	for i := 0; i < 2; i++ {
		setF32(d, i, float32(int32(s.lane(4, i))))
	}
}

// cvtPS2DQ converts 4 floats (2 for the MMX form, whose destination is 8
// bytes: the upper lanes are dropped when stored back).
func cvtPS2DQ(trunc bool) cvtFn {
	return func(c *CPU, d, s *xmmReg) {
		var r xmmReg
		for i := 0; i < 4; i++ {
			r.setLane(4, i, toInt(c.round(float64(f32(s, i)), trunc), 4))
		}
		*d = r
	}
}

// cvtPD2DQ converts 2 doubles into the low two dwords (upper ones zero).
func cvtPD2DQ(trunc bool) cvtFn {
	return func(c *CPU, d, s *xmmReg) {
		var r xmmReg
		for i := 0; i < 2; i++ {
			r.setLane(4, i, toInt(c.round(f64(s, i), trunc), 4))
		}
		*d = r
	}
}

func cvtPD2PS(c *CPU, d, s *xmmReg) {
	var r xmmReg
	setF32(&r, 0, float32(f64(s, 0)))
	setF32(&r, 1, float32(f64(s, 1)))
	*d = r
}

func cvtPS2PD(c *CPU, d, s *xmmReg) {
	a, b := f32(s, 0), f32(s, 1)
	setF64(d, 0, float64(a))
	setF64(d, 1, float64(b))
}
