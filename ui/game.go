package ui

import (
	"context"
	"fmt"
	"io"

	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/pollscope/pollscope/emulator"
	"github.com/pollscope/pollscope/ui/view"
)

// Options say what the window shows and where it saves things.
type Options struct {
	// Machine is the guest to show, created from Config and not yet
	// started; Run starts it.
	Machine *emulator.Machine
	// Config is what Machine was created from; Reset creates the new
	// machine from it.
	Config emulator.Config
	// Context ends the run: when it is done the machine is stopped and the
	// window closes.
	Context context.Context
	// Title is the window title.
	Title string
	// TracePath is where "save trace" writes; "" for
	// pollscope-trace-<time>.json in Dir. The session goes beside it, its
	// extension .pollscope.
	TracePath string
	// Dir is where screenshots (and traces without TracePath) go; "" for
	// view.DefaultSaveDir().
	Dir string
	// StateFile, if set, receives the window's layout as JSON whenever it
	// changes (where the console and each timeline lane are, and the
	// colours), for tests that look at the window's pixels.
	StateFile string
	// Log receives one line per action taken (saved files, resets).
	Log io.Writer
}

// Run opens the window and runs the guest in it until the window is closed
// or opts.Context is done. It must be called from the main goroutine. It
// returns the machine in use at the end (a reset replaces it), still open,
// and an error if the window could not be opened or drawn.
func Run(opts Options) (*emulator.Machine, error) {
	if opts.Context == nil {
		opts.Context = context.Background()
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	// ebiten opens the display at its first use (see scripts/ebitenlazy),
	// and panics if it cannot: find out first.
	at, err := openDisplay()
	if err != nil {
		return opts.Machine, err
	}
	if opts.Dir == "" {
		opts.Dir = view.DefaultSaveDir()
	}
	g := &game{
		opts:   opts,
		app:    view.NewApp(),
		at:     at,
		start:  time.Now(),
		ended:  make(chan machineEnd, 4),
		resets: make(chan resetDone, 1),
	}
	g.app.Metrics = at.metrics
	g.b.at = at
	g.machine.Store(opts.Machine)
	g.recordOwn(opts.Machine)
	if err := opts.Machine.Start(); err != nil {
		return opts.Machine, err
	}
	g.watch(opts.Machine, 0)

	setUpWindow(opts.Title)
	err = ebiten.RunGameWithOptions(g, &ebiten.RunGameOptions{X11ClassName: windowClass, X11InstanceName: windowClass})
	if g.xk != nil {
		g.xk.close()
	}
	g.jobs.Wait()
	select {
	case d := <-g.resets: // a reset that finished as the window closed
		if d.err == nil {
			d.m.Close()
		}
	default:
	}
	return g.machine.Load(), err
}

// setUpWindow sizes and titles the window, before ebiten opens it.
func setUpWindow(title string) {
	w, h := 1600, 1000
	if mw, mh := ebiten.Monitor().Size(); mw > 0 && mh > 0 {
		w, h = min(w, mw-40), min(h, mh-80)
	}
	ebiten.SetWindowSize(max(w, view.MinWidth), max(h, view.MinHeight))
	ebiten.SetWindowSizeLimits(view.MinWidth, view.MinHeight, -1, -1)
	ebiten.SetWindowResizingMode(ebiten.WindowResizingModeEnabled)
	ebiten.SetWindowTitle(title)
	// One Update per frame: the frame's pointer state is read once, and the
	// keyboard's events are taken as they come (see xkeys.go).
	ebiten.SetTPS(ebiten.SyncWithFPS)
	// The window keeps its last frame: Draw draws only when something
	// changed (view.Redraw), and ebiten then skips presenting as well.
	ebiten.SetScreenClearedEveryFrame(false)
}

// game is the ebiten.Game: it owns the App and the machine.
type game struct {
	opts    Options
	app     *view.App
	at      *atlas
	b       batch
	scene   view.Scene
	machine atomic.Pointer[emulator.Machine]
	gen     atomic.Int64 // bumped by each reset; a machine's end from an older one is ignored

	start     time.Time
	xk        *xkeys // the X server's key events; nil: ebiten's key state
	xkTried   bool
	keyBuf    []ebiten.Key
	guestKeys []view.KeyEvent
	pointer   pointer
	w, h      int
	ended     chan machineEnd
	result    *emulator.Result
	resetting atomic.Bool
	resets    chan resetDone

	events, exits  view.RateMeter
	evRate, exRate float64
	frames         frameStats

	// The frame to draw, taken in Update; drawn in Draw if redraw says so.
	frame    view.FrameInput
	screen   emulator.Screen
	redraw   view.Redraw
	dirty    bool
	pausedAt time.Duration // the display's clock stands still while paused
	paused   bool

	msgMu  sync.Mutex
	msg    string
	msgBad bool
	msgAt  time.Time

	shotWanted bool
	jobs       sync.WaitGroup
	state      stateWriter
	hostOnce   sync.Once
	hostKind   string // emulator.DetectHostKind's name

	// The debugger (debug.go): the CPU pane's reads, and whether (and
	// why) the vCPU stood still in the debugger at the last frame.
	cpu        cpuWatch
	wasStopped bool
	lastStop   emulator.DebugStop
	stillUntil time.Time
}

// machineEnd is a machine's result, from the goroutine waiting for it.
type machineEnd struct {
	gen int64
	res emulator.Result
}

// watch waits for m to end and reports its result.
func (g *game) watch(m *emulator.Machine, gen int64) {
	go func() {
		res, _ := m.Wait(context.Background())
		g.ended <- machineEnd{gen, res}
	}()
}

func (g *game) now() time.Duration { return time.Since(g.start) }

// windowClass is the window's X11 class and instance name, by which the
// key reader finds it.
const windowClass = "pollscope"

// Update runs once per frame: it notices the end of the run or of the
// guest, takes in finished resets, handles input and takes what the next
// frame shows.
func (g *game) Update() error {
	t0 := time.Now()
	defer func() { g.frames.update(time.Since(t0)) }()
	select {
	case <-g.opts.Context.Done():
		g.machine.Load().Stop()
		return ebiten.Termination
	default:
	}
	if !g.xkTried {
		g.xkTried = true
		g.startKeys()
	}
	acted := false
	for done := false; !done; {
		select {
		case e := <-g.ended:
			if e.gen != g.gen.Load() {
				continue
			}
			if e.res.Outcome == emulator.OutcomeStopped && !g.resetting.Load() {
				// The host stopped the guest (-until, a signal): close.
				return ebiten.Termination
			}
			r := e.res
			g.result = &r
			g.releaseAll()
			acted = true
		default:
			done = true
		}
	}
	select {
	case d := <-g.resets:
		g.finishReset(d)
		acted = true
	default:
	}
	if g.input() {
		acted = true
	}
	g.takeFrame(acted)
	return nil
}

// startKeys starts reading the keyboard from the X server, or says why
// the window falls back to ebiten's per-frame key state.
func (g *game) startKeys() {
	xk, err := startXKeys(windowClass, 2*time.Second)
	if err != nil {
		g.say(true, "keyboard: cannot read the X server's key events (%v); quick taps may be lost", err)
		return
	}
	g.xk = xk
	if !xk.detectRep {
		fmt.Fprintln(g.opts.Log, "pollscope: keyboard: the X server has no detectable autorepeat; a held key reaches the guest as repeated taps")
	}
}

// takeFrame takes the machine's trace snapshot, screen and status for the
// next frame and decides whether it must be drawn.
func (g *game) takeFrame(input bool) {
	m := g.machine.Load()
	model := m.Trace()
	g.screen = m.Screen()
	now := g.now()
	g.evRate = g.events.Add(now, model.EventCount)
	var exits uint64
	for _, n := range m.ExitCounts() {
		exits += n
	}
	g.exRate = g.exits.Add(now, exits)
	st := g.status(m)
	still := st.Paused || st.Stopped
	// A paused (or stopped) machine's display stands still, its blinking
	// included.
	if still != g.paused {
		g.paused, g.pausedAt = still, now
	}
	display := now
	if g.paused {
		display = g.pausedAt
	}
	var cpu *view.CPUInput
	if !st.Ended && !g.resetting.Load() {
		cpu = g.cpu.input(g, m, still)
	}
	g.frame = view.FrameInput{W: float64(g.w), H: float64(g.h), Model: model, Screen: &g.screen, Now: display, Status: st, CPU: cpu}
	if g.redraw.Needed(g.frame, input || g.shotWanted) {
		g.dirty = true
	}
}

// Draw has the App compute the frame and draws it, when something changed
// since the last one; otherwise the window keeps showing that one.
func (g *game) Draw(screen *ebiten.Image) {
	defer g.state.write(g.opts.StateFile, g.app, g.w, g.h, &g.frames)
	if !g.dirty || g.frame.Model == nil {
		return
	}
	g.dirty = false
	t0 := time.Now()
	g.app.Frame(g.frame, &g.scene)
	g.b.draw(screen, &g.scene.Base, &g.scene.Overlay)
	if g.shotWanted {
		g.shotWanted = false
		g.screenshot(screen)
	}
	g.frames.draw(time.Since(t0))
}

// Layout draws at the window's own size, one pixel per pixel.
func (g *game) Layout(outsideWidth, outsideHeight int) (int, int) {
	g.w, g.h = outsideWidth, outsideHeight
	return outsideWidth, outsideHeight
}

func (g *game) status(m *emulator.Machine) view.Status {
	st := view.Status{Backend: strings.ToUpper(m.Backend()), Host: g.hostText(m), VM: "running", EventsRate: g.evRate, ExitsRate: g.exRate}
	if m.Paused() {
		st.Paused, st.VM = true, "paused"
	}
	if vm, ok := g.debugStopped(m); ok {
		st.Stopped, st.VM = true, vm
	}
	if g.resetting.Load() {
		st.VM = "resetting"
	}
	if r := g.result; r != nil {
		st.Ended = true
		st.VM = "ended: " + resultText(*r)
	}
	g.msgMu.Lock()
	if g.msg != "" && time.Since(g.msgAt) < 8*time.Second {
		st.Message, st.MessageBad = g.msg, g.msgBad
	}
	g.msgMu.Unlock()
	if g.xk != nil && st.Message == "" {
		if n := g.xk.dropped.Load(); n > 0 {
			st.Message, st.MessageBad = fmt.Sprintf("keyboard: %d key events lost (the window fell behind)", n), true
		}
	}
	return st
}

// hostText says what the backend runs on, for the status bar: the kind
// of KVM host (emulator.DetectHostKind, looked up once: it reads
// /proc/cpuinfo), or that the software CPU runs, in deterministic time
// under Config.ICount.
func (g *game) hostText(m *emulator.Machine) string {
	switch m.Backend() {
	case emulator.BackendKVM:
		g.hostOnce.Do(func() { g.hostKind = emulator.DetectHostKind().Name() })
		return "on " + g.hostKind
	case emulator.BackendTCG:
		if g.opts.Config.ICount {
			return "the software CPU · deterministic (icount)"
		}
		return "the software CPU"
	}
	return ""
}

func resultText(r emulator.Result) string {
	switch r.Outcome {
	case emulator.OutcomeExit:
		return fmt.Sprintf("exit %d (status %d)", r.ExitValue, r.Status())
	case emulator.OutcomeError:
		if r.Err != nil {
			return "error: " + r.Err.Error()
		}
	}
	return r.Outcome.String()
}

// say shows msg in the status bar and logs it.
func (g *game) say(bad bool, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	g.msgMu.Lock()
	g.msg, g.msgBad, g.msgAt = msg, bad, time.Now()
	g.msgMu.Unlock()
	fmt.Fprintln(g.opts.Log, "pollscope:", msg)
}
