package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/pollscope/pollscope/cpu/cpuid"
	kvmcpu "github.com/pollscope/pollscope/cpu/kvm"
	"github.com/pollscope/pollscope/emulator"
)

// cpuModel is the only CPU model pollscope has: the feature set package
// cpu/cpuid decides for every backend.
const cpuModel = "pollscope"

const cpuFlagUsage = "CPU model: " + cpuModel + " (the only one); -cpu help lists what the guest's CPU offers on each backend"

// setCPU is -cpu's value: the model, or "help" (QEMU's spelling) for the
// listing.
func (o *options) setCPU(v string) error {
	switch v {
	case "help", "?":
		o.cpuHelp = true
	case cpuModel:
	default:
		return fmt.Errorf("pollscope has one CPU model, %q (-cpu help lists its features)", cpuModel)
	}
	return nil
}

// printCPUHelp runs the CPU probe guest on every backend this host can run
// and lists what the guest's CPU offered it: the feature bits by name, the
// paravirtual leaf, the boot MSRs, and where the host overrides pollscope's
// table (PVM). It returns the exit status.
func printCPUHelp(stdout, stderr io.Writer) int {
	fmt.Fprintf(stdout, "CPU model %q: the features package cpu/cpuid offers every backend (docs/linux.md, \"The CPU a kernel sees\").\n", cpuModel)
	fmt.Fprintln(stdout, "What follows is what a guest executing CPUID and RDMSR sees, probed now.")
	status := 0
	for _, b := range emulator.Backends() {
		fmt.Fprintln(stdout)
		if err := emulator.BackendAvailable(b); err != nil {
			fmt.Fprintf(stdout, "%s: not available here: %v\n", b, err)
			continue
		}
		p, err := emulator.ProbeCPU(context.Background(), b)
		if err != nil {
			fmt.Fprintf(stderr, "pollscope: probing the %s CPU: %v\n", b, err)
			status = statusEmulatorError
			continue
		}
		printProbe(stdout, p)
	}
	return status
}

func printProbe(w io.Writer, p *emulator.CPUProbe) {
	switch p.Backend {
	case emulator.BackendTCG:
		fmt.Fprintln(w, "tcg (the software CPU):")
	case emulator.BackendKVM:
		fmt.Fprintf(w, "kvm (this host: %s):\n", emulator.DetectHostKind().Name())
	default:
		fmt.Fprintf(w, "%s:\n", p.Backend)
	}
	l0, _ := p.Leaf(0, 0)
	l1, _ := p.Leaf(1, 0)
	fmt.Fprintf(w, "  %-22s %s, family %#x model %#x stepping %d\n", "vendor:", cpuid.VendorString(l0),
		family(l1.EAX), model(l1.EAX), l1.EAX&0xf)
	given := map[[2]uint32]cpuid.Leaf{}
	for _, l := range p.Given {
		given[[2]uint32{l.Function, l.Index}] = l
	}
	var overridden []string
	for _, fw := range cpuid.FeatureWords {
		seen, ok := p.Leaf(fw.Function, fw.Index)
		if !ok {
			continue
		}
		v := fw.Value(seen)
		names := strings.Join(fw.BitNames(v), " ")
		if names == "" {
			names = "(none)"
		}
		fmt.Fprintf(w, "  %-22s %s\n", fw.String()+":", names)
		g := fw.Value(given[[2]uint32{fw.Function, fw.Index}])
		if extra := fw.BitNames(v &^ g); len(extra) > 0 && kvmcpu.PVMAnswersFromHardware(fw.Function, fw.Index, fw.Reg) {
			overridden = append(overridden, fw.String()+": "+strings.Join(extra, " "))
		}
	}
	var msrs []string
	idx := make([]uint32, 0, len(p.MSRs))
	for i := range p.MSRs {
		idx = append(idx, i)
	}
	sort.Slice(idx, func(a, b int) bool { return idx[a] < idx[b] })
	for _, i := range idx {
		msrs = append(msrs, fmt.Sprintf("%s=%#x", msrName(i), p.MSRs[i]))
	}
	fmt.Fprintf(w, "  %-22s %s\n", "boot MSRs:", strings.Join(msrs, " "))
	if len(overridden) > 0 {
		fmt.Fprintln(w, "  note: this host's KVM (PVM) answers leaf 1 ECX/EDX, leaf 7.0 and leaf 0xd from the hardware,")
		fmt.Fprintln(w, "  ignoring pollscope's table there; the guest also sees, though pollscope does not offer them:")
		for _, o := range overridden {
			fmt.Fprintf(w, "    %s\n", o)
		}
	}
}

// family and model decode leaf 1 EAX with the extended fields, as the SDM
// says: extended family adds when the family is 0xF, extended model
// prefixes when it is 6 or 0xF.
func family(eax uint32) uint32 {
	f := eax >> 8 & 0xf
	if f == 0xf {
		f += eax >> 20 & 0xff
	}
	return f
}

func model(eax uint32) uint32 {
	m := eax >> 4 & 0xf
	if f := eax >> 8 & 0xf; f == 0x6 || f == 0xf {
		m |= eax >> 16 & 0xf << 4
	}
	return m
}

func msrName(i uint32) string {
	switch i {
	case 0x1b:
		return "APIC_BASE"
	case 0xfe:
		return "MTRRcap"
	case 0x277:
		return "PAT"
	case 0x2ff:
		return "MTRRdefType"
	case 0xc0010015:
		return "HWCR"
	}
	return fmt.Sprintf("%#x", i)
}
