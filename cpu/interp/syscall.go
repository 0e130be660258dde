package interp

import (
	"golang.org/x/arch/x86/x86asm"
)

// SYSCALL and SYSRET, as AMD defines them (the CPU's vendor): the code and
// stack segments come from STAR as fixed flat descriptors, not from the
// GDT. SYSENTER/SYSEXIT are not offered (CPUID SEP is clear) and raise
// #UD.

func init() {
	register(branching(fixed(opSYSCALL)), x86asm.SYSCALL)
	register(branching(fixed(opSYSRET)), x86asm.SYSRET)
	register(branching(fixed(opInvalid)), x86asm.SYSENTER, x86asm.SYSEXIT)
}

// flatCode and flatData are the descriptors SYSCALL and SYSRET load.
func flatCode(sel uint16, dpl uint8, long bool) segment {
	return segment{sel: sel, limit: 0xffffffff, typ: 0xb, s: true, dpl: dpl, present: true,
		l: long, db: !long, g: true}
}

func flatData(sel uint16, dpl uint8) segment {
	return segment{sel: sel, limit: 0xffffffff, typ: 0x3, s: true, dpl: dpl, present: true, db: true, g: true}
}

func opSYSCALL(c *CPU, in *insn) {
	if c.efer&eferSCE == 0 {
		c.raise(vecUD, 0)
	}
	sel := uint16(c.msr.star >> 32)
	if c.efer&eferLMA != 0 {
		c.regs[1] = in.next
		c.regs[11] = c.flags() &^ flagRF
		target := c.msr.lstar
		if c.mode != 64 {
			target = c.msr.cstar
		}
		c.seg[segCS] = flatCode(sel&^3, 0, true)
		c.seg[segSS] = flatData((sel+8)&^3, 0)
		c.cpl = 0
		c.materialize()
		c.rflags &^= c.msr.sfmask | flagRF
		c.rip = target
	} else {
		// Legacy-mode SYSCALL: EIP from STAR[31:0].
		c.regs[1] = in.next & 0xffffffff
		c.seg[segCS] = flatCode(sel&^3, 0, false)
		c.seg[segSS] = flatData((sel+8)&^3, 0)
		c.cpl = 0
		c.rflags &^= flagIF | flagVM | flagRF
		c.rip = c.msr.star & 0xffffffff
	}
	c.modeChanged()
	c.updateAttn()
}

// SYSRET returns to CPL 3: to 64-bit code (REX.W, CS = STAR[63:48]+16) at
// RCX, or to compatibility mode (CS = STAR[63:48]) at ECX; RFLAGS from
// R11.
func opSYSRET(c *CPU, in *insn) {
	if c.efer&eferSCE == 0 {
		c.raise(vecUD, 0)
	}
	c.requireCPL0()
	if c.efer&eferLMA == 0 {
		c.raise(vecUD, 0)
	}
	sel := uint16(c.msr.star >> 48)
	if in.size == 8 {
		if !canonical(c.regs[1]) {
			c.raise(vecGP, 0)
		}
		c.seg[segCS] = flatCode((sel+16)|3, 3, true)
		c.rip = c.regs[1]
	} else {
		c.seg[segCS] = flatCode(sel|3, 3, false)
		c.rip = c.regs[1] & 0xffffffff
	}
	c.seg[segSS] = flatData((sel+8)|3, 3)
	c.cpl = 3
	c.materialize()
	c.rflags = c.regs[11]&flagsSettable&^flagRF | flagsFixed1
	c.modeChanged()
	c.updateAttn()
}
