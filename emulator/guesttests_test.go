package emulator_test

import (
	"strings"
	"testing"
	"time"

	"github.com/pollscope/pollscope/emulator"
	"github.com/pollscope/pollscope/emulator/emutest"
)

// The demo kernel's own test suite, one call, each guest test a subtest.
func TestDemoKernelSelfTests(t *testing.T) {
	emutest.ForEachBackend(t, func(t *testing.T, backend string) {
		tests := emutest.KernelTests(t, emulator.Config{Backend: backend, Cmdline: "test"}, 60*time.Second)
		if len(tests) < 10 {
			t.Fatalf("the guest ran %d tests", len(tests))
		}
	})
}

// A failing guest test is reported with its message and a failure status.
func TestDemoKernelFailingSelfTest(t *testing.T) {
	emutest.ForEachBackend(t, func(t *testing.T, backend string) {
		m := emutest.Boot(t, emulator.Config{Backend: backend, Cmdline: "test=fail-demo"})
		res := emutest.WaitExit(t, m, 30*time.Second)
		if res.Outcome != emulator.OutcomeExit || res.ExitValue != 3 {
			t.Fatalf("result %v, want exit value 3", res)
		}
		tests := emutest.ParseGuestTests(m.Serial())
		if len(tests) != 1 || tests[0].Passed || tests[0].Error == "" || !strings.Contains(tests[0].Name, "fail-demo") {
			t.Fatalf("parsed %+v from:\n%s", tests, m.Serial())
		}
	})
}
