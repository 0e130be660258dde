package emulator

import (
	"errors"
	"strings"
	"testing"

	kvmcpu "github.com/pollscope/pollscope/cpu/kvm"
)

func TestClassifyHost(t *testing.T) {
	const intel = "processor\t: 0\nflags\t\t: fpu vme de pse tsc msr pae vmx ept\n\nprocessor\t: 1\nflags\t\t: fpu\n"
	const amd = "flags\t\t: fpu svm npt\n"
	const nested = "flags\t\t: fpu vme hypervisor lm\n"
	cases := []struct {
		name      string
		pvm       bool
		cpuinfo   string
		err       error
		emulates  bool
		known     bool
		howSubstr string
	}{
		{"kvm_pvm loaded", true, nested, nil, true, true, "kvm_pvm"},
		{"kvm_pvm loaded wins over vmx", true, intel, nil, true, true, "kvm_pvm"},
		{"Intel with VMX", false, intel, nil, false, true, "vmx"},
		{"AMD with SVM", false, amd, nil, false, true, "svm"},
		{"no VMX or SVM", false, nested, nil, true, true, "neither vmx nor svm"},
		{"cpuinfo unreadable", false, "", errors.New("permission denied"), false, false, "permission denied"},
		{"no flags line", false, "processor\t: 0\n", nil, false, false, "no CPU flags"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k := classifyHost(c.pvm, c.cpuinfo, c.err)
			if k.EmulatesCPL0 != c.emulates || k.Known != c.known || !strings.Contains(k.How, c.howSubstr) {
				t.Fatalf("classifyHost = %+v, want emulates %v, known %v, how containing %q", k, c.emulates, c.known, c.howSubstr)
			}
		})
	}
}

func TestHostKindNames(t *testing.T) {
	cases := []struct {
		kind HostKind
		name string
	}{
		{HostKind{Known: true}, HostHardwareKVM},
		{HostKind{Known: true, EmulatesCPL0: true}, HostEmulatedCPL0},
		{HostKind{}, hostUnknown},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k := c.kind
			k.How = "because"
			if k.Name() != c.name || k.String() != c.name+" (because)" {
				t.Fatalf("%+v: Name %q, String %q", k, k.Name(), k.String())
			}
		})
	}
}

func TestClassifyLoop(t *testing.T) {
	cases := []struct {
		ns       float64
		emulates bool
	}{{0.4, false}, {-3, false}, {1200, true}, {emulatedLoopNs + 1, true}}
	for _, c := range cases {
		if k := classifyLoop(c.ns); k.EmulatesCPL0 != c.emulates || !k.Known || !strings.Contains(k.How, "ns per iteration") {
			t.Errorf("classifyLoop(%v) = %+v, want emulates %v", c.ns, k, c.emulates)
		}
	}
}

// The measurement boots its probe guest and gives an answer with its
// figure; which answer depends on the host, so it is not asserted.
func TestMeasureHostKind(t *testing.T) {
	if err := kvmcpu.Available(); err != nil {
		t.Skipf("skipping: %v", err)
	}
	k, err := MeasureHostKind()
	if err != nil {
		t.Fatal(err)
	}
	if !k.Known || !strings.Contains(k.How, "CPL0 loop") {
		t.Fatalf("MeasureHostKind = %+v", k)
	}
	t.Logf("measured: %v; detected: %v", k, DetectHostKind())
}
