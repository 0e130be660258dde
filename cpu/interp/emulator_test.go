package interp_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pollscope/pollscope/emulator"
)

// End-to-end: the demo kernel through the real emulator on the software
// CPU (emulator.Config{Backend: "tcg"}), in real time.

const e2eTimeout = 60 * time.Second

func bootTCG(t *testing.T, cmdline string) *emulator.Machine {
	t.Helper()
	m, err := emulator.New(emulator.Config{Backend: emulator.BackendTCG, Cmdline: cmdline})
	if err != nil {
		t.Fatalf("emulator.New: %v", err)
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Errorf("closing the machine: %v", err)
		}
	})
	if m.Backend() != emulator.BackendTCG {
		t.Fatalf("backend %q, want %q", m.Backend(), emulator.BackendTCG)
	}
	if err := m.Start(); err != nil {
		t.Fatal(err)
	}
	return m
}

func waitSerial(t *testing.T, m *emulator.Machine, pattern string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), e2eTimeout)
	defer cancel()
	s, err := m.WaitSerial(ctx, regexp.MustCompile(pattern))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func waitExit(t *testing.T, m *emulator.Machine) emulator.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), e2eTimeout)
	defer cancel()
	res, err := m.Wait(ctx)
	if err != nil {
		t.Fatalf("the guest did not end: %v\n%s", err, m.Serial())
	}
	return res
}

// The kernel's own test suite passes.
func TestDemoKernelTestSuite(t *testing.T) {
	m := bootTCG(t, "test")
	res := waitExit(t, m)
	if res.Outcome != emulator.OutcomeExit || res.ExitValue != 0 {
		t.Fatalf("test run ended with %v\n%s", res, m.Serial())
	}
	out := m.Serial()
	if !strings.Contains(out, "test result: ok.") || strings.Contains(out, "[failed]") {
		t.Fatalf("the kernel's tests did not all pass:\n%s", out)
	}
}

// Every scenario reaches its executor and shows its first signs of life.
func TestDemoKernelScenarios(t *testing.T) {
	cases := []struct {
		scenario string
		want     string
	}{
		{"demo", `async number: 42`},
		{"lostwaker", `async number: 42`},
		{"longpoll", `async number: 42`},
		{"keyboard", `executor: waker scenario=keyboard started`},
		{"demo executor=simple", `executor: simple scenario=demo started`},
	}
	for _, c := range cases {
		t.Run(c.scenario, func(t *testing.T) {
			m := bootTCG(t, "scenario="+c.scenario+" hz=1000 report=200")
			waitSerial(t, m, `ready`)
			waitSerial(t, m, c.want)
			waitSerial(t, m, `timer: 200 ticks`)
		})
	}
	t.Run("bench", func(t *testing.T) {
		m := bootTCG(t, "scenario=bench")
		res := waitExit(t, m)
		if res.ExitValue != 0 || !strings.Contains(m.Serial(), "bench: task switch") {
			t.Fatalf("bench scenario: %v\n%s", res, m.Serial())
		}
	})
}

// A line typed on the keyboard is echoed on the serial port.
func TestDemoKernelEchoesTypedLine(t *testing.T) {
	m := bootTCG(t, "scenario=keyboard")
	waitSerial(t, m, `executor: waker scenario=keyboard started`)
	ctx, cancel := context.WithTimeout(context.Background(), e2eTimeout)
	defer cancel()
	if err := m.TypeText(ctx, "Hello, tcg!\n"); err != nil {
		t.Fatal(err)
	}
	waitSerial(t, m, `Hello, tcg!\n`)
}

// A deliberate crash is reported the way the kernel prints it.
func TestDemoKernelCrashes(t *testing.T) {
	for _, c := range []struct{ crash, want string }{
		{"divide", `EXCEPTION: divide error vector=0`},
		{"pagefault", `EXCEPTION: page fault vector=14 error=0x[04] .* cr2=0x1000000000`},
		{"gp", `EXCEPTION: general protection vector=13`},
		{"ud2", `EXCEPTION: invalid opcode vector=6`},
		{"panic", `PANIC: requested by the command line`},
	} {
		t.Run(c.crash, func(t *testing.T) {
			m := bootTCG(t, "crash="+c.crash)
			res := waitExit(t, m)
			if !regexp.MustCompile(c.want).MatchString(m.Serial()) {
				t.Fatalf("crash=%s: %v, serial:\n%s", c.crash, res, m.Serial())
			}
		})
	}
}
