package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
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

	"github.com/pollscope/pollscope/devices/vga"
	"github.com/pollscope/pollscope/ui/vgafont"
)

// Helpers of the window tests: an Xvfb of their own, screenshots, reading
// the console and the timeline back from pixels.

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
	t.Fatalf("ImageMagick's import is not installed (Debian package imagemagick): no way to take the window's picture")
	return ""
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
