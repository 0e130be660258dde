package kvm

// PVM (KVM's pvm module: nested virtualisation without VMX or SVM, where
// the guest's CPL3 code runs on the host CPU as host user code) does not
// honour KVM_SET_CPUID2 everywhere. Measured on this project's hosts (a
// guest executing CPUID after KVM_SET_CPUID2, the cpuprobe guest of
// package emulator): leaf 1's EAX and EBX are the table's, its ECX and EDX
// the hardware's (with OSXSAVE following the guest's CR4); leaf 7 subleaf
// 0 and every subleaf of leaf 0xd (XSAVE) are the hardware's whole; every
// other leaf, KVM's paravirtual ones included, is the table's. These are
// the leaves that describe instructions and register state user code can
// use directly: PVM cannot hide from CPL3 code what the CPU it runs on
// has, so it reports the truth. A guest on PVM therefore sees XSAVE, AVX
// and the APIC bit even though pollscope offers none of them.

// PVMAnswersFromHardware reports whether a PVM host answers register reg
// ('a', 'b', 'c' or 'd') of CPUID leaf function, subleaf index, from the
// hardware rather than from the KVM_SET_CPUID2 table.
func PVMAnswersFromHardware(function, index uint32, reg byte) bool {
	switch function {
	case 0x1:
		return reg == 'c' || reg == 'd'
	case 0x7:
		return index == 0
	case 0xd:
		return true
	}
	return false
}
