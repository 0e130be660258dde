package kvm

import (
	"fmt"

	"github.com/bobuhiro11/gokvm/kvm"
)

// CPUID feature bits pollscope hides from the guest because it emulates no
// local APIC: the guest must find its interrupts at the 8259A pair.
const (
	leafFeatures       = 0x1
	featEDXAPIC        = 1 << 9  // on-chip local APIC
	featECXX2APIC      = 1 << 21 // x2APIC mode
	featECXTSCDeadline = 1 << 24 // APIC timer TSC-deadline mode
	leafExtFeatures    = 0x80000001
	extECXExtAPICSpace = 1 << 3 // AMD extended APIC register space
	leafPowerMgmt      = 0x6
	pmEAXARAT          = 1 << 2 // APIC timer always running
	maxCPUIDEntries    = 256
)

// filteredCPUID returns the host's KVM-supported CPUID with the APIC
// features removed.
func filteredCPUID(kvmFd uintptr) (*kvm.CPUID, error) {
	c := &kvm.CPUID{Nent: maxCPUIDEntries, Entries: make([]kvm.CPUIDEntry2, maxCPUIDEntries)}
	if err := kvm.GetSupportedCPUID(kvmFd, c); err != nil {
		return nil, fmt.Errorf("KVM_GET_SUPPORTED_CPUID: %w", err)
	}
	c.Entries = c.Entries[:c.Nent]
	for i := range c.Entries {
		filterEntry(&c.Entries[i])
	}
	return c, nil
}

func filterEntry(e *kvm.CPUIDEntry2) {
	switch e.Function {
	case leafFeatures:
		e.Edx &^= featEDXAPIC
		e.Ecx &^= featECXX2APIC | featECXTSCDeadline
	case leafExtFeatures:
		e.Ecx &^= extECXExtAPICSpace
	case leafPowerMgmt:
		e.Eax &^= pmEAXARAT
	}
}
