package interp

import (
	"encoding/binary"
	"math"
	"math/bits"

	"golang.org/x/arch/x86/x86asm"
)

// x87 data movement and arithmetic: the register stack (TOP in FSW bits
// 11-13, a valid bit per register in the abridged tag word), loads and
// stores of 16/32/64-bit integers and 32/64/80-bit reals, the constants,
// FXCH, FFREE, FINCSTP/FDECSTP, add/subtract/multiply/divide (all forms),
// FCHS, FABS, FSQRT, FRNDINT, FSCALE, the compares (FCOM*, FUCOM*,
// FCOMI*, FTST, FXAM), FCMOVcc, FNSTENV/FLDENV and FNSAVE/FRSTOR.
//
// Deviation: registers hold 80-bit values, but arithmetic is done in
// float64 (53-bit significands), so results can differ from hardware in
// the last bits of extended precision; precision control is ignored. The
// transcendental instructions are in x87trans.go.

const (
	fswC0   = 1 << 8
	fswC1   = 1 << 9
	fswC2   = 1 << 10
	fswC3   = 1 << 14
	fswIE   = 1 << 0
	fswSF   = 1 << 6
	fswES   = 1 << 7
	fswTop  = 7 << 11
	fswCond = fswC0 | fswC1 | fswC2 | fswC3
)

func (f *x87) top() int       { return int(f.fsw>>11) & 7 }
func (f *x87) setTop(t int)   { f.fsw = f.fsw&^fswTop | uint16(t&7)<<11 }
func (f *x87) phys(i int) int { return (f.top() + i) & 7 }

// push makes room on the stack and stores v (80-bit) in the new ST(0).
func (f *x87) push(v [10]byte) {
	t := (f.top() - 1) & 7
	if f.ftw&(1<<t) != 0 {
		f.fsw |= fswIE | fswSF | fswC1 // stack overflow: masked, indefinite
		v = indefinite80
	}
	f.setTop(t)
	copy(f.st[t][:10], v[:])
	f.ftw |= 1 << t
}

func (f *x87) pop() {
	t := f.top()
	f.ftw &^= 1 << t
	f.setTop(t + 1)
}

// get reads ST(i) as 80 bits; an empty register is a stack underflow and
// reads as the indefinite NaN.
func (f *x87) get(i int) [10]byte {
	p := f.phys(i)
	if f.ftw&(1<<p) == 0 {
		f.fsw |= fswIE | fswSF
		f.fsw &^= fswC1
		return indefinite80
	}
	var v [10]byte
	copy(v[:], f.st[p][:10])
	return v
}

func (f *x87) set(i int, v [10]byte) {
	p := f.phys(i)
	copy(f.st[p][:10], v[:])
	f.ftw |= 1 << p
}

func (f *x87) getF(i int) float64    { return from80(f.get(i)) }
func (f *x87) setF(i int, x float64) { f.set(i, to80(x)) }

// indefinite80 is the x87's default NaN.
var indefinite80 = [10]byte{0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0xff}

// to80 converts a float64 to the 80-bit extended format exactly.
func to80(x float64) [10]byte {
	b := math.Float64bits(x)
	sign := uint16(b>>63) << 15
	exp := int(b>>52) & 0x7ff
	frac := b & (1<<52 - 1)
	var mant uint64
	var e uint16
	switch {
	case exp == 0x7ff:
		e, mant = 0x7fff, 1<<63|frac<<11
	case exp == 0 && frac == 0:
	case exp == 0: // denormal: normalise
		shift := bits.LeadingZeros64(frac) - 11
		mant = frac << (11 + shift)
		e = uint16(1 - 1023 + 16383 - shift)
	default:
		e, mant = uint16(exp-1023+16383), 1<<63|frac<<11
	}
	var v [10]byte
	binary.LittleEndian.PutUint64(v[:], mant)
	binary.LittleEndian.PutUint16(v[8:], sign|e)
	return v
}

