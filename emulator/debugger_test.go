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

// countdown is 32-bit code at 1 MiB: count ECX down from 5 (EAX counting
// up), then write 0 to isa-debug-exit.
var countdown = []byte{
	0xb9, 0x05, 0x00, 0x00, 0x00, // 100000: mov ecx, 5
	0x40,       // 100005: inc eax
	0x49,       // 100006: dec ecx
	0x75, 0xfc, // 100007: jnz 100005
	0x66, 0xba, 0xf4, 0x00, // 100009: mov dx, 0xf4
	0xb8, 0x00, 0x00, 0x00, 0x00, // 10000d: mov eax, 0
	0xef, // 100012: out dx, eax
	0xf4, // 100013: hlt
}

// The debugger's round trip on a real vCPU: start stopped (-S), step,
// break, read registers and memory, detach, and the guest runs to its exit.
func TestDebuggerStepsBreaksAndDetaches(t *testing.T) {
	emutest.ForEachBackend(t, func(t *testing.T, backend string) {
		m := emutest.New(t, emulator.Config{Backend: backend, Kernel: emutest.TinyKernel(countdown...), StartStopped: true})
		if err := m.Start(); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		d := m.Debugger()
		stop, err := d.Halt(ctx)
		if err != nil || stop.Reason != gdbstub.StopHalted {
			t.Fatalf("Halt = %+v, %v; want StopHalted", stop, err)
		}
		rip := func() uint64 {
			t.Helper()
			r, err := d.Regs()
			if err != nil {
				t.Fatal(err)
			}
			return r.RIP
		}
		if got := rip(); got != 0x100000 {
			t.Fatalf("stopped before the first instruction at RIP %#x, want 0x100000", got)
		}
		code := make([]byte, len(countdown))
		if n, err := d.ReadMemory(gdbstub.Linear, 0x100000, code); err != nil || n != len(code) || !bytes.Equal(code, countdown) {
			t.Fatalf("ReadMemory: %d bytes % x, %v", n, code, err)
		}
		if stop, err := d.Resume(ctx, true); err != nil || stop.Reason != gdbstub.StopStep || rip() != 0x100005 {
			t.Fatalf("step: %+v %v, RIP %#x; want StopStep at 0x100005", stop, err, rip())
		}
		if err := d.SetBreakpoints([]gdbstub.Breakpoint{{Kind: gdbstub.HardwareBreakpoint, Addr: 0x100007, Len: 1}}); err != nil {
			t.Fatal(err)
		}
		for want := uint64(4); want >= 3; want-- {
			stop, err := d.Resume(ctx, false)
			r, _ := d.Regs()
			if err != nil || stop.Reason != gdbstub.StopHardwareBreakpoint || r.RIP != 0x100007 || r.RCX != want {
				t.Fatalf("continue: %+v %v at RIP %#x ECX %d; want the breakpoint at 0x100007 with ECX %d", stop, err, r.RIP, r.RCX, want)
			}
		}
		if _, ok := d.Stopped(); !ok {
			t.Fatal("Stopped says running while at a breakpoint")
		}
		if err := d.Detach(); err != nil {
			t.Fatal(err)
		}
		if res := emutest.WaitExit(t, m, 30*time.Second); res.Outcome != emulator.OutcomeExit || res.ExitValue != 0 {
			t.Fatalf("after detaching the guest ended with %v, want its exit", res)
		}
		if stop, _ := d.Halt(ctx); stop.Reason != gdbstub.StopExited {
			t.Fatalf("Halt after the end = %+v, want StopExited", stop)
		}
	})
}

// Ctrl-C: a Resume whose context ends stops the running guest.
func TestDebuggerBreaksIn(t *testing.T) {
	emutest.ForEachBackend(t, func(t *testing.T, backend string) {
		m := emutest.Boot(t, emulator.Config{Backend: backend, Cmdline: "hz=100"})
		emutest.WaitSerial(t, m, `(?m)^ready$`, 30*time.Second)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		d := m.Debugger()
		if stop, err := d.Halt(ctx); err != nil || stop.Reason != gdbstub.StopHalted {
			t.Fatalf("Halt = %+v, %v", stop, err)
		}
		run, stopRun := context.WithTimeout(ctx, 200*time.Millisecond)
		defer stopRun()
		if stop, err := d.Resume(run, false); err != nil || stop.Reason != gdbstub.StopHalted {
			t.Fatalf("Resume cut by its context = %+v, %v; want StopHalted", stop, err)
		}
		var out bytes.Buffer
		for _, c := range m.MonitorCommands() {
			if c.Name == "info pic" || c.Name == "info pit" {
				if err := c.Run("", &out); err != nil {
					t.Fatal(err)
				}
			}
		}
		for _, want := range []string{"vector_base=0x20", "vector_base=0x28", "channel 0: mode 2"} {
			if !bytes.Contains(out.Bytes(), []byte(want)) {
				t.Errorf("monitor output lacks %q:\n%s", want, out.String())
			}
		}
		if err := d.Detach(); err != nil {
			t.Fatal(err)
		}
		emutest.Type(t, m, "x\n", 30*time.Second)
		emutest.WaitScreen(t, m, `x`, 30*time.Second)
	})
}
