package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/color"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	kvmcpu "github.com/pollscope/pollscope/cpu/kvm"
	"github.com/pollscope/pollscope/emulator"
)

func TestDisplayNames(t *testing.T) {
	for _, name := range []string{"gui", "sdl", "gtk", "none"} {
		if err := checkDisplay(name); err != nil {
			t.Errorf("-display %s: %v", name, err)
		}
	}
	status, _, errOut := runCLI(t, "-display", "vnc")
	if status != statusUsage || !strings.Contains(errOut, "use gui (or its aliases sdl, gtk) or none") {
		t.Errorf("-display vnc: status %d, stderr %q", status, errOut)
	}
}

// Without a display the default -display gui runs in the terminal and says
// why.
func TestNoDisplayFallsBackToTerminal(t *testing.T) {
	if err := kvmcpu.Available(); err != nil {
		t.Skipf("skipping: %v", err)
	}
	t.Setenv("DISPLAY", "")
	status, out, errOut := runCLI(t, "-append", "exit")
	if status != 1 || !strings.HasPrefix(out, "pollscope demo kernel") {
		t.Fatalf("status %d, stdout %q; want the terminal run's (status 1, the banner)", status, out)
	}
	if !strings.Contains(errOut, "no display available ($DISPLAY is not set); running in terminal mode") {
		t.Errorf("stderr %q does not say why there is no window", errOut)
	}
}

// guiState is the layout the window writes to $POLLSCOPE_GUI_STATE (a
// subset of ui.State).
type guiState struct {
	Width, Height int
	Screen        struct{ X, Y, W, H float64 }
	Scale         float64
	Plot          struct{ X, Y, W, H float64 }
	Lanes         []guiLane
	Colors        map[string]color.RGBA
	Focus         string
	Follow        bool
	Selected      uint32
	VM            string
	CPU           *struct {
		Title, At, Polling, Method string
		RIP                        uint64
		Changed, Stack             []string
		Link                       struct{ X, Y, W, H float64 }
	}
	// The session viewer's.
	Cursor, ModelAt             int64
	Playing                     bool
	Track                       struct{ X, Y, W, H float64 }
	SessionStart, SessionEnd    int64
	View                        struct{ Start, End int64 }
	FrameMedianMs, FrameWorstMs float64
	Frames                      int
	FPS                         float64
}

// guiLane is one timeline lane of a guiState.
type guiLane struct {
	Label, Kind string
	Task        uint32
	Y, H        float64
	FillY       float64   // a resource's: its fill band's top
	RowsY       []float64 // and its wait rows'
}

// guiSession is a pollscope window running under its own Xvfb.
type guiSession struct {
	t                *testing.T
	ctx              context.Context
	dir              string // the working directory of pollscope
	stateDir         string // its $XDG_STATE_HOME
	display, wid     string
	statePath, trace string
	cmd              *exec.Cmd
	exited           chan error
	serial, stderr   lockedBuffer
}

// startGUI builds pollscope with the GUI (or takes $POLLSCOPE_GUI_BIN, to
// run these tests against another build) and runs it under a new Xvfb with
// -trace, until the test ends.
func startGUI(t *testing.T, ctx context.Context, args ...string) *guiSession {
	t.Helper()
	if testing.Short() {
		t.Skip("skipping the Xvfb window test in -short mode")
	}
	if err := kvmcpu.Available(); err != nil {
		t.Skipf("skipping: %v", err)
	}
	for _, tool := range []string{"Xvfb", "xdotool"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("skipping: %s is not installed (Debian packages xvfb, xdotool)", tool)
		}
	}
	start := time.Now()
	g := &guiSession{t: t, ctx: ctx, dir: t.TempDir(), exited: make(chan error, 1)}
	bin := guiBinary(t, g.dir)
	t.Logf("GUI binary ready in %v", time.Since(start).Round(time.Millisecond))
	g.trace = filepath.Join(g.dir, "trace.json")
	g.launch(bin, "state.json", append([]string{"-trace", g.trace}, args...)...)
	t.Logf("window %s up after %v", g.wid, time.Since(start).Round(time.Millisecond))
	waitFor(t, ctx, "the guest's executor to start", func() bool { return strings.Contains(g.serial.String(), "executor:") })
	var st guiState
	waitFor(t, ctx, "the window's layout", func() bool { return readState(g.statePath, &st) == nil && len(st.Lanes) > 0 })
	return g
}

