package ui

import (
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/pollscope/pollscope/devices/ps2"
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
	// pollscope-trace-<time>.json in the current directory.
	TracePath string
	// Dir is where screenshots (and traces without TracePath) go; "" for
	// the current directory.
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
	at, err := newAtlas()
	if err != nil {
		return opts.Machine, fmt.Errorf("building the GUI's fonts: %w", err)
	}
	g := &game{
		opts:    opts,
		app:     view.NewApp(),
		at:      at,
		held:    map[ps2.Key]bool{},
		eatKeys: map[ebiten.Key]bool{},
		typem:   view.NewTypematic(),
		start:   time.Now(),
		ended:   make(chan machineEnd, 4),
		resets:  make(chan resetDone, 1),
	}
	g.app.Metrics = at.metrics
	g.b.at = at
	g.machine.Store(opts.Machine)
	if err := opts.Machine.Start(); err != nil {
		return opts.Machine, err
	}
	g.watch(opts.Machine, 0)

	w, h := 1600, 1000
	if mw, mh := ebiten.Monitor().Size(); mw > 0 && mh > 0 {
		w, h = min(w, mw-40), min(h, mh-80)
	}
	ebiten.SetWindowSize(max(w, view.MinWidth), max(h, view.MinHeight))
	ebiten.SetWindowSizeLimits(view.MinWidth, view.MinHeight, -1, -1)
	ebiten.SetWindowResizingMode(ebiten.WindowResizingModeEnabled)
	ebiten.SetWindowTitle(opts.Title)
	// One Update per frame: ebiten polls the keyboard once per frame, and
	// with a fixed tick rate a frame without a tick would lose the key
	// presses it saw (and a frame with two ticks is no better).
	ebiten.SetTPS(ebiten.SyncWithFPS)
	err = ebiten.RunGameWithOptions(g, &ebiten.RunGameOptions{X11ClassName: "pollscope", X11InstanceName: "pollscope"})
	g.jobs.Wait()
	select {
	case d := <-g.resets: // a reset that finished as the window closed
		if d.err == nil && !d.inPlace {
			d.m.Close()
		}
	default:
	}
	return g.machine.Load(), err
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
	held      map[ps2.Key]bool    // keys the guest sees held
	eatKeys   map[ebiten.Key]bool // shortcut keys whose release the guest must not see
	typem     *view.Typematic
	keyBuf    []ebiten.Key
	chars     []rune
	order     view.KeyOrderer
	px, py    int
	w, h      int
	ended     chan machineEnd
	result    *emulator.Result
	resetting atomic.Bool
	resets    chan resetDone

	events, exits  view.RateMeter
	evRate, exRate float64
	frames         frameStats

	msgMu  sync.Mutex
	msg    string
	msgBad bool
	msgAt  time.Time

	shotWanted bool
	jobs       sync.WaitGroup
	state      stateWriter
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

// Update runs once per frame: it notices the end of the run or of the
// guest, takes in finished resets and handles input.
func (g *game) Update() error {
	t0 := time.Now()
	defer func() { g.frames.update(time.Since(t0)) }()
	select {
	case <-g.opts.Context.Done():
		g.machine.Load().Stop()
		return ebiten.Termination
	default:
	}
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
		default:
			done = true
		}
	}
	select {
	case d := <-g.resets:
		g.finishReset(d)
	default:
	}
	g.input()
	return nil
}

// Draw takes the machine's trace snapshot and screen, has the App compute
// the frame and draws it.
func (g *game) Draw(screen *ebiten.Image) {
	t0 := time.Now()
	m := g.machine.Load()
	model := m.Trace()
	scr := m.Screen()
	now := g.now()
	g.evRate = g.events.Add(now, model.EventCount)
	var exits uint64
	for _, n := range m.ExitCounts() {
		exits += n
	}
	g.exRate = g.exits.Add(now, exits)
	g.app.Frame(view.FrameInput{
		W: float64(g.w), H: float64(g.h),
		Model:  model,
		Screen: &scr,
		Now:    now,
		Status: g.status(m),
	}, &g.scene)
	g.b.begin(screen)
	g.b.layer(&g.scene.Base)
	g.b.layer(&g.scene.Overlay)
	g.b.flush()
	if g.shotWanted {
		g.shotWanted = false
		g.screenshot(screen)
	}
	g.frames.draw(time.Since(t0))
	g.state.write(g)
}

// Layout draws at the window's own size, one pixel per pixel.
func (g *game) Layout(outsideWidth, outsideHeight int) (int, int) {
	g.w, g.h = outsideWidth, outsideHeight
	return outsideWidth, outsideHeight
}

// pauser is what a machine that can pause offers (emulator.Machine does).
type pauser interface {
	Pause(ctx context.Context) error
	Resume()
	Paused() bool
}

// resetter is a machine that can reset itself in place.
type resetter interface{ Reset() error }

func (g *game) status(m *emulator.Machine) view.Status {
	st := view.Status{Backend: "KVM", VM: "running", EventsRate: g.evRate, ExitsRate: g.exRate}
	if p, ok := any(m).(pauser); ok {
		st.CanPause = true
		if p.Paused() {
			st.Paused, st.VM = true, "paused"
		}
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
	return st
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
