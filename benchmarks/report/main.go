// Command report turns `go test -bench` output of the benchmarks package into
// the tables `make bench` prints: the host's kind, each figure's median and
// spread over the runs, the targets with the ring=3 and ring=0
// figures side by side, then the ratios that answer pollscope's questions.
//
//	go test -run '^$' -bench . -count 5 ./benchmarks > bench.txt
//	go run ./benchmarks/report bench.txt [switch-costs.svg]
package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/pollscope/pollscope/emulator"
	"golang.org/x/perf/benchfmt"
)

// figure is one benchmark's one custom metric over several runs.
type figure struct {
	bench, unit string
	values      []float64
}

func (f *figure) median() float64 {
	v := append([]float64(nil), f.values...)
	sort.Float64s(v)
	if n := len(v); n%2 == 1 {
		return v[n/2]
	} else {
		return (v[n/2-1] + v[n/2]) / 2
	}
}

func (f *figure) spread() (lo, hi float64) {
	lo, hi = f.values[0], f.values[0]
	for _, v := range f.values {
		lo, hi = min(lo, v), max(hi, v)
	}
	return lo, hi
}

// ratio is one question the table answers: a figure over another.
type ratio struct {
	question   string
	num, den   string // "Benchmark unit" keys
	asOverhead bool   // print (num-den)/den as a percentage
	targetNote string
}

var ratios = []ratio{
	{"cooperative vs preemptive switch, ring=3", "GuestCoopYield/ring=3 ns/switch", "GuestPreemptYield/ring=3 ns/switch", false, "on hardware: below 1"},
	{"cooperative vs preemptive switch, ring=0", "GuestCoopYield/ring=0 ns/switch", "GuestPreemptYield/ring=0 ns/switch", false, ""},
	{"cooperative vs preemptive switch, QEMU TCG", "QEMUGuest/accel=tcg ns/switch", "QEMUGuest/accel=tcg ns/switch-preempt", false, ""},
	{"cooperative ping-pong vs preemptive, ring=3", "GuestCoopPingPong/ring=3 ns/switch", "GuestPreemptPingPong/ring=3 ns/switch", false, ""},
	{"cooperative switch: ring=0 vs ring=3", "GuestCoopYield/ring=0 ns/switch", "GuestCoopYield/ring=3 ns/switch", false, ""},
	{"cooperative switch: pollscope ring=3 vs QEMU KVM", "GuestCoopYield/ring=3 ns/switch", "QEMUGuest/accel=kvm ns/switch", false, ""},
	{"cooperative switch: pollscope ring=3 vs QEMU TCG", "GuestCoopYield/ring=3 ns/switch", "QEMUGuest/accel=tcg ns/switch", false, ""},
	{"guest task switch (ring=3) vs host goroutine switch", "GuestCoopYield/ring=3 ns/switch", "GoroutinePingPong ns/switch", false, ""},
	{"guest task switch (ring=3) vs host thread switch", "GuestCoopYield/ring=3 ns/switch", "ThreadPingPong ns/switch", false, ""},
	{"our port-I/O exit vs the C floor", "PortOutExit ns/exit", "ExitFloorC ns/exit", false, "target: within 10% (≤ 1.10)"},
	{"our port-I/O exit vs QEMU's", "PortOutExit ns/exit", "QEMUPortOutExit ns/exit", false, "target: ≤ 1.00"},
	{"boot to banner: pollscope vs QEMU", "BootToBanner ms/boot", "QEMUBootToBanner ms/boot", false, ""},
	{"software CPU vs this host's KVM at CPL0, instructions/s", "BackendComparison interp-Minstr/s", "BackendComparison kvm-Minstr/s", false, "target: ≥ 30"},
	{"software CPU vs QEMU TCG, instructions/s", "BackendComparison interp-Minstr/s", "BackendComparison qemu-tcg-Minstr/s", false, ""},
	{"cooperative vs preemptive switch, instructions (software CPU)", "GuestCoopYield/ring=3 instr/switch", "GuestPreemptYield/ring=3 instr/switch", false, "exact: instruction counts"},
}

