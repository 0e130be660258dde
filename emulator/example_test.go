package emulator_test

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"time"

	"github.com/pollscope/pollscope/emulator"
	"github.com/pollscope/pollscope/guest"
	"github.com/pollscope/pollscope/trace"
)

// Boot the embedded demo kernel, which exits through isa-debug-exit when its
// command line says "exit", and look at what it printed.
func Example() {
	m, err := emulator.New(emulator.Config{Cmdline: "exit"})
	if err != nil {
		fmt.Println(err) // for example: KVM is not available
		return
	}
	defer m.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := m.Run(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Outcome, res.ExitValue)
	fmt.Print(m.Serial()[:28])
	// Output:
	// exit 0
	// pollscope demo kernel 0.1.0
}

// Type into the running demo kernel and wait for the echo, as an expect
// script would.
func ExampleMachine_TypeText() {
	m, err := emulator.New(emulator.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()
	m.Start()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := m.WaitSerial(ctx, regexp.MustCompile(`(?m)^ready$`)); err != nil {
		fmt.Println(err) // a *WaitError: what was expected, and the console's tail
		return
	}
	m.TypeText(ctx, "hello\n") // "\n" is the Enter key
	line, err := m.WaitScreen(ctx, regexp.MustCompile(`hello`))
	fmt.Println(line, err)
	// Output: hello <nil>
}

// Record the executor's trace for a second, then read the model and export
// it for Perfetto (ui.perfetto.dev) or chrome://tracing.
func ExampleMachine_Trace() {
	m, err := emulator.New(emulator.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	m.Run(ctx) // runs until the context ends, then stops the guest
	m.FlushTrace()
	model := m.Trace()
	for _, task := range model.Tasks {
		fmt.Println(task.Name, task.Stats.Polls > 0)
		// Also: task.Stats.PollTime.Quantile(0.99), WakeLatency, Busy, ...
	}
	for _, lint := range model.Lints {
		fmt.Println("warning:", lint.Message)
	}
	m.WritePerfetto(io.Discard) // or a file, for ui.perfetto.dev
	// Output:
	// example true
	// keyboard true
	// heartbeat-1s true
	// heartbeat-250ms true
	// worker true
	// producer true
	// consumer true
}

// Watch trace events live while the guest runs.
func ExampleMachine_SubscribeTrace() {
	m, err := emulator.New(emulator.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()
	events, stop := m.SubscribeTrace(1024)
	defer stop()
	m.Start()
	for e := range events {
		if e.Kind == trace.Kind(guest.EvTaskSpawn) {
			fmt.Println("spawned", e.Name)
			return
		}
	}
	// Output: spawned example
}

// Pause the guest to look at a still screen, then let it go on.
func ExampleMachine_Pause() {
	m, err := emulator.New(emulator.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()
	m.Start()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	m.WaitSerial(ctx, regexp.MustCompile(`(?m)^ready$`))
	m.Pause(ctx)
	fmt.Println(m.Paused(), m.ScreenText()[:27])
	m.Resume()
	// Output: true pollscope demo kernel 0.1.0
}
