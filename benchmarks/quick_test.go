package benchmarks

import (
	"context"
	"testing"
	"time"

	"github.com/pollscope/pollscope/emulator"
	"github.com/pollscope/pollscope/emulator/emutest"
)

// Quick variants of the measurements, run by `make test`: they check that
// every scenario runs and reports a sane, nonzero figure. The figures
// themselves are never asserted; `make bench` reports them.

var guestScenarios = []string{
	"coop-yield-2", "coop-yield-16", "coop-yield-256", "coop-pingpong",
	"preempt-yield-2", "preempt-yield-16", "preempt-yield-256", "preempt-pingpong", "preempt-timer",
	"irq-entry", "irq-wake", "trace-record",
}

func TestGuestScenariosQuick(t *testing.T) {
	emutest.ForEachBackend(t, func(t *testing.T, backend string) {
		for _, ring := range rings {
			t.Run("ring="+ring, func(t *testing.T) {
				guestScenariosQuick(t, emulator.Config{Backend: backend, Cmdline: "bench=all benchn=64 ring=" + ring})
			})
		}
	})
}

func guestScenariosQuick(t *testing.T, cfg emulator.Config) {
	cmdline := cfg.Cmdline
	m, err := emulator.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	res, err := m.Run(ctx)
	if err != nil || res.Outcome != emulator.OutcomeExit || res.ExitValue != 0 {
		t.Fatalf("%s: %v %v\n%s", cmdline, res, err, m.Serial())
	}
	results, hz := parseBench(m.Serial()), m.TSCFrequency()
	if hz == 0 {
		t.Fatal("the backend reported no TSC rate")
	}
	for _, name := range guestScenarios {
		r, ok := results[name]
		if !ok {
			t.Errorf("no result for %s", name)
			continue
		}
		ns := r.nsPer(hz)
		t.Logf("%-18s %8d switches %12.0f ns each", name, r.switches, ns)
		if r.switches == 0 || ns <= 0 || ns > float64(time.Second) {
			t.Errorf("%s: %d switches at %.0f ns each is not a sane figure", name, r.switches, ns)
		}
	}
}

func TestExitLoopQuick(t *testing.T) {
	requireKVM(t)
	m, err := emulator.New(emulator.Config{Kernel: exitLoopKernel(500, true)})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if res, err := m.Run(ctx); err != nil || res.Outcome != emulator.OutcomeExit {
		t.Fatalf("exit loop: %v %v", res, err)
	}
	if n := m.ExitCounts()[0]; n < 500 {
		t.Fatalf("%d port exits, want at least 500", n)
	}
}