// target is one of issue 12's targets: a figure per ring (the bench name
// without its ring) and the bound, in the figure's unit. A percentage
// target compares overhead(traced, untraced) instead.
type target struct {
	what     string
	bench    string // "GuestCoopYield"; "/ring=N" is appended
	unit     string
	bound    float64
	untraced string // for an overhead target: the untraced figure's bench
	also     string // a second unit of the same bench shown next to it
}

var targets = []target{
	{what: "cooperative task switch, 16 tasks", bench: "GuestCoopYield", unit: "ns/switch", bound: 50},
	{what: "trace record", bench: "GuestTraceRecord", unit: "ns/record", bound: 30, also: "exits/record"},
	{what: "tracing overhead, cooperative workload", bench: "GuestCoopYieldTraced", unit: "ns/switch", bound: 10, untraced: "GuestCoopYield"},
	{what: "key press → keyboard task poll", bench: "KeyToPoll", unit: "ns/key-to-poll", bound: 150_000},
	{what: "idle guest at 1000 Hz, % of a core", bench: "IdleGuestHostCPU", unit: "%host-core", bound: 10},
}

func main() {
	in := io.Reader(os.Stdin)
	if len(os.Args) > 1 {
		f, err := os.Open(os.Args[1])
		if err != nil {
			fmt.Fprintln(os.Stderr, "report:", err)
			os.Exit(1)
		}
		defer f.Close()
		in = f
	}
	figs, order, err := read(in)
	if err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
	if len(order) == 0 {
		fmt.Fprintln(os.Stderr, "report: no benchmark results with custom metrics in the input")
		os.Exit(1)
	}
	fmt.Printf("host: %v\n\n", emulator.DetectHostKind())
	write(os.Stdout, figs, order)
	if len(os.Args) > 2 {
		f, err := os.Create(os.Args[2])
		if err == nil {
			if writeSVG(f, figs) {
				fmt.Printf("\nswitch costs plotted in %s\n", os.Args[2])
			}
			f.Close()
		}
	}
}

// read collects every custom metric (not ns/op and friends) by benchmark.
func read(in io.Reader) (map[string]*figure, []string, error) {
	figs := map[string]*figure{}
	var order []string
	r := benchfmt.NewReader(in, "bench")
	for r.Scan() {
		res, ok := r.Result().(*benchfmt.Result)
		if !ok {
			continue
		}
		name := strings.TrimPrefix(benchName(res.Name), "Benchmark")
		for _, v := range res.Values {
			unit, val := v.OrigUnit, v.OrigValue // as the benchmark reported it
			if unit == "" {
				unit, val = v.Unit, v.Value
			}
			if unit == "ns/op" || unit == "sec/op" || unit == "B/op" || unit == "allocs/op" || unit == "MB/s" {
				continue
			}
			key := name + " " + unit
			f := figs[key]
			if f == nil {
				f = &figure{bench: name, unit: unit}
				figs[key] = f
				order = append(order, key)
			}
			f.values = append(f.values, val)
		}
	}
	return figs, order, r.Err()
}

func write(w io.Writer, figs map[string]*figure, order []string) {
	fmt.Fprintf(w, "%-36s %14s %-20s %24s %5s\n", "figure", "median", "unit", "spread (min … max)", "runs")
	for _, k := range order {
		f := figs[k]
		lo, hi := f.spread()
		fmt.Fprintf(w, "%-36s %14.4g %-20s %11.4g … %-10.4g %5d\n", f.bench, f.median(), f.unit, lo, hi, len(f.values))
	}
	writeTargets(w, figs)
	fmt.Fprintf(w, "\n%-52s %12s  %s\n", "question", "ratio", "")
	for _, q := range ratios {
		num, den := figs[q.num], figs[q.den]
		if num == nil || den == nil || den.median() == 0 {
			fmt.Fprintf(w, "%-52s %12s  (not measured in this run)\n", q.question, "n/a")
			continue
		}
		if q.asOverhead {
			fmt.Fprintf(w, "%-52s %11.1f%%  %s\n", q.question, 100*(num.median()-den.median())/den.median(), q.targetNote)
		} else {
			fmt.Fprintf(w, "%-52s %12.3g  %s\n", q.question, num.median()/den.median(), q.targetNote)
		}
	}
}

