package benchmarks

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/pollscope/pollscope/emulator"
)

// The guest's own timing scenarios (the demo kernel's bench=NAME option):
// each prints "bench: NAME switches=N cycles=C" on serial, measured with the
// TSC, and the host converts cycles to time with the TSC rate KVM reports.

var benchLine = regexp.MustCompile(`(?m)^bench: (\S+) switches=(\d+) cycles=(\d+)`)

// guestResult is one scenario's result: cycles per switch (or per event).
type guestResult struct {
	switches, cycles uint64
}

func (r guestResult) nsPer(tscHz uint64) float64 {
	if r.switches == 0 || tscHz == 0 {
		return 0
	}
	return float64(r.cycles) / float64(r.switches) * 1e9 / float64(tscHz)
}

func parseBench(serial string) map[string]guestResult {
	out := map[string]guestResult{}
	for _, m := range benchLine.FindAllStringSubmatch(serial, -1) {
		n, _ := strconv.ParseUint(m[2], 10, 64)
		c, _ := strconv.ParseUint(m[3], 10, 64)
		out[m[1]] = guestResult{n, c}
	}
	return out
}

// benchSwitches is how many switches each guest measurement makes. Guest
// code is emulated on PVM hosts (docs/performance.md), so it stays small.
const benchSwitches = 2000

// runGuestBench boots the demo kernel with bench=names and returns its
// results and the TSC rate.
func runGuestBench(b *testing.B, names string, extra string) (map[string]guestResult, uint64) {
	b.Helper()
	requireKVM(b)
	cmdline := fmt.Sprintf("bench=%s benchn=%d %s", names, benchSwitches, extra)
	m, err := emulator.New(emulator.Config{Cmdline: cmdline})
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	res, err := m.Run(ctx)
	if err != nil || res.Outcome != emulator.OutcomeExit || res.ExitValue != 0 {
		b.Fatalf("bench=%s: %v %v\n%s", names, res, err, m.Serial())
	}
	return parseBench(m.Serial()), m.TSCFrequency()
}

// reportGuest runs the scenarios once per b.N and reports each as a metric:
// metrics maps a scenario name to the unit it is reported in.
func reportGuest(b *testing.B, names, extra string, metrics map[string]string) {
	sums := map[string]float64{}
	for i := 0; i < b.N; i++ {
		results, hz := runGuestBench(b, names, extra)
		for name, unit := range metrics {
			r, ok := results[name]
			if !ok {
				b.Fatalf("the guest printed no result for %s", name)
			}
			sums[unit] += r.nsPer(hz)
		}
	}
	for _, unit := range metrics {
		b.ReportMetric(sums[unit]/float64(b.N), unit)
	}
}

// BenchmarkGuestCoopYield: N async tasks taking turns with yield_now, with
// tracing off: the cooperative switch.
func BenchmarkGuestCoopYield(b *testing.B) {
	reportGuest(b, "coop-yield-2,coop-yield-16,coop-yield-256", "trace=off", map[string]string{
		"coop-yield-16": "ns/switch", "coop-yield-2": "ns/switch-n2", "coop-yield-256": "ns/switch-n256",
	})
}

// BenchmarkGuestCoopYieldTraced: the same 16-task workload with tracing on.
func BenchmarkGuestCoopYieldTraced(b *testing.B) {
	reportGuest(b, "coop-yield-16", "", map[string]string{"coop-yield-16": "ns/switch"})
}

// BenchmarkGuestCoopPingPong: two tasks ping-ponging through the channel.
func BenchmarkGuestCoopPingPong(b *testing.B) {
	reportGuest(b, "coop-pingpong", "trace=off", map[string]string{"coop-pingpong": "ns/switch"})
}

// BenchmarkGuestPreemptYield: N kernel threads taking turns with an explicit
// yield: the preemptive switch, full register save and restore.
func BenchmarkGuestPreemptYield(b *testing.B) {
	reportGuest(b, "preempt-yield-2,preempt-yield-16,preempt-yield-256", "trace=off", map[string]string{
		"preempt-yield-16": "ns/switch", "preempt-yield-2": "ns/switch-n2", "preempt-yield-256": "ns/switch-n256",
	})
}

