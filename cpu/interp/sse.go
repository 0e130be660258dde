package interp

import (
	"encoding/binary"

	"golang.org/x/arch/x86/x86asm"
)

// SSE state and moves: the XMM registers, MXCSR, FXSAVE/FXRSTOR (and the
// 64-bit forms), LDMXCSR/STMXCSR, and the data movement instructions
// (MOVD, MOVQ, MOVDQA/U, MOVAPS/UPS/APD/UPD, MOVSS, MOVSD, MOVLPS/HPS/
// LPD/HPD, MOVHLPS/LHPS, the non-temporal stores). SSE floating-point
// arithmetic is not implemented (see sseint.go for the integer SSE2).

// xmmReg is one XMM register, little-endian bytes.
type xmmReg [16]byte

const (
	mxcsrDefault = 0x1f80
	// mxcsrMask: every MXCSR bit but DAZ's neighbours above bit 15 is
	// writable (DAZ supported).
	mxcsrMask = 0xffff
)

func init() {
	register(buildFX(false), x86asm.FXSAVE)
	register(buildFX(true), x86asm.FXSAVE64)
	register(buildFXRSTOR(false), x86asm.FXRSTOR)
	register(buildFXRSTOR(true), x86asm.FXRSTOR64)
	register(sseOp(opLDMXCSR), x86asm.LDMXCSR)
	register(sseOp(opSTMXCSR), x86asm.STMXCSR)
	register(sseMove(16, true), x86asm.MOVDQA, x86asm.MOVAPS, x86asm.MOVAPD, x86asm.MOVNTDQ, x86asm.MOVNTPS, x86asm.MOVNTPD)
	register(sseMove(16, false), x86asm.MOVDQU, x86asm.MOVUPS, x86asm.MOVUPD)
	register(buildMOVDQ(4), x86asm.MOVD)
	register(buildMOVDQ(8), x86asm.MOVQ)
	register(buildScalarMove(4), x86asm.MOVSS)
	register(buildScalarMove(8), x86asm.MOVSD_XMM)
	register(buildHalfMove(false), x86asm.MOVLPS, x86asm.MOVLPD)
	register(buildHalfMove(true), x86asm.MOVHPS, x86asm.MOVHPD)
	register(sseOp(opMOVHLPS), x86asm.MOVHLPS)
	register(sseOp(opMOVLHPS), x86asm.MOVLHPS)
	register(fixed(opMOVNTI), x86asm.MOVNTI)
	register(fixed(opMOVQ2DQ), x86asm.MOVQ2DQ)
	register(fixed(opMOVDQ2Q), x86asm.MOVDQ2Q)
}

// sseCheck raises what an SSE instruction raises when SSE is off: #UD
// with CR0.EM or without CR4.OSFXSR, #NM with CR0.TS.
func (c *CPU) sseCheck() {
	if c.cr0&cr0EM != 0 || c.cr4&cr4OSFXSR == 0 {
		c.raise(vecUD, 0)
	}
	if c.cr0&cr0TS != 0 {
		c.raise(vecNM, 0)
	}
}

func sseOp(h handler) builder {
	return fixed(func(c *CPU, in *insn) {
		c.sseCheck()
		h(c, in)
	})
}

// loadVec reads a 16-byte memory operand (aligned or #GP).
func (c *CPU) loadVec(in *insn, aligned bool) xmmReg {
	addr := c.ea(in)
	if aligned && addr&15 != 0 {
		c.raise(vecGP, 0)
	}
	var v xmmReg
	if addr&pageMask <= pageSize-16 {
		lo, hi := c.read64(addr), c.read64(addr+8)
		binary.LittleEndian.PutUint64(v[:], lo)
		binary.LittleEndian.PutUint64(v[8:], hi)
		return v
	}
	c.readBytes(addr, v[:])
	return v
}

