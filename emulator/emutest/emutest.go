// Package emutest boots pollscope guests from Go tests: it runs a test on
// every CPU backend this host has (ForEachBackend: the software CPU
// everywhere, KVM where /dev/kvm is usable), skips a KVM-only test where KVM
// is missing, fails the test with the console's tail when a wait times out,
// and closes the machine when the test ends.
//
//	func TestMyKernel(t *testing.T) {
//		m := emutest.Boot(t, emulator.Config{KernelPath: "my.elf", Cmdline: "test"})
//		emutest.WaitSerial(t, m, `all tests passed`, 10*time.Second)
//		if res := emutest.WaitExit(t, m, 10*time.Second); res.ExitValue != 0 {
//			t.Fatalf("guest failed: %v", res)
//		}
//	}
package emutest

import (
	"context"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	kvmcpu "github.com/pollscope/pollscope/cpu/kvm"
	"github.com/pollscope/pollscope/emulator"
	"github.com/pollscope/pollscope/emulator/internal/pvhelf"
)

// RequireKVM skips the test, saying why, where this host cannot run KVM.
func RequireKVM(t testing.TB) {
	t.Helper()
	if err := kvmcpu.Available(); err != nil {
		t.Skipf("skipping: %v", err)
	}
}

// backendsEnv restricts ForEachBackend, e.g. POLLSCOPE_BACKENDS=tcg.
const backendsEnv = "POLLSCOPE_BACKENDS"

// Backends lists the CPU backends a test should run on here: every backend
// this build has that this host can run (the software CPU always; KVM where
// /dev/kvm is usable), or those $POLLSCOPE_BACKENDS names.
func Backends() []string {
	var out []string
	only := os.Getenv(backendsEnv)
	for _, b := range emulator.Backends() {
		if only != "" && !slices.Contains(strings.Split(only, ","), b) {
			continue
		}
		if emulator.BackendAvailable(b) == nil {
			out = append(out, b)
		}
	}
	return out
}

// ForEachBackend runs f as a subtest per backend (named after it), for
// table-driven tests of everything that is not about one backend.
func ForEachBackend(t *testing.T, f func(t *testing.T, backend string)) {
	t.Helper()
	for _, b := range Backends() {
		t.Run(b, func(t *testing.T) { f(t, b) })
	}
}

// New creates a machine for cfg without starting it and closes it when the
// test ends. It skips the test where cfg asks for a backend this host cannot
// run.
func New(t testing.TB, cfg emulator.Config) *emulator.Machine {
	t.Helper()
	backend := cfg.Backend
	if backend == "" {
		backend = emulator.DefaultBackend()
	}
	if err := emulator.BackendAvailable(backend); err != nil {
		t.Skipf("skipping: %v", err)
	}
	m, err := emulator.New(cfg)
	if err != nil {
		t.Fatalf("emulator.New: %v", err)
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Errorf("closing the machine: %v", err)
		}
	})
	return m
}

// Boot creates and starts a machine for cfg and closes it when the test
// ends.
func Boot(t testing.TB, cfg emulator.Config) *emulator.Machine {
	t.Helper()
	m := New(t, cfg)
	if err := m.Start(); err != nil {
		t.Fatalf("starting the machine: %v", err)
	}
	return m
}

// WaitSerial waits up to timeout for the guest's serial output to match
// pattern and returns the match; on failure it fails the test with what was
// expected and the last lines of serial and screen.
func WaitSerial(t testing.TB, m *emulator.Machine, pattern string, timeout time.Duration) string {
	t.Helper()
	return wait(t, m.WaitSerial, pattern, timeout)
}

// WaitScreen is WaitSerial for the VGA text screen.
func WaitScreen(t testing.TB, m *emulator.Machine, pattern string, timeout time.Duration) string {
	t.Helper()
	return wait(t, m.WaitScreen, pattern, timeout)
}

func wait(t testing.TB, waitFor func(context.Context, *regexp.Regexp) (string, error), pattern string, timeout time.Duration) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	s, err := waitFor(ctx, regexp.MustCompile(pattern))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Type types text on the guest's keyboard, failing the test if the guest
// stops reading it for longer than timeout.
func Type(t testing.TB, m *emulator.Machine, text string, timeout time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := m.TypeText(ctx, text); err != nil {
		t.Fatal(err)
	}
}

// WaitExit waits up to timeout for the guest to end and returns how it
// ended; on timeout it fails the test with the console's tail.
func WaitExit(t testing.TB, m *emulator.Machine, timeout time.Duration) emulator.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	res, err := m.Wait(ctx)
	if err != nil {
		t.Fatalf("the guest did not end within %v: %v\n--- serial ---\n%s\n--- screen ---\n%s", timeout, err, m.Serial(), m.ScreenText())
	}
	return res
}

// TinyKernel wraps raw 32-bit x86 code in a bootable PVH ELF64 image that
// runs it at physical address 1 MiB in protected mode, with EBX pointing at
// the PVH start info: a way to test the machine with a few instructions.
func TinyKernel(code ...byte) []byte {
	return pvhelf.Tiny(code).Build()
}
