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

	"github.com/pollscope/pollscope/emulator"
	"github.com/pollscope/pollscope/gdbstub"
)

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "view" {
		return runView(args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "replay" {
		return runReplay(args[1:], stdout, stderr)
	}
	o, err := parseFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "pollscope: %v\n", err)
		return statusUsage
	}
	if o.cpuHelp {
		return printCPUHelp(stdout, stderr)
	}
	con := newConsole(stdout, stderr)
	outs, closeOutputs, err := o.openOutputs(con)
	defer closeOutputs()
	if err != nil {
		con.say("%v", err)
		return statusUsage
	}
	if o.displayGiven && o.display != "none" && os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		con.say("-display %s: no display available ($DISPLAY is not set); use -display none for a terminal run", o.display)
		return statusNoDisplay
	}
	cfg := emulator.Config{
		KernelPath:   o.kernel,
		InitrdPath:   o.initrd,
		Backend:      o.accel,
		ICount:       o.icount,
		Cmdline:      o.cmdline,
		MemoryMiB:    o.memory,
		SerialOut:    outs.serial,
		StartStopped: o.startStopped,
	}
	if o.accel == "" && emulator.DefaultBackend() != emulator.BackendKVM {
		con.say("%v; running on the software CPU (-accel %s)", emulator.BackendAvailable(emulator.BackendKVM), emulator.DefaultBackend())
	}
	m, err := emulator.New(cfg)
	if err != nil {
		con.say("%v", err)
		if errors.Is(err, emulator.ErrBadKernel) {
			return statusBadKernel
		}
		return statusEmulatorError
	}
	defer func() { m.Close() }() // the GUI's reset may replace m
	if o.display == "none" {
		con.say("%s", backendBanner(m, o.icount))
	}
	warnStockKernel(con, o, m)
	if outs.record != nil {
		if err := m.Record(outs.record); err != nil {
			con.say("-record: %v", err)
			return statusEmulatorError
		}
	}

	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer cancel()
	if o.duration > 0 {
		var c2 context.CancelFunc
		ctx, c2 = context.WithTimeout(ctx, o.duration)
		defer c2()
	}
	if o.until != nil {
		go stopWhenSerialMatches(ctx, m, o.until)
	}
	defer startKeys(ctx, o, m, con)()
	defer startSerialInput(o, m, con, stdout)()
	if o.gdb != "" {
		l, err := gdbstub.Listen(o.gdb)
		if err != nil {
			con.say("%v", err)
			return statusUsage
		}
		defer l.Close()
		con.say("waiting for gdb on %s (gdb: target remote %s)", l.Addr(), gdbTarget(l.Addr().String()))
		srv := &gdbstub.Server{Target: m.Debugger(), Commands: m.MonitorCommands(), Logf: func(f string, a ...any) { con.say("gdb: "+f, a...) }}
		go srv.Serve(ctx, l)
	}
	var status int
	switch {
	case o.script != "":
		status = runScriptMode(ctx, m, o, con)
	case o.display != "none":
		var res emulator.Result
		res, m = runGUI(ctx, o, cfg, m, con.messages())
		status = finish(m, res, con)
	default:
		res, _ := m.Run(ctx)
		status = finish(m, res, con)
	}
	if outs.trace != nil {
		if err := writeTrace(m, outs.trace); err != nil {
			con.say("-trace: %v", err)
			return statusEmulatorError
		}
	}
	// Only the recording asked for: the window records one of its own
	// for its Save (ui), whose failure it reports itself.
	if err := m.RecordError(); err != nil && outs.record != nil {
		con.say("-record: %v", err)
		return statusEmulatorError
	}
	return status
}

// finish closes the machine, which flushes the guest's serial output before
// anything below reports on the run, and says how the run ended.
func finish(m *emulator.Machine, res emulator.Result, con *console) int {
	m.Close()
	con.finishLine()
	if res.Outcome != emulator.OutcomeExit && res.Outcome != emulator.OutcomeStopped {
		con.say("%v", res)
	}
	reportSerialError(m, con)
	return res.Status()
}

// reportSerialError says, once, that the serial sink refused output.
func reportSerialError(m *emulator.Machine, con *console) {
	if err := m.SerialOutError(); err != nil {
		con.say("the serial output could not be written (%v): %d bytes of the guest's output are missing there", err, m.HostCounters().SerialWriteFailed)
	}
}

// stopWhenSerialMatches stops the guest once its serial output matches re.
func stopWhenSerialMatches(ctx context.Context, m *emulator.Machine, re *regexp.Regexp) {
	if _, err := m.WaitSerial(ctx, re); err == nil {
		m.Stop()
	}
}

// writeTrace writes the machine's trace as Perfetto JSON, all drained, to
// a file opened at the start of the run.
func writeTrace(m *emulator.Machine, f *os.File) error {
	m.FlushTrace()
	if err := m.WritePerfetto(f); err != nil {
		return fmt.Errorf("writing %s: %w", f.Name(), err)
	}
	return f.Sync()
}

// runScriptMode runs the script against the guest: status 0 when every step
// passes, statusScriptFailed at the first failing step.
func runScriptMode(ctx context.Context, m *emulator.Machine, o *options, con *console) int {
	if err := m.Start(); err != nil {
		con.say("%v", err)
		return statusEmulatorError
	}
	err := runScript(ctx, o.script, o.stepsOfScript, m)
	m.Close() // stops the guest, drains the trace's tail, flushes serial
	con.finishLine()
	reportSerialError(m, con)
	if err != nil {
		con.say("script failed at %v", err)
		return statusScriptFailed
	}
	return 0
}

// gdbTarget is what to type after gdb's `target remote` for a listener's
// address: :PORT for TCP on every interface, the path for a Unix socket.
func gdbTarget(addr string) string {
	if strings.HasPrefix(addr, "[::]:") || strings.HasPrefix(addr, "0.0.0.0:") {
		return addr[strings.LastIndex(addr, ":"):]
	}
	return addr
}

// backendBanner says what runs the guest: KVM and what kind of host it is
// (hardware-virtualised, or one that emulates the guest's CPL0 code), or
// the software CPU.
func backendBanner(m *emulator.Machine, icount bool) string {
	if m.Backend() == emulator.BackendTCG {
		if icount {
			return "running on the software CPU (-accel tcg), in deterministic time (-icount)"
		}
		return "running on the software CPU (-accel tcg)"
	}
	return fmt.Sprintf("running on KVM: %v", emulator.DetectHostKind())
}
