package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pollscope/pollscope/emulator/emutest"
)

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	status := run(args, &stdout, &stderr)
	return status, stdout.String(), stderr.String()
}

func TestCLIBootsEmbeddedKernel(t *testing.T) {
	emutest.ForEachBackend(t, func(t *testing.T, backend string) {
		status, out, errOut := runCLI(t, "-accel", backend, "-display", "none", "-append", "exit")
		if status != 1 {
			t.Fatalf("status %d, want 1 (QEMU's (0<<1)|1); stderr: %s", status, errOut)
		}
		if !strings.HasPrefix(out, "pollscope demo kernel") {
			t.Fatalf("stdout does not start with the banner: %q", out)
		}
	})
}

func TestCLIExceptionStatus(t *testing.T) {
	emutest.ForEachBackend(t, func(t *testing.T, backend string) {
		status, out, _ := runCLI(t, "-accel", backend, "-append", "crash=pagefault", "-serial", "stdio")
		if status != 5 || !strings.Contains(out, "EXCEPTION: page fault") {
			t.Fatalf("status %d (want 5), output %q", status, out)
		}
	})
}

func TestCLIReportsBadInput(t *testing.T) {
	dir := t.TempDir()
	notELF := filepath.Join(dir, "kernel.txt")
	os.WriteFile(notELF, []byte("not a kernel"), 0o644)
	cases := []struct {
		name   string
		args   []string
		status int
		want   string
	}{
		{"missing kernel", []string{"-kernel", filepath.Join(dir, "missing.elf")}, statusBadKernel, "no such file"},
		{"not an ELF", []string{"-kernel", notELF}, statusBadKernel, "not an ELF file"},
		{"no memory", []string{"-m", "0"}, statusUsage, "memory size in MiB"},
		{"unknown accelerator", []string{"-accel", "hax"}, statusUsage, "no CPU backend \"hax\""},
		{"bad serial", []string{"-serial", "tcp:1234"}, statusUsage, "use stdio, none or file:PATH"},
		{"stray argument", []string{"kernel.elf"}, statusUsage, "unexpected argument"},
		{"unknown flag", []string{"-bogus"}, statusUsage, "flag provided but not defined"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, _, errOut := runCLI(t, c.args...)
			if status != c.status || !strings.Contains(errOut, c.want) {
				t.Fatalf("status %d, stderr %q; want status %d saying %q", status, errOut, c.status, c.want)
			}
		})
	}
}
