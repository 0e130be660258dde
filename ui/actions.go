package ui

import (
	"context"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/pollscope/pollscope/emulator"
	"github.com/pollscope/pollscope/ui/view"
)

// do carries out the actions the App asked for. What may block (pausing,
// resetting, writing files) runs on its own goroutine.
func (g *game) do(acts []view.Action) {
	for _, act := range acts {
		switch act {
		case view.ActReleaseKeys:
			g.releaseAll()
		case view.ActPauseVM:
			g.togglePause()
		case view.ActReset:
			g.reset()
		case view.ActSaveTrace:
			g.saveTrace()
		case view.ActScreenshot:
			g.shotWanted = true // taken at the end of the next Draw
		case view.ActDebugBreak:
			g.debugBreak()
		case view.ActDebugStep:
			g.debugStep()
		}
	}
}

func (g *game) togglePause() {
	m := g.machine.Load()
	if g.result != nil {
		return
	}
	if m.Paused() {
		m.Resume()
		g.say(false, "VM resumed")
		return
	}
	g.releaseAll()
	g.jobs.Add(1)
	go func() {
		defer g.jobs.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := m.Pause(ctx); err != nil {
			g.say(true, "could not pause the VM: %v", err)
			return
		}
		g.say(false, "VM paused: the guest's clock stops; the trace and console stay readable")
	}()
}

// reset restarts the guest by booting a new machine from the same Config.
// The work runs on a goroutine; Update swaps the machine in (see
// resetDone), so that the main thread never reads a machine being closed.
func (g *game) reset() {
	if !g.resetting.CompareAndSwap(false, true) {
		return
	}
	g.releaseAll()
	gen := g.gen.Add(1) // the old machine's end is no longer news
	g.jobs.Add(1)
	go func() {
		defer g.jobs.Done()
		m, err := emulator.New(g.opts.Config)
		if err == nil {
			g.recordOwn(m)
			if err = m.Start(); err != nil {
				m.Close()
				m = nil
			}
		}
		g.resets <- resetDone{m: m, gen: gen, err: err}
	}()
}

// resetDone is a finished reset, for Update to take in.
type resetDone struct {
	m   *emulator.Machine
	gen int64
	err error
}

// finishReset takes in a finished reset on the main thread.
func (g *game) finishReset(d resetDone) {
	defer g.resetting.Store(false)
	if d.err != nil {
		g.say(true, "reset failed: %v", d.err)
		return
	}
	old := g.machine.Swap(d.m)
	g.jobs.Add(1)
	go func() {
		defer g.jobs.Done()
		old.Close()
	}()
	g.result = nil
	g.app.MachineReset()
	g.watch(d.m, d.gen)
	g.say(false, "guest reset")
}

// saveTrace writes the trace as Perfetto JSON to Options.TracePath or to
// pollscope-trace-<time>.json in Options.Dir, and the session recorded so
// far beside it (pollscope-session-<time>.pollscope, or TracePath with
// the extension .pollscope), for pollscope view.
func (g *game) saveTrace() {
	path := g.opts.TracePath
	now := stamp()
	if path == "" {
		path = filepath.Join(g.opts.Dir, "pollscope-trace-"+now+".json")
	}
	sessionPath := filepath.Join(g.opts.Dir, "pollscope-session-"+now+".pollscope")
	if g.opts.TracePath != "" {
		sessionPath = strings.TrimSuffix(path, filepath.Ext(path)) + ".pollscope"
	}
	m := g.machine.Load()
	g.jobs.Add(1)
	go func() {
		defer g.jobs.Done()
		m.FlushTrace()
		err := writeFile(path, m.WritePerfetto)
		if err != nil {
			g.say(true, "could not save the trace: %v", err)
			return
		}
		if err := writeFile(sessionPath, m.SaveSession); err != nil {
			g.say(true, "trace saved to %s; could not save the session: %v", path, err)
			return
		}
		g.say(false, "trace saved to %s (open it in ui.perfetto.dev), session to %s (pollscope view)", path, sessionPath)
	}()
}

// recordOwn has a machine that records no session (no -record) record
// one of its own, so that the window can save the session on demand: to
// a temporary file the machine frees when it closes, up to
// ownSessionLimit. Call it before Start.
func (g *game) recordOwn(m *emulator.Machine) {
	if m.Recording() {
		return
	}
	if err := m.RecordTemp(ownSessionLimit); err != nil {
		g.say(true, "cannot record the session, so Save trace will save the trace only: %v", err)
	}
}

// ownSessionLimit bounds the window's own recording: about 300 million
// trace events, hours of the demo and a minute of a benchmark that traces
// every switch.
const ownSessionLimit = 1 << 30

// screenshot saves the window as pollscope-screenshot-<time>.png in
// Options.Dir.
func (g *game) screenshot(screen *ebiten.Image) { screenshotTo(screen, g.opts.Dir, &g.jobs, g.say) }

// screenshotTo saves the frame on screen as pollscope-screenshot-<time>.png
// in dir, on a job of jobs, and says how it went.
func screenshotTo(screen *ebiten.Image, dir string, jobs *sync.WaitGroup, say func(bad bool, format string, args ...any)) {
	b := screen.Bounds()
	img := image.NewRGBA(b)
	screen.ReadPixels(img.Pix)
	path := filepath.Join(dir, "pollscope-screenshot-"+stamp()+".png")
	jobs.Add(1)
	go func() {
		defer jobs.Done()
		err := writeFile(path, func(w io.Writer) error { return png.Encode(w, img) })
		if err != nil {
			say(true, "could not save the screenshot: %v", err)
			return
		}
		say(false, "screenshot saved to %s", path)
	}()
}

// writeFile creates path (and its directory) and writes it with write.
func writeFile(path string, write func(io.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// stamp is the local time for file names, to the millisecond so that two
// saves in one second do not overwrite each other: 20060102-150405.000.
func stamp() string { return time.Now().Format("20060102-150405.000") }
