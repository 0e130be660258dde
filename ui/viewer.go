package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/pollscope/pollscope/emulator"
	"github.com/pollscope/pollscope/trace"
	"github.com/pollscope/pollscope/ui/view"
)

// ViewOptions say what the session viewer shows and where it saves
// things.
type ViewOptions struct {
	// Session is the recorded run, or nil and Open opens it: RunView then
	// calls it while the window comes up, and closes what it returns. Path
	// is its file, for the title.
	Session *emulator.Session
	Open    func() (*emulator.Session, error)
	Path    string
	// At is where the cursor starts, in the session's machine time; a
	// negative At starts it at the session's end.
	At int64
	// Context ends the viewer: the window closes when it is done.
	Context context.Context
	// Dir is where screenshots and traces go; "" for
	// view.DefaultSaveDir().
	Dir string
	// StateFile, if set, receives the window's layout as JSON (see
	// Options.StateFile).
	StateFile string
	// Log receives one line per action taken, and how long the first
	// frame took.
	Log io.Writer
	// Opened is when opening the session began, for the first frame's
	// timing ("" zero: RunView's start).
	Opened time.Time
}

// RunView opens the session viewer: the live window's panes showing the
// recorded run as it was at a cursor that the user moves (play, speeds,
// the scrubber). It must be called from the main goroutine and returns
// when the window is closed or o.Context is done.
func RunView(o ViewOptions) error {
	if o.Context == nil {
		o.Context = context.Background()
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	if o.Opened.IsZero() {
		o.Opened = time.Now()
	}
	at, err := openDisplay()
	if err != nil {
		return err
	}
	if o.Dir == "" {
		o.Dir = view.DefaultSaveDir()
	}
	v := &viewer{o: o, at: at, last: time.Now(), want: make(chan int64, 1), requested: -1, opening: make(chan openResult, 1)}
	v.b.at = at
	if o.Session != nil {
		v.opening <- openResult{s: o.Session}
	} else {
		go func() {
			s, err := o.Open()
			v.opening <- openResult{s, err, true}
		}()
	}
	setUpWindow("pollscope view — " + filepath.Base(o.Path))
	err = ebiten.RunGameWithOptions(v, &ebiten.RunGameOptions{X11ClassName: windowClass, X11InstanceName: windowClass})
	if v.xk != nil {
		v.xk.close()
	}
	close(v.want)
	v.workers.Wait()
	v.jobs.Wait()
	if !v.opened { // closed while opening: wait for it, to close it
		r := <-v.opening
		v.openErr = r.err
		if r.s != nil && r.own {
			r.s.Close()
		}
	}
	if v.own != nil {
		v.own.Close()
	}
	if v.openErr != nil {
		return v.openErr
	}
	return err
}

// openResult is the session the viewer opened.
type openResult struct {
	s   *emulator.Session
	err error
	own bool // RunView opened it and closes it
}

// start takes in the opened session.
func (v *viewer) start(s *emulator.Session) {
	v.sess = s
	start, end := s.Range()
	v.app = view.NewViewer(start, end)
	v.app.Metrics = v.at.metrics
	for _, in := range s.Inputs() {
		if in.Down {
			v.app.Player.Keys = append(v.app.Player.Keys, in.Time)
		}
	}
	v.status = viewerStatus(s, v.o.Path)
	v.workers.Add(1)
	go v.work()
	if v.o.At >= 0 {
		v.app.Player.MoveTo(v.o.At)
	}
	v.request(v.app.Player.At)
}

// viewer is the session viewer's ebiten.Game.
type viewer struct {
	o    ViewOptions
	app  *view.App // nil until the session is open
	sess *emulator.Session
	// The session being opened, and if RunView opened it, to close.
	opening chan openResult
	opened  bool // the opening's result was taken
	own     *emulator.Session
	openErr error
	at      *atlas
	b       batch
	scene   view.Scene
	status  view.Status
	w, h    int
	pointer pointer
	last    time.Time // the last Update, for playing

	// The model and screen at the cursor, built off the window's thread
	// (going back in a long session replays from a checkpoint).
	want      chan int64 // the cursor wanted; the latest replaces an unread one
	requested int64
	frame     atomic.Pointer[viewFrame]
	workers   sync.WaitGroup

	xk      *xkeys
	xkTried bool
	keyBuf  []ebiten.Key
	guest   []view.KeyEvent // always empty: there is no guest

	in           view.FrameInput
	openingDrawn [2]int // the window size the opening screen was drawn at
	redraw       view.Redraw
	dirty        bool
	firstDrawn   bool
	shotWanted   bool
	jobs         sync.WaitGroup
	state        stateWriter
	frames       frameStats

	msgMu  sync.Mutex
	msg    string
	msgBad bool
	msgAt  time.Time
}

// viewFrame is what the window shows at one cursor time.
type viewFrame struct {
	at     int64
	model  *trace.Model
	screen emulator.Screen
}

// work builds the model and the screen at each cursor wanted.
func (v *viewer) work() {
	defer v.workers.Done()
	s := v.sess
	for at := range v.want {
		m := s.Model(at)
		sc, _ := s.Screen(at)
		v.frame.Store(&viewFrame{at: at, model: m, screen: sc})
	}
}

// request asks for the model at the cursor, replacing a request the
// worker has not taken yet.
func (v *viewer) request(at int64) {
	if at == v.requested {
		return
	}
	v.requested = at
	select {
	case v.want <- at:
	default:
		select {
		case <-v.want:
		default:
		}
		v.want <- at
	}
}

// viewerStatus is what the status bar says of the session.
func viewerStatus(s *emulator.Session, path string) view.Status {
	meta := s.Meta()
	backend := meta.Get("backend")
	if backend == "" {
		backend = "?"
	}
	st := view.Status{Backend: "SESSION " + strings.ToUpper(backend), Host: filepath.Base(path) + " · recorded by pollscope " + meta.Version}
	switch e, ok := s.End(); {
	case !ok:
		st.VM = "recording cut short"
	default:
		st.VM = "run " + e.Outcome
	}
	if err := s.Damage(); err != nil && !errors.Is(err, emulator.ErrSessionUnfinished) {
		st.Message, st.MessageBad = err.Error(), true
	}
	return st
}

func (v *viewer) Update() error {
	t0 := time.Now()
	defer func() { v.frames.update(time.Since(t0)) }()
	select {
	case <-v.o.Context.Done():
		return ebiten.Termination
	default:
	}
	if v.app == nil {
		select {
		case r := <-v.opening:
			v.opened = true
			if r.err != nil {
				v.openErr = r.err
				return ebiten.Termination
			}
			if r.own {
				v.own = r.s
			}
			v.start(r.s)
		default:
			return nil // the window says it is opening the file
		}
	}
	if !v.xkTried {
		v.xkTried = true
		if xk, err := startXKeys(windowClass, 2*time.Second); err == nil {
			v.xk = xk
		}
	}
	now := time.Now()
	p := v.app.Player
	was := p.At
	p.Advance(now.Sub(v.last))
	v.last = now
	acted := v.input()
	v.request(p.At)
	f := v.frame.Load()
	if f == nil {
		return nil
	}
	st := v.status
	v.msgMu.Lock()
	if v.msg != "" && time.Since(v.msgAt) < 8*time.Second {
		st.Message, st.MessageBad = v.msg, v.msgBad
	}
	v.msgMu.Unlock()
	v.in = view.FrameInput{W: float64(v.w), H: float64(v.h), Model: f.model, Screen: &f.screen, Now: 0, Status: st, ModelAt: f.at}
	if v.redraw.Needed(v.in, acted || p.At != was || v.shotWanted || p.Loading != (f.at != p.At)) {
		v.dirty = true
	}
	return nil
}

// input hands the pointer, the wheel and the keys to the App.
func (v *viewer) input() bool {
	a := v.app
	_, _, acted := v.pointer.input(a, v.do)
	if v.xk != nil {
		for {
			select {
			case e, ok := <-v.xk.events:
				if !ok {
					v.say(true, "keyboard: lost the X server's key events; reading the per-frame key state (quick taps may be lost)")
					v.xk = nil
					return acted
				}
				if e.mapped {
					v.key(e.key)
					acted = true
				}
				continue
			default:
			}
			return acted
		}
	}
	var evs []view.KeyEvent
	evs, v.keyBuf = frameKeyEvents(v.keyBuf)
	for _, e := range evs {
		v.key(e)
	}
	return acted || len(evs) > 0
}

func (v *viewer) key(e view.KeyEvent) {
	var acts []view.Action
	acts, v.guest = v.app.HostKey(e, v.guest[:0])
	v.do(acts)
}

// do carries out what the App asks the window for.
func (v *viewer) do(acts []view.Action) {
	for _, act := range acts {
		switch act {
		case view.ActSaveTrace:
			v.saveTrace()
		case view.ActScreenshot:
			v.shotWanted = true
		}
	}
}

// saveTrace writes the model at the cursor as Perfetto JSON.
func (v *viewer) saveTrace() {
	f := v.frame.Load()
	if f == nil {
		return
	}
	path := filepath.Join(v.o.Dir, "pollscope-trace-"+stamp()+".json")
	v.jobs.Add(1)
	go func() {
		defer v.jobs.Done()
		if err := writeFile(path, f.model.WritePerfetto); err != nil {
			v.say(true, "could not save the trace: %v", err)
			return
		}
		v.say(false, "the trace at %s saved to %s (open it in ui.perfetto.dev)", view.FormatTime(f.at), path)
	}()
}

func (v *viewer) say(bad bool, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	v.msgMu.Lock()
	v.msg, v.msgBad, v.msgAt = msg, bad, time.Now()
	v.msgMu.Unlock()
	fmt.Fprintln(v.o.Log, "pollscope:", msg)
}

func (v *viewer) Draw(screen *ebiten.Image) {
	if v.app == nil {
		v.drawOpening(screen)
		return
	}
	defer v.state.write(v.o.StateFile, v.app, v.w, v.h, &v.frames)
	if !v.dirty || v.in.Model == nil {
		return
	}
	v.dirty = false
	t0 := time.Now()
	v.app.Frame(v.in, &v.scene)
	v.b.draw(screen, &v.scene.Base, &v.scene.Overlay)
	if v.shotWanted {
		v.shotWanted = false
		screenshotTo(screen, v.o.Dir, &v.jobs, v.say)
	}
	v.frames.draw(time.Since(t0))
	if !v.firstDrawn {
		v.firstDrawn = true
		fmt.Fprintf(v.o.Log, "pollscope: view: first frame %v after opening began\n", time.Since(v.o.Opened).Round(time.Millisecond))
	}
}

// drawOpening says, until the session is open, that it is being opened:
// drawn once (the window keeps it), so that the opening has the CPU.
func (v *viewer) drawOpening(screen *ebiten.Image) {
	if v.openingDrawn == [2]int{v.w, v.h} {
		return
	}
	v.openingDrawn = [2]int{v.w, v.h}
	var l view.Layer
	l.Fills = append(l.Fills, view.Fill{Rect: view.Rect{W: float64(v.w), H: float64(v.h)}, Color: view.ColWindow})
	l.Texts = append(l.Texts, view.Text{X: 24, Y: 24, S: "opening " + v.o.Path + " …", Color: view.ColTextDim})
	v.b.draw(screen, &l)
}

func (v *viewer) Layout(outsideWidth, outsideHeight int) (int, int) {
	v.w, v.h = outsideWidth, outsideHeight
	return outsideWidth, outsideHeight
}
