package emulator

import (
	"fmt"

	"github.com/pollscope/pollscope/cpu"
	"github.com/pollscope/pollscope/cpu/cpuid"
)

// pollscope has no firmware: the PVH loader jumps straight to the kernel.
// What a PC's BIOS would have done to the processor before that, and a
// kernel relies on, is done here, the same way on every backend (through
// cpu.VCPU.SetMSR), once, before the first instruction.
//
// The model-specific registers a kernel reads at boot and expects the
// firmware to have set (docs/linux.md, "Boot-time MSRs"):
//
//   - IA32_MTRR_DEF_TYPE (0x2FF): a processor resets with the MTRRs
//     disabled; every BIOS enables them with write-back as the default
//     memory type once it has sized RAM. Left at 0, Linux reports "MTRR:
//     Disabled" and skips PAT ("x86/PAT: MTRRs disabled, skipping PAT
//     initialization too"). No variable or fixed range is needed: all of
//     pollscope's RAM is ordinary write-back memory and there is no MMIO.
//   - IA32_PAT (0x277): its power-on value (WB, WT, UC-, UC, twice), which
//     firmware leaves alone. KVM and the software CPU both reset to it;
//     written here so the boot state is stated in one place.
//   - IA32_APIC_BASE (0x1B): the bootstrap-processor bit with the global
//     enable clear: pollscope's PC has no local APIC (KVM resets it to
//     0xFEE00900, enabled, as if there were one).
//   - AMD's HWCR (0xC0010015) bit 24, TscFreqSel: AMD processors since
//     family 10h reset with it set (the TSC counts at the P0 frequency, as
//     an invariant TSC does). KVM's virtual HWCR resets to 0, and Linux on
//     an AMD family > 10h with CPUID's invariant TSC bit then warns
//     "[Firmware Bug]: TSC doesn't count with P0 frequency!". Only on AMD:
//     Intel processors have no HWCR.
const (
	msrAPICBase    = 0x1b
	msrPAT         = 0x277
	msrMTRRDefType = 0x2ff
	msrAMDHWCR     = 0xc0010015

	mtrrDefTypeEnable = 1 << 11 // E: MTRRs enabled
	memTypeWriteBack  = 6
	patPowerOn        = 0x0007040600070406
	apicBaseBSP       = 1 << 8
	hwcrTscFreqSel    = 1 << 24
)

// firmwareMSR is one register the firmware sets: its value, given what it
// holds now, and whether a backend refusing it stops the boot.
type firmwareMSR struct {
	name     string
	index    uint32
	amdOnly  bool
	value    func(now uint64) uint64
	optional bool // an older KVM may refuse it; the kernel then only warns
}

var firmwareMSRs = []firmwareMSR{
	{name: "IA32_MTRR_DEF_TYPE", index: msrMTRRDefType,
		value: func(uint64) uint64 { return mtrrDefTypeEnable | memTypeWriteBack }},
	{name: "IA32_PAT", index: msrPAT, value: func(uint64) uint64 { return patPowerOn }},
	{name: "IA32_APIC_BASE", index: msrAPICBase, optional: true,
		value: func(uint64) uint64 { return apicBaseBSP }},
	// KVM lets userspace set TscFreqSel since late 2023 ("KVM: x86:
	// Virtualize HWCR.TscFreqSel"); an older one refuses it.
	{name: "HWCR", index: msrAMDHWCR, amdOnly: true, optional: true,
		value: func(now uint64) uint64 { return now | hwcrTscFreqSel }},
}

// cpuidTable is implemented by a backend that was given a CPUID table of
// its own (KVM: the host's, filtered). The software CPU answers from
// cpuid.Baseline.
type cpuidTable interface{ CPUID() []cpuid.Leaf }

// guestCPUID returns the CPUID table the backend offers the guest.
func guestCPUID(v cpu.VCPU) []cpuid.Leaf {
	if t, ok := v.(cpuidTable); ok {
		return t.CPUID()
	}
	return cpuid.Baseline()
}

// guestVendor is the CPUID vendor string the guest reads in leaf 0.
func guestVendor(v cpu.VCPU) string {
	for _, l := range guestCPUID(v) {
		if l.Function == cpuid.LeafVendor {
			return cpuid.VendorString(l)
		}
	}
	return ""
}

// setFirmwareMSRs leaves the processor's MSRs as a PC's firmware does.
func setFirmwareMSRs(v cpu.VCPU) error {
	amd := guestVendor(v) == "AuthenticAMD"
	for _, f := range firmwareMSRs {
		if f.amdOnly && !amd {
			continue
		}
		now, err := v.MSR(f.index)
		if err == nil {
			err = v.SetMSR(f.index, f.value(now))
		}
		if err != nil && !f.optional {
			return fmt.Errorf("setting %s (MSR %#x) as firmware would: %w", f.name, f.index, err)
		}
	}
	return nil
}
