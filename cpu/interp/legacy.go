package interp

import (
	"golang.org/x/arch/x86/x86asm"
)

// Segment inspection (LAR, LSL, VERR, VERW), far-pointer loads (LDS, LES,
// LFS, LGS, LSS), and the 16/32-bit-only instructions: the BCD adjusts
// (AAA, AAS, DAA, DAS, AAM, AAD), ARPL, BOUND. ICEBP (INT1) raises #DB.

func init() {
	register(fixed(opLAR), x86asm.LAR)
	register(fixed(opLSL), x86asm.LSL)
	register(fixed(opVERR), x86asm.VERR)
	register(fixed(opVERW), x86asm.VERW)
	register(buildLoadFar(segDS), x86asm.LDS)
	register(buildLoadFar(segES), x86asm.LES)
	register(buildLoadFar(segFS), x86asm.LFS)
	register(buildLoadFar(segGS), x86asm.LGS)
	register(ending(buildLoadFar(segSS)), x86asm.LSS)
	register(fixed(opAAA), x86asm.AAA)
	register(fixed(opAAS), x86asm.AAS)
	register(fixed(opDAA), x86asm.DAA)
	register(fixed(opDAS), x86asm.DAS)
	register(fixed(opAAM), x86asm.AAM)
	register(fixed(opAAD), x86asm.AAD)
	register(fixed(opARPL), x86asm.ARPL)
	register(fixed(opBOUND), x86asm.BOUND)
	register(branching(fixed(opICEBP)), x86asm.ICEBP)
}

// inspect looks sel's descriptor up the way LAR/LSL/VERR/VERW do: null or
// out-of-table selectors, and descriptors the CPL and RPL may not see,
// give false (ZF = 0). system says which system descriptor types count.
func (c *CPU) inspect(sel uint16, system func(typ uint8) bool) (segment, uint64, bool) {
	if sel&^3 == 0 {
		return segment{}, 0, false
	}
	addr, ok := c.descriptorAddr(sel)
	if !ok {
		return segment{}, 0, false
	}
	lo := c.sysRead(addr, 8)
	s := parseDescriptor(sel, lo, 0)
	if !s.s && (system == nil || !system(s.typ)) {
		return segment{}, 0, false
	}
	conformingCode := s.s && s.typ&0xc == 0xc
	if !conformingCode && (s.dpl < c.cpl || s.dpl < uint8(sel&3)) {
		return segment{}, 0, false
	}
	return s, lo, true
}

func (c *CPU) selectorArg(in *insn) uint16 {
	if in.k[1] == kMem {
		return c.read16(c.ea(in))
	}
	if in.k[1] == kReg {
		return uint16(c.regs[in.r[1]&31])
	}
	if in.k[0] == kMem {
		return c.read16(c.ea(in))
	}
	return uint16(c.regs[in.r[0]&31])
}

func (c *CPU) requireProtected() {
	if c.cr0&cr0PE == 0 || c.rflags&flagVM != 0 {
		c.raise(vecUD, 0)
	}
}

func opLAR(c *CPU, in *insn) {
	c.requireProtected()
	long := c.efer&eferLMA != 0
	_, lo, ok := c.inspect(c.selectorArg(in), func(t uint8) bool {
		if long {
			return t == 2 || t == 9 || t == 11 || t == 12
		}
		return t != 0 && t != 8 && t != 10 && t < 13
	})
	c.setZF(ok)
	if ok {
		c.setReg(in.r[0], in.size, (lo>>32)&0x00f0ff00&sizeMask[in.size])
	}
}

func opLSL(c *CPU, in *insn) {
	c.requireProtected()
	long := c.efer&eferLMA != 0
	s, _, ok := c.inspect(c.selectorArg(in), func(t uint8) bool {
		if long {
			return t == 2 || t == 9 || t == 11
		}
		return t == 1 || t == 2 || t == 3 || t == 9 || t == 11
	})
	c.setZF(ok)
	if ok {
		c.setReg(in.r[0], in.size, uint64(s.limit)&sizeMask[in.size])
	}
}

func opVERR(c *CPU, in *insn) {
	c.requireProtected()
	s, _, ok := c.inspect(c.selectorArg(in), nil)
	readable := ok && (s.typ&8 == 0 || s.typ&2 != 0)
	c.setZF(readable)
}

func opVERW(c *CPU, in *insn) {
	c.requireProtected()
	s, _, ok := c.inspect(c.selectorArg(in), nil)
	c.setZF(ok && s.typ&8 == 0 && s.typ&2 != 0)
}

func buildLoadFar(seg int) builder {
	return func(in *insn, inst *x86asm.Inst) handler {
		if in.k[0] != kReg || in.k[1] != kMem {
			return nil
		}
		in.cond = uint8(seg)
		return opLoadFar
	}
}

