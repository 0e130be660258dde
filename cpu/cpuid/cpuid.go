// Package cpuid is the one place that decides the CPUID every pollscope
// backend exposes: which processor features a guest is told about.
//
// pollscope emulates a PC without a local APIC (interrupts come from the
// 8259A pair) and, in its software CPU, a defined subset of the x86-64
// instruction set. A feature bit is offered only when every backend can
// honour it: the software CPU implements the instructions and the MSRs
// behind it, and KVM runs them natively. The bits are listed below, one
// constant per bit with the reason it is kept or removed.
//
// Two entry points use the decision:
//
//   - Lookup answers CPUID for the software CPU (cpu/interp) from Baseline,
//     pollscope's own processor: an AMD-style x86-64 (vendor AuthenticAMD,
//     family 0Fh like QEMU's qemu64 model, so Linux takes its plainest AMD
//     paths) with the features below.
//   - Filter reduces the host's KVM_GET_SUPPORTED_CPUID entries to the same
//     feature set for cpu/kvm. The host keeps its own vendor, family, model,
//     brand and cache descriptors (they describe the silicon the guest runs
//     on), but offers no feature Baseline does not. KVM's paravirtual leaves
//     (0x40000000-0x4fffffff) pass through with only the features that work
//     without an in-kernel irqchip (paravirt.go); the software CPU has none.
package cpuid

// Leaf is one CPUID function/subfunction and the four registers it returns.
type Leaf struct {
	Function, Index    uint32
	EAX, EBX, ECX, EDX uint32
	// Flags are KVM's per-entry flags (KVM_CPUID_FLAG_SIGNIFCANT_INDEX and
	// friends): Filter carries them through untouched, Baseline sets none.
	Flags uint32
}

// Leaf numbers.
const (
	LeafVendor       = 0x0
	LeafFeatures     = 0x1
	LeafPower        = 0x6
	LeafExtFeatures7 = 0x7
	LeafHypervisor   = 0x40000000
	LeafExtMax       = 0x80000000
	LeafExtFeatures  = 0x80000001
	LeafBrand0       = 0x80000002
	LeafL1Cache      = 0x80000005
	LeafL2Cache      = 0x80000006
	LeafAPM          = 0x80000007
	LeafAddrSizes    = 0x80000008
)

// Leaf 1 EDX: the original feature flags.
const (
	F1EdxFPU   = 1 << 0  // kept: x87 state, FNINIT/FNSTSW/FXSAVE; Linux x86-64 requires it
	F1EdxVME   = 1 << 1  // removed: no virtual-8086 mode extensions
	F1EdxDE    = 1 << 2  // removed: CR4.DE debugging extensions not emulated
	F1EdxPSE   = 1 << 3  // kept: 4 MiB pages in 32-bit paging (CR4.PSE)
	F1EdxTSC   = 1 << 4  // kept: RDTSC
	F1EdxMSR   = 1 << 5  // kept: RDMSR/WRMSR
	F1EdxPAE   = 1 << 6  // kept: PAE paging (the PVH kernels' long-mode switch)
	F1EdxMCE   = 1 << 7  // removed: no machine-check exception architecture
	F1EdxCX8   = 1 << 8  // kept: CMPXCHG8B
	F1EdxAPIC  = 1 << 9  // removed: no local APIC; interrupts come from the 8259A
	F1EdxSEP   = 1 << 11 // removed: SYSENTER/SYSEXIT not offered (SYSCALL is)
	F1EdxMTRR  = 1 << 12 // kept: MTRR MSRs (write-back default, issue 17)
	F1EdxPGE   = 1 << 13 // kept: global pages (CR4.PGE), kept across CR3 writes
	F1EdxMCA   = 1 << 14 // removed: no machine-check banks
	F1EdxCMOV  = 1 << 15 // kept: CMOVcc, FCMOV
	F1EdxPAT   = 1 << 16 // kept: IA32_PAT MSR (stored; memory types do not matter here)
	F1EdxPSE36 = 1 << 17 // kept: 36-bit 4 MiB page frames
	F1EdxCLFSH = 1 << 19 // kept: CLFLUSH (a no-op: no caches to flush)
	F1EdxMMX   = 1 << 23 // kept: MMX registers and moves (x86-64 psABI baseline)
	F1EdxFXSR  = 1 << 24 // kept: FXSAVE/FXRSTOR
	F1EdxSSE   = 1 << 25 // kept: SSE moves and MXCSR
	F1EdxSSE2  = 1 << 26 // kept: SSE2 moves and integer SSE2
	F1EdxHTT   = 1 << 28 // removed: one logical processor
)

