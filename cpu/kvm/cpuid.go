package kvm

import (
	"fmt"

	"github.com/bobuhiro11/gokvm/kvm"

	"github.com/pollscope/pollscope/cpu/cpuid"
)

// maxCPUIDEntries bounds KVM_GET_SUPPORTED_CPUID's answer.
const maxCPUIDEntries = 256

// filteredCPUID returns what the guest's CPUID offers: the host's
// KVM-supported CPUID reduced by cpuid.Filter, the one place that decides
// the features every backend exposes (no APIC, no XSAVE, KVM's
// paravirtual features that need an in-kernel irqchip removed, ...).
//
// On a PVM host KVM honours the table for every leaf but three: the guest
// reads leaf 1 ECX and EDX, leaf 7 subleaf 0 and leaf 0xd as the
// hardware's own bits whatever KVM_SET_CPUID2 said (docs/linux.md).
func filteredCPUID(kvmFd uintptr) (*kvm.CPUID, error) {
	c := &kvm.CPUID{Nent: maxCPUIDEntries, Entries: make([]kvm.CPUIDEntry2, maxCPUIDEntries)}
	if err := kvm.GetSupportedCPUID(kvmFd, c); err != nil {
		return nil, fmt.Errorf("KVM_GET_SUPPORTED_CPUID: %w", err)
	}
	leaves := cpuid.Filter(toLeaves(c.Entries[:c.Nent]))
	c.Entries = fromLeaves(leaves)
	c.Nent = uint32(len(c.Entries))
	return c, nil
}

// toLeaves converts KVM's entries, flags included.
func toLeaves(entries []kvm.CPUIDEntry2) []cpuid.Leaf {
	out := make([]cpuid.Leaf, len(entries))
	for i, e := range entries {
		out[i] = cpuid.Leaf{Function: e.Function, Index: e.Index, Flags: e.Flags,
			EAX: e.Eax, EBX: e.Ebx, ECX: e.Ecx, EDX: e.Edx}
	}
	return out
}

// fromLeaves converts back for KVM_SET_CPUID2.
func fromLeaves(leaves []cpuid.Leaf) []kvm.CPUIDEntry2 {
	out := make([]kvm.CPUIDEntry2, len(leaves))
	for i, l := range leaves {
		out[i] = kvm.CPUIDEntry2{Function: l.Function, Index: l.Index, Flags: l.Flags,
			Eax: l.EAX, Ebx: l.EBX, Ecx: l.ECX, Edx: l.EDX}
	}
	return out
}

// CPUID returns the table this VM's vCPUs are given (KVM_SET_CPUID2).
func (vm *VM) CPUID() []cpuid.Leaf { return toLeaves(vm.cpuid.Entries) }

// CPUID returns the table this vCPU was given with KVM_SET_CPUID2: what
// pollscope decided the guest may see (on a PVM host the guest sees the
// hardware's bits in a few leaves instead, see PVMAnswersFromHardware).
func (v *VCPU) CPUID() []cpuid.Leaf { return v.cpuid }
