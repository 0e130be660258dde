package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	kvmcpu "github.com/pollscope/pollscope/cpu/kvm"
	"github.com/pollscope/pollscope/devices/vga"
	"github.com/pollscope/pollscope/ui/vgafont"
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
	Lanes         []struct {
		Label, Kind string
		Task        uint32
		Y, H        float64
	}
	Colors                      map[string]color.RGBA
	Focus                       string
	FrameMedianMs, FrameWorstMs float64
	Frames                      int
	FPS                         float64
}

// TestGUIWindow runs the real pollscope window under Xvfb: it types into
// the console through X key events, takes a screenshot of the window, and
// checks from its pixels that the console shows the typed line and that the
// keyboard task's timeline lane shows its polls. The screenshot is kept in
// artifacts/gui-xvfb.png.
func TestGUIWindow(t *testing.T) {
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
	dir := t.TempDir()
	bin := buildGUI(t, dir)
	t.Logf("built the GUI binary in %v", time.Since(start).Round(time.Millisecond))

	display := startXvfb(t)
	t.Logf("Xvfb on display %s", display)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	statePath := filepath.Join(dir, "state.json")
	tracePath := filepath.Join(dir, "trace.json")
	cmd := exec.Command(bin, "-trace", tracePath)
	cmd.Dir = dir // where the window's own screenshots go
	cmd.Env = append(os.Environ(), "DISPLAY="+display, guiStateEnv+"="+statePath)
	var serial, stderr lockedBuffer
	cmd.Stdout, cmd.Stderr = &serial, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-exited
		}
	}()
	xdo := func(args ...string) string {
		t.Helper()
		var out []byte
		var err error
		// Under load an X connection is now and then refused just after
		// the server came up (xdpyinfo had connected); try again.
		for attempt := 0; attempt < 5; attempt++ {
			c := exec.CommandContext(ctx, "xdotool", args...)
			c.Env = append(os.Environ(), "DISPLAY="+display)
			out, err = c.CombinedOutput()
			if err == nil || !bytes.Contains(out, []byte("Can't open display")) {
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		if err != nil {
			t.Fatalf("xdotool %s: %v: %s\nstderr of pollscope: %s", strings.Join(args, " "), err, out, stderr.String())
		}
		return strings.TrimSpace(string(out))
	}

	wid := strings.Fields(xdo("search", "--sync", "--class", "pollscope"))[0]
	t.Logf("window %s up after %v", wid, time.Since(start).Round(time.Millisecond))
	waitFor(t, ctx, "the guest's executor to start", func() bool { return strings.Contains(serial.String(), "executor:") })
	var st guiState
	waitFor(t, ctx, "the window's layout", func() bool { return readState(statePath, &st) == nil && len(st.Lanes) > 0 })

	// Focus the console by clicking it, then type through the X server.
	xdo("windowfocus", "--sync", wid)
	xdo("mousemove", "--window", wid, fmt.Sprint(int(st.Screen.X+st.Screen.W/2)), fmt.Sprint(int(st.Screen.Y+st.Screen.H/2)), "click", "1")
	time.Sleep(300 * time.Millisecond)
	typed := time.Now()
	xdo("type", "--delay", "30", "hello pollscope")
	xdo("key", "Return")
	waitFor(t, ctx, "the guest to echo the line on serial", func() bool { return strings.Contains(serial.String(), "hello pollscope") })
	time.Sleep(time.Second) // the timeline and the console's next frames
	if err := readState(statePath, &st); err != nil {
		t.Fatal(err)
	}
	if st.Focus != "console" {
		t.Errorf("keyboard focus on %q after clicking the console", st.Focus)
	}

	shot := takeScreenshot(t, ctx, display, wid, dir, xdo)
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

	// A SIGTERM closes the window and -trace is written on the way out.
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("pollscope exited with %v; stderr: %s", err, stderr.String())
		}
	case <-ctx.Done():
		t.Fatalf("pollscope did not exit after SIGTERM")
	}
	if b, err := os.ReadFile(tracePath); err != nil || !bytes.Contains(b, []byte(`"keyboard"`)) {
		t.Errorf("-trace file: %v, %d bytes without the keyboard task", err, len(b))
	}
	t.Logf("whole test took %v", time.Since(start).Round(time.Millisecond))
}