// Leaf 1 ECX.
const (
	F1EcxSSE3       = 1 << 0  // removed: SSE3 not implemented in the software CPU
	F1EcxPCLMUL     = 1 << 1  // removed: not implemented
	F1EcxMONITOR    = 1 << 3  // removed: MONITOR/MWAIT not emulated (guests use HLT)
	F1EcxSSSE3      = 1 << 9  // removed: not implemented
	F1EcxFMA        = 1 << 12 // removed: AVX family
	F1EcxCX16       = 1 << 13 // kept: CMPXCHG16B
	F1EcxPCID       = 1 << 17 // removed: the TLB has no process-context identifiers
	F1EcxSSE41      = 1 << 19 // removed: not implemented
	F1EcxSSE42      = 1 << 20 // removed: not implemented
	F1EcxX2APIC     = 1 << 21 // removed: no local APIC
	F1EcxMOVBE      = 1 << 22 // removed: not implemented
	F1EcxPOPCNT     = 1 << 23 // kept: POPCNT
	F1EcxTSCDL      = 1 << 24 // removed: APIC TSC-deadline timer, no APIC
	F1EcxAES        = 1 << 25 // removed: not implemented
	F1EcxXSAVE      = 1 << 26 // removed: no XSAVE; FXSAVE covers the x87/SSE state
	F1EcxOSXSAVE    = 1 << 27 // removed: follows XSAVE
	F1EcxAVX        = 1 << 28 // removed: no AVX
	F1EcxF16C       = 1 << 29 // removed: AVX family
	F1EcxRDRAND     = 1 << 30 // removed: nondeterministic, and not implemented
	F1EcxHypervisor = 1 << 31 // kept: the guest runs on a virtual CPU
)

// Leaf 7 subleaf 0 EBX, ECX and EDX.
const (
	F7EbxFSGSBASE = 1 << 0  // removed: RDFSBASE and friends not implemented
	F7EbxBMI1     = 1 << 3  // removed: ANDN/BEXTR/BLS* (VEX) not implemented; TZCNT runs as BSF
	F7EbxAVX2     = 1 << 5  // removed: no AVX
	F7EbxSMEP     = 1 << 7  // removed: supervisor-mode execution prevention not emulated
	F7EbxBMI2     = 1 << 8  // removed: not implemented
	F7EbxERMS     = 1 << 9  // kept: a hint that REP MOVSB/STOSB are fast, which they are here
	F7EbxINVPCID  = 1 << 10 // removed: no PCIDs
	F7EbxRDSEED   = 1 << 18 // removed: nondeterministic
	F7EbxADX      = 1 << 19 // removed: not implemented
	F7EbxSMAP     = 1 << 20 // removed: supervisor-mode access prevention not emulated
	F7EbxCLFLOPT  = 1 << 23 // removed: CLFLUSHOPT not decoded as such
	F7EcxUMIP     = 1 << 2  // removed: user-mode instruction prevention not emulated
	F7EcxPKU      = 1 << 3  // removed: no protection keys
	F7EcxRDPID    = 1 << 22 // removed: not implemented
	F7EdxFSRM     = 1 << 4  // kept: a hint that short REP MOVSB is fast
	F7EdxMDCLEAR  = 1 << 10 // removed: speculation controls are KVM/host matters
	F7EdxIBRS     = 1 << 26 // removed: no speculation-control MSRs
	F7EdxSTIBP    = 1 << 27 // removed: no speculation-control MSRs
	F7EdxARCHCAP  = 1 << 29 // removed: no IA32_ARCH_CAPABILITIES
	F7EdxSSBD     = 1 << 31 // removed: no IA32_SPEC_CTRL
)

