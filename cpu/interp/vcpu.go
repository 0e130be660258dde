package interp

import (
	"encoding/binary"
	"fmt"

	"github.com/pollscope/pollscope/cpu"
)

// The cpu.VCPU register and injection methods.

// Regs returns the general-purpose registers, RIP and RFLAGS.
func (c *CPU) Regs() (cpu.Regs, error) {
	r := &c.regs
	return cpu.Regs{
		RAX: r[0], RCX: r[1], RDX: r[2], RBX: r[3], RSP: r[4], RBP: r[5], RSI: r[6], RDI: r[7],
		R8: r[8], R9: r[9], R10: r[10], R11: r[11], R12: r[12], R13: r[13], R14: r[14], R15: r[15],
		RIP: c.rip, RFLAGS: c.flags(),
	}, nil
}

// SetRegs replaces the general-purpose registers, RIP and RFLAGS.
func (c *CPU) SetRegs(g cpu.Regs) error {
	c.regs[0], c.regs[1], c.regs[2], c.regs[3] = g.RAX, g.RCX, g.RDX, g.RBX
	c.regs[4], c.regs[5], c.regs[6], c.regs[7] = g.RSP, g.RBP, g.RSI, g.RDI
	c.regs[8], c.regs[9], c.regs[10], c.regs[11] = g.R8, g.R9, g.R10, g.R11
	c.regs[12], c.regs[13], c.regs[14], c.regs[15] = g.R12, g.R13, g.R14, g.R15
	c.regs[regZero] = 0
	c.rip = g.RIP
	c.rflags = g.RFLAGS&flagsSettable | flagsFixed1
	c.lf.op = lazyKnown
	c.pendingIO = pendingIO{}
	c.updateAttn()
	return nil
}

func toSeg(s *segment) cpu.Segment {
	return cpu.Segment{
		Base: s.base, Limit: s.limit, Selector: s.sel, Type: s.typ, Present: s.present,
		DPL: s.dpl, DB: s.db, S: s.s, L: s.l, G: s.g, Unusable: s.unusable,
	}
}

func fromSeg(s cpu.Segment) segment {
	return segment{
		base: s.Base, limit: s.Limit, sel: s.Selector, typ: s.Type, present: s.Present,
		dpl: s.DPL, db: s.DB, s: s.S, l: s.L, g: s.G, unusable: s.Unusable,
	}
}

// SRegs returns the segment, descriptor-table and control registers.
func (c *CPU) SRegs() (cpu.SRegs, error) {
	return cpu.SRegs{
		ES: toSeg(&c.seg[segES]), CS: toSeg(&c.seg[segCS]), SS: toSeg(&c.seg[segSS]),
		DS: toSeg(&c.seg[segDS]), FS: toSeg(&c.seg[segFS]), GS: toSeg(&c.seg[segGS]),
		LDT: toSeg(&c.seg[segLDTR]), TR: toSeg(&c.seg[segTR]),
		GDT: c.gdtr, IDT: c.idtr,
		CR0: c.cr0, CR2: c.cr2, CR3: c.cr3, CR4: c.cr4, CR8: c.cr8, EFER: c.efer,
	}, nil
}

// SetSRegs replaces the segment, descriptor-table and control registers.
// The CPL becomes SS's DPL (CS's RPL in real mode: 0), as on KVM.
func (c *CPU) SetSRegs(s cpu.SRegs) error {
	if s.CR0&cpu.CR0PG != 0 && s.CR0&cpu.CR0PE == 0 {
		return fmt.Errorf("CR0 %#x: paging without protection", s.CR0)
	}
	if s.EFER&cpu.EFERLMA != 0 && (s.CR0&cpu.CR0PG == 0 || s.CR4&cpu.CR4PAE == 0) {
		return fmt.Errorf("EFER.LMA set without paging and PAE (CR0 %#x, CR4 %#x)", s.CR0, s.CR4)
	}
	c.seg[segES], c.seg[segCS], c.seg[segSS] = fromSeg(s.ES), fromSeg(s.CS), fromSeg(s.SS)
	c.seg[segDS], c.seg[segFS], c.seg[segGS] = fromSeg(s.DS), fromSeg(s.FS), fromSeg(s.GS)
	c.seg[segLDTR], c.seg[segTR] = fromSeg(s.LDT), fromSeg(s.TR)
	c.gdtr, c.idtr = s.GDT, s.IDT
	c.cr0 = s.CR0 | cr0ET
	c.cr2, c.cr3, c.cr4, c.cr8, c.efer = s.CR2, s.CR3, s.CR4, s.CR8, s.EFER
	c.cpl = s.SS.DPL
	if c.cr0&cr0PE == 0 {
		c.cpl = 0
	}
	c.modeChanged()
	c.flushTLB(false)
	c.code.flushJumpCache()
	return nil
}