// takeScreenshot captures the window from the X server with ImageMagick's
// import; without it, it has the window save itself (Ctrl+Alt+S writes the
// frame it drew as PNG).
func takeScreenshot(t *testing.T, ctx context.Context, display, wid, dir string, xdo func(...string) string) string {
	t.Helper()
	shot := filepath.Join(dir, "shot.png")
	if _, err := exec.LookPath("import"); err == nil {
		imp := exec.CommandContext(ctx, "import", "-window", wid, shot)
		imp.Env = append(os.Environ(), "DISPLAY="+display)
		if out, err := imp.CombinedOutput(); err != nil {
			t.Fatalf("import: %v: %s", err, out)
		}
		return shot
	}
	t.Logf("ImageMagick's import is not installed: the window saves its own screenshot")
	xdo("key", "ctrl+alt+s")
	var saved []string
	waitFor(t, ctx, "the window's screenshot", func() bool {
		saved, _ = filepath.Glob(filepath.Join(dir, "pollscope-screenshot-*.png"))
		return len(saved) > 0 && readPNGErr(saved[0]) == nil
	})
	return saved[0]
}

func readPNGErr(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = png.Decode(f)
	return err
}

// buildGUI builds pollscope with the GUI into dir, or skips when this
// machine lacks the X11 and OpenGL headers it needs.
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
	c := exec.Command(goTool, "build", "-tags", "gui", "-o", bin, ".")
	out, err := c.CombinedOutput()
	if err != nil {
		if bytes.Contains(out, []byte("X11/")) || bytes.Contains(out, []byte("GL/")) || bytes.Contains(out, []byte("cannot find -l")) {
			t.Skipf("skipping: cannot build the GUI here (scripts/setup.sh installs the X11/GL headers): %s", out)
		}
		t.Fatalf("go build -tags gui: %v\n%s", err, out)
	}
	return bin
}

// startXvfb starts a virtual X server on a free display and returns its
// name.
// startXvfb starts a virtual X server on a display number it picks itself
// (-displayfd: no race with other tests or servers choosing the same one)
// and returns the display name once the server accepts connections.
func startXvfb(t *testing.T) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	// -ac: no access control, so clients connect without an Xauthority
	// file (a test's server on a private display).
	x := exec.Command("Xvfb", "-displayfd", "3", "-ac", "-screen", "0", "1600x1000x24", "-nolisten", "tcp")
	x.ExtraFiles = []*os.File{w}
	var xerr lockedBuffer
	x.Stderr = &xerr
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("Xvfb's output:\n%s", xerr.String())
		}
	})
	if err := x.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	done := make(chan struct{})
	go func() { x.Wait(); close(done) }()
	t.Cleanup(func() {
		x.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			x.Process.Kill()
		}
	})
	number := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		number <- strings.TrimSpace(line)
	}()
	select {
	case n := <-number:
		if n == "" {
			t.Fatal("Xvfb exited without naming its display")
		}
		display := ":" + n
		waitForDisplay(t, display)
		return display
	case <-time.After(20 * time.Second):
		t.Fatal("Xvfb did not start within 20s")
	}
	return ""
}

