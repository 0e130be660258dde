package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Bad usage is found before anything runs and always gets statusUsage
// (issue 13, item 2). None of these cases boots a guest, so they run
// everywhere.
func TestBadUsageIsRefusedBeforeRunning(t *testing.T) {
	dir := t.TempDir()
	script := func(name, body string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o644)
		return p
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"-m 1: below the minimum", []string{"-m", "1"}, "2 to 3072"},
		{"-m 100000: above the maximum", []string{"-m", "100000"}, "2 to 3072"},
		{"over-long -append", []string{"-append", strings.Repeat("x", 5000)}, "at most 4095"},
		{"negative -duration", []string{"-duration", "-3s"}, "positive duration"},
		{"zero -duration", []string{"-duration", "0"}, "positive duration"},
		{"-duration that is not one", []string{"-duration", "soon"}, "positive duration"},
		{"-trace in a missing directory", []string{"-trace", filepath.Join(dir, "no", "such", "dir", "t.json")}, "-trace:"},
		{"-serial file in a missing directory", []string{"-serial", "file:" + filepath.Join(dir, "no", "dir", "out")}, "-serial:"},
		{"non-ASCII in a script's send", []string{"-script", script("utf.script", "send \"héllo\"\n")}, "no key on the US keyboard layout"},
		{"key down without a key", []string{"-script", script("down.script", "key down\n")}, "needs a key name"},
		{"key up without a key", []string{"-script", script("up.script", "key up\n")}, "needs a key name"},
		{"a bad -until pattern", []string{"-until", "("}, "-until"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, out, errOut := runCLI(t, tc.args...)
			if status != statusUsage || !strings.Contains(errOut, tc.want) {
				t.Fatalf("status %d, stderr %q; want status %d saying %q", status, errOut, statusUsage, tc.want)
			}
			if out != "" {
				t.Fatalf("something ran: stdout %q", out)
			}
		})
	}
}

// The -serial file is opened before the guest runs: the file exists (empty)
// even when the run is refused later for another reason.
func TestOutputFilesAreOpenedFirst(t *testing.T) {
	dir := t.TempDir()
	tr := filepath.Join(dir, "trace.json")
	status, _, _ := runCLI(t, "-trace", tr, "-kernel", filepath.Join(dir, "missing.elf"))
	if status != statusBadKernel {
		t.Fatalf("status %d, want %d", status, statusBadKernel)
	}
	if _, err := os.Stat(tr); err != nil {
		t.Fatalf("the trace file was not created up front: %v", err)
	}
}
