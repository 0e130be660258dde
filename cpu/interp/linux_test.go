package interp_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/pollscope/pollscope/cpu/interp"
	"github.com/pollscope/pollscope/cpu/interp/internal/testpc"
)

// TestLinuxBoot boots a stock Linux vmlinux (PVH entry) on the software
// CPU (and the initrd INTERP_INITRD names, if any), up to a panic, a
// "kit# " shell prompt or a minute and a half: set
// INTERP_LINUX=/path/to/vmlinux. The kernel's console output and the
// instructions the CPU lacked are logged.
func TestLinuxBoot(t *testing.T) {
	path := os.Getenv("INTERP_LINUX")
	if path == "" {
		t.Skip("set INTERP_LINUX to a PVH vmlinux to boot it")
	}
	image, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ram := make([]byte, 512<<20)
	c, err := interp.New(ram, interp.Options{ICount: true, Log: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	cmdline := "console=ttyS0 earlyprintk=ttyS0 noapic nolapic acpi=off pci=off " + os.Getenv("INTERP_LINUX_APPEND")
	regs, sregs, err := testpc.Load(ram, image, cmdline)
	if err != nil {
		t.Fatal(err)
	}
	if p := os.Getenv("INTERP_INITRD"); p != "" {
		initrd, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := testpc.AddInitrd(ram, initrd); err != nil {
			t.Fatal(err)
		}
	}
	c.SetSRegs(sregs)
	c.SetRegs(regs)
	pc := testpc.New(c, ram)
	start := time.Now()
	err = pc.Run(func() bool {
		out := pc.Serial.String()
		return time.Since(start) > 90*time.Second || strings.Contains(out, "Kernel panic") || strings.Contains(out, "kit# ")
	}, 1e9)
	r, _ := c.Regs()
	t.Logf("after %v: %d instructions, err %v, RIP %#x\nunimplemented: %v\n--- serial ---\n%s",
		time.Since(start), c.InstructionCount(), err, r.RIP, c.Unimplemented(), pc.Serial.String())
}
