package emulator_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/pollscope/pollscope/emulator"
	"github.com/pollscope/pollscope/emulator/emutest"
	"github.com/pollscope/pollscope/gdbstub"
)

// InspectCPU reads a guest paused or stopped in the debugger, and refuses
// a running one; Interrupt stops the vCPU and Continue lets it go without
// waiting, and a Resume waiting for its stop (a gdb session's continue)
// gets the stop Interrupt asks for.
func TestInspectCPU(t *testing.T) {
	for _, backend := range []string{emulator.BackendKVM, emulator.BackendTCG} {
		t.Run(backend, func(t *testing.T) {
			if err := emulator.BackendAvailable(backend); err != nil {
				t.Skipf("skipping: %v", err)
			}
			inspectCPU(t, backend)
		})
	}
}

func inspectCPU(t *testing.T, backend string) {
	m := emutest.Boot(t, emulator.Config{Backend: backend, Cmdline: "hz=100"})
	emutest.WaitSerial(t, m, `(?m)^ready$`, 30*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := m.InspectCPU(16, 16, 64); err == nil {
		t.Fatal("InspectCPU of a running guest: no error")
	}
	inKernel := func(what string, v emulator.CPUView) {
		t.Helper()
		if _, _, ok := m.Symbol(v.Regs.RIP); !ok {
			t.Errorf("%s: RIP %#x is in no kernel symbol", what, v.Regs.RIP)
		}
		t.Logf("%s at %s", what, m.Symbols().Describe(v.Regs.RIP))
		if v.Regs.RIP < v.CodeAddr || v.Regs.RIP-v.CodeAddr > 32 || len(v.Code) == 0 || len(v.Stack) != 64 {
			t.Errorf("%s: code from %#x (%d bytes) for RIP %#x, %d stack bytes", what, v.CodeAddr, len(v.Code), v.Regs.RIP, len(v.Stack))
		}
	}

	// Paused: the registers the vCPU parked with.
	if err := m.Pause(ctx); err != nil {
		t.Fatal(err)
	}
	v, err := m.InspectCPU(32, 32, 64)
	if err != nil || v.Debugger {
		t.Fatalf("InspectCPU while paused: %+v, %v", v, err)
	}
	inKernel("paused", v)
	m.Resume()

	// Stopped in the debugger: what the debugger reads.
	d := m.Debugger()
	d.Interrupt()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		if _, ok := d.Stopped(); ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Interrupt did not stop the vCPU")
		}
	}
	v, err = m.InspectCPU(32, 32, 64)
	if err != nil || !v.Debugger || v.Stop.Reason != gdbstub.StopHalted {
		t.Fatalf("InspectCPU while stopped: %+v, %v", v, err)
	}
	inKernel("stopped", v)
	r, _ := d.Regs()
	code := make([]byte, len(v.Code))
	n, _ := d.ReadMemory(gdbstub.Linear, v.CodeAddr, code)
	if r != v.Regs || !bytes.Equal(code[:n], v.Code) {
		t.Errorf("InspectCPU's registers or code differ from the debugger's")
	}

	// Continue does not wait: a step stops by itself, a continue runs on
	// until Interrupt; Stopped sees both stops.
	waitStopped := func(what string) gdbstub.Stop {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
			if s, ok := d.Stopped(); ok {
				return s
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: the vCPU did not stop", what)
			}
		}
	}
	if err := d.Continue(true); err != nil {
		t.Fatal(err)
	}
	if s := waitStopped("a step"); s.Reason != gdbstub.StopStep {
		t.Errorf("after Continue(step): %+v", s)
	}
	if err := d.Continue(false); err != nil {
		t.Fatal(err)
	}
	if _, ok := d.Stopped(); ok {
		t.Errorf("Stopped right after Continue")
	}
	d.Interrupt()
	if s := waitStopped("an Interrupt after Continue"); s.Reason != gdbstub.StopHalted {
		t.Errorf("after Interrupt: %+v", s)
	}

	// A Resume waiting for its stop gets the one Interrupt asks for.
	done := make(chan gdbstub.Stop, 1)
	go func() {
		s, _ := d.Resume(ctx, false)
		done <- s
	}()
	for _, ok := d.Stopped(); ok; _, ok = d.Stopped() {
		time.Sleep(time.Millisecond) // until it runs
	}
	d.Interrupt()
	select {
	case s := <-done:
		if s.Reason != gdbstub.StopHalted {
			t.Errorf("the waiting Resume returned %+v, want StopHalted", s)
		}
	case <-ctx.Done():
		t.Fatal("the waiting Resume never returned after Interrupt")
	}
	if err := d.Detach(); err != nil {
		t.Fatal(err)
	}
	emutest.Type(t, m, "x\n", 30*time.Second)
	emutest.WaitScreen(t, m, `x`, 30*time.Second)
}
