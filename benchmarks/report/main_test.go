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
BenchmarkGuestCoopYield-2 1 100 ns/op 200 ns/switch
BenchmarkGuestCoopYieldTraced-2 1 100 ns/op 210 ns/switch
`

func TestReport(t *testing.T) {
	figs, order, err := read(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	if len(order) != 4 || figs["PortOutExit ns/exit"].median() != 9100 {
		t.Fatalf("figures %v, PortOutExit median %v", order, figs["PortOutExit ns/exit"].median())
	}
	var out bytes.Buffer
	write(&out, figs, order)
	for _, want := range []string{`C floor\s+1\.07`, `cooperative workload\s+5\.0%`, `vs QEMU's\s+n/a`} {
		if !regexp.MustCompile(want).MatchString(out.String()) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

func TestPlot(t *testing.T) {
	figs, _, _ := read(strings.NewReader(sample))
	var out bytes.Buffer
	if !writeSVG(&out, figs) || !strings.Contains(out.String(), "coop yield, 16 tasks") || !strings.HasSuffix(out.String(), "</svg>\n") {
		t.Fatalf("svg:\n%s", out.String())
	}
}
