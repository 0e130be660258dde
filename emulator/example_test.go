package emulator_test

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"time"

	"github.com/pollscope/pollscope/devices/ps2"
	"github.com/pollscope/pollscope/emulator"
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
	m.TypeText(ctx, "hello\n")
	m.PressKey(ps2.KeyEnter)
	line, err := m.WaitScreen(ctx, regexp.MustCompile(`hello`))
	fmt.Println(line, err)
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
		fmt.Printf("%-16s polls=%d p99=%v\n", task.Name, task.Stats.Polls, task.Stats.PollTime.Quantile(0.99))
	}
	for _, lint := range model.Lints {
		fmt.Println("warning:", lint.Message)
	}
	f, _ := os.Create("trace.json")
	defer f.Close()
	m.WritePerfetto(f)
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
		if e.Name != "" {
			fmt.Println(e.Kind, e.Name)
		}
	}
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
	ctx := context.Background()
	m.Pause(ctx)
	fmt.Println(m.ScreenText())
	m.Resume()
}
