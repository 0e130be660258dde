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
// the last bits of extended precision; precision control is ignored and
// the transcendental instructions (FSIN, FPTAN, F2XM1, ...) raise #UD.

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

// buildFArith: ST(0) op= m32/m64/m16int/m32int, or ST(i) op= ST(0) /
// ST(0) op= ST(i); kind bit 7 reverses the operands.
func buildFArith(kind uint8, pop, integ bool) builder {
	return func(in *insn, inst *x86asm.Inst) handler {
		rev := kind&0x80 != 0
		op := kind & 0x7f
		calc := func(a, b float64) float64 {
			if rev {
				a, b = b, a
			}
			return fp64(op, a, b)
		}
		switch {
		case in.k[0] == kMem:
			in.ssize = uint8(inst.MemBytes)
			return wrapFPU(func(c *CPU, in *insn) {
				var b float64
				if integ {
					b = float64(signExtend(c.readN(c.ea(in), in.ssize), in.ssize))
				} else {
					b = from80(c.loadReal(in))
				}
				c.fpu.setF(0, calc(c.fpu.getF(0), b))
			})
		case in.k[0] == kST && in.k[1] == kST:
			dst, src := int(in.r[0]), int(in.r[1])
			return wrapFPU(func(c *CPU, in *insn) {
				c.fpu.setF(dst, calc(c.fpu.getF(dst), c.fpu.getF(src)))
				if pop {
					c.fpu.pop()
				}
			})
		case in.k[0] == kNone && pop: // FADDP with no operands: ST(1), ST(0)
			return wrapFPU(func(c *CPU, in *insn) {
				c.fpu.setF(1, calc(c.fpu.getF(1), c.fpu.getF(0)))
				c.fpu.pop()
			})
		}
		return nil
	}
}

// buildFCOM handles every compare: FCOM/FUCOM/FICOM set C0 C2 C3 in FSW,
// FCOMI/FUCOMI set ZF PF CF; the P forms pop once, FCOMPP twice.
func buildFCOM(in *insn, inst *x86asm.Inst) handler {
	op := inst.Op
	pops := 0
	switch op {
	case x86asm.FCOMP, x86asm.FUCOMP, x86asm.FICOMP, x86asm.FCOMIP, x86asm.FUCOMIP:
		pops = 1
	case x86asm.FCOMPP, x86asm.FUCOMPP:
		pops = 2
	}
	eflags := op == x86asm.FCOMI || op == x86asm.FCOMIP || op == x86asm.FUCOMI || op == x86asm.FUCOMIP
	integ := op == x86asm.FICOM || op == x86asm.FICOMP
	tst := op == x86asm.FTST
	src := 1
	switch {
	case in.k[0] == kST && in.k[1] == kST:
		src = int(in.r[1])
	case in.k[0] == kST:
		src = int(in.r[0])
	case in.k[0] == kMem:
		in.ssize = uint8(inst.MemBytes)
		src = -1
	}
	return wrapFPU(func(c *CPU, in *insn) {
		a := c.fpu.getF(0)
		var b float64
		switch {
		case tst:
			b = 0
		case src >= 0:
			b = c.fpu.getF(src)
		case integ:
			b = float64(signExtend(c.readN(c.ea(in), in.ssize), in.ssize))
		default:
			b = from80(c.loadReal(in))
		}
		var c0, c2, c3 bool
		switch {
		case a != a || b != b:
			c0, c2, c3 = true, true, true
		case a < b:
			c0 = true
		case a == b:
			c3 = true
		}
		if eflags {
			var f uint64
			if c0 {
				f |= flagCF
			}
			if c2 {
				f |= flagPF
			}
			if c3 {
				f |= flagZF
			}
			c.setStatus(f)
		} else {
			fsw := c.fpu.fsw &^ fswCond
			if c0 {
				fsw |= fswC0
			}
			if c2 {
				fsw |= fswC2
			}
			if c3 {
				fsw |= fswC3
			}
			c.fpu.fsw = fsw
		}
		for i := 0; i < pops; i++ {
			c.fpu.pop()
		}
	})
}