// Leaf 0x80000001 EDX and ECX (AMD's extended features; EDX repeats some
// leaf 1 bits on AMD processors).
const (
	F81EdxSYSCALL  = 1 << 11 // kept: SYSCALL/SYSRET
	F81EdxNX       = 1 << 20 // kept: no-execute pages (EFER.NXE)
	F81EdxMMXEXT   = 1 << 22 // removed: AMD MMX extensions not implemented
	F81EdxFFXSR    = 1 << 25 // removed: fast FXSAVE not emulated
	F81EdxPage1GB  = 1 << 26 // kept: 1 GiB pages in 4-level paging
	F81EdxRDTSCP   = 1 << 27 // kept: RDTSCP and IA32_TSC_AUX
	F81EdxLM       = 1 << 29 // kept: long mode
	F81Edx3DNowExt = 1 << 30 // removed
	F81Edx3DNow    = 1 << 31 // removed
	F81EcxLAHF     = 1 << 0  // kept: LAHF/SAHF in 64-bit mode
	F81EcxSVM      = 1 << 2  // removed: no nested virtualisation
	F81EcxExtAPIC  = 1 << 3  // removed: no APIC
	F81EcxCR8Leg   = 1 << 4  // removed: no TPR, hence no CR8 in legacy mode
	F81EcxABM      = 1 << 5  // kept: LZCNT (and POPCNT)
	F81EcxSSE4A    = 1 << 6  // removed: not implemented
	F81EcxPrefetch = 1 << 8  // kept: PREFETCHW (a no-op)
	F81EcxTopoExt  = 1 << 22 // removed: no topology leaves
)

// leaf1EdxKept is what leaf 1 EDX offers; leaf 0x80000001 EDX mirrors the
// AMD subset of it.
const (
	leaf1EdxKept = F1EdxFPU | F1EdxPSE | F1EdxTSC | F1EdxMSR | F1EdxPAE | F1EdxCX8 |
		F1EdxMTRR | F1EdxPGE | F1EdxCMOV | F1EdxPAT | F1EdxPSE36 | F1EdxCLFSH |
		F1EdxMMX | F1EdxFXSR | F1EdxSSE | F1EdxSSE2
	leaf1EcxKept = F1EcxCX16 | F1EcxPOPCNT | F1EcxHypervisor
	leaf7EbxKept = F7EbxERMS
	leaf7EcxKept = 0
	leaf7EdxKept = F7EdxFSRM
	// AMD repeats these leaf 1 EDX bits in 0x80000001 EDX.
	amdMirrorEdx = F1EdxFPU | F1EdxPSE | F1EdxTSC | F1EdxMSR | F1EdxPAE | F1EdxCX8 |
		F1EdxMTRR | F1EdxPGE | F1EdxCMOV | F1EdxPAT | F1EdxPSE36 | F1EdxMMX | F1EdxFXSR
	leaf81EdxKept = amdMirrorEdx | F81EdxSYSCALL | F81EdxNX | F81EdxPage1GB | F81EdxRDTSCP | F81EdxLM
	leaf81EcxKept = F81EcxLAHF | F81EcxABM | F81EcxPrefetch
	// Leaf 0x80000007 EDX bit 8: the TSC runs at a constant rate in every
	// power state (invariant TSC), true of both backends' TSC.
	apmEdxInvariantTSC = 1 << 8
)

// Identity of pollscope's own processor.
const (
	// Vendor is the CPUID vendor string.
	Vendor = "AuthenticAMD"
	// Brand is the processor name string (leaves 0x80000002-4).
	Brand = "pollscope software CPU"
	// Signature is leaf 1 EAX: family 0Fh, extended model 6, model 0Bh,
	// stepping 1 (QEMU's qemu64: a K8 as far as Linux is concerned).
	Signature = 0x00060fb1
	// MaxBasic and MaxExtended are the highest leaves Baseline answers.
	MaxBasic    = LeafExtFeatures7
	MaxExtended = LeafAddrSizes
	// PhysAddrBits and VirtAddrBits are leaf 0x80000008 EAX.
	PhysAddrBits = 40
	VirtAddrBits = 48
)
