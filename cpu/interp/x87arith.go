package interp

import (
	"encoding/binary"

	"golang.org/x/arch/x86/x86asm"
)

// x87 arithmetic, compares, FXAM, FCMOVcc and the environment and state
// save/restore instructions (see x87ops.go for the register stack).

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
