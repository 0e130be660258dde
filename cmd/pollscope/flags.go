package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/pollscope/pollscope/emulator"
	"github.com/pollscope/pollscope/gdbstub"
)

// options are the command's flags, checked: anything wrong with them is
// found before the guest runs.
type options struct {
	kernel        string
	initrd        string
	cmdline       string
	memory        int
	display       string
	displayGiven  bool // -display was on the command line (no quiet fallback)
	serial        string
	accel         string
	icount        bool
	duration      time.Duration // 0: until the guest ends
	until         *regexp.Regexp
	trace         string
	record        string
	script        string
	gdb           string // -gdb device, "" for none
	startStopped  bool   // -S
	cpuHelp       bool   // -cpu help: list the guest CPU's features (cpuhelp.go)
	keysFromStdin bool   // -keys stdin: type stdin on the guest's keyboard (keys.go)
	stepsOfScript []step
}

// usageError is bad usage: its message is printed and the status is
// statusUsage.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	var duration, until string
	fs := flag.NewFlagSet("pollscope", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.kernel, "kernel", "", "boot this ELF64 kernel with a PVH note instead of the embedded demo kernel")
	fs.StringVar(&o.initrd, "initrd", "", "load this file (an initramfs) as the kernel's initial RAM disk")
	fs.StringVar(&o.cmdline, "append", "", fmt.Sprintf("kernel command line (at most %d bytes)", emulator.MaxCmdline))
	fs.IntVar(&o.memory, "m", emulator.DefaultMemoryMiB, fmt.Sprintf("guest memory in MiB (%d to %d)", emulator.MinMemoryMiB, emulator.MaxMemoryMiB))
	fs.StringVar(&o.display, "display", "gui", "display: gui (also sdl, gtk): a window with the console, the executor's timeline and its tasks; none: terminal run, serial on stdout")
	fs.StringVar(&o.serial, "serial", "stdio", "where COM1 goes: stdio, none, or file:PATH")
	fs.StringVar(&o.accel, "accel", "", "CPU backend: "+strings.Join(emulator.Backends(), ", ")+" (default: kvm where /dev/kvm is usable, else the software CPU)")
	fs.BoolVar(&o.icount, "icount", false, "deterministic time on the software CPU: the clock follows the instruction count, so a run recorded with -record can be replayed exactly (pollscope replay FILE); implies -accel tcg")
	fs.Func("cpu", cpuFlagUsage, o.setCPU)
	fs.Func("keys", keysFlagUsage, o.setKeys)
	fs.StringVar(&duration, "duration", "", "stop the guest after this long (e.g. 5s; default: run until it exits)")
	fs.StringVar(&until, "until", "", "stop the guest once its serial output matches this regular expression")
	fs.StringVar(&o.script, "script", "", "run this expect-style script against the guest (see README); exit 0 when every step passes")
	var gdbShort bool
	fs.BoolVar(&gdbShort, "s", false, "shorthand for -gdb "+gdbstub.DefaultAddress)
	fs.StringVar(&o.gdb, "gdb", "", "wait for gdb connections on this device: tcp::PORT, tcp:HOST:PORT or unix:PATH (then `target remote ...` in gdb)")
	fs.BoolVar(&o.startStopped, "S", false, "do not start the CPU: wait for the debugger (gdb's continue, or the GUI's)")
	fs.StringVar(&o.trace, "trace", "", "write the executor trace to this file (Chrome/Perfetto JSON) when the run ends")
	fs.StringVar(&o.record, "record", "", "record the run's session to this file as it goes (open it again with: pollscope view FILE)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: pollscope [flags]\n       pollscope view [-summary] [-at DURATION] FILE\n\nBoots a kernel (the embedded demo kernel by default) on KVM or the software CPU.\n\n")
		fs.PrintDefaults()
		printStatusTable(stderr)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, usageError{err.Error()}
	}
	fs.Visit(func(f *flag.Flag) { o.displayGiven = o.displayGiven || f.Name == "display" })
	if gdbShort && o.gdb == "" {
		o.gdb = gdbstub.DefaultAddress
	}
	if fs.NArg() > 0 {
		return nil, usagef("unexpected argument %q (flags start with -)", fs.Arg(0))
	}
	return o, o.check(duration, until)
}