// LDS/LES/LFS/LGS/LSS: the offset then the selector from memory; the
// segment is loaded (with its checks) before the register changes.
func opLoadFar(c *CPU, in *insn) {
	addr := c.ea(in)
	off := c.readN(addr, in.size)
	sel := uint16(c.readN(addr+uint64(in.size), 2))
	if in.cond == segSS {
		c.loadSS(sel)
		c.setShadow(in)
	} else {
		c.loadDataSeg(int(in.cond), sel)
	}
	c.setReg(in.r[0], in.size, off)
}

// The BCD adjustments operate on AL/AH; the flags the SDM leaves
// undefined are computed from AL as for the logical operations.

func (c *CPU) bcdFlags(al uint8, cf, af bool) {
	c.setLazy(lazyLogic, 1, uint64(al), 0, uint64(al))
	c.materialize()
	c.rflags &^= flagCF | flagAF
	if cf {
		c.rflags |= flagCF
	}
	if af {
		c.rflags |= flagAF
	}
}

func opAAA(c *CPU, in *insn) {
	ax := c.regs[0] & 0xffff
	adjust := ax&0xf > 9 || c.af() != 0
	if adjust {
		ax += 0x106
	}
	ax &^= 0xf0
	c.setReg(0, 2, ax)
	c.bcdFlags(uint8(ax), adjust, adjust)
}

func opAAS(c *CPU, in *insn) {
	ax := c.regs[0] & 0xffff
	adjust := ax&0xf > 9 || c.af() != 0
	if adjust {
		al := (ax - 6) & 0xff
		ah := ((ax >> 8) - 1) & 0xff
		ax = ah<<8 | al
	}
	ax &^= 0xf0
	c.setReg(0, 2, ax)
	c.bcdFlags(uint8(ax), adjust, adjust)
}

func opDAA(c *CPU, in *insn) {
	al := uint8(c.regs[0])
	oldAL, oldCF := al, c.cf() != 0
	cf, af := false, false
	if al&0xf > 9 || c.af() != 0 {
		cf = oldCF || al > 0xf9
		al += 6
		af = true
	}
	if oldAL > 0x99 || oldCF {
		al += 0x60
		cf = true
	}
	*c.reg8(0) = al
	c.bcdFlags(al, cf, af)
}

func opDAS(c *CPU, in *insn) {
	al := uint8(c.regs[0])
	oldAL, oldCF := al, c.cf() != 0
	cf, af := false, false
	if al&0xf > 9 || c.af() != 0 {
		cf = oldCF || al < 6
		al -= 6
		af = true
	}
	if oldAL > 0x99 || oldCF {
		al -= 0x60
		cf = true
	}
	*c.reg8(0) = al
	c.bcdFlags(al, cf, af)
}

func opAAM(c *CPU, in *insn) {
	base := uint8(in.imm)
	if base == 0 {
		c.raise(vecDE, 0)
	}
	al := uint8(c.regs[0])
	c.setReg(0, 2, uint64(al/base)<<8|uint64(al%base))
	c.bcdFlags(al%base, false, false)
}

func opAAD(c *CPU, in *insn) {
	al, ah := uint8(c.regs[0]), uint8(c.regs[0]>>8)
	r := al + ah*uint8(in.imm)
	c.setReg(0, 2, uint64(r))
	c.bcdFlags(r, false, false)
}

// ARPL raises the RPL of the destination selector to the source's.
func opARPL(c *CPU, in *insn) {
	c.requireProtected()
	src := uint16(c.regs[in.r[1]&31])
	var dst uint16
	if in.k[0] == kMem {
		dst = c.read16(c.ea(in))
	} else {
		dst = uint16(c.regs[in.r[0]&31])
	}
	if dst&3 < src&3 {
		dst = dst&^3 | src&3
		if in.k[0] == kMem {
			c.write16(c.ea(in), dst)
		} else {
			c.setReg(in.r[0], 2, uint64(dst))
		}
		c.setZF(true)
		return
	}
	c.setZF(false)
}

// BOUND raises #BR unless the register lies within the signed bounds in
// memory.
func opBOUND(c *CPU, in *insn) {
	addr := c.ea(in)
	v := signExtend(c.getReg(in.r[0], in.size), in.size)
	lo := signExtend(c.readN(addr, in.size), in.size)
	hi := signExtend(c.readN(addr+uint64(in.size), in.size), in.size)
	if v < lo || v > hi {
		c.raise(vecBR, 0)
	}
}

// ICEBP (INT1) delivers #DB as a trap.
func opICEBP(c *CPU, in *insn) {
	c.rip = in.next
	c.deliver(vecDB, evException, false, 0)
}
