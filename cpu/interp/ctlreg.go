package interp

import (
	"golang.org/x/arch/x86/x86asm"
)

// MOV to and from segment, control and debug registers, and the mode
// switches CR0 and CR4 writes cause.

func buildMovSeg(in *insn, inst *x86asm.Inst) handler {
	if in.k[0] == kSeg {
		if in.r[0] == segCS {
			return nil // MOV CS is #UD
		}
		in.flags |= fEndsBlock // segment bases (and the SS shadow) change
		return opMovToSeg
	}
	return opMovFromSeg
}

func opMovToSeg(c *CPU, in *insn) {
	var sel uint16
	if in.k[1] == kMem {
		sel = c.read16(c.ea(in))
	} else {
		sel = uint16(c.regs[in.r[1]&31])
	}
	if in.r[0] == segSS {
		c.loadSS(sel)
		c.setShadow(in)
		return
	}
	c.loadDataSeg(int(in.r[0]), sel)
}

// MOV from a segment register: 16 bits to memory; zero-extended to a
// 32/64-bit register.
func opMovFromSeg(c *CPU, in *insn) {
	sel := uint64(c.seg[in.r[1]&7].sel)
	if in.k[0] == kMem {
		c.write16(c.ea(in), uint16(sel))
		return
	}
	c.setReg(in.r[0], in.size, sel)
}

func buildMovCtl(in *insn, inst *x86asm.Inst) handler {
	// The general register is always 64-bit in 64-bit mode, 32-bit
	// otherwise.
	in.size = 4
	if inst.Mode == 64 {
		in.size = 8
	}
	switch {
	case in.k[0] == kCR:
		in.flags |= fEndsBlock
		return opMovToCR
	case in.k[1] == kCR:
		return opMovFromCR
	case in.k[0] == kDR:
		return opMovToDR
	case in.k[1] == kDR:
		return opMovFromDR
	}
	return nil
}

func opMovFromCR(c *CPU, in *insn) {
	c.requireCPL0()
	var v uint64
	switch in.r[1] {
	case 0:
		v = c.cr0
	case 2:
		v = c.cr2
	case 3:
		v = c.cr3
	case 4:
		v = c.cr4
	case 8:
		v = c.cr8
	default:
		c.raise(vecUD, 0)
	}
	c.setReg(in.r[0], in.size, v&sizeMask[in.size])
}

func opMovToCR(c *CPU, in *insn) {
	c.requireCPL0()
	v := c.getReg(in.r[1], in.size)
	switch in.r[0] {
	case 0:
		c.setCR0(v)
	case 2:
		c.cr2 = v
	case 3:
		c.setCR3(v)
	case 4:
		c.setCR4(v)
	case 8:
		if v > 15 {
			c.raise(vecGP, 0)
		}
		c.cr8 = v
	default:
		c.raise(vecUD, 0)
	}
}

// setCR0 writes CR0 with its architectural checks; enabling paging with
// EFER.LME set activates long mode.
func (c *CPU) setCR0(v uint64) {
	if v>>32 != 0 {
		c.raise(vecGP, 0)
	}
	v |= cr0ET
	if v&cr0PG != 0 && v&cr0PE == 0 || v&cr0NW != 0 && v&cr0CD == 0 {
		c.raise(vecGP, 0)
	}
	old := c.cr0
	if v&cr0PG != 0 && old&cr0PG == 0 && c.efer&eferLME != 0 {
		if c.cr4&cr4PAE == 0 || c.seg[segCS].l {
			c.raise(vecGP, 0)
		}
		c.efer |= eferLMA
	}
	if v&cr0PG == 0 && old&cr0PG != 0 && c.efer&eferLMA != 0 {
		if c.mode == 64 {
			c.raise(vecGP, 0) // paging can only go off from compatibility mode
		}
		c.efer &^= eferLMA
	}
	c.cr0 = v
	if (old^v)&(cr0PG|cr0WP|cr0PE) != 0 {
		c.flushTLB(false)
	}
	c.modeChanged()
}

func (c *CPU) setCR3(v uint64) {
	if c.efer&eferLMA != 0 {
		if v>>52 != 0 {
			c.raise(vecGP, 0)
		}
	} else {
		v &= 0xffffffff
	}
	c.cr3 = v
	c.flushTLB(true)
}

func (c *CPU) setCR4(v uint64) {
	if v&^cr4Valid != 0 {
		c.raise(vecGP, 0)
	}
	if c.efer&eferLMA != 0 && v&cr4PAE == 0 {
		c.raise(vecGP, 0)
	}
	old := c.cr4
	c.cr4 = v
	if (old^v)&(cr4PAE|cr4PSE|cr4PGE) != 0 {
		c.flushTLB(false)
	}
}

// Debug registers are stored (DR0-DR3 breakpoints are not armed; the
// host's cpu.Debugger interface is the way to stop the guest). With
// CR4.DE clear, DR4 and DR5 alias DR6 and DR7.
func drIndex(c *CPU, r uint8) int {
	if r == 4 || r == 5 {
		if c.cr4&cr4DE != 0 {
			c.raise(vecUD, 0)
		}
		return int(r + 2)
	}
	return int(r & 7)
}

func opMovFromDR(c *CPU, in *insn) {
	c.requireCPL0()
	c.setReg(in.r[0], in.size, c.dr[drIndex(c, in.r[1])]&sizeMask[in.size])
}

func opMovToDR(c *CPU, in *insn) {
	c.requireCPL0()
	i := drIndex(c, in.r[0])
	v := c.getReg(in.r[1], in.size)
	switch i {
	case 6:
		v = v&0xe00f | 0xffff0ff0
	case 7:
		v = v&^0xd800 | 0x400
	}
	c.dr[i] = v
}
