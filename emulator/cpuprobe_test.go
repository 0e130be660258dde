package emulator_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/pollscope/pollscope/cpu/cpuid"
	kvmcpu "github.com/pollscope/pollscope/cpu/kvm"
	"github.com/pollscope/pollscope/emulator"
	"github.com/pollscope/pollscope/emulator/emutest"
)

var updateGolden = flag.Bool("update-cpuprobe", false, "rewrite testdata/cpuprobe-tcg.golden from the software CPU")

// The boot MSRs a kernel reads, as the machine's firmware leaves them on
// every backend: APIC_BASE with the bootstrap bit and no global enable (no
// local APIC), MTRRcap (8 variable ranges, fixed ranges, write-combining),
// PAT at its power-on value, MTRRs enabled with write-back as the default
// type, and on AMD the HWCR's TscFreqSel.
func goldenMSRs(vendor string) map[uint32]uint64 {
	hwcr := uint64(0)
	if vendor == "AuthenticAMD" {
		hwcr = 1 << 24
	}
	return map[uint32]uint64{
		0x1b:       0x100,
		0xfe:       0x508,
		0x277:      0x0007040600070406,
		0x2ff:      0x806,
		0xc0010015: hwcr,
	}
}

// TestCPUProbeGolden boots the probe guest (CPUID and RDMSR, printed on
// COM1) on every backend: the software CPU's answers must be exactly the
// golden table testdata/cpuprobe-tcg.golden; KVM's must be exactly what
// pollscope gave KVM_SET_CPUID2, except the registers a PVM host answers
// from the hardware (kvm.PVMAnswersFromHardware), and only there on such a
// host; the MSRs must be the firmware's on both.
func TestCPUProbeGolden(t *testing.T) {
	emutest.ForEachBackend(t, func(t *testing.T, backend string) {
		p, err := emulator.ProbeCPU(context.Background(), backend)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Leaves) != len(emulator.ProbedLeaves) {
			t.Fatalf("the probe printed %d leaves, want %d:\n%v", len(p.Leaves), len(emulator.ProbedLeaves), p)
		}
		vendor := vendorOf(p)
		for idx, want := range goldenMSRs(vendor) {
			if got, ok := p.MSRs[idx]; !ok || got != want {
				t.Errorf("MSR %#x = %#x (read: %v), want %#x as firmware leaves it", idx, got, ok, want)
			}
		}
		switch backend {
		case emulator.BackendTCG:
			compareGolden(t, p.String())
		case emulator.BackendKVM:
			compareGiven(t, p)
		}
	})
}

func compareGolden(t *testing.T, got string) {
	path := filepath.Join("testdata", "cpuprobe-tcg.golden")
	if *updateGolden {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("the software CPU's answers differ from %s (run with -update-cpuprobe after a deliberate change):\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// pvmHost reports whether this host's KVM is PVM, the only kind known to
// answer some leaves from the hardware.
func pvmHost() bool {
	_, err := os.Stat("/sys/module/kvm_pvm")
	return err == nil
}

func compareGiven(t *testing.T, p *emulator.CPUProbe) {
	given := map[[2]uint32]cpuid.Leaf{}
	for _, l := range p.Given {
		given[[2]uint32{l.Function, l.Index}] = l
	}
	pvm := pvmHost()
	overridden := 0
	for _, got := range p.Leaves {
		want := given[[2]uint32{got.Function, got.Index}] // absent: KVM answers zeros
		regs := []struct {
			name      byte
			got, want uint32
		}{{'a', got.EAX, want.EAX}, {'b', got.EBX, want.EBX}, {'c', got.ECX, want.ECX}, {'d', got.EDX, want.EDX}}
		for _, r := range regs {
			if r.got == r.want {
				continue
			}
			if pvm && kvmcpu.PVMAnswersFromHardware(got.Function, got.Index, r.name) {
				overridden++
				continue
			}
			t.Errorf("leaf %#x.%d E%cX: the guest sees %#08x, pollscope gave KVM %#08x", got.Function, got.Index, r.name-'a'+'A', r.got, r.want)
		}
	}
	// The guest is offered no paravirtual feature that needs an in-kernel
	// irqchip (the WRMSR 0x4b564d06 error of issue 17).
	if pv, _ := p.Leaf(cpuid.LeafKVMFeatures, 0); pv.EAX&^cpuid.KVMFeaturesKept != 0 {
		t.Errorf("the guest sees paravirtual features %#x that need an in-kernel irqchip", pv.EAX&^cpuid.KVMFeaturesKept)
	}
	if pvm {
		t.Logf("PVM host: %d registers of leaves 1, 7 and 0xd came from the hardware, as expected", overridden)
	}
}

func vendorOf(p *emulator.CPUProbe) string {
	l, _ := p.Leaf(0, 0)
	return cpuid.VendorString(l)
}
