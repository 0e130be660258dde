package emulator

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/pollscope/pollscope/guest"
	"github.com/pollscope/pollscope/trace"
)

// ReplayConfig is the configuration that replays a recorded session: the
// same kernel (checked against the recorded SHA-256), command line,
// memory, initrd, RTC time and trace options, on the software CPU in
// deterministic time, with the recorded inputs, until the recording's
// last event. The run must have been recorded on the software CPU in
// deterministic time (pollscope -accel tcg -icount -record FILE). A
// session whose kernel was given as bytes (Config.Kernel) names no file to
// read it from: replay it with ReplayConfigFor.
func (s *Session) ReplayConfig() (Config, error) {
	kernel := guest.Kernel
	meta := s.Meta()
	switch name := meta.Get("kernel"); name {
	case demoKernelName:
	case givenKernelName:
		return Config{}, fmt.Errorf("the session's kernel was given to the machine as bytes (Config.Kernel), not as a file: pass the same bytes to Session.ReplayConfigFor")
	default:
		var err error
		if kernel, err = os.ReadFile(name); err != nil {
			return Config{}, fmt.Errorf("the recorded kernel: %w", err)
		}
	}
	return s.ReplayConfigFor(kernel)
}

// ReplayConfigFor is ReplayConfig with the kernel image given, which must
// be the one recorded (its SHA-256 is checked).
func (s *Session) ReplayConfigFor(kernel []byte) (Config, error) {
	meta := s.Meta()
	if meta.Get("backend") != BackendTCG || meta.Get("icount") != "true" {
		return Config{}, fmt.Errorf("this session was recorded on %s without deterministic time: only a run recorded with -accel tcg -icount can be replayed", meta.Get("backend"))
	}
	cfg := Config{Backend: BackendTCG, ICount: true, NoIdlePacing: true, Cmdline: meta.Get("cmdline"), Trace: meta.Trace}
	var err error
	if cfg.MemoryMiB, err = strconv.Atoi(meta.Get("memory_mib")); err != nil {
		return Config{}, fmt.Errorf("the session's memory size %q: %v", meta.Get("memory_mib"), err)
	}
	if cfg.WallTime, err = time.Parse(time.RFC3339Nano, meta.Get("wall_time")); err != nil {
		return Config{}, fmt.Errorf("the session's RTC time %q: %v", meta.Get("wall_time"), err)
	}
	sum := sha256.Sum256(kernel)
	if got, want := hex.EncodeToString(sum[:]), meta.Get("kernel.sha256"); got != want {
		return Config{}, fmt.Errorf("the kernel %s is not the one recorded (SHA-256 %s, recorded %s): replay with the recorded kernel", meta.Get("kernel"), got[:12], want[:min(12, len(want))])
	}
	cfg.Kernel = kernel
	cfg.InitrdPath = meta.Get("initrd")
	cfg.Replay = s.Inputs()
	_, last := s.Range()
	cfg.ReplayUntil = time.Duration(last)
	return cfg, nil
}

// CompareReplay compares what the guest did in a replay (m, ended) with
// the recording, up to the recording's last event: every poll, wake,
// interrupt handler and idle period at the same machine time, the tasks
// with the same names and statistics, and the same serial output. It
// returns nil when they are identical, else the first difference, and
// says how much it compared.
func (s *Session) CompareReplay(m *Machine) (string, error) {
	if err := m.ReplayDivergence(); err != nil {
		return "", err
	}
	_, last := s.Range()
	want := s.Model(last)
	m.FlushTrace()
	got := m.Trace()
	if err := sameGuestTrace(want, got, last); err != nil {
		return "", err
	}
	if w, g := s.Serial(last), m.Serial(); len(g) < len(w) || g[:len(w)] != w {
		return "", fmt.Errorf("the serial output differs: recorded %d bytes, replayed %d", len(w), len(g))
	}
	return fmt.Sprintf("%d polls, %d wakes, %d interrupt handlers, %d idle periods, %d inputs and %d bytes of serial output identical",
		len(want.Polls), len(want.Wakes), len(want.IRQs), len(want.Idle), len(s.Inputs()), len(s.Serial(last))), nil
}

// sameGuestTrace compares the guest's side of two trace models up to
// machine time last (what the host saw, such as VM exits its own kicks
// caused, may differ).
func sameGuestTrace(want, got *trace.Model, last int64) error {
	if err := sameUpTo("poll", want.Polls, got.Polls, last, func(p trace.PollSpan) int64 { return p.End },
		func(a, b trace.PollSpan) bool {
			return a.Task == b.Task && a.Start == b.Start && a.End == b.End && a.Ready == b.Ready
		}); err != nil {
		return err
	}
	if err := sameUpTo("wake", want.Wakes, got.Wakes, last, func(w trace.Wake) int64 { return w.Time },
		func(a, b trace.Wake) bool {
			return a.Time == b.Time && a.Task == b.Task && a.Source == b.Source && a.SourceID == b.SourceID
		}); err != nil {
		return err
	}
	if err := sameUpTo("interrupt handler", want.IRQs, got.IRQs, last, func(s trace.IRQSpan) int64 { return s.End },
		func(a, b trace.IRQSpan) bool { return a == b }); err != nil {
		return err
	}
	if err := sameUpTo("idle period", want.Idle, got.Idle, last, func(s trace.Span) int64 { return s.End },
		func(a, b trace.Span) bool { return a == b }); err != nil {
		return err
	}
	for _, w := range want.Tasks {
		g, ok := got.Task(w.ID)
		if !ok || g.Name != w.Name {
			return fmt.Errorf("task %d %q: not in the replay", w.ID, w.Name)
		}
	}
	return nil
}

// sameUpTo compares the items of want and got that end by last, in order.
func sameUpTo[T any](what string, want, got []T, last int64, end func(T) int64, same func(a, b T) bool) error {
	var w, g []T
	for _, x := range want {
		if end(x) <= last {
			w = append(w, x)
		}
	}
	for _, x := range got {
		if end(x) <= last {
			g = append(g, x)
		}
	}
	for i := range min(len(w), len(g)) {
		if !same(w[i], g[i]) {
			return fmt.Errorf("%s %d differs: recorded %+v, replayed %+v", what, i, w[i], g[i])
		}
	}
	if len(w) != len(g) {
		return fmt.Errorf("%d %ss recorded, %d replayed", len(w), what, len(g))
	}
	return nil
}
