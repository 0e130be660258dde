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
	// MTRRs enabled, write-back default, as the emulator's firmware does.
	c.SetMSR(0x2ff, 0x806)
	pc := testpc.New(c, ram)
	start := time.Now()
	prompt := func(n int) func() bool {
		return func() bool {
			out := pc.Serial.String()
			return time.Since(start) > 90*time.Second || strings.Contains(out, "Kernel panic") || strings.Count(out, "kit# ") >= n
		}
	}
	err = pc.Run(prompt(1), 1e9)
	if err == nil && strings.Contains(pc.Serial.String(), "kit# ") {
		// A command line on the serial console, one byte per exit batch.
		cmd := []byte("uname -a; echo $((6*7)); ls /\n")
		cmd[len(cmd)-2], cmd = '\n', cmd[:len(cmd)-1]
		for len(cmd) > 0 {
			n := pc.SerialInput(cmd)
			cmd = cmd[n:]
			if _, _, err := pc.Step(); err != nil {
				t.Fatal(err)
			}
		}
		err = pc.Run(prompt(2), 1e9)
		if !strings.Contains(pc.Serial.String(), "\n42") {
			t.Errorf("the shell did not answer the command")
		}
	}
	r, _ := c.Regs()
	t.Logf("after %v: %d instructions, err %v, RIP %#x\nunimplemented: %v\n--- serial ---\n%s",
		time.Since(start), c.InstructionCount(), err, r.RIP, c.Unimplemented(), pc.Serial.String())
}
