package interp

import (
	"golang.org/x/arch/x86/x86asm"
)

// Far control transfers: JMP FAR, CALL FAR, RET FAR (a kernel's way to
// reload CS) and IRET, in real, protected, compatibility and 64-bit mode.
// Call gates and task switches are not emulated (#GP, logged).

func init() {
	register(branching(buildFar(false)), x86asm.LJMP)
	register(branching(buildFar(true)), x86asm.LCALL)
	register(branching(buildLRET), x86asm.LRET)
	register(branching(buildIRET), x86asm.IRET, x86asm.IRETD, x86asm.IRETQ)
}

func buildFar(call bool) builder {
	return func(in *insn, inst *x86asm.Inst) handler {
		in.size = uint8(inst.DataSize / 8)
		if call {
			in.cond = 1
		}
		switch {
		case in.k[0] == kImm && in.k[1] == kImm:
			// ptr16:16/32: imm is the selector, imm2 the offset.
			return opFarPtr
		case in.k[0] == kMem:
			return opFarMem
		}
		return nil
	}
}

func opFarPtr(c *CPU, in *insn) {
	c.farTransfer(in, uint16(in.imm), in.imm2&sizeMask[in.size])
}

// opFarMem reads a far pointer m16:16, m16:32 or m16:64: the offset, then
// the selector.
func opFarMem(c *CPU, in *insn) {
	addr := c.ea(in)
	off := c.readN(addr, in.size)
	sel := uint16(c.readN(addr+uint64(in.size), 2))
	c.farTransfer(in, sel, off)
}

// farTransfer jumps (or calls, in.cond = 1) to sel:off.
func (c *CPU) farTransfer(in *insn, sel uint16, off uint64) {
	call := in.cond == 1
	if c.cr0&cr0PE == 0 || c.rflags&flagVM != 0 {
		if call {
			c.push(uint64(c.seg[segCS].sel), in.size)
			c.push(in.next, in.size)
		}
		c.loadRealSeg(segCS, sel)
		c.rip = off & sizeMask[in.size]
		c.modeChanged()
		return
	}
	cs := c.codeSegmentFor(sel, false)
	if call {
		// Push onto the current stack first (it may fault), then switch.
		oldCS := uint64(c.seg[segCS].sel)
		sp := c.regs[4] - 2*uint64(in.size)
		c.writeN(c.stackLin(sp+uint64(in.size)), in.size, oldCS)
		c.writeN(c.stackLin(sp), in.size, in.next)
		c.setSP(sp)
	}
	c.setCS(cs, c.cpl)
	if c.mode != 64 {
		off &= 0xffffffff
		if !cs.db {
			off &= 0xffff
		}
	}
	c.rip = off
}

func buildLRET(in *insn, inst *x86asm.Inst) handler {
	in.size = uint8(inst.DataSize / 8)
	if in.k[0] == kImm {
		in.imm &= 0xffff
	} else {
		in.imm = 0
	}
	return opLRET
}

// opLRET pops the offset and selector (and, returning to an outer
// privilege level, the caller's stack pointer and SS).
func opLRET(c *CPU, in *insn) {
	size := uint64(in.size)
	sp := c.regs[4]
	off := c.readN(c.stackLin(sp), in.size)
	sel := uint16(c.readN(c.stackLin(sp+size), in.size))
	sp += 2*size + in.imm
	if c.cr0&cr0PE == 0 || c.rflags&flagVM != 0 {
		c.loadRealSeg(segCS, sel)
		c.setSP(sp)
		c.rip = off & sizeMask[in.size]
		c.modeChanged()
		return
	}
	cs := c.codeSegmentFor(sel, true)
	rpl := uint8(sel & 3)
	if rpl > c.cpl {
		newSP := c.readN(c.stackLin(sp), in.size)
		ssSel := uint16(c.readN(c.stackLin(sp+size), in.size))
		ss := c.outerStack(ssSel, rpl, cs)
		c.setCS(cs, rpl)
		c.seg[segSS] = ss
		c.modeChanged()
		c.setSP(newSP + in.imm)
		c.nullOuterDataSegs()
	} else {
		c.setCS(cs, c.cpl)
		c.setSP(sp)
	}
	if c.mode != 64 {
		off &= 0xffffffff
	}
	c.rip = off
}

// outerStack checks the SS a return to privilege rpl pops; in long mode a
// null SS is allowed when returning to a 64-bit CPL 0-2 segment.
func (c *CPU) outerStack(sel uint16, rpl uint8, cs segment) segment {
	if sel&^3 == 0 && c.efer&eferLMA != 0 && cs.l && rpl < 3 {
		return segment{sel: sel, unusable: true, dpl: rpl}
	}
	return c.stackSegmentFor(sel, rpl, vecGP)
}

func buildIRET(in *insn, inst *x86asm.Inst) handler {
	in.size = uint8(inst.DataSize / 8)
	return opIRET
}

// opIRET returns from an interrupt. In 64-bit mode it always pops
// SS:RSP; in protected and compatibility mode only when returning to an
// outer privilege level.
func opIRET(c *CPU, in *insn) {
	size := uint64(in.size)
	sp := c.regs[4]
	rd := func(i uint64) uint64 { return c.readN(c.stackLin(sp+i*size), in.size) }
	ip, sel, fl := rd(0), uint16(rd(1)), rd(2)
	if c.cr0&cr0PE == 0 {
		c.loadRealSeg(segCS, sel)
		c.setSP(sp + 3*size)
		c.rip = ip & sizeMask[in.size]
		c.writeFlags(fl, in.size)
		c.modeChanged()
		return
	}
	if c.rflags&flagNT != 0 && c.efer&eferLMA == 0 {
		c.logf("interp: IRET with NT set: task switches are not emulated")
		c.raise(vecGP, 0)
	}
	rpl := uint8(sel & 3)
	if rpl < c.cpl {
		c.raise(vecGP, uint32(sel&^3))
	}
	cs := c.codeSegmentFor(sel, true)
	popStack := c.mode == 64 || rpl > c.cpl
	var newSP uint64
	var ss segment
	if popStack {
		newSP = rd(3)
		ssSel := uint16(rd(4))
		ss = c.outerStack(ssSel, rpl, cs)
	}
	oldCPL := c.cpl
	// Flags are written under the old privilege level's rules.
	c.writeFlags(fl, in.size)
	c.setCS(cs, rpl)
	if popStack {
		c.seg[segSS] = ss
		c.modeChanged()
		if c.mode == 64 || ss.db {
			c.regs[4] = newSP & sizeMask[max(in.size, 4)]
			if in.size == 8 {
				c.regs[4] = newSP
			}
		} else {
			c.regs[4] = c.regs[4]&^0xffff | newSP&0xffff
		}
	} else {
		c.setSP(sp + 3*size)
	}
	if c.mode != 64 {
		ip &= 0xffffffff
		if !cs.db {
			ip &= 0xffff
		}
	}
	c.rip = ip
	if rpl > oldCPL {
		c.nullOuterDataSegs()
	}
}