func (c *CPU) storeVec(in *insn, v *xmmReg, aligned bool) {
	addr := c.ea(in)
	if aligned && addr&15 != 0 {
		c.raise(vecGP, 0)
	}
	if addr&pageMask <= pageSize-16 {
		c.checkRange(addr, 16, accWrite)
		c.write64(addr, binary.LittleEndian.Uint64(v[:]))
		c.write64(addr+8, binary.LittleEndian.Uint64(v[8:]))
		return
	}
	c.writeBytes(addr, v[:])
}

func (r *xmmReg) lo() uint64     { return binary.LittleEndian.Uint64(r[:]) }
func (r *xmmReg) hi() uint64     { return binary.LittleEndian.Uint64(r[8:]) }
func (r *xmmReg) setLo(v uint64) { binary.LittleEndian.PutUint64(r[:], v) }
func (r *xmmReg) setHi(v uint64) { binary.LittleEndian.PutUint64(r[8:], v) }

func sseMove(n int, aligned bool) builder {
	return func(in *insn, inst *x86asm.Inst) handler {
		switch {
		case in.k[0] == kXMM && in.k[1] == kXMM:
			return func(c *CPU, in *insn) { c.sseCheck(); c.xmm[in.r[0]&15] = c.xmm[in.r[1]&15] }
		case in.k[0] == kXMM && in.k[1] == kMem:
			return func(c *CPU, in *insn) { c.sseCheck(); c.xmm[in.r[0]&15] = c.loadVec(in, aligned) }
		case in.k[0] == kMem && in.k[1] == kXMM:
			return func(c *CPU, in *insn) { c.sseCheck(); c.storeVec(in, &c.xmm[in.r[1]&15], aligned) }
		}
		return nil
	}
}

// buildMOVDQ handles MOVD (n = 4) and MOVQ (n = 8) in all their forms:
// between XMM or MMX registers and general registers, memory, or each
// other. Loads into an XMM register zero the rest of it.
func buildMOVDQ(n uint8) builder {
	return func(in *insn, inst *x86asm.Inst) handler {
		in.ssize = n
		a, b := in.k[0], in.k[1]
		if a == kReg || b == kReg {
			// The general register's size decides (REX.W MOVD is MOVQ).
			if a == kReg {
				_, _, in.ssize = regInfo(inst.Args[0].(x86asm.Reg))
			} else {
				_, _, in.ssize = regInfo(inst.Args[1].(x86asm.Reg))
			}
		}
		switch {
		case a == kXMM && b == kXMM:
			return opMovqXX
		case a == kXMM:
			return opMovdToXMM
		case b == kXMM:
			return opMovdFromXMM
		case a == kMMX && b == kMMX:
			return opMovqMM
		case a == kMMX:
			return opMovdToMMX
		case b == kMMX:
			return opMovdFromMMX
		}
		return nil
	}
}

// scalarSrc reads a MOVD/MOVQ source that is a general register or memory.
func (c *CPU) scalarSrc(in *insn, i int) uint64 {
	if in.k[i] == kReg {
		return c.getReg(in.r[i], in.ssize)
	}
	return c.readN(c.ea(in), in.ssize)
}

func (c *CPU) scalarDst(in *insn, v uint64) {
	if in.k[0] == kReg {
		c.setReg(in.r[0], in.ssize, v&sizeMask[in.ssize])
		return
	}
	c.writeN(c.ea(in), in.ssize, v)
}

func opMovqXX(c *CPU, in *insn) {
	c.sseCheck()
	v := c.xmm[in.r[1]&15].lo()
	d := &c.xmm[in.r[0]&15]
	d.setLo(v)
	d.setHi(0)
}

func opMovdToXMM(c *CPU, in *insn) {
	c.sseCheck()
	v := c.scalarSrc(in, 1)
	d := &c.xmm[in.r[0]&15]
	d.setLo(v & sizeMask[in.ssize])
	d.setHi(0)
}

func opMovdFromXMM(c *CPU, in *insn) {
	c.sseCheck()
	c.scalarDst(in, c.xmm[in.r[1]&15].lo()&sizeMask[in.ssize])
}

