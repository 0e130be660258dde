package interp_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/pollscope/pollscope/cpu/interp"
	kvmcpu "github.com/pollscope/pollscope/cpu/kvm"
	"github.com/pollscope/pollscope/emulator"
	"github.com/pollscope/pollscope/guest"
)

// BenchmarkBackendComparison runs the same guest workload, the demo
// kernel's bench=coop-yield-2 with tracing off and everything at CPL 0
// (ring=0: this host's KVM emulates CPL 0 code instruction by instruction,
// the case the software CPU replaces), on the software CPU in
// real time (through the emulator), on this host's KVM and under QEMU's
// TCG (when qemu-system-x86_64 is installed), and reports each one's guest
// instructions per second: the instructions per switch, counted exactly by
// an ICount run of the software CPU, divided by the switch time each
// guest measured with its own TSC. All from one run of the benchmark.
func BenchmarkBackendComparison(b *testing.B) {
	const cmd = "bench=coop-yield-2 trace=off ring=0"
	for i := 0; i < b.N; i++ {
		perSwitch := instructionsPerSwitch(b, cmd+" benchn=2000")
		b.ReportMetric(perSwitch, "instr/switch")
		ours := emulatorNsPerSwitch(b, emulator.BackendTCG, cmd+" benchn=200000")
		mips := perSwitch / ours * 1e3
		b.ReportMetric(mips, "interp-Minstr/s")
		if kvmcpu.Available() == nil {
			k := emulatorNsPerSwitch(b, emulator.BackendKVM, cmd+" benchn=200")
			b.ReportMetric(perSwitch/k*1e3, "kvm-Minstr/s")
			b.ReportMetric(k/ours, "x-vs-kvm")
		}
		if q, ok := qemuNsPerSwitch(b, cmd+" benchn=200000"); ok {
			b.ReportMetric(perSwitch/q*1e3, "qemu-tcg-Minstr/s")
			b.ReportMetric(q/ours, "x-vs-qemu-tcg")
		}
	}
}

var nsPerSwitch = regexp.MustCompile(`bench: coop-yield-2 switches=(\d+) cycles=(\d+) .*tsc_khz=(\d+)`)

// parseNsPerSwitch returns the mean switch time the guest measured.
func parseNsPerSwitch(serial string) (float64, bool) {
	m := nsPerSwitch.FindStringSubmatch(serial)
	if m == nil {
		return 0, false
	}
	n, _ := strconv.ParseFloat(m[1], 64)
	cycles, _ := strconv.ParseFloat(m[2], 64)
	khz, _ := strconv.ParseFloat(m[3], 64)
	return cycles / n / khz * 1e6, true
}

func instructionsPerSwitch(b *testing.B, cmdline string) float64 {
	pc, _ := bootPC(b, cmdline, interp.Options{ICount: true, Log: b.Logf})
	if err := pc.Run(nil, 1e8); err != nil {
		b.Fatal(err)
	}
	m := nsPerSwitch.FindStringSubmatch(pc.Serial.String())
	if m == nil {
		b.Fatalf("no bench line:\n%s", pc.Serial.String())
	}
	n, _ := strconv.ParseFloat(m[1], 64)
	cycles, _ := strconv.ParseFloat(m[2], 64)
	return cycles / n // the TSC counts instructions under ICount
}

func emulatorNsPerSwitch(b *testing.B, backend, cmdline string) float64 {
	m, err := emulator.New(emulator.Config{Backend: backend, Cmdline: cmdline})
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if _, err := m.Run(ctx); err != nil {
		b.Fatal(err)
	}
	ns, ok := parseNsPerSwitch(m.Serial())
	if !ok {
		b.Fatalf("%s: no bench line:\n%s", backend, m.Serial())
	}
	return ns
}

func qemuNsPerSwitch(b *testing.B, cmdline string) (float64, bool) {
	qemu, err := exec.LookPath("qemu-system-x86_64")
	if err != nil {
		return 0, false
	}
	kernel := filepath.Join(b.TempDir(), "kernel.elf")
	if err := os.WriteFile(kernel, guest.Kernel, 0o644); err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, _ := exec.CommandContext(ctx, qemu, "-accel", "tcg", "-kernel", kernel, "-append", cmdline,
		"-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-display", "none", "-serial", "stdio",
		"-no-reboot", "-m", "128").Output()
	ns, ok := parseNsPerSwitch(string(out))
	if !ok {
		b.Logf("QEMU printed no bench line: %s", fmt.Sprintf("%.300s", out))
	}
	return ns, ok
}
