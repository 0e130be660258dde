package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/pollscope/pollscope/emulator"
)

// runReplay is `pollscope replay FILE`: re-execute a run recorded with
// -accel tcg -icount -record FILE, applying its inputs at the instructions
// they were recorded at, and check the guest did the same again. Status 0
// when the replay is identical, statusEmulatorError when it diverged.
func runReplay(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("pollscope replay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	serial := fs.Bool("serial", false, "print the replayed guest's serial output")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: pollscope replay [-serial] FILE\n\nRe-executes a session recorded with -accel tcg -icount -record FILE and checks that the guest does exactly what it did then.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return statusUsage
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "pollscope replay: give one session file")
		return statusUsage
	}
	s, err := emulator.OpenSession(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "pollscope replay: %v\n", err)
		return statusBadSession
	}
	defer s.Close()
	cfg, err := s.ReplayConfig()
	if err != nil {
		fmt.Fprintf(stderr, "pollscope replay: %v\n", err)
		return statusUsage
	}
	if *serial {
		cfg.SerialOut = stdout
	}
	m, err := emulator.New(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "pollscope replay: %v\n", err)
		return statusEmulatorError
	}
	defer m.Close()
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer cancel()
	if res, err := m.Run(ctx); err != nil {
		fmt.Fprintf(stderr, "pollscope replay: interrupted: %v\n", res)
		return statusStopped
	} else if res.Outcome != emulator.OutcomeStopped {
		fmt.Fprintf(stderr, "pollscope replay: the guest ended before the recording did: %v\n", res)
		return statusEmulatorError
	}
	summary, err := s.CompareReplay(m)
	if err != nil {
		fmt.Fprintf(stderr, "pollscope replay: %v\n", err)
		return statusEmulatorError
	}
	fmt.Fprintf(stderr, "pollscope replay: identical: %s\n", summary)
	return 0
}