func opMovqMM(c *CPU, in *insn) {
	c.mmxEnter()
	c.setMMX(in.r[0], c.mmx(in.r[1]))
}

func opMovdToMMX(c *CPU, in *insn) {
	c.mmxEnter()
	c.setMMX(in.r[0], c.scalarSrc(in, 1)&sizeMask[in.ssize])
}

func opMovdFromMMX(c *CPU, in *insn) {
	c.mmxEnter()
	c.scalarDst(in, c.mmx(in.r[1])&sizeMask[in.ssize])
}

// buildScalarMove: MOVSS/MOVSD between registers merge the low lane; a load
// zeroes the rest; a store writes the low lane.
func buildScalarMove(n uint8) builder {
	return func(in *insn, inst *x86asm.Inst) handler {
		in.ssize = n
		switch {
		case in.k[0] == kXMM && in.k[1] == kXMM:
			return opScalarMoveXX
		case in.k[0] == kXMM && in.k[1] == kMem:
			return opScalarLoad
		case in.k[0] == kMem && in.k[1] == kXMM:
			return opScalarStore
		}
		return nil
	}
}

func opScalarMoveXX(c *CPU, in *insn) {
	c.sseCheck()
	d, s := &c.xmm[in.r[0]&15], &c.xmm[in.r[1]&15]
	copy(d[:in.ssize], s[:in.ssize])
}

func opScalarLoad(c *CPU, in *insn) {
	c.sseCheck()
	v := c.readN(c.ea(in), in.ssize)
	d := &c.xmm[in.r[0]&15]
	*d = xmmReg{}
	d.setLo(v)
}

func opScalarStore(c *CPU, in *insn) {
	c.sseCheck()
	c.writeN(c.ea(in), in.ssize, c.xmm[in.r[1]&15].lo()&sizeMask[in.ssize])
}

// buildHalfMove: MOVLPS/MOVLPD/MOVHPS/MOVHPD move 8 bytes between memory
// and one half of a register.
func buildHalfMove(high bool) builder {
	return func(in *insn, inst *x86asm.Inst) handler {
		if high {
			in.cond = 1
		}
		switch {
		case in.k[0] == kXMM && in.k[1] == kMem:
			return opHalfLoad
		case in.k[0] == kMem && in.k[1] == kXMM:
			return opHalfStore
		}
		return nil
	}
}

func opHalfLoad(c *CPU, in *insn) {
	c.sseCheck()
	v := c.read64(c.ea(in))
	if in.cond == 1 {
		c.xmm[in.r[0]&15].setHi(v)
	} else {
		c.xmm[in.r[0]&15].setLo(v)
	}
}

func opHalfStore(c *CPU, in *insn) {
	c.sseCheck()
	s := &c.xmm[in.r[1]&15]
	v := s.lo()
	if in.cond == 1 {
		v = s.hi()
	}
	c.write64(c.ea(in), v)
}

func opMOVHLPS(c *CPU, in *insn) { c.xmm[in.r[0]&15].setLo(c.xmm[in.r[1]&15].hi()) }
func opMOVLHPS(c *CPU, in *insn) { c.xmm[in.r[0]&15].setHi(c.xmm[in.r[1]&15].lo()) }

func opMOVNTI(c *CPU, in *insn) { c.writeN(c.ea(in), in.size, c.getReg(in.r[1], in.size)) }

func opMOVQ2DQ(c *CPU, in *insn) {
	c.sseCheck()
	c.mmxEnter()
	d := &c.xmm[in.r[0]&15]
	d.setLo(c.mmx(in.r[1]))
	d.setHi(0)
}

func opMOVDQ2Q(c *CPU, in *insn) {
	c.sseCheck()
	c.mmxEnter()
	c.setMMX(in.r[0], c.xmm[in.r[1]&15].lo())
}

