package cpuid

import (
	"strings"
	"testing"
)

func TestLookupVendorAndBrand(t *testing.T) {
	_, b, c, d := Lookup(LeafVendor, 0)
	var v []byte
	for _, r := range []uint32{b, d, c} {
		v = append(v, byte(r), byte(r>>8), byte(r>>16), byte(r>>24))
	}
	if string(v) != Vendor {
		t.Errorf("vendor = %q, want %q", v, Vendor)
	}
	var brand []byte
	for f := uint32(LeafBrand0); f < LeafBrand0+3; f++ {
		a, b, c, d := Lookup(f, 0)
		for _, r := range []uint32{a, b, c, d} {
			brand = append(brand, byte(r), byte(r>>8), byte(r>>16), byte(r>>24))
		}
	}
	if got := strings.TrimRight(string(brand), "\x00"); got != Brand {
		t.Errorf("brand = %q, want %q", got, Brand)
	}
}

func TestBaselineOffersWhatTheEmulatorHas(t *testing.T) {
	cases := []struct {
		name     string
		function uint32
		reg      byte
		bit      uint32
		want     bool
	}{
		{"long mode", LeafExtFeatures, 'd', F81EdxLM, true},
		{"syscall", LeafExtFeatures, 'd', F81EdxSYSCALL, true},
		{"nx", LeafExtFeatures, 'd', F81EdxNX, true},
		{"sse2", LeafFeatures, 'd', F1EdxSSE2, true},
		{"fxsr", LeafFeatures, 'd', F1EdxFXSR, true},
		{"cmpxchg16b", LeafFeatures, 'c', F1EcxCX16, true},
		{"mtrr", LeafFeatures, 'd', F1EdxMTRR, true},
		{"no apic", LeafFeatures, 'd', F1EdxAPIC, false},
		{"no x2apic", LeafFeatures, 'c', F1EcxX2APIC, false},
		{"no tsc deadline", LeafFeatures, 'c', F1EcxTSCDL, false},
		{"no xsave", LeafFeatures, 'c', F1EcxXSAVE, false},
		{"no avx", LeafFeatures, 'c', F1EcxAVX, false},
		{"no pcid", LeafFeatures, 'c', F1EcxPCID, false},
		{"no rdrand", LeafFeatures, 'c', F1EcxRDRAND, false},
		{"no smep", LeafExtFeatures7, 'b', F7EbxSMEP, false},
		{"no smap", LeafExtFeatures7, 'b', F7EbxSMAP, false},
		{"no fsgsbase", LeafExtFeatures7, 'b', F7EbxFSGSBASE, false},
		{"no bmi1", LeafExtFeatures7, 'b', F7EbxBMI1, false},
		{"invariant tsc", LeafAPM, 'd', apmEdxInvariantTSC, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Has(c.function, c.reg, c.bit); got != c.want {
				t.Errorf("Has(%#x, %c, %#x) = %v, want %v", c.function, c.reg, c.bit, got, c.want)
			}
		})
	}
}

func TestLookupOutOfRangeIsZero(t *testing.T) {
	for _, f := range []uint32{2, 4, 0xb, 0xd, LeafHypervisor, 0x8000000a, 0x8000001f} {
		if a, b, c, d := Lookup(f, 0); a|b|c|d != 0 {
			t.Errorf("leaf %#x = %#x %#x %#x %#x, want zeros", f, a, b, c, d)
		}
	}
	if a, b, c, d := Lookup(LeafExtFeatures7, 1); a|b|c|d != 0 {
		t.Errorf("leaf 7.1 not zero")
	}
}

// A synthetic host: an Intel-like CPU offering everything, with KVM's
// paravirtual leaves.
func syntheticHost() []Leaf {
	all := ^uint32(0)
	return []Leaf{
		{Function: 0, EAX: 0x1f, EBX: 0x756e6547, ECX: 0x6c65746e, EDX: 0x49656e69},
		{Function: 1, EAX: 0x000906ea, EBX: 0x12345678, ECX: all, EDX: all},
		{Function: 2, EAX: 0x00feff01},
		{Function: 4, Index: 0, EAX: 0x121, Flags: 1},
		{Function: 6, EAX: all},
		{Function: 7, Index: 0, EAX: 2, EBX: all, ECX: all, EDX: all, Flags: 1},
		{Function: 7, Index: 1, EAX: all, Flags: 1},
		{Function: 0xa, EAX: all},
		{Function: 0xb, EAX: 1, Flags: 1},
		{Function: 0xd, Index: 0, EAX: all, Flags: 1},
		{Function: 0x15, EAX: 2, EBX: 200, ECX: 24000000},
		{Function: 0x40000000, EAX: 0x40000001, EBX: 0x4b4d564b},
		{Function: 0x40000001, EAX: all},
		{Function: 0x80000000, EAX: 0x80000021},
		{Function: 0x80000001, EBX: all, ECX: all, EDX: all},
		{Function: 0x80000002, EAX: 0x65746e49},
		{Function: 0x80000007, EAX: all, EDX: all},
		{Function: 0x80000008, EAX: 0x3027, EBX: all, ECX: all, EDX: all},
		{Function: 0x8000000a, EAX: all},
		{Function: 0x8000001f, EAX: all},
	}
}

