package emulator_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/pollscope/pollscope/emulator"
)

// Record a run to a session file, then open it again and look at the run
// as it was at its end and half way through, as `pollscope view` does.
func ExampleOpenSession() {
	dir, _ := os.MkdirTemp("", "session")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "run.pollscope")

	m, err := emulator.New(emulator.Config{Record: path})
	if err != nil {
		fmt.Println(err) // for example: KVM is not available
		return
	}
	m.Start()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	m.WaitSerial(ctx, regexp.MustCompile(`executor: \w+ scenario=\w+ started`))
	time.Sleep(300 * time.Millisecond)
	m.Close() // ends the recording

	s, err := emulator.OpenSession(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	start, end := s.Range()
	half := s.Model(start + (end-start)/2)
	whole := s.Model(end)
	screen, _ := s.Screen(end)
	fmt.Println(s.Damage(), s.Outcome(), len(whole.Tasks), half.EventCount < whole.EventCount)
	fmt.Println(screen.Row(0)[:27]) // the banner (a spinner turns at the end of the row)
	// Output:
	// <nil> stopped 7 true
	// pollscope demo kernel 0.1.0
}

// Record a run on the software CPU in deterministic time (-accel tcg
// -icount), typing into it, then replay it: the same keys at the same
// instructions give the same run again, which CompareReplay checks poll by
// poll (pollscope replay does this).
func ExampleSession_ReplayConfig() {
	dir, _ := os.MkdirTemp("", "replay")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "run.pollscope")

	m, err := emulator.New(emulator.Config{Backend: emulator.BackendTCG, ICount: true, Record: path})
	if err != nil {
		fmt.Println(err)
		return
	}
	m.Start()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	m.WaitSerial(ctx, regexp.MustCompile(`executor: \w+ scenario=\w+ started`))
	m.TypeText(ctx, "again\n")
	m.WaitSerial(ctx, regexp.MustCompile(`again`))
	m.Close()

	s, err := emulator.OpenSession(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	cfg, err := s.ReplayConfig()
	if err != nil {
		fmt.Println(err)
		return
	}
	r, err := emulator.New(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	res, _ := r.Run(ctx) // to the recording's end
	_, err = s.CompareReplay(r)
	fmt.Println(res.Outcome, err, strings.Contains(r.Serial(), "again"))
	// Output: stopped <nil> true
}
