package main

import (
	"context"
	"fmt"
	"image"
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

// typingScript types two lines two seconds apart, so that a recording has
// a time when the console shows the first and not yet the second.
const typingScript = `expect serial /executor: waker scenario=demo started/ 10s
sleep 1500ms
send "hello view\n"
expect screen /hello view/ 5s
sleep 2s
send "second line\n"
expect screen /second line/ 5s
sleep 1500ms
`

// TestViewerScrubsBack records a run with typing (-record), opens it in
// the viewer window (pollscope view) under Xvfb, and drives it with X
// events: at the end the console shows both typed lines; the scrubber
// clicked back to the first typing burst shows the console as it was then
// (the first line only), with the resources' lanes drawn; playing at 10×
// moves the cursor on. The screenshot at the burst is kept in
// artifacts/view-xvfb.png (docs/screenshot-view.png is one).
func TestViewerScrubsBack(t *testing.T) {
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
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir := t.TempDir()
	bin := guiBinary(t, dir)
	rec := filepath.Join(dir, "typed.pollscope")
	script := filepath.Join(dir, "typing.script")
	if err := os.WriteFile(script, []byte(typingScript), 0o644); err != nil {
		t.Fatal(err)
	}
	c := exec.CommandContext(ctx, bin, "-display", "none", "-serial", "none", "-record", rec, "-script", script)
	if out, err := c.CombinedOutput(); err != nil {
		t.Fatalf("recording the run: %v\n%s", err, out)
	}
	burst := firstLineTime(t, rec)

	g := startViewer(t, ctx, bin, dir, rec)
	var st guiState
	waitFor(t, ctx, "the model at the end", func() bool {
		return readState(g.statePath, &st) == nil && st.SessionEnd > 0 && st.Cursor == st.SessionEnd && st.ModelAt == st.Cursor
	})
	time.Sleep(500 * time.Millisecond)
	img := readPNG(t, takeScreenshot(t, ctx, g.display, g.wid, g.dir, g.xdo))
	if text := readConsole(img, st); !strings.Contains(text, "hello view") || !strings.Contains(text, "second line") {
		t.Errorf("at the end the console reads:\n%s\nwant both typed lines", text)
	}

	// Back to the first burst: a click on the scrubber's track.
	span := float64(st.SessionEnd - st.SessionStart)
	x := st.Track.X + st.Track.W*float64(burst-st.SessionStart)/span
	g.xdo("mousemove", "--window", g.wid, fmt.Sprint(int(x)), fmt.Sprint(int(st.Track.Y+st.Track.H/2)), "click", "1")
	slack := int64(2 * span / st.Track.W)
	waitFor(t, ctx, "the model at the typing burst", func() bool {
		return readState(g.statePath, &st) == nil && st.ModelAt == st.Cursor && st.Cursor > burst-slack && st.Cursor < burst+slack
	})
	t.Logf("the cursor at %v (the first line appeared at %v)", time.Duration(st.Cursor), time.Duration(burst))
	// Zoom the timeline in on the burst, the last tenth of a second (the
	// view follows the cursor), and select the keyboard task and the
	// keyboard's queue, as a user looking at it would.
	px, py := int(st.Plot.X+st.Plot.W*0.8), int(st.Plot.Y+40)
	for range 17 {
		g.xdo("mousemove", "--window", g.wid, fmt.Sprint(px), fmt.Sprint(py), "click", "4")
	}
	for _, l := range st.Lanes {
		if (l.Kind == "task" && l.Label == "keyboard") || (l.Kind == "resource" && strings.HasPrefix(l.Label, "keyboard")) {
			g.xdo("mousemove", "--window", g.wid, "30", fmt.Sprint(int(l.Y+8)), "click", "1")
		}
	}
	g.xdo("mousemove", "--window", g.wid, fmt.Sprint(px), fmt.Sprint(int(st.Plot.Y-60)))
	time.Sleep(time.Second)
	if err := readState(g.statePath, &st); err != nil {
		t.Fatal(err)
	}
	shot := takeScreenshot(t, ctx, g.display, g.wid, g.dir, g.xdo)
	keepArtifact(t, shot, "view-xvfb.png")
	img = readPNG(t, shot)
	text := readConsole(img, st)
	if !strings.Contains(text, "hello view") || strings.Contains(text, "second line") {
		t.Errorf("scrubbed back to the burst, the console reads:\n%s\nwant the first line only", text)
	}
	checkResourceLanes(t, img, st)

	// Play at 10× from there: the cursor moves on, to the end (a few
	// seconds of run in a few tenths of a second), where it stops.
	from := st.Cursor
	g.xdo("windowfocus", "--sync", g.wid)
	g.xdo("key", "--delay", "80", "0")
	g.xdo("key", "--delay", "80", "space")
	waitFor(t, ctx, "the cursor to play on to the end at 10×", func() bool {
		return readState(g.statePath, &st) == nil && !st.Playing && st.Cursor == st.SessionEnd && st.ModelAt == st.Cursor
	})
	if from >= st.SessionEnd {
		t.Errorf("the burst was at the end (%d)", from)
	}

	g.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-g.exited:
		if err != nil {
			t.Errorf("pollscope view exited with %v; stderr: %s", err, g.stderr.String())
		}
	case <-ctx.Done():
		t.Fatal("pollscope view did not exit after SIGTERM")
	}
	if !strings.Contains(g.stderr.String(), "first frame") {
		t.Errorf("the viewer did not say when it drew its first frame: %s", g.stderr.String())
	}
	t.Logf("viewer: %s", strings.TrimSpace(g.stderr.String()))
}

