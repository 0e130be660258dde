package cpuid

// Filter reduces a host's CPUID (KVM_GET_SUPPORTED_CPUID's entries) to the
// features Baseline offers, for the KVM backend: the guest then sees the
// same feature set on KVM as on the software CPU.
//
// Kept as the host has them: the vendor and maximum basic leaf (leaf 0),
// the signature and brand (leaves 1 EAX, 0x80000002-4), cache and TLB
// descriptors (leaves 2, 4, 0x80000005-6), the TSC and crystal frequencies
// (0x15, 0x16), the address sizes (0x80000008 EAX) and KVM's paravirtual
// leaves (0x40000000-0x4fffffff) but for the features of 0x40000001 EAX
// that need an in-kernel irqchip (paravirt.go). Feature
// words (leaves 1, 7, 0x80000001, 0x80000007) are masked to Baseline's
// bits. Everything else is dropped: power management and performance
// monitoring (6, 0xa), topology (0xb, 0x1f, 0x8000001e), XSAVE (0xd),
// SGX, PT, SVM and the rest describe hardware pollscope does not offer;
// KVM answers a dropped leaf with zeros.
//
// The input is not modified. Flags travel with their entries.
func Filter(host []Leaf) []Leaf {
	out := make([]Leaf, 0, len(host))
	for _, e := range host {
		switch {
		case e.Function == LeafKVMFeatures:
			e.EAX &= KVMFeaturesKept
		case e.Function >= LeafHypervisor && e.Function < 0x50000000:
			// KVM's signature and its other paravirtual leaves.
		case e.Function == LeafVendor, e.Function == 2, e.Function == 4,
			e.Function == 0x15, e.Function == 0x16,
			e.Function >= LeafBrand0 && e.Function <= LeafL2Cache:
			// Identity and descriptive leaves: the host's.
		case e.Function == LeafFeatures:
			// EBX: keep CLFLUSH size and brand index; one logical
			// processor, APIC ID 0.
			e.EBX &= 0x0000ffff
			e.ECX &= leaf1EcxKept
			e.EDX &= leaf1EdxKept
		case e.Function == LeafExtFeatures7:
			if e.Index != 0 {
				continue
			}
			e.EAX = 0 // no further subleaves
			e.EBX &= leaf7EbxKept
			e.ECX &= leaf7EcxKept
			e.EDX &= leaf7EdxKept
		case e.Function == LeafExtMax:
			e.EAX = min(e.EAX, MaxExtended)
		case e.Function == LeafExtFeatures:
			e.EBX = 0
			e.ECX &= leaf81EcxKept
			e.EDX &= leaf81EdxKept
		case e.Function == LeafAPM:
			e.EAX, e.EBX, e.ECX = 0, 0, 0
			e.EDX &= apmEdxInvariantTSC
		case e.Function == LeafAddrSizes:
			// EAX: address sizes. EBX holds feature bits (IBPB, WBNOINVD,
			// ...): none offered. ECX: keep the core count field only.
			e.EAX &= 0xffff
			e.EBX = 0
			e.ECX &= 0xff
			e.EDX = 0
		default:
			continue
		}
		out = append(out, e)
	}
	return out
}