// CanInjectInterrupt reports whether an external interrupt would be taken
// now: IF set, no STI/MOV SS shadow, no event already waiting.
func (c *CPU) CanInjectInterrupt() bool {
	return c.rflags&flagIF != 0 && !c.inShadow() && c.pendingIRQ < 0 && c.pendingException == nil
}

// InterruptsEnabled reports RFLAGS.IF.
func (c *CPU) InterruptsEnabled() bool { return c.rflags&flagIF != 0 }

// InjectInterrupt queues an external interrupt for delivery through the
// IDT when Run is next called.
func (c *CPU) InjectInterrupt(vector uint8) error {
	if !c.CanInjectInterrupt() {
		return fmt.Errorf("interrupt %#x injected while the guest cannot take it (IF=%d, shadow=%v, pending=%v)",
			vector, c.rflags>>9&1, c.inShadow(), c.pendingIRQ >= 0 || c.pendingException != nil)
	}
	c.pendingIRQ = int(vector)
	return nil
}

// RequestInterruptWindow makes Run return ExitInterruptWindow at the first
// instruction boundary where the guest can take an interrupt.
func (c *CPU) RequestInterruptWindow(on bool) {
	c.windowRequested = on
	c.updateAttn()
}

// MSR reads a model-specific register the guest could read with RDMSR.
func (c *CPU) MSR(index uint32) (uint64, error) {
	v, ok := c.readMSR(index)
	if !ok {
		return 0, fmt.Errorf("the software CPU does not implement MSR %#x", index)
	}
	return v, nil
}

// SetMSR writes a model-specific register as WRMSR at CPL 0 would.
func (c *CPU) SetMSR(index uint32, value uint64) error {
	if !c.writeMSR(index, value) {
		return fmt.Errorf("the software CPU refuses %#x for MSR %#x", value, index)
	}
	return nil
}

// FPU returns the x87/SSE state in the FXSAVE layout.
func (c *CPU) FPU() (cpu.FXSave, error) {
	var x cpu.FXSave
	c.fxsaveImage(x[:], true)
	return x, nil
}

// SetFPU replaces the x87/SSE state from an FXSAVE image (all sixteen XMM
// registers).
func (c *CPU) SetFPU(x cpu.FXSave) error {
	if mx := binary.LittleEndian.Uint32(x[24:]); mx&^mxcsrMask != 0 {
		return fmt.Errorf("MXCSR %#x sets reserved bits (mask %#x)", mx, mxcsrMask)
	}
	c.fxrstorImage(x[:], true, true)
	return nil
}

// CompleteInstruction finishes an IN or INS whose exit the machine has
// answered, without running further: the value lands in its register (or
// memory) and RIP moves past it. Without one pending it does nothing.
func (c *CPU) CompleteInstruction() (err error) {
	if !c.pendingIO.active {
		return nil
	}
	defer func() {
		if r := recover(); r != nil {
			if f, ok := r.(*fault); ok {
				// An INS whose destination went away: deliver the fault
				// on the next Run, as the hardware would have.
				c.pendingBuf = *f
				c.pendingException = &c.pendingBuf
				return
			}
			err = fmt.Errorf("interp: completing the I/O instruction: %v", r)
		}
	}()
	c.completeIO()
	return nil
}
