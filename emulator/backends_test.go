package emulator_test

import (
	"testing"

	"github.com/pollscope/pollscope/emulator"
	"github.com/pollscope/pollscope/trace"
)

// onBackend is cfg for a test of the trace on backend. The software CPU runs
// in deterministic time (ICount): the poll durations the lints judge then
// count the guest's instructions, not the shared host's scheduling.
func onBackend(backend string, cfg emulator.Config) emulator.Config {
	cfg.Backend = backend
	cfg.ICount = backend == emulator.BackendTCG
	return cfg
}

// hostMadeLint reports whether a lint may have been made by the host rather
// than the guest: on KVM a poll's duration is wall-clock time, which takes
// in the host's scheduling of the vCPU thread on a loaded machine (and, on a
// host whose KVM emulates CPL0, the emulated interrupt handlers that ran
// inside the poll). Such a long-poll lint on a task built not to poll long
// is logged, not failed; under ICount it is a failure.
func hostMadeLint(t *testing.T, backend string, l trace.Lint) bool {
	t.Helper()
	if backend == emulator.BackendKVM && l.Kind == trace.LintLongPoll {
		t.Logf("long-poll lint on KVM, wall-clock time (not failed): %s", l.Message)
		return true
	}
	return false
}
