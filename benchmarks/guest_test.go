package benchmarks

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pollscope/pollscope/emulator"
)

// The guest's own timing scenarios (the demo kernel's bench=NAME option):
// each prints "bench: NAME switches=N cycles=C ... ns_per_switch=X" on
// serial, measured with the TSC, and the host converts cycles to time with
// the TSC rate KVM reports. Every guest figure is measured at both
// privilege levels the demo kernel can run its tasks at, as sub-benchmarks
// ring=3 (the default: tasks at CPL3) and ring=0 (everything at CPL0).

var benchLine = regexp.MustCompile(`(?m)^bench: (\S+) switches=(\d+) cycles=(\d+) min_batch_cycles=(\d+) .*?ns_per_switch=([\d.]+)`)

// rings are the demo kernel's ring= values, in the order reported.
var rings = []string{"3", "0"}

// forEachRing runs f as one sub-benchmark per ring ("ring=3", "ring=0").
func forEachRing(b *testing.B, f func(b *testing.B, ring string)) {
	for _, ring := range rings {
		b.Run("ring="+ring, func(b *testing.B) { f(b, ring) })
	}
}

// guestResult is one scenario's result: cycles per switch (or per event),
// and the guest's own conversion to time (with the TSC rate it measured).
type guestResult struct {
	switches, cycles uint64
	guestNs          float64
	// fastestBatch is the cycles per switch of the guest's fastest batch
	// of switches (its min_batch_cycles, already per switch).
	fastestBatch float64
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
		minBatch, _ := strconv.ParseUint(m[4], 10, 64)
		ns, _ := strconv.ParseFloat(m[5], 64)
		out[m[1]] = guestResult{switches: n, cycles: c, guestNs: ns, fastestBatch: float64(minBatch)}
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
	results, hz, _ := runGuestBenchExits(b, fmt.Sprintf("bench=%s benchn=%d %s", names, benchSwitches, extra))
	return results, hz
}

// runGuestBenchExits boots the demo kernel with cmdline (a bench= run) and
// returns its results, the TSC rate and the VM exits the run took.
func runGuestBenchExits(b *testing.B, cmdline string) (map[string]guestResult, uint64, uint64) {
	b.Helper()
	requireKVM(b)
	return runGuestBenchOn(b, emulator.Config{Cmdline: cmdline})
}

// runGuestBenchOn is runGuestBenchExits for any configuration.
func runGuestBenchOn(b *testing.B, cfg emulator.Config) (map[string]guestResult, uint64, uint64) {
	b.Helper()
	cmdline := cfg.Cmdline
	m, err := emulator.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	res, err := m.Run(ctx)
	if err != nil || res.Outcome != emulator.OutcomeExit || res.ExitValue != 0 {
		b.Fatalf("%s: %v %v\n%s", cmdline, res, err, m.Serial())
	}
	var exits uint64
	for _, n := range m.ExitCounts() {
		exits += n
	}
	return parseBench(m.Serial()), m.TSCFrequency(), exits
}