// FXAM classifies ST(0) into C3 C2 C0 (and its sign into C1).
func opFXAM(c *CPU, in *insn) {
	f := &c.fpu
	p := f.phys(0)
	v := f.st[p]
	se := binary.LittleEndian.Uint16(v[8:])
	mant := binary.LittleEndian.Uint64(v[:])
	e := se & 0x7fff
	var c0, c2, c3 bool
	switch {
	case f.ftw&(1<<p) == 0:
		c0, c3 = true, true // empty
	case e == 0x7fff && mant<<1 == 0:
		c0, c2 = true, true // infinity
	case e == 0x7fff:
		c0 = true // NaN
	case e == 0 && mant == 0:
		c3 = true // zero
	case e == 0:
		c2, c3 = true, true // denormal
	default:
		c2 = true // normal
	}
	fsw := f.fsw &^ fswCond
	if c0 {
		fsw |= fswC0
	}
	if c2 {
		fsw |= fswC2
	}
	if c3 {
		fsw |= fswC3
	}
	if se&0x8000 != 0 {
		fsw |= fswC1
	}
	f.fsw = fsw
}

func buildFCMOV(in *insn, inst *x86asm.Inst) handler {
	var cc uint8
	switch inst.Op {
	case x86asm.FCMOVB:
		cc = ccB
	case x86asm.FCMOVE:
		cc = ccE
	case x86asm.FCMOVBE:
		cc = ccBE
	case x86asm.FCMOVU:
		cc = ccP
	case x86asm.FCMOVNB:
		cc = ccAE
	case x86asm.FCMOVNE:
		cc = ccNE
	case x86asm.FCMOVNBE:
		cc = ccA
	default:
		cc = ccNP
	}
	src := int(in.r[1])
	return wrapFPU(func(c *CPU, in *insn) {
		if c.cond(cc) {
			c.fpu.set(0, c.fpu.get(src))
		}
	})
}

// fullTag expands the abridged tag word to the 16-bit one (valid
// registers classified as valid/zero/special).
func (f *x87) fullTag() uint16 {
	var t uint16
	for i := 0; i < 8; i++ {
		tag := uint16(3) // empty
		if f.ftw&(1<<i) != 0 {
			e := binary.LittleEndian.Uint16(f.st[i][8:]) & 0x7fff
			m := binary.LittleEndian.Uint64(f.st[i][:])
			switch {
			case e == 0 && m == 0:
				tag = 1
			case e == 0x7fff || e == 0 || m>>63 == 0:
				tag = 2
			default:
				tag = 0
			}
		}
		t |= tag << (2 * i)
	}
	return t
}

// FNSTENV stores the 28-byte (32-bit operand) environment and masks all
// exceptions; FLDENV loads it.
func (c *CPU) storeEnv(addr uint64) {
	f := &c.fpu
	var env [28]byte
	binary.LittleEndian.PutUint16(env[0:], f.fcw)
	binary.LittleEndian.PutUint16(env[4:], f.fsw)
	binary.LittleEndian.PutUint16(env[8:], f.fullTag())
	binary.LittleEndian.PutUint32(env[12:], uint32(f.fip))
	binary.LittleEndian.PutUint32(env[20:], uint32(f.fdp))
	c.writeBytes(addr, env[:])
}

func (c *CPU) loadEnv(addr uint64) {
	var env [28]byte
	c.readBytes(addr, env[:])
	f := &c.fpu
	f.fcw = binary.LittleEndian.Uint16(env[0:])
	f.fsw = binary.LittleEndian.Uint16(env[4:])
	tag := binary.LittleEndian.Uint16(env[8:])
	f.ftw = 0
	for i := 0; i < 8; i++ {
		if tag>>(2*i)&3 != 3 {
			f.ftw |= 1 << i
		}
	}
}

func opFNSTENV(c *CPU, in *insn) {
	c.storeEnv(c.ea(in))
	c.fpu.fcw |= 0x3f
}

func opFLDENV(c *CPU, in *insn) { c.loadEnv(c.ea(in)) }

// FNSAVE stores the environment and the eight registers (ST(0) first)
// and reinitialises the FPU; FRSTOR loads them.
func opFNSAVE(c *CPU, in *insn) {
	addr := c.ea(in)
	var regs [80]byte
	for i := 0; i < 8; i++ {
		copy(regs[10*i:], c.fpu.st[c.fpu.phys(i)][:10])
	}
	c.checkRange(addr, 108, accWrite)
	c.storeEnv(addr)
	c.writeBytes(addr+28, regs[:])
	opFNINIT(c, in)
}

func opFRSTOR(c *CPU, in *insn) {
	addr := c.ea(in)
	var regs [80]byte
	c.readBytes(addr+28, regs[:])
	c.loadEnv(addr)
	for i := 0; i < 8; i++ {
		copy(c.fpu.st[c.fpu.phys(i)][:10], regs[10*i:])
	}
}