func opLDMXCSR(c *CPU, in *insn) {
	v := c.read32(c.ea(in))
	if v&^mxcsrMask != 0 {
		c.raise(vecGP, 0)
	}
	c.mxcsr = v
}

func opSTMXCSR(c *CPU, in *insn) { c.write32(c.ea(in), c.mxcsr) }

func buildFX(wide bool) builder {
	return fixed(func(c *CPU, in *insn) {
		if c.cr0&(cr0EM|cr0TS) != 0 {
			c.raise(vecNM, 0)
		}
		addr := c.ea(in)
		if addr&15 != 0 {
			c.raise(vecGP, 0)
		}
		var img [512]byte
		c.fxsaveImage(img[:], wide)
		c.writeBytes(addr, img[:])
	})
}

// fxsaveImage fills a 512-byte FXSAVE image. Outside 64-bit mode only
// XMM0-7 are saved; without CR4.OSFXSR neither XMM nor MXCSR are.
func (c *CPU) fxsaveImage(img []byte, wide bool) {
	f := &c.fpu
	binary.LittleEndian.PutUint16(img[0:], f.fcw)
	binary.LittleEndian.PutUint16(img[2:], f.fsw)
	img[4] = f.ftw
	binary.LittleEndian.PutUint16(img[6:], f.fop)
	if wide {
		binary.LittleEndian.PutUint64(img[8:], f.fip)
		binary.LittleEndian.PutUint64(img[16:], f.fdp)
	} else {
		binary.LittleEndian.PutUint32(img[8:], uint32(f.fip))
		binary.LittleEndian.PutUint32(img[16:], uint32(f.fdp))
	}
	binary.LittleEndian.PutUint32(img[24:], c.mxcsr)
	binary.LittleEndian.PutUint32(img[28:], mxcsrMask)
	for i := range f.st {
		copy(img[32+16*i:32+16*i+10], f.st[i][:10])
	}
	n := 8
	if c.mode == 64 || wide {
		n = 16
	}
	for i := 0; i < n; i++ {
		copy(img[160+16*i:], c.xmm[i][:])
	}
}

func buildFXRSTOR(wide bool) builder {
	return fixed(func(c *CPU, in *insn) {
		if c.cr0&(cr0EM|cr0TS) != 0 {
			c.raise(vecNM, 0)
		}
		addr := c.ea(in)
		if addr&15 != 0 {
			c.raise(vecGP, 0)
		}
		var img [512]byte
		c.readBytes(addr, img[:])
		mx := binary.LittleEndian.Uint32(img[24:])
		if mx&^mxcsrMask != 0 {
			c.raise(vecGP, 0)
		}
		c.fxrstorImage(img[:], wide, c.cr4&cr4OSFXSR != 0)
	})
}

// fxrstorImage loads the x87/SSE state from a 512-byte FXSAVE image; sse
// says whether MXCSR and the XMM registers are loaded too.
func (c *CPU) fxrstorImage(img []byte, wide, sse bool) {
	f := &c.fpu
	f.fcw = binary.LittleEndian.Uint16(img[0:])
	f.fsw = binary.LittleEndian.Uint16(img[2:])
	f.ftw = img[4]
	f.fop = binary.LittleEndian.Uint16(img[6:])
	if wide {
		f.fip = binary.LittleEndian.Uint64(img[8:])
		f.fdp = binary.LittleEndian.Uint64(img[16:])
	} else {
		f.fip = uint64(binary.LittleEndian.Uint32(img[8:]))
		f.fdp = uint64(binary.LittleEndian.Uint32(img[16:]))
	}
	for i := range f.st {
		copy(f.st[i][:10], img[32+16*i:])
	}
	if !sse {
		return
	}
	c.mxcsr = binary.LittleEndian.Uint32(img[24:])
	n := 8
	if c.mode == 64 || wide {
		n = 16
	}
	for i := 0; i < n; i++ {
		copy(c.xmm[i][:], img[160+16*i:])
	}
}