// reportGuest runs the scenarios once per b.N at each ring and reports each
// as a metric: metrics maps a scenario name to the unit it is reported in.
func reportGuest(b *testing.B, names, extra string, metrics map[string]string) {
	forEachRing(b, func(b *testing.B, ring string) {
		sums := map[string]float64{}
		for i := 0; i < b.N; i++ {
			results, hz := runGuestBench(b, names, extra+" ring="+ring)
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
		reportInstructions(b, names, extra+" ring="+ring, metrics)
	})
}

// reportInstructions runs the scenarios once more on the software CPU in
// deterministic time, where the TSC counts instructions (1 GHz, one
// nanosecond per instruction), and reports the exact, noise-free
// instructions per switch next to each timed figure: "ns/switch" gets
// "instr/switch".
func reportInstructions(b *testing.B, names, extra string, metrics map[string]string) {
	results, hz, _ := runGuestBenchOn(b, emulator.Config{
		Backend: emulator.BackendTCG, ICount: true, NoIdlePacing: true,
		Cmdline: fmt.Sprintf("bench=%s benchn=%d %s", names, benchSwitches, extra),
	})
	for name, unit := range metrics {
		r, ok := results[name]
		if !ok {
			b.Fatalf("the software CPU's run printed no result for %s", name)
		}
		if !strings.HasPrefix(unit, "ns/") {
			continue
		}
		b.ReportMetric(r.nsPer(hz), "instr/"+strings.TrimPrefix(unit, "ns/"))
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

// BenchmarkGuestTraceRecord: one trace record, in the guest, and the VM
// exits a record costs: the exits of a run of many records less those of a
// run of few, per record of difference (0: records cause no exit; timer
// ticks during the longer run still count).
func BenchmarkGuestTraceRecord(b *testing.B) {
	const few, many = 1000, 20000
	forEachRing(b, func(b *testing.B, ring string) {
		var ns, exits float64
		for i := 0; i < b.N; i++ {
			results, hz, exitsMany := runGuestBenchExits(b, fmt.Sprintf("bench=trace-record benchn=%d ring=%s", many, ring))
			_, _, exitsFew := runGuestBenchExits(b, fmt.Sprintf("bench=trace-record benchn=%d ring=%s", few, ring))
			r, ok := results["trace-record"]
			if !ok {
				b.Fatal("the guest printed no trace-record result")
			}
			ns += r.nsPer(hz)
			exits += (float64(exitsMany) - float64(exitsFew)) / (many - few)
		}
		b.ReportMetric(ns/float64(b.N), "ns/record")
		b.ReportMetric(max(exits, 0)/float64(b.N), "exits/record")
	})
}

// BenchmarkQEMUGuest runs the cooperative and the preemptive switch (16
// tasks or threads, tracing off, ring=3) under qemu-system-x86_64 with
// -accel kvm (the same KVM as pollscope's) and -accel tcg (QEMU's own CPU
// emulation), the same kernel image, for the side-by-side figures. The
// time per switch is the guest's own (cycles through the TSC rate it
// measured against the PIT), since QEMU reports no TSC rate.
func BenchmarkQEMUGuest(b *testing.B) {
	qemu, err := exec.LookPath("qemu-system-x86_64")
	if err != nil {
		b.Skip("skipping: qemu-system-x86_64 is not installed")
	}
	kernel, _ := filepath.Abs("../guest/kernel.elf")
	for _, accel := range []string{"kvm", "tcg"} {
		b.Run("accel="+accel, func(b *testing.B) {
			if accel == "kvm" {
				requireKVM(b)
			}
			var coop, preempt, coopFast, preemptFast float64
			for i := 0; i < b.N; i++ {
				cmd := exec.Command(qemu, "-accel", accel, "-kernel", kernel,
					"-append", fmt.Sprintf("bench=coop-yield-16,preempt-yield-16 benchn=%d trace=off", benchSwitches),
					"-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-display", "none", "-serial", "stdio",
					"-monitor", "none", "-no-reboot", "-m", "128")
				out, _ := cmd.Output()
				results := parseBench(string(out))
				c, okc := results["coop-yield-16"]
				p, okp := results["preempt-yield-16"]
				if !okc || !okp {
					b.Fatalf("QEMU run printed no coop-yield-16/preempt-yield-16 result:\n%s", out)
				}
				coop += c.guestNs
				preempt += p.guestNs
				coopFast += c.fastestBatch
				preemptFast += p.fastestBatch
			}
			b.ReportMetric(coop/float64(b.N), "ns/switch")
			b.ReportMetric(preempt/float64(b.N), "ns/switch-preempt")
			b.ReportMetric(coopFast/float64(b.N), "cycles/switch-fastest-batch")
			b.ReportMetric(preemptFast/float64(b.N), "cycles/switch-preempt-fastest-batch")
		})
	}
}

// traceRateWindow is how long BenchmarkGuestTraceRate watches the traced
// workload, after its warm-up.
const traceRateWindow = 5 * time.Second

// BenchmarkGuestTraceRate: the event rate the guest's traced cooperative
// workload produces and the host drains over traceRateWindow, with the
// records the guest dropped meanwhile (its ring was full: the host drains
// at most one ring's worth per drain interval). Where CPL0 is emulated,
// ring=0's guest is the limit and nothing may be dropped; ring=3's
// switches run at native speed and produce more than the host drains, so
// its drops count a full ring, not a fault. emulator's
// BenchmarkTraceRingDrain gives the host's own ceiling.
func BenchmarkGuestTraceRate(b *testing.B) {
	requireKVM(b)
	forEachRing(b, func(b *testing.B, ring string) {
		var rate, dropped float64
		for i := 0; i < b.N; i++ {
			// Enough switches to outlast the window at either ring.
			m, err := emulator.New(emulator.Config{Cmdline: "bench=coop-yield-16 benchn=1000000000 ring=" + ring})
			if err != nil {
				b.Fatal(err)
			}
			m.Start()
			// The bench scenarios first wait about two seconds for the
			// guest's TSC calibration; measure once the tasks are switching.
			time.Sleep(3 * time.Second)
			m.FlushTrace()
			before, dropBefore, t0 := m.Trace().EventCount, m.Trace().Dropped, time.Now()
			time.Sleep(traceRateWindow)
			m.FlushTrace()
			model := m.Trace()
			rate += float64(model.EventCount-before) / time.Since(t0).Seconds()
			dropped += float64(model.Dropped - dropBefore)
			m.Close()
		}
		b.ReportMetric(rate/float64(b.N), "events/s")
		b.ReportMetric(dropped/float64(b.N), "dropped")
	})
}
