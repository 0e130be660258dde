package interp_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pollscope/pollscope/cpu/interp"
	"github.com/pollscope/pollscope/cpu/interp/internal/testpc"
	"github.com/pollscope/pollscope/guest"
)

// bootPC loads the demo kernel with cmdline on a software CPU.
func bootPC(tb testing.TB, cmdline string, opts interp.Options) (*testpc.PC, *interp.CPU) {
	tb.Helper()
	ram := make([]byte, 128<<20)
	c, err := interp.New(ram, opts)
	if err != nil {
		tb.Fatal(err)
	}
	regs, sregs, err := testpc.Load(ram, guest.Kernel, cmdline)
	if err != nil {
		tb.Fatal(err)
	}
	if err := c.SetSRegs(sregs); err != nil {
		tb.Fatal(err)
	}
	if err := c.SetRegs(regs); err != nil {
		tb.Fatal(err)
	}
	return testpc.New(c, ram), c
}

// benchScenario boots the kernel with a bench= scenario under ICount and
// reports guest instructions per second from "ready" to the exit.
func benchScenario(b *testing.B, name string) {
	for i := 0; i < b.N; i++ {
		pc, c := bootPC(b, fmt.Sprintf("bench=%s benchn=40000", name), interp.Options{ICount: true, Log: b.Logf})
		if err := pc.Run(func() bool { return bytes.Contains(pc.Serial.Bytes(), []byte("ready\n")) }, 1e7); err != nil {
			b.Fatal(err)
		}
		start, t0 := c.InstructionCount(), time.Now()
		if err := pc.Run(nil, 1e8); err != nil {
			b.Fatal(err)
		}
		d := time.Since(t0)
		n := c.InstructionCount() - start
		b.ReportMetric(float64(n)/d.Seconds()/1e6, "Minstr/s")
		if line := benchLine(pc.Serial.String(), name); line != "" && i == 0 {
			b.Logf("%s", line)
		}
	}
}

func benchLine(serial, name string) string {
	for _, l := range strings.Split(serial, "\n") {
		if strings.HasPrefix(l, "bench: "+name+" ") {
			return l
		}
	}
	return ""
}

func BenchmarkKernelCoopYield2(b *testing.B)    { benchScenario(b, "coop-yield-2") }
func BenchmarkKernelCoopYield256(b *testing.B)  { benchScenario(b, "coop-yield-256") }
func BenchmarkKernelPreemptYield2(b *testing.B) { benchScenario(b, "preempt-yield-2") }
func BenchmarkKernelCoopPingpong(b *testing.B)  { benchScenario(b, "coop-pingpong") }
func BenchmarkKernelTraceRecord(b *testing.B)   { benchScenario(b, "trace-record") }
