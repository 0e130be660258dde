package emulator_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pollscope/pollscope/emulator"
	"github.com/pollscope/pollscope/emulator/emutest"
)

func TestTinyGuestExitsThroughDebugExit(t *testing.T) {
	emutest.ForEachBackend(t, func(t *testing.T, backend string) {
		// mov al, 42; out 0xf4, al
		m := emutest.Boot(t, emulator.Config{Backend: backend, Kernel: emutest.TinyKernel(0xb0, 42, 0xe6, 0xf4)})
		res := emutest.WaitExit(t, m, 10*time.Second)
		if res.Outcome != emulator.OutcomeExit || res.ExitValue != 42 || res.Status() != 85 {
			t.Fatalf("result = %v, want exit value 42 (status 85)", res)
		}
	})
}

func TestTinyGuestTripleFaultDumpsRegisters(t *testing.T) {
	emutest.ForEachBackend(t, func(t *testing.T, backend string) {
		// With no IDT, ud2 raises #UD, which cannot be delivered (#GP, then
		// #DF), so the processor shuts down.
		m := emutest.Boot(t, emulator.Config{Backend: backend, Kernel: emutest.TinyKernel(0x0f, 0x0b)})
		res := emutest.WaitExit(t, m, 10*time.Second)
		if res.Outcome != emulator.OutcomeShutdown || res.Dump == nil {
			t.Fatalf("result = %v, want a shutdown with a register dump", res)
		}
		dump := res.Dump.String()
		for _, want := range []string{"RIP=0000000000100000", "ud2", "protected (32-bit)"} {
			if !strings.Contains(dump, want) {
				t.Errorf("dump lacks %q:\n%s", want, dump)
			}
		}
	})
}

func TestTinyGuestHaltWithInterruptsOff(t *testing.T) {
	emutest.ForEachBackend(t, func(t *testing.T, backend string) {
		m := emutest.Boot(t, emulator.Config{Backend: backend, Kernel: emutest.TinyKernel(0xf4)})
		res := emutest.WaitExit(t, m, 10*time.Second)
		if res.Outcome != emulator.OutcomeHalted || res.Status() != 2 {
			t.Fatalf("result = %v, want halted", res)
		}
	})
}

func TestTinyGuestUnclaimedPorts(t *testing.T) {
	emutest.ForEachBackend(t, func(t *testing.T, backend string) {
		// in al, 0x99; out 0x98, al; mov al, 0; out 0xf4, al
		m := emutest.Boot(t, emulator.Config{Backend: backend, Kernel: emutest.TinyKernel(0xe4, 0x99, 0xe6, 0x98, 0xb0, 0, 0xe6, 0xf4)})
		if res := emutest.WaitExit(t, m, 10*time.Second); res.Outcome != emulator.OutcomeExit {
			t.Fatalf("result = %v", res)
		}
		got := m.UnclaimedPorts()
		if len(got) != 2 || got[0] != (emulator.UnclaimedAccess{Port: 0x98, Count: 1}) || got[1] != (emulator.UnclaimedAccess{Port: 0x99, Count: 1}) {
			t.Fatalf("unclaimed ports = %+v, want 0x98 and 0x99 once each", got)
		}
	})
}

func TestNewRejectsBadInput(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.txt")
	os.WriteFile(text, []byte("hello"), 0o644)
	tiny := emutest.TinyKernel(0xf4)
	cases := []struct {
		name string
		cfg  emulator.Config
		want string
	}{
		{"missing kernel file", emulator.Config{KernelPath: filepath.Join(dir, "nope.elf")}, "no such file"},
		{"not an ELF", emulator.Config{KernelPath: text}, "not an ELF file"},
		{"too little memory", emulator.Config{Kernel: tiny, MemoryMiB: 1}, "out of range"},
		{"too much memory", emulator.Config{Kernel: tiny, MemoryMiB: 1 << 20}, "out of range"},
		{"unknown backend", emulator.Config{Kernel: tiny, Backend: "hax"}, "not available"},
		{"command line too long", emulator.Config{Kernel: tiny, Cmdline: strings.Repeat("a", emulator.MaxCmdline+1)}, "command line"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := emulator.New(c.cfg)
			if err == nil {
				m.Close()
				t.Fatal("New succeeded")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q does not say %q", err, c.want)
			}
		})
	}
}