// from80 converts an 80-bit value to the nearest float64.
func from80(v [10]byte) float64 {
	mant := binary.LittleEndian.Uint64(v[:])
	se := binary.LittleEndian.Uint16(v[8:])
	neg := se&0x8000 != 0
	e := int(se & 0x7fff)
	var x float64
	switch {
	case e == 0x7fff:
		if mant<<1 == 0 {
			x = math.Inf(1)
		} else {
			x = math.Float64frombits(0x7ff8000000000000 | (mant<<1)>>12)
		}
	case mant == 0:
		x = 0
	default:
		// Ldexp rounds the 64-bit significand to nearest.
		x = math.Ldexp(float64(mant), e-16383-63)
	}
	if neg {
		x = -x
	}
	return x
}

// int80 converts an integer to 80 bits exactly.
func int80(n int64) [10]byte {
	var v [10]byte
	if n == 0 {
		return v
	}
	sign := uint16(0)
	u := uint64(n)
	if n < 0 {
		sign, u = 0x8000, uint64(-n)
	}
	shift := bits.LeadingZeros64(u)
	binary.LittleEndian.PutUint64(v[:], u<<shift)
	binary.LittleEndian.PutUint16(v[8:], sign|uint16(16383+63-shift))
	return v
}

func init() {
	x := func(h handler, ops ...x86asm.Op) { register(fpuOp(h), ops...) }
	register(buildFLD, x86asm.FLD)
	register(buildFST(false), x86asm.FST)
	register(buildFST(true), x86asm.FSTP)
	x(opFILD, x86asm.FILD)
	x(opFIST(false), x86asm.FIST)
	x(opFIST(true), x86asm.FISTP)
	for op, c := range map[x86asm.Op]float64{x86asm.FLDZ: 0, x86asm.FLD1: 1, x86asm.FLDPI: math.Pi,
		x86asm.FLDL2E: math.Log2E, x86asm.FLDL2T: math.Log2(10), x86asm.FLDLG2: math.Log10(2), x86asm.FLDLN2: math.Ln2} {
		v := to80(c)
		x(func(c *CPU, in *insn) { c.fpu.push(v) }, op)
	}
	x(opFXCH, x86asm.FXCH)
	x(func(c *CPU, in *insn) { c.fpu.ftw &^= 1 << c.fpu.phys(int(in.r[0])) }, x86asm.FFREE)
	x(func(c *CPU, in *insn) { c.fpu.ftw &^= 1 << c.fpu.phys(int(in.r[0])); c.fpu.pop() }, x86asm.FFREEP)
	x(func(c *CPU, in *insn) { c.fpu.setTop(c.fpu.top() + 1) }, x86asm.FINCSTP)
	x(func(c *CPU, in *insn) { c.fpu.setTop(c.fpu.top() - 1) }, x86asm.FDECSTP)
	x(opNop, x86asm.FNOP)
	for op, a := range map[x86asm.Op]struct {
		kind       uint8
		pop, integ bool
	}{
		x86asm.FADD: {fpAdd, false, false}, x86asm.FADDP: {fpAdd, true, false}, x86asm.FIADD: {fpAdd, false, true},
		x86asm.FSUB: {fpSub, false, false}, x86asm.FSUBP: {fpSub, true, false}, x86asm.FISUB: {fpSub, false, true},
		x86asm.FMUL: {fpMul, false, false}, x86asm.FMULP: {fpMul, true, false}, x86asm.FIMUL: {fpMul, false, true},
		x86asm.FDIV: {fpDiv, false, false}, x86asm.FDIVP: {fpDiv, true, false}, x86asm.FIDIV: {fpDiv, false, true},
		x86asm.FSUBR: {fpSub | 0x80, false, false}, x86asm.FSUBRP: {fpSub | 0x80, true, false}, x86asm.FISUBR: {fpSub | 0x80, false, true},
		x86asm.FDIVR: {fpDiv | 0x80, false, false}, x86asm.FDIVRP: {fpDiv | 0x80, true, false}, x86asm.FIDIVR: {fpDiv | 0x80, false, true},
	} {
		register(buildFArith(a.kind, a.pop, a.integ), op)
	}
	x(func(c *CPU, in *insn) { c.fpu.set(0, negate80(c.fpu.get(0))) }, x86asm.FCHS)
	x(func(c *CPU, in *insn) { v := c.fpu.get(0); v[9] &^= 0x80; c.fpu.set(0, v) }, x86asm.FABS)
	x(func(c *CPU, in *insn) { c.fpu.setF(0, math.Sqrt(c.fpu.getF(0))) }, x86asm.FSQRT)
	x(func(c *CPU, in *insn) { c.fpu.setF(0, c.roundX87(c.fpu.getF(0))) }, x86asm.FRNDINT)
	x(func(c *CPU, in *insn) {
		c.fpu.setF(0, math.Ldexp(c.fpu.getF(0), int(math.Trunc(max(min(c.fpu.getF(1), 1e5), -1e5)))))
	}, x86asm.FSCALE)
	register(buildFCOM, x86asm.FCOM, x86asm.FCOMP, x86asm.FCOMPP, x86asm.FUCOM, x86asm.FUCOMP, x86asm.FUCOMPP,
		x86asm.FICOM, x86asm.FICOMP, x86asm.FCOMI, x86asm.FCOMIP, x86asm.FUCOMI, x86asm.FUCOMIP, x86asm.FTST)
	x(opFXAM, x86asm.FXAM)
	register(buildFCMOV, x86asm.FCMOVB, x86asm.FCMOVE, x86asm.FCMOVBE, x86asm.FCMOVU,
		x86asm.FCMOVNB, x86asm.FCMOVNE, x86asm.FCMOVNBE, x86asm.FCMOVNU)
	x(opFNSTENV, x86asm.FNSTENV)
	x(opFLDENV, x86asm.FLDENV)
	x(opFNSAVE, x86asm.FNSAVE)
	x(opFRSTOR, x86asm.FRSTOR)
}

