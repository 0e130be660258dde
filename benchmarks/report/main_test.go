package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

const sample = `goos: linux
pkg: github.com/pollscope/pollscope/benchmarks
BenchmarkPortOutExit-2   3   100 ns/op   9000 ns/exit
BenchmarkPortOutExit-2   3   100 ns/op   9500 ns/exit
BenchmarkPortOutExit-2   3   100 ns/op   9100 ns/exit
BenchmarkExitFloorC-2    3   100 ns/op   8500 ns/exit
BenchmarkGuestCoopYield/ring=3-2 1 100 ns/op 40 ns/switch
BenchmarkGuestCoopYield/ring=0-2 1 100 ns/op 150000 ns/switch
BenchmarkGuestCoopYieldTraced/ring=3-2 1 100 ns/op 80 ns/switch
BenchmarkGuestCoopYieldTraced/ring=0-2 1 100 ns/op 165000 ns/switch
BenchmarkGuestPreemptYield/ring=3-2 1 100 ns/op 120000 ns/switch
BenchmarkGuestTraceRecord/ring=3-2 1 100 ns/op 17 ns/record 0 exits/record
BenchmarkKeyToPoll/ring=3-2 1 100 ns/op 450000 ns/key-to-poll
BenchmarkIdleGuestHostCPU/ring=3-2 1 100 ns/op 22.5 %host-core 14 %host-core-untraced 4 %host-core-100Hz
`

func TestReport(t *testing.T) {
	figs, order, err := read(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	if len(order) != 13 || figs["PortOutExit ns/exit"].median() != 9100 {
		t.Fatalf("figures %v, PortOutExit median %v", order, figs["PortOutExit ns/exit"].median())
	}
	var out bytes.Buffer
	write(&out, figs, order)
	for _, want := range []string{
		`C floor\s+1\.07`,
		`vs QEMU's\s+n/a`,
		`preemptive switch, ring=3\s+0\.000333`,
		`cooperative task switch, 16 tasks\s+40 ns\s+150 µs\s+≤ 50 ns\s+met`,
		`trace record\s+17 ns \(0 exits/record\)\s+n/a\s+≤ 30 ns\s+met`,
		`tracing overhead, cooperative workload\s+100\.0%\s+10\.0%\s+≤ 10\.0%\s+missed by 90\.0 points`,
		`key press → keyboard task poll\s+450 µs\s+n/a\s+≤ 150 µs\s+missed: 3× the bound`,
		`idle guest at 1000 Hz, % of a core\s+22\.5%\s+n/a\s+≤ 10\.0%\s+missed by 12\.5 points`,
	} {
		if !regexp.MustCompile(want).MatchString(out.String()) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

func TestFormatNs(t *testing.T) {
	cases := map[float64]string{17: "17 ns", 45_300: "45.3 µs", 2_500_000: "2.5 ms"}
	for ns, want := range cases {
		if got := formatNs(ns); got != want {
			t.Errorf("formatNs(%v) = %q, want %q", ns, got, want)
		}
	}
}

func TestPlot(t *testing.T) {
	figs, _, _ := read(strings.NewReader(sample))
	var out bytes.Buffer
	if !writeSVG(&out, figs) || !strings.Contains(out.String(), "ring=3 coop yield, 16 tasks") || !strings.HasSuffix(out.String(), "</svg>\n") {
		t.Fatalf("svg:\n%s", out.String())
	}
}
