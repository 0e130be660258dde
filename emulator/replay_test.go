package emulator_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pollscope/pollscope/emulator"
	"github.com/pollscope/pollscope/emulator/emutest"
)

// recordDeterministic records a run of the demo on the software CPU in
// deterministic time, typing into it at whatever wall-clock moments the
// test gets to, and returns the session's path.
func recordDeterministic(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "run.session")
	m := emutest.Boot(t, emulator.Config{Backend: emulator.BackendTCG, ICount: true, Record: path, Cmdline: "hz=250"})
	emutest.WaitSerial(t, m, `executor: \w+ scenario=demo started`, 30*time.Second)
	emutest.Type(t, m, "replay me\n", 30*time.Second)
	emutest.WaitScreen(t, m, `replay me`, 30*time.Second)
	time.Sleep(200 * time.Millisecond)
	emutest.Type(t, m, "and again\n", 30*time.Second)
	emutest.WaitScreen(t, m, `and again`, 30*time.Second)
	time.Sleep(300 * time.Millisecond)
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// replay runs a session's replay configuration (changed by tweak) to its
// end.
func replay(t *testing.T, s *emulator.Session, tweak func(*emulator.Config)) *emulator.Machine {
	t.Helper()
	cfg, err := s.ReplayConfig()
	if err != nil {
		t.Fatal(err)
	}
	if tweak != nil {
		tweak(&cfg)
	}
	m := emutest.New(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if res, err := m.Run(ctx); err != nil || res.Outcome != emulator.OutcomeStopped {
		t.Fatalf("the replay ended with %v, %v; want it stopped at the recording's end", res, err)
	}
	return m
}

// A recorded deterministic run replays exactly: the same polls, wakes,
// handlers, idle periods and serial output at the same machine times, every
// typed key at the instruction it was recorded at.
func TestDeterministicReplayReproducesTheRun(t *testing.T) {
	s, err := emulator.OpenSession(recordDeterministic(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n := len(s.Inputs()); n < 20 {
		t.Fatalf("the session holds %d inputs, want the typed keys", n)
	}
	m := replay(t, s, nil)
	summary, err := s.CompareReplay(m)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(summary)
	if !strings.Contains(m.Serial(), "and again") {
		t.Fatalf("the replay's serial lacks the typed text:\n%s", m.Serial())
	}
}

// The comparison is not blind: an input moved by a microsecond is found.
func TestReplayFindsADifferentRun(t *testing.T) {
	s, err := emulator.OpenSession(recordDeterministic(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	m := replay(t, s, func(c *emulator.Config) { c.Replay[0].Time += 1000 })
	if _, err := s.CompareReplay(m); err == nil {
		t.Fatal("a replay with its first key a microsecond late compared equal")
	}
}

// Only a deterministic recording can be replayed.
func TestReplayNeedsADeterministicRecording(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rt.session")
	m := emutest.Boot(t, emulator.Config{Backend: emulator.BackendTCG, Record: path, Cmdline: "exit"})
	emutest.WaitExit(t, m, 30*time.Second)
	m.Close()
	s, err := emulator.OpenSession(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.ReplayConfig(); err == nil || !strings.Contains(err.Error(), "-icount") {
		t.Fatalf("ReplayConfig of a real-time run: %v, want an error naming -icount", err)
	}
}
