package linuxkit

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pollscope/pollscope/emulator"
	"github.com/pollscope/pollscope/emulator/emutest"
)

// bootTimeout bounds a boot to the shell's prompt: about 10 s on the
// software CPU on a 2-core machine, with room for a loaded one.
const bootTimeout = 4 * time.Minute

// requireKit skips the test unless POLLSCOPE_LINUX is set, and where the
// kit cannot be built (no apt, no Debian mirror), saying why.
func requireKit(t testing.TB) *Kit {
	t.Helper()
	if os.Getenv(EnvEnable) == "" {
		t.Skipf("skipping: set %s=1 (or run make test-linux) to boot Debian's kernel from scripts/linux-kit.sh's kit", EnvEnable)
	}
	k, err := Build(filepath.Join("..", "scripts", "linux-kit.sh"))
	if err != nil {
		t.Skipf("skipping: the Linux kit cannot be had here: %v", err)
	}
	// See cmd/pollscope/gc.go: a collection's pause in the middle of
	// Linux's TSC calibration on the software CPU makes it fail.
	old := debug.SetGCPercent(400)
	t.Cleanup(func() { debug.SetGCPercent(old) })
	return k
}

// skipKVMWhereCPL0IsEmulated skips a KVM run where this host's KVM
// emulates CPL0: a stock kernel cannot get to its shell there.
func skipKVMWhereCPL0IsEmulated(t testing.TB, backend string) {
	t.Helper()
	if backend != emulator.BackendKVM {
		return
	}
	if host := emulator.DetectHostKind(); host.EmulatesCPL0 {
		t.Skipf("skipping: a stock kernel cannot reach its shell on KVM here (%s): its kernel code runs through KVM's instruction emulator, which stops at cmpxchg16b; the software CPU runs it", host)
	}
}

// TestLinuxShell boots Debian's kernel and the kit's initramfs, waits for
// the keyboard shell's prompt on the serial port, types commands on the
// PS/2 keyboard and on the serial line and finds their answers on serial; /proc/interrupts must
// show the timer (IRQ 0), the keyboard (IRQ 1) and the serial port (IRQ 4)
// on the 8259A, each counting between two looks.
func TestLinuxShell(t *testing.T) {
	k := requireKit(t)
	emutest.ForEachBackend(t, func(t *testing.T, backend string) {
		skipKVMWhereCPL0IsEmulated(t, backend)
		m := emutest.Boot(t, k.Config(backend))
		emutest.WaitSerial(t, m, regexp.QuoteMeta(k.KbdPrompt), bootTimeout)

		emutest.Type(t, m, "echo $((6*7))\n", time.Minute)
		emutest.WaitSerial(t, m, `(?m)^42\r?$`, time.Minute)

		// The serial shell reads COM1's receive line: the 8250 driver's
		// interrupt-driven receive on IRQ 4.
		// Both shells write to the serial port: wait for the serial
		// shell's next prompt, so that it does not land inside the
		// keyboard shell's output below.
		m.SendSerial([]byte("echo serial-$((7*7))\n"))
		emutest.WaitSerial(t, m, `serial-49\r?\n(?s:.*)`+regexp.QuoteMeta(k.Prompt), time.Minute)

		first := interrupts(t, m, 1)
		second := interrupts(t, m, 2)
		for _, want := range []struct {
			irq  int
			name string
		}{{0, "timer"}, {1, "i8042"}, {4, "ttyS0"}} {
			a, b := first[want.irq], second[want.irq]
			if !strings.Contains(a.text, "XT-PIC") || !strings.Contains(a.text, want.name) {
				t.Errorf("IRQ %d is not %s on the 8259A: %q", want.irq, want.name, a.text)
			}
			if a.count == 0 || b.count <= a.count {
				t.Errorf("IRQ %d (%s) does not count: %d, then %d", want.irq, want.name, a.count, b.count)
			}
		}
		for _, bad := range []string{"Unable to read current time from RTC", "Fast TSC calibration failed", "Kernel panic"} {
			if strings.Contains(m.Serial(), bad) {
				t.Errorf("the boot log says %q", bad)
			}
		}
		t.Logf("ports nothing claims: %v", m.UnclaimedPorts())
	})
}

// irqLine is one row of /proc/interrupts.
type irqLine struct {
	count uint64
	text  string
}

// interrupts types `cat /proc/interrupts` between two markers (round n
// makes them unique, and the arithmetic makes the echoed command line
// differ from the output) and parses the rows.
func interrupts(t *testing.T, m *emulator.Machine, n int) map[int]irqLine {
	t.Helper()
	begin, end := 10*n, 10*n+1
	emutest.Type(t, m, fmt.Sprintf("echo irqs-$((%d)); cat /proc/interrupts; echo irqs-$((%d))\n", begin, end), time.Minute)
	out := emutest.WaitSerial(t, m, fmt.Sprintf(`(?s)irqs-%d\r?\n.*\nirqs-%d\r?\n`, begin, end), time.Minute)
	rows := map[int]irqLine{}
	row := regexp.MustCompile(`(?m)^\s*(\d+):\s+(\d+)\s+(.*?)\r?$`)
	for _, r := range row.FindAllStringSubmatch(out, -1) {
		irq, _ := strconv.Atoi(r[1])
		c, _ := strconv.ParseUint(r[2], 10, 64)
		rows[irq] = irqLine{count: c, text: r[3]}
	}
	t.Logf("/proc/interrupts:\n%s", out)
	return rows
}