func negate80(v [10]byte) [10]byte { v[9] ^= 0x80; return v }

// modrmReg is the ModRM reg field of an x87 memory instruction (which
// tells m80 forms apart: FLD /5 and FSTP /7 of opcode DB).
func modrmReg(inst *x86asm.Inst) uint8 { return uint8(inst.Opcode>>19) & 7 }

func buildFLD(in *insn, inst *x86asm.Inst) handler {
	if in.k[0] == kST {
		return wrapFPU(func(c *CPU, in *insn) { c.fpu.push(c.fpu.get(int(in.r[0]))) })
	}
	if inst.Opcode>>24 == 0xdb && modrmReg(inst) == 5 {
		in.ssize = 10
	} else {
		in.ssize = uint8(inst.MemBytes)
	}
	return wrapFPU(func(c *CPU, in *insn) { c.fpu.push(c.loadReal(in)) })
}

// loadReal reads a 32-, 64- or 80-bit real operand as 80 bits.
func (c *CPU) loadReal(in *insn) [10]byte {
	addr := c.ea(in)
	switch in.ssize {
	case 4:
		return to80(float64(math.Float32frombits(c.read32(addr))))
	case 8:
		return to80(math.Float64frombits(c.read64(addr)))
	}
	var v [10]byte
	c.readBytes(addr, v[:])
	return v
}

func buildFST(pop bool) builder {
	return func(in *insn, inst *x86asm.Inst) handler {
		if in.k[0] == kST {
			return wrapFPU(func(c *CPU, in *insn) {
				c.fpu.set(int(in.r[0]), c.fpu.get(0))
				if pop {
					c.fpu.pop()
				}
			})
		}
		if inst.Opcode>>24 == 0xdb && modrmReg(inst) == 7 {
			in.ssize = 10
		} else {
			in.ssize = uint8(inst.MemBytes)
		}
		return wrapFPU(func(c *CPU, in *insn) {
			v := c.fpu.get(0)
			addr := c.ea(in)
			switch in.ssize {
			case 4:
				c.write32(addr, math.Float32bits(float32(from80(v))))
			case 8:
				c.write64(addr, math.Float64bits(from80(v)))
			default:
				c.writeBytes(addr, v[:])
			}
			if pop {
				c.fpu.pop()
			}
		})
	}
}