// launch runs bin with args in g.dir under a new Xvfb, the window's layout
// going to stateFile in g.dir, until the test ends, and finds its window.
func (g *guiSession) launch(bin, stateFile string, args ...string) {
	t := g.t
	t.Helper()
	g.display = startXvfb(t)
	g.stateDir = filepath.Join(g.dir, "state")
	g.statePath = filepath.Join(g.dir, stateFile)
	g.cmd = exec.Command(bin, args...)
	g.cmd.Dir = g.dir
	g.cmd.Env = append(os.Environ(), "DISPLAY="+g.display, guiStateEnv+"="+g.statePath, "XDG_STATE_HOME="+g.stateDir)
	g.cmd.Stdout, g.cmd.Stderr = &g.serial, &g.stderr
	if err := g.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { g.exited <- g.cmd.Wait() }()
	t.Cleanup(func() {
		if g.cmd.ProcessState == nil {
			g.cmd.Process.Kill()
			<-g.exited
		}
	})
	g.wid = strings.Fields(g.xdo("search", "--sync", "--class", "pollscope"))[0]
}

// guiBinary is $POLLSCOPE_GUI_BIN, or pollscope built as make build does.
func guiBinary(t *testing.T, dir string) string {
	if bin := os.Getenv("POLLSCOPE_GUI_BIN"); bin != "" {
		return bin
	}
	return buildGUI(t, dir)
}

// xdo runs xdotool on the session's display.
func (g *guiSession) xdo(args ...string) string {
	g.t.Helper()
	var out []byte
	var err error
	// Under load an X connection is now and then refused just after the
	// server came up (xdpyinfo had connected); try again.
	for attempt := 0; attempt < 5; attempt++ {
		c := exec.CommandContext(g.ctx, "xdotool", args...)
		c.Env = append(os.Environ(), "DISPLAY="+g.display)
		out, err = c.CombinedOutput()
		if err == nil || !bytes.Contains(out, []byte("Can't open display")) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err != nil {
		g.t.Fatalf("xdotool %s: %v: %s\nstderr of pollscope: %s", strings.Join(args, " "), err, out, g.stderr.String())
	}
	return strings.TrimSpace(string(out))
}

// state reads the window's layout.
func (g *guiSession) state() guiState {
	g.t.Helper()
	var st guiState
	if err := readState(g.statePath, &st); err != nil {
		g.t.Fatal(err)
	}
	return st
}

// focusConsole clicks the console, so that keys go to the guest.
func (g *guiSession) focusConsole() {
	g.t.Helper()
	st := g.state()
	g.xdo("windowfocus", "--sync", g.wid)
	g.xdo("mousemove", "--window", g.wid, fmt.Sprint(int(st.Screen.X+st.Screen.W/2)), fmt.Sprint(int(st.Screen.Y+st.Screen.H/2)), "click", "1")
	time.Sleep(300 * time.Millisecond)
}

// stop ends pollscope with SIGTERM, which writes -trace, and returns the
// trace's events.
func (g *guiSession) stop() []traceEvent {
	g.t.Helper()
	g.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-g.exited:
		if err != nil {
			g.t.Errorf("pollscope exited with %v; stderr: %s", err, g.stderr.String())
		}
	case <-g.ctx.Done():
		g.t.Fatalf("pollscope did not exit after SIGTERM")
	}
	b, err := os.ReadFile(g.trace)
	if err != nil {
		g.t.Fatalf("-trace file: %v", err)
	}
	var tr struct{ TraceEvents []traceEvent }
	if err := json.Unmarshal(b, &tr); err != nil {
		g.t.Fatalf("-trace file: %v", err)
	}
	return tr.TraceEvents
}

// traceEvent is the part of a Perfetto JSON event the tests read.
type traceEvent struct {
	Name, Cat, Ph string
}

// keyEvents lists the host key events of a trace, in order ("key A",
// "key A up").
func keyEvents(evs []traceEvent) []string {
	var out []string
	for _, e := range evs {
		if e.Cat == "host" && strings.HasPrefix(e.Name, "key ") {
			out = append(out, strings.TrimPrefix(e.Name, "key "))
		}
	}
	return out
}

