package emulator

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tinyKernel wraps 32-bit code in a PVH ELF loaded at 1 MiB.
func tinyKernel(code ...byte) []byte {
	e := pvhNote(0x100000)
	e.code = code
	return e.build()
}

func TestTinyGuestExitsThroughDebugExit(t *testing.T) {
	// mov al, 42; out 0xf4, al
	res, _ := runGuest(t, Config{Kernel: tinyKernel(0xb0, 42, 0xe6, 0xf4)}, 10*time.Second)
	if res.Outcome != OutcomeExit || res.ExitValue != 42 || res.Status() != 85 {
		t.Fatalf("result = %v, want exit value 42 (status 85)", res)
	}
}

func TestTinyGuestTripleFaultDumpsRegisters(t *testing.T) {
	// With no IDT, ud2 raises #UD, which cannot be delivered (#GP, then
	// #DF), so the processor shuts down.
	res, _ := runGuest(t, Config{Kernel: tinyKernel(0x0f, 0x0b)}, 10*time.Second)
	if res.Outcome != OutcomeShutdown || res.Dump == nil {
		t.Fatalf("result = %v, want a shutdown with a register dump", res)
	}
	dump := res.Dump.String()
	for _, want := range []string{"RIP=0000000000100000", "ud2", "protected (32-bit)"} {
		if !strings.Contains(dump, want) {
			t.Errorf("dump lacks %q:\n%s", want, dump)
		}
	}
}

func TestTinyGuestHaltWithInterruptsOff(t *testing.T) {
	res, _ := runGuest(t, Config{Kernel: tinyKernel(0xf4)}, 10*time.Second)
	if res.Outcome != OutcomeHalted || res.Status() != 2 {
		t.Fatalf("result = %v, want halted", res)
	}
}

func TestTinyGuestUnclaimedPorts(t *testing.T) {
	// in al, 0x99; out 0x98, al; mov al, 0; out 0xf4, al
	res, m := runGuest(t, Config{Kernel: tinyKernel(0xe4, 0x99, 0xe6, 0x98, 0xb0, 0, 0xe6, 0xf4)}, 10*time.Second)
	if res.Outcome != OutcomeExit {
		t.Fatalf("result = %v", res)
	}
	got := m.UnclaimedPorts()
	if len(got) != 2 || got[0] != (UnclaimedAccess{0x98, 1}) || got[1] != (UnclaimedAccess{0x99, 1}) {
		t.Fatalf("unclaimed ports = %+v, want 0x98 and 0x99 once each", got)
	}
}

func TestNewRejectsBadInput(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.txt")
	os.WriteFile(text, []byte("hello"), 0o644)
	cases := []struct {
		name string
		cfg  Config
		want string
	}{
		{"missing kernel file", Config{KernelPath: filepath.Join(dir, "nope.elf")}, "no such file"},
		{"not an ELF", Config{KernelPath: text}, "not an ELF file"},
		{"too little memory", Config{Kernel: tinyKernel(0xf4), MemoryMiB: 1}, "out of range"},
		{"too much memory", Config{Kernel: tinyKernel(0xf4), MemoryMiB: 1 << 20}, "out of range"},
		{"command line too long", Config{Kernel: tinyKernel(0xf4), Cmdline: strings.Repeat("a", MaxCmdline+1)}, "command line"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := New(c.cfg)
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
