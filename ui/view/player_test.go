package view

import (
	"testing"
	"time"
)

func TestPlayerAdvance(t *testing.T) {
	ms := int64(time.Millisecond)
	tests := []struct {
		name    string
		at      int64
		speed   float64
		playing bool
		dt      time.Duration
		wantAt  int64
		wantOn  bool
	}{
		{"paused: the cursor stays", 100 * ms, 1, false, 50 * time.Millisecond, 100 * ms, false},
		{"1×: wall time", 100 * ms, 1, true, 50 * time.Millisecond, 150 * ms, true},
		{"2×", 100 * ms, 2, true, 50 * time.Millisecond, 200 * ms, true},
		{"10×", 100 * ms, 10, true, 50 * time.Millisecond, 600 * ms, true},
		{"it stops at the end", 900 * ms, 10, true, 50 * time.Millisecond, 1000 * ms, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewPlayer(0, 1000*ms)
			p.At, p.Speed, p.Playing = tt.at, tt.speed, tt.playing
			p.Advance(tt.dt)
			if p.At != tt.wantAt || p.Playing != tt.wantOn {
				t.Errorf("at %d playing %v, want %d %v", p.At, p.Playing, tt.wantAt, tt.wantOn)
			}
		})
	}
	p := NewPlayer(10*ms, 1000*ms)
	if p.At != p.End {
		t.Errorf("a new player's cursor is at %d, want the end", p.At)
	}
	p.TogglePlay()
	if !p.Playing || p.At != p.Start {
		t.Errorf("play from the end: at %d playing %v, want the start, playing", p.At, p.Playing)
	}
	p.MoveTo(-5)
	if p.At != p.Start {
		t.Errorf("MoveTo before the start: %d", p.At)
	}
}

// viewerFrame draws a viewer's frame of m with its model at the cursor.
func viewerFrame(a *App, in FrameInput) *Scene {
	var sc Scene
	in.ModelAt = a.Player.At
	a.Frame(in, &sc)
	return &sc
}