// TestGUIWindow runs the real pollscope window under Xvfb and drives it
// with X events: it types into the console, takes a screenshot and checks
// from its pixels that the console shows the typed line and that the
// keyboard task's lane shows its polls (the screenshot is kept in
// artifacts/gui-xvfb.png); then it checks what the guest's keyboard got.
func TestGUIWindow(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	g := startGUI(t, ctx)
	g.focusConsole()
	typed := time.Now()
	g.xdo("type", "--delay", "30", "hello pollscope")
	g.xdo("key", "Return")
	waitFor(t, ctx, "the guest to echo the line on serial", func() bool { return strings.Contains(g.serial.String(), "hello pollscope") })
	time.Sleep(time.Second) // the timeline and the console's next frames
	st := g.state()
	if st.Focus != "console" {
		t.Errorf("keyboard focus on %q after clicking the console", st.Focus)
	}
	shot := takeScreenshot(t, ctx, g.display, g.wid, g.dir, g.xdo)
	t.Logf("typed and took the screenshot %v after typing began", time.Since(typed).Round(time.Millisecond))
	img := readPNG(t, shot)
	keepArtifact(t, shot, "gui-xvfb.png")

	// (1) The console's pixels read back, cell by cell, as the typed line.
	text := readConsole(img, st)
	if !strings.Contains(text, "hello pollscope") {
		t.Errorf("the console in the screenshot reads:\n%s\nwant a line with %q", text, "hello pollscope")
	}
	// (2) The keyboard task's lane has poll-coloured pixels in many columns.
	lane := -1
	for i, l := range st.Lanes {
		if l.Kind == "task" && l.Label == "keyboard" {
			lane = i
		}
	}
	if lane < 0 {
		t.Fatalf("no keyboard lane among %+v", st.Lanes)
	}
	cols := pollColumns(img, st, lane)
	if cols < 8 {
		t.Errorf("the keyboard lane shows polls in %d pixel columns, want at least 8 after typing 16 keys", cols)
	}
	t.Logf("console and timeline checked; keyboard lane has polls in %d columns; frames: median %.2f ms, worst %.2f ms of CPU over %d frames, %.0f fps under Xvfb",
		cols, st.FrameMedianMs, st.FrameWorstMs, st.Frames, st.FPS)

	// Quick taps (issue 13, item 5): every press and release X delivers
	// reaches the guest, in order, however many fall between two frames.
	const taps = 3
	var want []string
	for _, delay := range []string{"150", "12", "150", "12"} {
		before := strings.Count(g.serial.String(), "\b \b")
		g.xdo("type", "--delay", "20", "abcdef")
		g.xdo("key", "--delay", delay, "BackSpace", "BackSpace", "BackSpace")
		n := 0
		deadline := time.Now().Add(5 * time.Second)
		for n < taps && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
			n = strings.Count(g.serial.String(), "\b \b") - before
		}
		if n != taps {
			t.Errorf("xdotool key --delay %s BackSpace ×%d: the guest erased %d characters, want %d", delay, taps, n, taps)
		}
		g.xdo("key", "Return")
		for range taps {
			want = append(want, "Backspace", "Backspace up")
		}
	}

	// One autorepeat: a held key is pressed once and released once; the
	// guest's keyboard repeats it (at the rate the guest set), not the GUI.
	zBefore := strings.Count(g.serial.String(), "z")
	g.xdo("keydown", "z")
	time.Sleep(1200 * time.Millisecond)
	g.xdo("keyup", "z")
	g.xdo("key", "Return")
	time.Sleep(300 * time.Millisecond)
	if n := strings.Count(g.serial.String(), "z") - zBefore; n < 3 {
		t.Errorf("holding Z for 1.2 s typed %d z, want the keyboard's repeats (500 ms delay, then about 10 a second)", n)
	}

	// Shortcuts (item 7): Ctrl+Alt+H twice (help open, closed), Ctrl+Alt+T
	// (save the trace: to the -trace path given) and Ctrl+Alt+S
	// (screenshot: to $XDG_STATE_HOME/pollscope) reach the guest not at all.
	for _, chord := range []string{"ctrl+alt+h", "ctrl+alt+h", "ctrl+alt+t", "ctrl+alt+s"} {
		g.xdo("key", "--delay", "80", chord)
		time.Sleep(300 * time.Millisecond)
	}
	saveDir := filepath.Join(g.stateDir, "pollscope")
	session := strings.TrimSuffix(g.trace, ".json") + ".pollscope"
	saved := func() bool {
		sh, _ := filepath.Glob(filepath.Join(saveDir, "pollscope-screenshot-*.png"))
		return len(sh) == 1 && readPNGErr(sh[0]) == nil && strings.Contains(g.stderr.String(), "trace saved to "+g.trace) &&
			strings.Contains(g.stderr.String(), "session to "+session)
	}
	for deadline := time.Now().Add(10 * time.Second); !saved() && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
	}
	if !saved() {
		t.Errorf("no screenshot in %s, or no trace saved to %s; stderr: %s", saveDir, g.trace, g.stderr.String())
	}
	if stray, _ := filepath.Glob(filepath.Join(g.dir, "pollscope-*")); len(stray) > 0 {
		t.Errorf("files saved in the working directory: %v", stray)
	}
	// The session saved beside the trace (the window recorded one of its
	// own, without -record) opens, with the typed line on its screen.
	if s, err := emulator.OpenSession(session); err != nil {
		t.Errorf("the session Ctrl+Alt+T saved: %v", err)
	} else {
		_, end := s.Range()
		if sc, _ := s.Screen(end); !strings.Contains(sc.Text(), "hello pollscope") || len(s.Inputs()) == 0 {
			t.Errorf("the saved session's screen at its end:\n%s\n(%d inputs); want the typed line", sc.Text(), len(s.Inputs()))
		}
		s.Close()
	}
	keys := keyEvents(g.stop())
	var backspaces, zs []string
	for _, k := range keys {
		switch {
		case strings.HasPrefix(k, "Backspace"):
			backspaces = append(backspaces, k)
		case k == "Z" || k == "Z up":
			zs = append(zs, k)
		case strings.Contains(k, "Ctrl") || strings.Contains(k, "Alt"):
			t.Errorf("the guest's keyboard got %s from a Ctrl+Alt shortcut", k)
		}
	}
	if strings.Join(backspaces, ",") != strings.Join(want, ",") {
		t.Errorf("Backspace events reaching the guest:\n %v\nwant\n %v", backspaces, want)
	}
	if strings.Join(zs, ",") != "Z,Z up" {
		t.Errorf("holding Z for 1.2 s sent the guest's keyboard %v, want one press and one release", zs)
	}
}

