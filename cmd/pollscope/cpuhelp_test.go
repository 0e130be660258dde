package main

import (
	"os"
	"strings"
	"testing"
)

// -cpu help (QEMU's spelling) probes the guest's CPU on every backend here
// and lists it; an unknown model is bad usage.
func TestCPUHelp(t *testing.T) {
	status, out, errOut := runCLI(t, "-cpu", "help")
	if status != 0 {
		t.Fatalf("status %d, stderr %q", status, errOut)
	}
	for _, want := range []string{"tcg (the software CPU):", "1.edx:", "fpu", "cx16", "0x40000001.eax:", "MTRRdefType=0x806", "PAT=0x7040600070406"} {
		if !strings.Contains(out, want) {
			t.Errorf("-cpu help does not say %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat("/sys/module/kvm_pvm"); err == nil && !strings.Contains(out, "PVM") {
		t.Errorf("on a PVM host -cpu help does not say that PVM answers some leaves from the hardware:\n%s", out)
	}
	for _, args := range [][]string{{"-cpu", "host"}, {"-cpu", "qemu64"}} {
		if status, _, errOut := runCLI(t, args...); status != statusUsage || !strings.Contains(errOut, "one CPU model") {
			t.Errorf("%v: status %d, stderr %q; want bad usage naming the one model", args, status, errOut)
		}
	}
}
