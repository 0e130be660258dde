package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pollscope/pollscope/emulator/emutest"
)

// The README's exit-status table and -help's are the same rows.
func TestStatusTableMatchesReadmeAndHelp(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	sec := regexp.MustCompile("(?s)<!-- exit-status -->\n\\| status \\| meaning \\|\n\\|---\\|---\\|\n(.*?)\n\n").FindSubmatch(b)
	if sec == nil {
		t.Fatal("README.md has no exit-status table after <!-- exit-status -->")
	}
	rows := strings.Split(string(sec[1]), "\n")
	if len(rows) != len(statusTable) {
		t.Fatalf("README has %d rows, -help %d", len(rows), len(statusTable))
	}
	for i, r := range statusTable {
		if want := "| `" + r.status + "` | " + r.meaning + " |"; rows[i] != want {
			t.Errorf("README row %d:\n  %s\nwant\n  %s", i, rows[i], want)
		}
	}
	var help bytes.Buffer
	if status := run([]string{"-help"}, &help, &help); status != 0 {
		t.Fatalf("-help exited %d", status)
	}
	for _, r := range statusTable {
		if !strings.Contains(help.String(), r.status) || !strings.Contains(help.String(), r.meaning) {
			t.Errorf("-help lacks the row %q %q", r.status, r.meaning)
		}
	}
}

// Every row of the table is what such a run gets, and none of pollscope's
// own statuses is odd (a guest status).
func TestEveryStatusRow(t *testing.T) {
	for _, r := range statusTable[1:] {
		if !strings.HasPrefix(r.status, "(") && (r.status[len(r.status)-1]-'0')%2 == 1 {
			t.Errorf("pollscope's own status %s is odd: a guest could produce it", r.status)
		}
	}
	dir := t.TempDir()
	halts := filepath.Join(dir, "halts.elf")
	os.WriteFile(halts, emutest.TinyKernel(0xfa, 0xf4), 0o644) // cli; hlt
	failing := filepath.Join(dir, "fail.script")
	os.WriteFile(failing, []byte("expect serial /never printed/ 300ms\n"), 0o644)
	for _, tc := range []struct {
		name   string
		guest  bool
		args   []string
		status int
	}{
		{"a guest's isa-debug-exit value 0", true, []string{"-append", "exit"}, 1},
		{"a guest's panic (value 1)", true, []string{"-append", "crash=panic"}, 3},
		{"stopped by -until", true, []string{"-until", "ready"}, statusStopped},
		{"halted with interrupts off", true, []string{"-kernel", halts}, statusGuestCrashed},
		{"the trace cannot be written at the end", true, []string{"-append", "exit", "-trace", "/dev/full"}, statusEmulatorError},
		{"a script step fails", true, []string{"-script", failing}, statusScriptFailed},
		{"-display gui without a display", false, []string{"-display", "gui"}, statusNoDisplay},
		{"a missing kernel", false, []string{"-kernel", filepath.Join(dir, "none.elf")}, statusBadKernel},
		{"bad usage", false, []string{"-m", "1"}, statusUsage},
		{"a session file that is not one", false, []string{"view", "-summary", halts}, statusBadSession},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("DISPLAY", "")
			t.Setenv("WAYLAND_DISPLAY", "")
			backends := []string{""}
			if tc.guest {
				backends = emutest.Backends()
			}
			for _, backend := range backends {
				args := tc.args
				if tc.args[0] != "-display" && tc.args[0] != "view" {
					args = append([]string{"-display", "none", "-serial", "none"}, args...)
				}
				if backend != "" {
					args = append([]string{"-accel", backend}, args...)
				}
				if status, _, errOut := runCLI(t, args...); status != tc.status {
					t.Fatalf("-accel %s: status %d, want %d; stderr:\n%s", backend, status, tc.status, errOut)
				}
			}
		})
	}
}