// writeTargets prints each target with its ring=3 and ring=0 medians and
// whether ring=3 meets it, or by how much it misses.
func writeTargets(w io.Writer, figs map[string]*figure) {
	fmt.Fprintf(w, "\n%-40s %24s %16s %12s  %s\n", "target (issue 12)", "ring=3", "ring=0", "bound", "ring=3")
	for _, t := range targets {
		values := map[string]float64{}
		for _, ring := range []string{"3", "0"} {
			if v, ok := t.value(figs, ring); ok {
				values[ring] = v
			}
		}
		cells := [2]string{"n/a", "n/a"}
		for i, ring := range []string{"3", "0"} {
			if v, ok := values[ring]; ok {
				cells[i] = t.format(v)
				if f := figs[t.bench+"/ring="+ring+" "+t.also]; t.also != "" && f != nil {
					cells[i] += fmt.Sprintf(" (%.3g %s)", f.median(), t.also)
				}
			}
		}
		verdict := "not measured in this run"
		if v, ok := values["3"]; ok {
			verdict = t.verdict(v)
			if f := figs[t.bench+"/ring=3 "+t.also]; t.also != "" && f != nil && f.median() > 0 {
				verdict += fmt.Sprintf("; %.3g %s: timer ticks during the longer run count too", f.median(), t.also)
			}
		}
		fmt.Fprintf(w, "%-40s %24s %16s %12s  %s\n", t.what, cells[0], cells[1], "≤ "+t.format(t.bound), verdict)
	}
	for _, ref := range []struct{ what, key string }{
		{"for reference: host goroutine switch", "GoroutinePingPong ns/switch"},
		{"for reference: host thread switch", "ThreadPingPong ns/switch"},
	} {
		if f := figs[ref.key]; f != nil {
			fmt.Fprintf(w, "%-40s %24s\n", ref.what, formatNs(f.median()))
		}
	}
}

// value is the target's figure at ring: the median, or for an overhead
// target the traced median over the untraced one, as a percentage.
func (t target) value(figs map[string]*figure, ring string) (float64, bool) {
	f := figs[t.bench+"/ring="+ring+" "+t.unit]
	if f == nil {
		return 0, false
	}
	if t.untraced == "" {
		return f.median(), true
	}
	base := figs[t.untraced+"/ring="+ring+" "+t.unit]
	if base == nil || base.median() == 0 {
		return 0, false
	}
	return 100 * (f.median() - base.median()) / base.median(), true
}

func (t target) format(v float64) string {
	switch {
	case t.untraced != "" || strings.HasPrefix(t.unit, "%"):
		return fmt.Sprintf("%.1f%%", v)
	case strings.HasPrefix(t.unit, "ns/"):
		return formatNs(v)
	default:
		return fmt.Sprintf("%.3g", v)
	}
}

// verdict says whether v meets the bound, or by how much it misses it.
func (t target) verdict(v float64) string {
	if v <= t.bound {
		return "met"
	}
	if t.untraced != "" || strings.HasPrefix(t.unit, "%") {
		return fmt.Sprintf("missed by %.1f points", v-t.bound)
	}
	return fmt.Sprintf("missed: %.2g× the bound", v/t.bound)
}

// formatNs prints a duration in ns with a readable unit.
func formatNs(ns float64) string {
	switch {
	case ns >= 1e6:
		return fmt.Sprintf("%.3g ms", ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%.3g µs", ns/1e3)
	default:
		return fmt.Sprintf("%.3g ns", ns)
	}
}

// benchName is the full name (with sub-benchmarks) without the -GOMAXPROCS
// suffix.
func benchName(n benchfmt.Name) string {
	base, parts := n.Parts()
	var b strings.Builder
	b.Write(base)
	for _, p := range parts {
		if len(p) > 0 && p[0] == '-' {
			continue
		}
		b.Write(p)
	}
	return b.String()
}
