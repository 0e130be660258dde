// Command report turns `go test -bench` output of the benchmarks package into
// the table `make bench` prints: each figure's median and spread over the
// runs, then the ratios that answer pollscope's questions.
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
	{"cooperative vs preemptive switch in the guest", "GuestCoopYield ns/switch", "GuestPreemptYield ns/switch", false, "target: cooperative ≤ 100 ns under KVM"},
	{"cooperative ping-pong vs preemptive ping-pong", "GuestCoopPingPong ns/switch", "GuestPreemptPingPong ns/switch", false, ""},
	{"guest cooperative switch: pollscope vs QEMU", "GuestCoopYield ns/switch", "QEMUGuestCoopYield ns/switch", false, ""},
	{"guest task switch vs host thread switch", "GuestCoopYield ns/switch", "ThreadPingPong ns/switch", false, ""},
	{"guest task switch vs host goroutine switch", "GuestCoopYield ns/switch", "GoroutinePingPong ns/switch", false, ""},
	{"our port-I/O exit vs the C floor", "PortOutExit ns/exit", "ExitFloorC ns/exit", false, "target: within 10% (≤ 1.10)"},
	{"our port-I/O exit vs QEMU's", "PortOutExit ns/exit", "QEMUPortOutExit ns/exit", false, "target: ≤ 1.00"},
	{"tracing overhead on the cooperative workload", "GuestCoopYieldTraced ns/switch", "GuestCoopYield ns/switch", true, "target: under 5%"},
	{"boot to banner: pollscope vs QEMU", "BootToBanner ms/boot", "QEMUBootToBanner ms/boot", false, ""},
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
	fmt.Fprintf(w, "%-30s %14s %-14s %24s %5s\n", "figure", "median", "unit", "spread (min … max)", "runs")
	for _, k := range order {
		f := figs[k]
		lo, hi := f.spread()
		fmt.Fprintf(w, "%-30s %14.4g %-14s %11.4g … %-10.4g %5d\n", f.bench, f.median(), f.unit, lo, hi, len(f.values))
	}
	fmt.Fprintf(w, "\n%-48s %12s  %s\n", "question", "ratio", "")
	for _, q := range ratios {
		num, den := figs[q.num], figs[q.den]
		if num == nil || den == nil || den.median() == 0 {
			fmt.Fprintf(w, "%-48s %12s  (not measured in this run)\n", q.question, "n/a")
			continue
		}
		if q.asOverhead {
			fmt.Fprintf(w, "%-48s %11.1f%%  %s\n", q.question, 100*(num.median()-den.median())/den.median(), q.targetNote)
		} else {
			fmt.Fprintf(w, "%-48s %12.3g  %s\n", q.question, num.median()/den.median(), q.targetNote)
		}
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