// waitForDisplay waits until a client can connect to display (xdpyinfo
// succeeds), for up to 10 s.
func waitForDisplay(t *testing.T, display string) {
	t.Helper()
	if _, err := exec.LookPath("xdpyinfo"); err != nil {
		return
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		c := exec.Command("xdpyinfo")
		c.Env = append(os.Environ(), "DISPLAY="+display)
		if c.Run() == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no client could connect to Xvfb on %s within 10s", display)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func waitFor(t *testing.T, ctx context.Context, what string, ok func() bool) {
	t.Helper()
	for !ok() {
		select {
		case <-ctx.Done():
			t.Fatalf("timed out waiting for %s", what)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func readState(path string, st *guiState) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, st)
}

func readPNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// keepArtifact copies a file into the repository's artifacts/ directory.
func keepArtifact(t *testing.T, path, name string) {
	b, err := os.ReadFile(path)
	if err == nil {
		err = os.MkdirAll("../../artifacts", 0o755)
	}
	if err == nil {
		err = os.WriteFile(filepath.Join("../../artifacts", name), b, 0o644)
	}
	if err != nil {
		t.Logf("could not keep %s: %v", name, err)
	}
}

// readConsole reads the 80×25 console back from the screenshot: each cell's
// pixels, told apart from its background colour (the commonest colour in
// the cell), are matched against the 256 glyphs of the embedded VGA font;
// the closest one within a few pixels (the cursor may sit on a cell) wins.
func readConsole(img image.Image, st guiState) string {
	font := vgafont.CP437()
	var rows []string
	for r := range vga.Rows {
		var line []rune
		for c := range vga.Cols {
			var mask [16][8]bool
			counts := map[color.RGBA]int{}
			px := func(x, y int) color.RGBA {
				sx := int(st.Screen.X + (float64(c*8+x)+0.5)*st.Scale)
				sy := int(st.Screen.Y + (float64(r*16+y)+0.5)*st.Scale)
				return color.RGBAModel.Convert(img.At(sx, sy)).(color.RGBA)
			}
			for y := range 16 {
				for x := range 8 {
					counts[px(x, y)]++
				}
			}
			var bg color.RGBA
			for col, n := range counts {
				if n > counts[bg] {
					bg = col
				}
			}
			for y := range 16 {
				for x := range 8 {
					mask[y][x] = px(x, y) != bg
				}
			}
			best, bestD := '?', 5
			for g := range 256 {
				d := 0
				for y := 0; y < 16 && d < bestD; y++ {
					for x := range 8 {
						if font.Set(g, x, y) != mask[y][x] {
							d++
						}
					}
				}
				if d < bestD {
					best, bestD = vga.CP437(byte(g)), d
				}
			}
			line = append(line, best)
		}
		rows = append(rows, strings.TrimRight(string(line), " "))
	}
	return strings.Join(rows, "\n")
}

// pollColumns counts the pixel columns of a lane's middle row band that
// show a poll: the pending or ready colour, or a blend of it with a lane
// background at least 30% of the way (a merged column's shade).
func pollColumns(img image.Image, st guiState, lane int) int {
	l := st.Lanes[lane]
	cols := 0
	for x := int(st.Plot.X); x < int(st.Plot.X+st.Plot.W); x++ {
		for y := int(l.Y + l.H/2 - 2); y <= int(l.Y+l.H/2+2); y++ {
			p := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
			if isPollColour(p, st) {
				cols++
				break
			}
		}
	}
	return cols
}

func isPollColour(p color.RGBA, st guiState) bool {
	for _, poll := range []string{"pollPending", "pollReady"} {
		for _, bg := range []string{"laneEven", "laneOdd", "laneSelected"} {
			a, b := st.Colors[bg], st.Colors[poll]
			// Project p on the segment from a to b.
			d := [3]float64{float64(b.R) - float64(a.R), float64(b.G) - float64(a.G), float64(b.B) - float64(a.B)}
			v := [3]float64{float64(p.R) - float64(a.R), float64(p.G) - float64(a.G), float64(p.B) - float64(a.B)}
			dd := d[0]*d[0] + d[1]*d[1] + d[2]*d[2]
			k := (v[0]*d[0] + v[1]*d[1] + v[2]*d[2]) / dd
			off := 0.0
			for i := range 3 {
				e := v[i] - k*d[i]
				off += e * e
			}
			if k >= 0.3 && k <= 1.05 && off < 12*12 {
				return true
			}
		}
	}
	return false
}

// lockedBuffer is a bytes.Buffer safe for a writer and a reader at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
