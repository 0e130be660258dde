package emulator

import (
	"context"
	"strings"
	"testing"
	"time"

	kvmcpu "github.com/pollscope/pollscope/cpu/kvm"
	"github.com/pollscope/pollscope/emulator/internal/pvhelf"
)

func TestLackedInstructionsAreNamed(t *testing.T) {
	for _, c := range []struct {
		name string
		code []byte
		mode int
		want string
	}{
		{"lock cmpxchg16b (SLUB)", []byte{0xf0, 0x48, 0x0f, 0xc7, 0x4d, 0x20}, 64, "cmpxchg16b"},
		{"xrstor64 (the FPU init)", []byte{0x48, 0x0f, 0xae, 0x2f}, 64, "xrstor"},
		{"xsave", []byte{0x0f, 0xae, 0x27}, 64, "xsave"},
		{"int3 (the kernel's self-test)", []byte{0xcc}, 64, "int3"},
		{"int 0x80", []byte{0xcd, 0x80}, 32, "int n"},
		{"nop: nothing lacked", []byte{0x90}, 64, ""},
		{"cmpxchg8b: KVM emulates it", []byte{0x0f, 0xc7, 0x0e}, 32, ""},
		{"undecodable bytes", []byte{0x0f}, 64, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, ok := lackedOp(c.code, c.mode)
			if got != c.want || ok != (c.want != "") {
				t.Errorf("lackedOp(% x) = %q, %v; want %q", c.code, got, ok, c.want)
			}
		})
	}
}

func TestLackedInstructionExplanations(t *testing.T) {
	pvm := explainLackedInstruction("int3", HostKind{EmulatesCPL0: true, Known: true, How: "test"})
	hw := explainLackedInstruction("int3", HostKind{Known: true, How: "test"})
	for _, s := range []string{pvm, hw} {
		if !strings.Contains(s, "int3") || !strings.Contains(s, "-accel tcg") {
			t.Errorf("explanation %q does not name the instruction and the way on", s)
		}
	}
	if !strings.Contains(pvm, "CPL0") {
		t.Errorf("the PVM explanation %q does not say why", pvm)
	}
	if StockKernelWarning(HostKind{Known: true}) != "" {
		t.Errorf("a warning on hardware-virtualised KVM")
	}
	if w := StockKernelWarning(HostKind{EmulatesCPL0: true, Known: true, How: "test"}); !strings.Contains(w, "-accel tcg") {
		t.Errorf("the warning %q does not name the way on", w)
	}
}

// On a host whose KVM emulates CPL0, INT3 at CPL0 ends the run with KVM's
// internal error, and the error says which instruction and what to do.
func TestKVMInternalErrorNamesTheInstruction(t *testing.T) {
	if err := kvmcpu.Available(); err != nil {
		t.Skipf("skipping: %v", err)
	}
	if !DetectHostKind().EmulatesCPL0 {
		t.Skip("skipping: this host's KVM runs CPL0 natively; INT3 there is an ordinary exception")
	}
	m, err := New(Config{Kernel: pvhelf.Tiny([]byte{0xcc}).Build(), Backend: BackendKVM})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := m.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != OutcomeError || !strings.Contains(res.Err.Error(), "int3") || !strings.Contains(res.Err.Error(), "-accel tcg") {
		t.Fatalf("result %v; want an internal error naming int3 and -accel tcg", res)
	}
}
