package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// pollscope -icount -record, then pollscope replay: the replay says the
// guest did the same again.
func TestReplayCommand(t *testing.T) {
	dir := t.TempDir()
	rec := filepath.Join(dir, "run.session")
	script := filepath.Join(dir, "type.script")
	os.WriteFile(script, []byte("expect serial /executor: waker/ 30s\nsend \"deterministic\\n\"\nexpect screen /deterministic/ 30s\nsleep 200ms\n"), 0o644)
	if status, _, errOut := runCLI(t, "-icount", "-display", "none", "-serial", "none", "-record", rec, "-script", script); status != 0 {
		t.Fatalf("recording: status %d: %s", status, errOut)
	}
	status, out, errOut := runCLI(t, "replay", "-serial", rec)
	if status != 0 || !strings.Contains(errOut, "identical") || !strings.Contains(out, "deterministic") {
		t.Fatalf("replay: status %d\nstdout %q\nstderr %s", status, out, errOut)
	}
	t.Log(strings.TrimSpace(errOut))
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"-icount with KVM", []string{"-icount", "-accel", "kvm"}},
		{"replay without a file", []string{"replay"}},
	} {
		if status, _, _ := runCLI(t, tc.args...); status != statusUsage {
			t.Errorf("%s: status %d, want %d", tc.name, status, statusUsage)
		}
	}
}
