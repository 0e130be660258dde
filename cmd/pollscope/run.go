package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/pollscope/pollscope/emulator"
)

type options struct {
	kernel   string
	cmdline  string
	memory   int
	display  string
	serial   string
	accel    string
	duration time.Duration
	until    string
	trace    string
	script   string
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("pollscope", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.kernel, "kernel", "", "boot this ELF64 kernel with a PVH note instead of the embedded demo kernel")
	fs.StringVar(&o.cmdline, "append", "", "kernel command line")
	fs.IntVar(&o.memory, "m", emulator.DefaultMemoryMiB, "guest memory in MiB")
	fs.StringVar(&o.display, "display", "gui", "display: gui (also sdl, gtk): a window with the console, the executor's timeline and its tasks; none: terminal run, serial on stdout")
	fs.StringVar(&o.serial, "serial", "stdio", "where COM1 goes: stdio, none, or file:PATH")
	fs.StringVar(&o.accel, "accel", "kvm", "accelerator: kvm")
	fs.DurationVar(&o.duration, "duration", 0, "stop the guest after this long (0: run until it exits)")
	fs.StringVar(&o.until, "until", "", "stop the guest once its serial output matches this regular expression")
	fs.StringVar(&o.script, "script", "", "run this expect-style script against the guest (see README); exit 0 when every step passes")
	fs.StringVar(&o.trace, "trace", "", "write the executor trace to this file (Chrome/Perfetto JSON) when the run ends")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: pollscope [flags]\n\nBoots a kernel (the embedded demo kernel by default) on KVM.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q (flags start with -)", fs.Arg(0))
	}
	if o.until != "" {
		if _, err := regexp.Compile(o.until); err != nil {
			return nil, fmt.Errorf("-until: %v", err)
		}
	}
	if o.memory <= 0 {
		return nil, fmt.Errorf("-m %d: give the guest memory size in MiB (default %d)", o.memory, emulator.DefaultMemoryMiB)
	}
	if o.accel != emulator.BackendKVM {
		return nil, fmt.Errorf("-accel %s: only kvm is available", o.accel)
	}
	if err := checkDisplay(o.display); err != nil {
		return nil, err
	}
	return o, nil
}

// serialWriter opens the -serial destination.
func serialWriter(spec string, stdout io.Writer) (io.Writer, func() error, error) {
	switch {
	case spec == "stdio":
		return stdout, func() error { return nil }, nil
	case spec == "none":
		return nil, func() error { return nil }, nil
	case strings.HasPrefix(spec, "file:"):
		f, err := os.Create(strings.TrimPrefix(spec, "file:"))
		if err != nil {
			return nil, nil, fmt.Errorf("-serial: %w", err)
		}
		return f, f.Close, nil
	default:
		return nil, nil, fmt.Errorf("-serial %s: use stdio, none or file:PATH", spec)
	}
}

func run(args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "pollscope: %v\n", err)
		return statusUsage
	}
	var steps []step
	if o.script != "" {
		if steps, err = loadScript(o.script); err != nil {
			fmt.Fprintf(stderr, "pollscope: %v\n", err)
			return statusUsage
		}
	}
	out, closeOut, err := serialWriter(o.serial, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "pollscope: %v\n", err)
		return statusUsage
	}
	defer closeOut()

	cfg := emulator.Config{
		KernelPath: o.kernel,
		Backend:    o.accel,
		Cmdline:    o.cmdline,
		MemoryMiB:  o.memory,
		SerialOut:  out,
	}
	m, err := emulator.New(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "pollscope: %v\n", err)
		return statusEmulatorError
	}
	defer func() { m.Close() }() // the GUI's reset may replace m

	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	if o.duration > 0 {
		var c2 context.CancelFunc
		ctx, c2 = context.WithTimeout(ctx, o.duration)
		defer c2()
	}
	if o.until != "" {
		go stopWhenSerialMatches(ctx, m, regexp.MustCompile(o.until))
	}
	if o.script != "" {
		return runScriptMode(ctx, m, o, steps, stderr)
	}
	var res emulator.Result
	if o.display != "none" {
		res, m = runGUI(ctx, o, cfg, m, stderr)
	} else {
		res, _ = m.Run(ctx)
	}
	// Closing flushes the guest's serial output to stdout before anything
	// below reports on the run (the trace is still there after Close).
	m.Close()
	if res.Outcome != emulator.OutcomeExit && res.Outcome != emulator.OutcomeStopped {
		fmt.Fprintf(stderr, "pollscope: %v\n", res)
	}
	if o.trace != "" {
		if err := writeTrace(m, o.trace); err != nil {
			fmt.Fprintf(stderr, "pollscope: %v\n", err)
			return statusEmulatorError
		}
	}
	return res.Status()
}

// stopWhenSerialMatches stops the guest once its serial output matches re.
func stopWhenSerialMatches(ctx context.Context, m *emulator.Machine, re *regexp.Regexp) {
	if _, err := m.WaitSerial(ctx, re); err == nil {
		m.Stop()
	}
}

// writeTrace writes the machine's trace as Perfetto JSON, all drained.
func writeTrace(m *emulator.Machine, path string) error {
	m.FlushTrace()
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("-trace: %w", err)
	}
	if err := m.WritePerfetto(f); err != nil {
		f.Close()
		return fmt.Errorf("-trace: writing %s: %w", path, err)
	}
	return f.Close()
}

// runScriptMode runs the script against the guest: status 0 when every step
// passes, statusScriptFailed at the first failing step.
func runScriptMode(ctx context.Context, m *emulator.Machine, o *options, steps []step, stderr io.Writer) int {
	if err := m.Start(); err != nil {
		fmt.Fprintf(stderr, "pollscope: %v\n", err)
		return statusEmulatorError
	}
	err := runScript(ctx, o.script, steps, m)
	m.Close() // stops the guest, drains the trace's tail, flushes serial
	if o.trace != "" {
		if terr := writeTrace(m, o.trace); terr != nil {
			fmt.Fprintf(stderr, "pollscope: %v\n", terr)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "pollscope: script failed at %v\n", err)
		return statusScriptFailed
	}
	return 0
}
