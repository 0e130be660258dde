package cpuid

import "fmt"

// FeatureWord is one CPUID register that holds feature bits.
type FeatureWord struct {
	Function, Index uint32
	Reg             byte // 'a', 'b', 'c' or 'd'
	// Names are the bits' names as Linux's /proc/cpuinfo spells them,
	// by bit number.
	Names map[uint]string
}

// FeatureWords are the feature registers pollscope's listings name.
var FeatureWords = []FeatureWord{
	{LeafFeatures, 0, 'd', map[uint]string{0: "fpu", 1: "vme", 2: "de", 3: "pse", 4: "tsc", 5: "msr", 6: "pae",
		7: "mce", 8: "cx8", 9: "apic", 11: "sep", 12: "mtrr", 13: "pge", 14: "mca", 15: "cmov", 16: "pat",
		17: "pse36", 19: "clflush", 23: "mmx", 24: "fxsr", 25: "sse", 26: "sse2", 28: "ht"}},
	{LeafFeatures, 0, 'c', map[uint]string{0: "pni", 1: "pclmulqdq", 3: "monitor", 9: "ssse3", 12: "fma",
		13: "cx16", 17: "pcid", 19: "sse4_1", 20: "sse4_2", 21: "x2apic", 22: "movbe", 23: "popcnt",
		24: "tsc_deadline_timer", 25: "aes", 26: "xsave", 27: "osxsave", 28: "avx", 29: "f16c", 30: "rdrand",
		31: "hypervisor"}},
	{LeafExtFeatures7, 0, 'b', map[uint]string{0: "fsgsbase", 1: "tsc_adjust", 3: "bmi1", 5: "avx2", 7: "smep", 8: "bmi2",
		9: "erms", 10: "invpcid", 16: "avx512f", 17: "avx512dq", 18: "rdseed", 19: "adx", 20: "smap",
		21: "avx512ifma", 23: "clflushopt", 24: "clwb", 28: "avx512cd", 29: "sha_ni", 30: "avx512bw",
		31: "avx512vl"}},
	{LeafExtFeatures7, 0, 'c', map[uint]string{1: "avx512vbmi", 2: "umip", 3: "pku", 6: "avx512_vbmi2",
		8: "gfni", 9: "vaes", 10: "vpclmulqdq", 11: "avx512_vnni", 12: "avx512_bitalg", 14: "avx512_vpopcntdq",
		22: "rdpid"}},
	{LeafExtFeatures7, 0, 'd', map[uint]string{4: "fsrm", 8: "avx512_vp2intersect", 10: "md_clear", 26: "ibrs", 27: "stibp",
		29: "arch_capabilities", 31: "ssbd"}},
	// AMD repeats most of leaf 1 EDX here.
	{LeafExtFeatures, 0, 'd', map[uint]string{0: "fpu", 1: "vme", 2: "de", 3: "pse", 4: "tsc", 5: "msr",
		6: "pae", 7: "mce", 8: "cx8", 9: "apic", 12: "mtrr", 13: "pge", 14: "mca", 15: "cmov", 16: "pat",
		17: "pse36", 23: "mmx", 24: "fxsr", 11: "syscall", 20: "nx", 22: "mmxext", 25: "fxsr_opt",
		26: "pdpe1gb", 27: "rdtscp", 29: "lm", 30: "3dnowext", 31: "3dnow"}},
	{LeafExtFeatures, 0, 'c', map[uint]string{0: "lahf_lm", 2: "svm", 3: "extapic", 4: "cr8_legacy",
		5: "abm", 6: "sse4a", 8: "3dnowprefetch", 22: "topoext"}},
	{LeafAPM, 0, 'd', map[uint]string{8: "constant_tsc"}},
	{LeafKVMFeatures, 0, 'a', map[uint]string{0: "kvmclock", 1: "nopiodelay", 2: "mmu_op", 3: "kvmclock2",
		4: "async_pf", 5: "steal_time", 6: "pv_eoi", 7: "pv_unhalt", 9: "pv_tlb_flush", 10: "async_pf_vmexit",
		11: "pv_send_ipi", 12: "poll_control", 13: "pv_sched_yield", 14: "async_pf_int",
		15: "msi_ext_dest_id", 16: "map_gpa_range", 17: "migration_control", 24: "kvmclock_stable"}},
}

// Value returns the register's value in a leaf answer.
func (w FeatureWord) Value(l Leaf) uint32 {
	switch w.Reg {
	case 'a':
		return l.EAX
	case 'b':
		return l.EBX
	case 'c':
		return l.ECX
	default:
		return l.EDX
	}
}

// String names the word: "1.ecx", "7.0.ebx", "0x80000001.edx".
func (w FeatureWord) String() string {
	f := fmt.Sprintf("%#x", w.Function)
	if w.Function < 0x10 {
		f = fmt.Sprint(w.Function)
	}
	if w.Function == LeafExtFeatures7 {
		f += fmt.Sprintf(".%d", w.Index)
	}
	return fmt.Sprintf("%s.e%cx", f, w.Reg)
}

// BitNames names the set bits of v, in bit order; a bit without a name
// is "bitN".
func (w FeatureWord) BitNames(v uint32) []string {
	var out []string
	for b := uint(0); b < 32; b++ {
		if v&(1<<b) == 0 {
			continue
		}
		if n, ok := w.Names[b]; ok {
			out = append(out, n)
		} else {
			out = append(out, fmt.Sprintf("bit%d", b))
		}
	}
	return out
}

// VendorString decodes leaf 0's vendor: EBX, EDX, ECX in that order
// ("AuthenticAMD", "GenuineIntel").
func VendorString(l Leaf) string {
	b := make([]byte, 0, 12)
	for _, r := range []uint32{l.EBX, l.EDX, l.ECX} {
		b = append(b, byte(r), byte(r>>8), byte(r>>16), byte(r>>24))
	}
	return string(b)
}
