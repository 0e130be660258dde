package emulator_test

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/pollscope/pollscope/emulator"
	"github.com/pollscope/pollscope/emulator/emutest"
)

// qemuSerial boots a kernel file under QEMU with KVM and returns what it
// printed on the serial port and its exit status. It skips the test, saying
// why, where QEMU is missing.
func qemuSerial(t *testing.T, kernel, cmdline string) (string, int) {
	t.Helper()
	emutest.RequireKVM(t)
	qemu, err := exec.LookPath("qemu-system-x86_64")
	if err != nil {
		t.Skip("skipping: qemu-system-x86_64 is not installed (scripts/setup.sh test installs it)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, qemu, "-accel", "kvm", "-kernel", kernel, "-append", cmdline,
		"-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-display", "none", "-serial", "stdio",
		"-monitor", "none", "-no-reboot", "-m", "128")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running QEMU: %v\n%s", err, stderr.String())
	}
	return stdout.String(), code
}

// The same kernel.elf boots under QEMU and prints the same serial lines.
func TestDemoKernelMatchesQEMU(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	kernel := filepath.Join(filepath.Dir(file), "..", "guest", "kernel.elf")
	for _, cmdline := range []string{"exit", "crash=divide"} {
		t.Run(cmdline, func(t *testing.T) {
			qemuOut, qemuStatus := qemuSerial(t, kernel, cmdline)
			m := emutest.Boot(t, emulator.Config{KernelPath: kernel, Cmdline: cmdline})
			res := emutest.WaitExit(t, m, 20*time.Second)
			if m.Serial() != qemuOut {
				t.Fatalf("serial output differs\n--- pollscope ---\n%s\n--- QEMU ---\n%s", m.Serial(), qemuOut)
			}
			if res.Status() != qemuStatus {
				t.Fatalf("exit status %d, QEMU's %d", res.Status(), qemuStatus)
			}
		})
	}
}
