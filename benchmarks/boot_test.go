package benchmarks

import (
	"bufio"
	"context"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pollscope/pollscope/emulator"
)

// BenchmarkBootToBanner times a whole `pollscope -append exit` process from
// its start to the banner line on its stdout: process start-up, VM creation,
// kernel load, the guest's boot to its first println.
func BenchmarkBootToBanner(b *testing.B) {
	requireKVM(b)
	if pollscopeBinary == "" {
		b.Skip("skipping: the pollscope command did not build")
	}
	var total time.Duration
	for i := 0; i < b.N; i++ {
		cmd := exec.Command(pollscopeBinary, "-display", "none", "-append", "exit")
		out, err := cmd.StdoutPipe()
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		line, err := bufio.NewReader(out).ReadString('\n')
		elapsed := time.Since(start)
		cmd.Wait()
		if err != nil || !strings.HasPrefix(line, "pollscope demo kernel") {
			b.Fatalf("first line %q, err %v", line, err)
		}
		total += elapsed
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms/boot")
}

// BenchmarkMachineBootToBanner times the scripting API's boot: New, Start,
// and the banner on serial, in this process.
func BenchmarkMachineBootToBanner(b *testing.B) {
	requireKVM(b)
	banner := regexp.MustCompile(`pollscope demo kernel`)
	var total time.Duration
	for i := 0; i < b.N; i++ {
		start := time.Now()
		m, err := emulator.New(emulator.Config{Cmdline: "exit"})
		if err != nil {
			b.Fatal(err)
		}
		m.Start()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		_, err = m.WaitSerial(ctx, banner)
		total += time.Since(start)
		cancel()
		m.Close()
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms/boot")
}
