package kvm

import (
	"fmt"

	"github.com/bobuhiro11/gokvm/kvm"

	"github.com/pollscope/pollscope/cpu"
)

// Regs reads the general-purpose registers (KVM_GET_REGS).
func (v *VCPU) Regs() (cpu.Regs, error) {
	r, err := kvm.GetRegs(uintptr(v.fd))
	if err != nil {
		return cpu.Regs{}, fmt.Errorf("KVM_GET_REGS: %w", err)
	}
	return cpu.Regs{
		RAX: r.RAX, RBX: r.RBX, RCX: r.RCX, RDX: r.RDX,
		RSI: r.RSI, RDI: r.RDI, RSP: r.RSP, RBP: r.RBP,
		R8: r.R8, R9: r.R9, R10: r.R10, R11: r.R11,
		R12: r.R12, R13: r.R13, R14: r.R14, R15: r.R15,
		RIP: r.RIP, RFLAGS: r.RFLAGS,
	}, nil
}

// SetRegs writes the general-purpose registers (KVM_SET_REGS).
func (v *VCPU) SetRegs(r cpu.Regs) error {
	k := kvm.Regs{
		RAX: r.RAX, RBX: r.RBX, RCX: r.RCX, RDX: r.RDX,
		RSI: r.RSI, RDI: r.RDI, RSP: r.RSP, RBP: r.RBP,
		R8: r.R8, R9: r.R9, R10: r.R10, R11: r.R11,
		R12: r.R12, R13: r.R13, R14: r.R14, R15: r.R15,
		RIP: r.RIP, RFLAGS: r.RFLAGS,
	}
	if err := kvm.SetRegs(uintptr(v.fd), &k); err != nil {
		return fmt.Errorf("KVM_SET_REGS: %w", err)
	}
	return nil
}

// SRegs reads the system registers (KVM_GET_SREGS).
func (v *VCPU) SRegs() (cpu.SRegs, error) {
	s, err := kvm.GetSregs(uintptr(v.fd))
	if err != nil {
		return cpu.SRegs{}, fmt.Errorf("KVM_GET_SREGS: %w", err)
	}
	return cpu.SRegs{
		CS: fromSeg(s.CS), DS: fromSeg(s.DS), ES: fromSeg(s.ES), FS: fromSeg(s.FS),
		GS: fromSeg(s.GS), SS: fromSeg(s.SS), TR: fromSeg(s.TR), LDT: fromSeg(s.LDT),
		GDT: cpu.Table{Base: s.GDT.Base, Limit: s.GDT.Limit},
		IDT: cpu.Table{Base: s.IDT.Base, Limit: s.IDT.Limit},
		CR0: s.CR0, CR2: s.CR2, CR3: s.CR3, CR4: s.CR4, CR8: s.CR8, EFER: s.EFER,
	}, nil
}

// SetSRegs writes the system registers (KVM_SET_SREGS), keeping the APIC
// base and pending-interrupt bitmap KVM reported.
func (v *VCPU) SetSRegs(n cpu.SRegs) error {
	s, err := kvm.GetSregs(uintptr(v.fd))
	if err != nil {
		return fmt.Errorf("KVM_GET_SREGS: %w", err)
	}
	s.CS, s.DS, s.ES, s.FS = toSeg(n.CS), toSeg(n.DS), toSeg(n.ES), toSeg(n.FS)
	s.GS, s.SS, s.TR, s.LDT = toSeg(n.GS), toSeg(n.SS), toSeg(n.TR), toSeg(n.LDT)
	s.GDT.Base, s.GDT.Limit = n.GDT.Base, n.GDT.Limit
	s.IDT.Base, s.IDT.Limit = n.IDT.Base, n.IDT.Limit
	s.CR0, s.CR2, s.CR3, s.CR4, s.CR8, s.EFER = n.CR0, n.CR2, n.CR3, n.CR4, n.CR8, n.EFER
	if err := kvm.SetSregs(uintptr(v.fd), s); err != nil {
		return fmt.Errorf("KVM_SET_SREGS: %w", err)
	}
	return nil
}

func b2u(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

func toSeg(s cpu.Segment) kvm.Segment {
	return kvm.Segment{
		Base: s.Base, Limit: s.Limit, Selector: s.Selector, Typ: s.Type,
		Present: b2u(s.Present), DPL: s.DPL, DB: b2u(s.DB), S: b2u(s.S),
		L: b2u(s.L), G: b2u(s.G), Unusable: b2u(s.Unusable),
	}
}

func fromSeg(s kvm.Segment) cpu.Segment {
	return cpu.Segment{
		Base: s.Base, Limit: s.Limit, Selector: s.Selector, Type: s.Typ,
		Present: s.Present != 0, DPL: s.DPL, DB: s.DB != 0, S: s.S != 0,
		L: s.L != 0, G: s.G != 0, Unusable: s.Unusable != 0,
	}
}