func TestViewerControls(t *testing.T) {
	m := collect(demoStream(400).evs)
	a := NewViewer(m.Start, m.End)
	in := FrameInput{W: 1600, H: 1000, Model: m}
	sc := viewerFrame(a, in)
	labels := map[string]bool{}
	for _, b := range a.Buttons {
		labels[b.Label] = true
	}
	for _, want := range []string{"► Play", "1×", "2×", "10×", "Start", "End", "Save trace", "Screenshot"} {
		if !labels[want] {
			t.Errorf("no %q button among %v", want, labels)
		}
	}
	for _, gone := range []string{"Pause VM", "Reset", "Stop", "Step"} {
		if labels[gone] {
			t.Errorf("the viewer has a %q button", gone)
		}
	}
	if a.View.End != m.End || !hasText(sc.Base, "Console at") {
		t.Errorf("view %+v, want it ending at the cursor %d", a.View, m.End)
	}
	// A click on the scrubber's track puts the cursor there; a drag moves it.
	p := a.Player
	mid := p.Start + (p.End-p.Start)/2
	x := p.TrackX(mid)
	a.PointerDown(x, p.Track.Y+4)
	if d := p.At - mid; d < -int64(float64(p.End-p.Start)/p.Track.W) || d > int64(float64(p.End-p.Start)/p.Track.W) {
		t.Errorf("a click at the track's middle put the cursor at %d, want about %d", p.At, mid)
	}
	a.PointerMove(p.TrackX(p.Start+(p.End-p.Start)/4), p.Track.Y+4)
	a.PointerUp(p.TrackX(p.Start+(p.End-p.Start)/4), p.Track.Y+4)
	quarter := p.At
	if quarter >= mid {
		t.Errorf("dragging back left the cursor at %d", quarter)
	}
	// The model for the new cursor is not there yet: the frame says so.
	in.ModelAt = mid
	var s2 Scene
	a.Frame(in, &s2)
	if !p.Loading || a.View.End != max(quarter, p.Start+a.View.Span()) {
		t.Errorf("loading %v, view %+v: want loading and the view at the cursor %d", p.Loading, a.View, quarter)
	}
	// Keys: play, speeds, steps, ends.
	type step struct {
		key   string
		check func() bool
		what  string
	}
	for _, s := range []step{
		{"Space", func() bool { return p.Playing }, "Space plays"},
		{"0", func() bool { return p.Speed == 10 }, "0 plays at 10×"},
		{"2", func() bool { return p.Speed == 2 }, "2 plays at 2×"},
		{"Space", func() bool { return !p.Playing }, "Space pauses"},
		{"Comma", func() bool { return p.At == quarter-a.View.Span()/10 }, ", steps back"},
		{"Period", func() bool { return p.At == quarter }, ". steps on"},
		{"Home", func() bool { return p.At == p.Start }, "Home goes to the start"},
		{"End", func() bool { return p.At == p.End && a.Follow }, "End goes to the end, following"},
	} {
		a.Key(key(s.key), false)
		if !s.check() {
			t.Errorf("%s: at %d, playing %v, speed %v", s.what, p.At, p.Playing, p.Speed)
		}
	}
	// Playing moves the cursor with wall time, and the view with it.
	p.MoveTo(p.Start)
	a.Do(ActPlay)
	p.Speed = 1
	p.Advance(20 * time.Millisecond)
	viewerFrame(a, in)
	if p.At != p.Start+int64(20*time.Millisecond) || a.View.End != max(p.At, p.Start+a.View.Span()) {
		t.Errorf("after 20 ms at 1×: at %d, view %+v", p.At, a.View)
	}
	// A click on the ruler puts the cursor there.
	a.Follow = false
	viewerFrame(a, in)
	tl := &a.Timeline
	rx := tl.Plot.X + tl.Plot.W/2
	a.PointerDown(rx, tl.RulerR.Y+5)
	a.PointerUp(rx, tl.RulerR.Y+5)
	if want := a.View.T(rx, tl.Plot.X, tl.Plot.W); p.At != min(max(want, p.Start), p.End) {
		t.Errorf("a click on the ruler put the cursor at %d, want %d", p.At, want)
	}
	// The live window's shortcuts that have nothing to act on do nothing.
	for _, k := range []string{"P", "R", "B", "N"} {
		if acts, ok := a.Shortcut(key(k)); !ok || len(acts) != 0 {
			t.Errorf("Ctrl+Alt+%s in the viewer: %v, %v", k, acts, ok)
		}
	}
	if acts, _ := a.Shortcut(key("T")); len(acts) != 1 || acts[0] != ActSaveTrace {
		t.Errorf("Ctrl+Alt+T in the viewer: %v", acts)
	}
}

// While playing, a model a frame or two behind the moving cursor is not
// "building the model"; paused, any lag is, and so is a long one playing.
func TestPlayerLoadingWhilePlaying(t *testing.T) {
	ms := int64(time.Millisecond)
	for _, c := range []struct {
		playing bool
		speed   float64
		at      int64
		want    bool
	}{
		{false, 1, 1000 * ms, false},
		{false, 1, 1016 * ms, true},
		{true, 1, 1033 * ms, false},
		{true, 10, 1000*ms + 2000*ms, false},
		{true, 1, 1000*ms + 400*ms, true},
		{true, 10, 1000*ms + 3000*ms, true},
		{true, 1, 900 * ms, true}, // the cursor went back while playing
	} {
		p := Player{Playing: c.playing, Speed: c.speed, At: c.at, ModelAt: 1000 * ms}
		if got := p.behind(); got != c.want {
			t.Errorf("playing %v at %g×, cursor %v, model at 1s: loading %v, want %v", c.playing, c.speed, time.Duration(c.at), got, c.want)
		}
	}
}