func wrapFPU(h handler) handler {
	return func(c *CPU, in *insn) {
		if c.cr0&(cr0EM|cr0TS) != 0 {
			c.raise(vecNM, 0)
		}
		h(c, in)
	}
}

func opFILD(c *CPU, in *insn) {
	size := in.size
	c.fpu.push(int80(signExtend(c.readN(c.ea(in), size), size)))
}

// roundX87 rounds by FCW's rounding control.
func (c *CPU) roundX87(x float64) float64 {
	switch (c.fpu.fcw >> 10) & 3 {
	case 1:
		return math.Floor(x)
	case 2:
		return math.Ceil(x)
	case 3:
		return math.Trunc(x)
	}
	return math.RoundToEven(x)
}

func opFIST(pop bool) handler {
	return func(c *CPU, in *insn) {
		v, ok := c.int80(c.fpu.get(0), in.size)
		if !ok {
			c.fpu.fsw |= fswIE // invalid: masked, the indefinite integer
		}
		c.writeN(c.ea(in), in.size, v)
		if pop {
			c.fpu.pop()
		}
	}
}

// int80 rounds an 80-bit value to a size-byte integer by FCW's rounding
// control, exactly (from the 64-bit significand); false for NaNs and
// values out of range, which give the indefinite integer.
func (c *CPU) int80(v [10]byte, size uint8) (uint64, bool) {
	indefinite := uint64(1) << (8*uint(size) - 1)
	mant := binary.LittleEndian.Uint64(v[:])
	se := binary.LittleEndian.Uint16(v[8:])
	neg := se&0x8000 != 0
	e := int(se&0x7fff) - 16383 // value = mant * 2^(e-63)
	if se&0x7fff == 0x7fff {
		return indefinite, false
	}
	if mant == 0 || e < -2 {
		// |value| < 0.25 (or zero): rounds to 0, or to ±1 toward ±inf.
		switch rc := (c.fpu.fcw >> 10) & 3; {
		case mant != 0 && rc == 1 && neg:
			return uint64(^uint64(0)) & sizeMask[size], true
		case mant != 0 && rc == 2 && !neg:
			return 1, true
		}
		return 0, true
	}
	if e > 63 {
		return indefinite, false
	}
	// Integer part and the fraction bits below it.
	shift := uint(63 - e)
	var ip, frac uint64
	var half, rest bool
	if shift >= 64 {
		ip, frac = 0, mant
		half, rest = shift == 64 && mant>>63 != 0, shift > 64 || mant<<1 != 0
		if shift > 64 {
			half = false
		}
	} else {
		ip = mant >> shift
		frac = mant << (64 - shift)
		if shift == 0 {
			frac = 0
		}
		half, rest = frac>>63 != 0, frac<<1 != 0
	}
	inexact := half || rest
	switch (c.fpu.fcw >> 10) & 3 {
	case 0: // nearest, ties to even
		if half && (rest || ip&1 != 0) {
			ip++
		}
	case 1: // down
		if neg && inexact {
			ip++
		}
	case 2: // up
		if !neg && inexact {
			ip++
		}
	}
	limit := indefinite
	if neg {
		if ip > limit {
			return indefinite, false
		}
		return -ip & sizeMask[size], true
	}
	if ip >= limit {
		return indefinite, false
	}
	return ip, true
}

func opFXCH(c *CPU, in *insn) {
	i := int(in.r[0])
	if in.k[0] == kNone {
		i = 1
	}
	a, b := c.fpu.get(0), c.fpu.get(i)
	c.fpu.set(0, b)
	c.fpu.set(i, a)
}