// check validates every flag's value.
func (o *options) check(duration, until string) error {
	if o.memory < emulator.MinMemoryMiB || o.memory > emulator.MaxMemoryMiB {
		return usagef("-m %d: give the guest memory size in MiB, %d to %d (default %d)", o.memory, emulator.MinMemoryMiB, emulator.MaxMemoryMiB, emulator.DefaultMemoryMiB)
	}
	if len(o.cmdline) > emulator.MaxCmdline {
		return usagef("-append: the command line is %d bytes; pollscope passes at most %d", len(o.cmdline), emulator.MaxCmdline)
	}
	if strings.IndexByte(o.cmdline, 0) >= 0 {
		return usagef("-append: the command line contains a NUL byte")
	}
	if duration != "" {
		d, err := time.ParseDuration(duration)
		if err != nil || d <= 0 {
			return usagef("-duration %s: give a positive duration such as 5s (leave it out to run until the guest exits)", duration)
		}
		o.duration = d
	}
	if until != "" {
		re, err := regexp.Compile(until)
		if err != nil {
			return usagef("-until: %v", err)
		}
		o.until = re
	}
	if o.icount {
		if o.accel != "" && o.accel != emulator.BackendTCG {
			return usagef("-icount needs the software CPU (-accel %s): -accel %s runs in real time", emulator.BackendTCG, o.accel)
		}
		o.accel = emulator.BackendTCG
	}
	if o.accel != "" {
		if err := emulator.BackendAvailable(o.accel); err != nil {
			return usagef("-accel %s: %v", o.accel, err)
		}
	}
	if err := checkDisplay(o.display); err != nil {
		return usageError{err.Error()}
	}
	if o.serial != "stdio" && o.serial != "none" && !strings.HasPrefix(o.serial, "file:") {
		return usagef("-serial %s: use stdio, none or file:PATH", o.serial)
	}
	if o.gdb != "" {
		if _, _, err := gdbstub.ParseAddress(o.gdb); err != nil {
			return usageError{err.Error()}
		}
	}
	if o.startStopped && o.gdb == "" && o.display == "none" {
		return usagef("-S stops the CPU until a debugger lets it go: give -s or -gdb DEV too")
	}
	if o.script != "" {
		steps, err := loadScript(o.script)
		if err != nil {
			return usageError{err.Error()}
		}
		o.stepsOfScript = steps
	}
	return nil
}

// outputs are the files the run writes, opened before it starts.
type outputs struct {
	serial io.Writer
	trace  *os.File
	record *os.File // read back too: the GUI saves a copy of the session so far
}

// openOutputs opens the -serial, -trace and -record files before anything
// runs, so a path that cannot be written is bad usage, not a run's trace
// lost at its end. The returned closer closes what was opened.
func (o *options) openOutputs(stdout io.Writer) (out outputs, closeAll func(), err error) {
	var files []*os.File
	closeAll = func() {
		for _, f := range files {
			f.Close()
		}
	}
	switch {
	case o.serial == "stdio":
		out.serial = stdout
	case strings.HasPrefix(o.serial, "file:"):
		f, err := os.Create(strings.TrimPrefix(o.serial, "file:"))
		if err != nil {
			return outputs{}, closeAll, usagef("-serial: %v", err)
		}
		files = append(files, f)
		out.serial = f
	}
	for _, f := range []struct {
		flag, path string
		file       **os.File
	}{{"-trace", o.trace, &out.trace}, {"-record", o.record, &out.record}} {
		if f.path == "" {
			continue
		}
		file, err := os.OpenFile(f.path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o666) // as os.Create
		if err != nil {
			closeAll()
			return outputs{}, func() {}, usagef("%s: %v", f.flag, err)
		}
		files = append(files, file)
		*f.file = file
	}
	return out, closeAll, nil
}