// A pollscope built with the GUI runs without a display: -display none as
// the terminal build does, and the default -display gui falls back to the
// terminal (issue 13, item 8).
func TestGUIBinaryRunsHeadless(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the GUI build in -short mode")
	}
	if err := kvmcpu.Available(); err != nil {
		t.Skipf("skipping: %v", err)
	}
	bin := guiBinary(t, t.TempDir())
	wantStatus, _, _ := runCLI(t, "-display", "none", "-append", "exit")
	type headless struct {
		name, display string
		args          []string
		stderr        string
	}
	cases := []headless{
		{"-display none, no $DISPLAY", "", []string{"-display", "none"}, ""},
		{"-display none, an X server that is not there", ":97", []string{"-display", "none"}, ""},
		{"the default -display gui, no $DISPLAY", "", nil, "running in terminal mode"},
		{"the default -display gui, an X server that is not there", ":97", nil, "running in terminal mode"},
	}
	if _, err := exec.LookPath("Xvfb"); err == nil {
		// The X server answers, but Xlib (which the graphics library
		// opens the display with) refuses a screen it does not have,
		// where the first check, over the X protocol, did not look.
		cases = append(cases, headless{"the default -display gui, a screen the X server does not have", startXvfb(t) + ".5", nil, "running in terminal mode"})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cmd := exec.Command(bin, append(c.args, "-append", "exit")...)
			cmd.Env = append(os.Environ(), "DISPLAY="+c.display)
			var out, errOut bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errOut
			err := cmd.Run()
			status := 0
			if ee, ok := err.(*exec.ExitError); ok {
				status = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if status != wantStatus || !strings.HasPrefix(out.String(), "pollscope demo kernel") {
				t.Errorf("status %d, stdout %q; want the terminal run's status %d and the banner; stderr: %s", status, out.String(), wantStatus, errOut.String())
			}
			if !strings.Contains(errOut.String(), c.stderr) {
				t.Errorf("stderr %q does not say %q", errOut.String(), c.stderr)
			}
		})
	}
}

// buildGUI builds pollscope with the GUI into dir as make build does (in
// the workspace scripts/ebitenlazy writes), or skips when this machine
// lacks the X11 and OpenGL headers it needs.
func buildGUI(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "pollscope")
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("skipping: no go command on PATH to build the GUI")
	}
	if out, err := exec.Command(goTool, "env", "CGO_ENABLED").Output(); err != nil || strings.TrimSpace(string(out)) != "1" {
		t.Skipf("skipping: the GUI needs cgo (a C compiler; CGO_ENABLED=%s)", strings.TrimSpace(string(out)))
	}
	// The same workspace as make build's, so the build cache knows it.
	work, err := filepath.Abs("../../.gui-work")
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(goTool, "run", "../../scripts/ebitenlazy", "-o", work).CombinedOutput(); err != nil {
		t.Fatalf("scripts/ebitenlazy: %v\n%s", err, out)
	}
	c := exec.Command(goTool, "build", "-tags", "gui,ebitenlazy", "-o", bin, ".")
	c.Env = append(os.Environ(), "GOWORK="+filepath.Join(work, "go.work"))
	out, err := c.CombinedOutput()
	if err != nil {
		if bytes.Contains(out, []byte("X11/")) || bytes.Contains(out, []byte("GL/")) || bytes.Contains(out, []byte("cannot find -l")) {
			t.Skipf("skipping: cannot build the GUI here (scripts/setup.sh installs the X11/GL headers): %s", out)
		}
		t.Fatalf("go build -tags gui,ebitenlazy: %v\n%s", err, out)
	}
	return bin
}