func TestFilterKeepsOnlyBaselineFeatures(t *testing.T) {
	host := syntheticHost()
	before := append([]Leaf(nil), host...)
	got := Filter(host)
	for i := range host {
		if host[i] != before[i] {
			t.Fatalf("Filter modified its input at %d", i)
		}
	}
	byKey := map[[2]uint32]Leaf{}
	for _, l := range got {
		byKey[[2]uint32{l.Function, l.Index}] = l
	}
	for _, dropped := range [][2]uint32{{6, 0}, {7, 1}, {0xa, 0}, {0xb, 0}, {0xd, 0}, {0x8000000a, 0}, {0x8000001f, 0}} {
		if _, ok := byKey[dropped]; ok {
			t.Errorf("leaf %#x.%d kept, want it dropped", dropped[0], dropped[1])
		}
	}
	// Every feature word is a subset of the baseline's.
	for _, b := range Baseline() {
		h, ok := byKey[[2]uint32{b.Function, b.Index}]
		if !ok {
			continue
		}
		switch b.Function {
		case LeafFeatures, LeafExtFeatures7, LeafExtFeatures, LeafAPM:
			if h.ECX&^b.ECX != 0 || h.EDX&^b.EDX != 0 || (b.Function == LeafExtFeatures7 && h.EBX&^b.EBX != 0) {
				t.Errorf("leaf %#x offers %#x/%#x/%#x beyond the baseline %#x/%#x/%#x",
					b.Function, h.EBX, h.ECX, h.EDX, b.EBX, b.ECX, b.EDX)
			}
			if h.ECX != b.ECX || h.EDX != b.EDX {
				t.Errorf("leaf %#x: an all-features host should end exactly at the baseline: got ecx=%#x edx=%#x want %#x %#x",
					b.Function, h.ECX, h.EDX, b.ECX, b.EDX)
			}
		}
	}
	checks := []struct {
		name string
		ok   bool
	}{
		{"leaf 0 keeps the host vendor", byKey[[2]uint32{0, 0}].EBX == 0x756e6547},
		{"leaf 1 keeps the signature", byKey[[2]uint32{1, 0}].EAX == 0x000906ea},
		{"leaf 1 EBX has APIC ID 0", byKey[[2]uint32{1, 0}].EBX == 0x5678},
		{"leaf 4 keeps its flags", byKey[[2]uint32{4, 0}].Flags == 1},
		{"leaf 7 has no subleaves", byKey[[2]uint32{7, 0}].EAX == 0},
		{"tsc frequency leaf kept", byKey[[2]uint32{0x15, 0}].ECX == 24000000},
		{"paravirtual features need no in-kernel irqchip", byKey[[2]uint32{0x40000001, 0}].EAX == KVMFeaturesKept},
		{"paravirtual signature kept", byKey[[2]uint32{0x40000000, 0}].EBX == 0x4b4d564b},
		{"no PV EOI", byKey[[2]uint32{0x40000001, 0}].EAX&KVMFeaturePVEOI == 0},
		{"no async PF interrupt", byKey[[2]uint32{0x40000001, 0}].EAX&KVMFeatureAsyncPFInt == 0},
		{"max extended leaf clamped", byKey[[2]uint32{0x80000000, 0}].EAX == MaxExtended},
		{"address sizes kept", byKey[[2]uint32{0x80000008, 0}].EAX == 0x3027},
		{"0x80000008 feature bits dropped", byKey[[2]uint32{0x80000008, 0}].EBX == 0},
		{"no apic on leaf 1", byKey[[2]uint32{1, 0}].EDX&F1EdxAPIC == 0},
		{"no xsave on leaf 1", byKey[[2]uint32{1, 0}].ECX&F1EcxXSAVE == 0},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s: failed", c.name)
		}
	}
}

// A host that lacks a baseline feature keeps lacking it: Filter never adds.
func TestFilterNeverAdds(t *testing.T) {
	host := []Leaf{{Function: 1, ECX: 0, EDX: F1EdxFPU}, {Function: 0x80000001, EDX: F81EdxLM}}
	got := Filter(host)
	if got[0].EDX != F1EdxFPU || got[0].ECX != 0 || got[1].EDX != F81EdxLM {
		t.Errorf("Filter added features: %+v", got)
	}
}
