package interp_test

import (
	"context"
	"os"
	"regexp"
	"testing"
	"time"

	"github.com/pollscope/pollscope/emulator"
)

// TestLinuxOnTheEmulator boots a stock Linux with its initramfs through
// the real emulator on the software CPU, in real time, to the kit's shell
// prompt, and runs a command: INTERP_LINUX=vmlinux INTERP_INITRD=initrd.
func TestLinuxOnTheEmulator(t *testing.T) {
	kernel, initrd := os.Getenv("INTERP_LINUX"), os.Getenv("INTERP_INITRD")
	if kernel == "" || initrd == "" {
		t.Skip("set INTERP_LINUX and INTERP_INITRD to boot Linux through the emulator")
	}
	m, err := emulator.New(emulator.Config{Backend: emulator.BackendTCG, KernelPath: kernel, InitrdPath: initrd,
		MemoryMiB: 512, Cmdline: "console=ttyS0 noapic nolapic acpi=off pci=off"})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.Start(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	start := time.Now()
	if _, err := m.WaitSerial(ctx, regexp.MustCompile(`kit# `)); err != nil {
		t.Fatal(err)
	}
	t.Logf("shell prompt after %v", time.Since(start))
}