// BenchmarkGuestPreemptPingPong: two threads ping-ponging.
func BenchmarkGuestPreemptPingPong(b *testing.B) {
	reportGuest(b, "preempt-pingpong", "trace=off", map[string]string{"preempt-pingpong": "ns/switch"})
}

// BenchmarkGuestPreemptTimer: two busy threads switched by the timer
// interrupt alone.
func BenchmarkGuestPreemptTimer(b *testing.B) {
	reportGuest(b, "preempt-timer", "trace=off", map[string]string{"preempt-timer": "ns/switch"})
}

// BenchmarkGuestInterrupt: the timer interrupt from handler entry to exit,
// and from an interrupt handler's wake to the woken task's poll.
func BenchmarkGuestInterrupt(b *testing.B) {
	reportGuest(b, "irq-entry,irq-wake", "trace=off", map[string]string{"irq-entry": "ns/irq", "irq-wake": "ns/wake-to-poll"})
}

// BenchmarkGuestTraceRecord: one trace record, in the guest.
func BenchmarkGuestTraceRecord(b *testing.B) {
	reportGuest(b, "trace-record", "", map[string]string{"trace-record": "ns/record"})
}

// BenchmarkQEMUGuestCoopYield runs the cooperative scenario under
// qemu-system-x86_64 -accel kvm, the same kernel image, for the side-by-side
// guest figure. Cycles convert with this host's TSC rate, as KVM reports it
// to pollscope.
func BenchmarkQEMUGuestCoopYield(b *testing.B) {
	requireKVM(b)
	qemu, err := exec.LookPath("qemu-system-x86_64")
	if err != nil {
		b.Skip("skipping: qemu-system-x86_64 is not installed")
	}
	_, hz := runGuestBench(b, "trace-record", "")
	kernel, _ := filepath.Abs("../guest/kernel.elf")
	var sum float64
	for i := 0; i < b.N; i++ {
		cmd := exec.Command(qemu, "-accel", "kvm", "-kernel", kernel,
			"-append", fmt.Sprintf("bench=coop-yield-16 benchn=%d trace=off", benchSwitches),
			"-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-display", "none", "-serial", "stdio",
			"-monitor", "none", "-no-reboot", "-m", "128")
		out, _ := cmd.Output()
		r, ok := parseBench(string(out))["coop-yield-16"]
		if !ok {
			b.Fatalf("QEMU run printed no coop-yield-16 result:\n%s", out)
		}
		sum += r.nsPer(hz)
	}
	b.ReportMetric(sum/float64(b.N), "ns/switch")
}

// BenchmarkGuestTraceRate: the event rate the guest's traced cooperative
// workload produces and the host drains, with the guest's drop count. On a
// host that emulates guest code the guest, not the drain, is the limit;
// emulator's BenchmarkTraceRingDrain gives the host's own ceiling.
func BenchmarkGuestTraceRate(b *testing.B) {
	requireKVM(b)
	var rate float64
	var dropped uint64
	for i := 0; i < b.N; i++ {
		m, err := emulator.New(emulator.Config{Cmdline: "bench=coop-yield-16 benchn=1000000"})
		if err != nil {
			b.Fatal(err)
		}
		m.Start()
		// The bench scenarios first wait about two seconds for the guest's
		// TSC calibration; measure once the tasks are switching.
		time.Sleep(3 * time.Second)
		m.FlushTrace()
		before, t0 := m.Trace().EventCount, time.Now()
		time.Sleep(2 * time.Second)
		m.FlushTrace()
		model := m.Trace()
		rate += float64(model.EventCount-before) / time.Since(t0).Seconds()
		dropped += model.Dropped
		m.Close()
	}
	b.ReportMetric(rate/float64(b.N), "events/s")
	b.ReportMetric(float64(dropped)/float64(b.N), "dropped")
}
