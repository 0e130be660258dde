package cpuid

// KVM's paravirtual leaves (Documentation/virt/kvm/x86/cpuid.rst). Leaf
// 0x40000000 is the signature "KVMKVMKVM" and the highest paravirtual leaf;
// leaf 0x40000001 EAX lists the paravirtual features, EDX the hints. The
// software CPU has none of them (Lookup answers zeros, as a processor with
// no hypervisor does); on KVM they come from KVM_GET_SUPPORTED_CPUID and
// Filter keeps only the features that work without an in-kernel irqchip:
// pollscope gives KVM no local APIC and no I/O APIC (KVM_CREATE_IRQCHIP is
// never called), so anything KVM delivers through its LAPIC, or that a
// guest enables through an MSR KVM refuses without one, is removed.
const (
	LeafKVMFeatures = 0x40000001

	KVMFeatureClocksource       = 1 << 0  // kept: kvmclock (MSR 0x11), a memory page KVM updates
	KVMFeatureNopIODelay        = 1 << 1  // kept: port 0x80 delays may be skipped; pollscope's POST port does nothing anyway
	KVMFeatureMMUOp             = 1 << 2  // removed: deprecated, KVM never offers it
	KVMFeatureClocksource2      = 1 << 3  // kept: kvmclock at MSRs 0x4b564d00/01
	KVMFeatureAsyncPF           = 1 << 4  // removed: async page faults need ASYNC_PF_INT (below) since Linux 5.10
	KVMFeatureStealTime         = 1 << 5  // kept: steal time, a memory area KVM fills
	KVMFeaturePVEOI             = 1 << 6  // removed: paravirtual EOI writes the in-kernel LAPIC's ISR
	KVMFeaturePVUnhalt          = 1 << 7  // removed: KVM_HC_KICK_CPU wakes a vCPU through the in-kernel LAPIC
	KVMFeaturePVTLBFlush        = 1 << 9  // kept: flushes other vCPUs' TLBs through steal time (one vCPU: never used)
	KVMFeatureAsyncPFVMExit     = 1 << 10 // removed: follows ASYNC_PF
	KVMFeaturePVSendIPI         = 1 << 11 // removed: KVM_HC_SEND_IPI delivers through the in-kernel LAPIC
	KVMFeaturePollControl       = 1 << 12 // kept: MSR_KVM_POLL_CONTROL, host-side halt polling
	KVMFeaturePVSchedYield      = 1 << 13 // removed: KVM_HC_SCHED_YIELD targets a vCPU by APIC ID
	KVMFeatureAsyncPFInt        = 1 << 14 // removed: KVM refuses MSR_KVM_ASYNC_PF_INT without an in-kernel LAPIC (the WRMSR 0x4b564d06 error of issue 17)
	KVMFeatureMSIExtDestID      = 1 << 15 // removed: MSI routing through an I/O APIC pollscope does not have
	KVMFeatureHCMapGPARange     = 1 << 16 // kept: a hypercall about memory encryption, harmless without it
	KVMFeatureMigrationControl  = 1 << 17 // kept: an MSR about migration, harmless
	KVMFeatureClocksourceStable = 1 << 24 // kept: kvmclock's stable bit is honoured
)

// KVMFeaturesKept is what leaf 0x40000001 EAX may offer: the kept bits
// above. EBX, ECX and EDX (the hints, such as REALTIME) are the host's.
const KVMFeaturesKept = KVMFeatureClocksource | KVMFeatureNopIODelay | KVMFeatureClocksource2 |
	KVMFeatureStealTime | KVMFeaturePVTLBFlush | KVMFeaturePollControl |
	KVMFeatureHCMapGPARange | KVMFeatureMigrationControl | KVMFeatureClocksourceStable