// firstLineTime is the time of the first recorded screen that shows the
// first typed line and not the second, plus a little: just after the
// first typing burst (the screen is sampled every 50 ms).
func firstLineTime(t *testing.T, path string) int64 {
	t.Helper()
	s, err := emulator.OpenSession(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, at := range s.Screens() {
		sc, _ := s.Screen(at)
		if text := sc.Text(); strings.Contains(text, "hello view") && !strings.Contains(text, "second line") {
			return at + int64(30*time.Millisecond)
		}
	}
	t.Fatalf("no screen of %s shows the first line alone", path)
	return 0
}

// startViewer runs pollscope view FILE under a new Xvfb until the test
// ends, and waits for its window and layout.
func startViewer(t *testing.T, ctx context.Context, bin, dir, file string) *guiSession {
	t.Helper()
	g := &guiSession{t: t, ctx: ctx, dir: dir, exited: make(chan error, 1)}
	g.launch(bin, "view-state.json", "view", file)
	var st guiState
	waitFor(t, ctx, "the viewer's layout", func() bool { return readState(g.statePath, &st) == nil && len(st.Lanes) > 0 })
	return g
}

// checkResourceLanes checks that the resources have lanes, drawn: the
// timer table, the keyboard, the ready queue and the channel, each with
// its fill level in its band, and the keyboard task's wait on the
// keyboard in the keyboard lane's wait row, in the task's colour.
func checkResourceLanes(t *testing.T, img image.Image, st guiState) {
	t.Helper()
	var labels []string
	kbdTask := uint32(0)
	for _, l := range st.Lanes {
		if l.Kind == "task" && l.Label == "keyboard" {
			kbdTask = l.Task
		}
	}
	for _, l := range st.Lanes {
		if l.Kind != "resource" {
			continue
		}
		labels = append(labels, l.Label)
		if l.Y < st.Plot.Y || l.Y+l.H > st.Plot.Y+st.Plot.H {
			continue // scrolled out of the plot
		}
		// The fill level: its line somewhere in the band, or its floor
		// where the resource held nothing.
		fill := colourColumns(img, st, l.FillY, l.FillY+16, st.Colors["fillLine"]) + colourColumns(img, st, l.FillY, l.FillY+16, st.Colors["fillZero"])
		if fill == 0 {
			t.Errorf("lane %q shows no fill level", l.Label)
		}
		if strings.HasPrefix(l.Label, "keyboard") && len(l.RowsY) > 0 {
			c := st.Colors[fmt.Sprint("task", kbdTask)]
			if n := colourColumns(img, st, l.RowsY[0], l.RowsY[0]+4, c); n < 10 {
				t.Errorf("the keyboard lane's wait row shows the keyboard task's wait in %d columns", n)
			}
		}
	}
	for _, want := range []string{"timers #1", "keyboard #2", "ready-queue #", "numbers (channel) #"} {
		found := false
		for _, l := range labels {
			found = found || strings.HasPrefix(l, want)
		}
		if !found {
			t.Errorf("no lane %q among the resources' %q", want, labels)
		}
	}
}

// colourColumns counts the plot's pixel columns that hold colour c
// between y0 and y1.
func colourColumns(img image.Image, st guiState, y0, y1 float64, c color.RGBA) int {
	n := 0
	for x := int(st.Plot.X); x < int(st.Plot.X+st.Plot.W); x++ {
		for y := int(y0); y < int(y1); y++ {
			if p := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA); near(p, c) {
				n++
				break
			}
		}
	}
	return n
}

func near(a, b color.RGBA) bool {
	d := func(x, y uint8) int { return max(int(x)-int(y), int(y)-int(x)) }
	return d(a.R, b.R) < 12 && d(a.G, b.G) < 12 && d(a.B, b.B) < 12
}
