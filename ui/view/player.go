package view

import (
	"fmt"
	"math"
	"time"
)

// The session viewer (`pollscope view FILE`): the same panes as the live
// window, showing a recorded run as it was at a cursor time, and in the
// toolbar the controls that move the cursor: play and pause, the speed,
// the run's start and end, and a scrubber, a track standing for the whole
// run with a thumb at the cursor, to click or drag.

// Player is the viewer's playback state.
type Player struct {
	Start, End int64 // the session's first and last record
	// At is the cursor: everything shown is as it was at At.
	At      int64
	Playing bool
	Speed   float64 // one of Speeds
	// ModelAt is the time the frame's model is at; while it is not At the
	// model for At is being built. Loading says the wait shows: not
	// playing, or playing and further behind than playingLag of wall time.
	ModelAt int64
	Loading bool
	// Track is the scrubber's track; Thumb the cursor on it.
	Track, Thumb Rect
	// Keys are the times of the host's key presses, marked on the track.
	Keys     []int64
	dragging bool
}

// Speeds are the playback speeds.
var Speeds = []float64{1, 2, 10}

// NewPlayer returns a player over [start, end], its cursor at the end
// (the whole run, as when the live window last showed it).
func NewPlayer(start, end int64) *Player {
	end = max(end, start)
	return &Player{Start: start, End: end, At: end, Speed: 1, ModelAt: end}
}

// Advance moves the cursor on by dt of wall time at the speed while
// playing, and stops at the end. It reports whether the cursor moved.
func (p *Player) Advance(dt time.Duration) bool {
	if !p.Playing || dt <= 0 || p.dragging {
		return false
	}
	at := p.At + int64(float64(dt)*p.Speed)
	if at >= p.End {
		at, p.Playing = p.End, false
	}
	moved := at != p.At
	p.At = at
	return moved
}

// MoveTo puts the cursor at t, within the run.
func (p *Player) MoveTo(t int64) { p.At = min(max(t, p.Start), p.End) }

// TogglePlay starts or stops playing; playing from the end starts again
// at the start.
func (p *Player) TogglePlay() {
	if !p.Playing && p.At >= p.End {
		p.At = p.Start
	}
	p.Playing = !p.Playing
}

// trackT is the time at x on the track.
func (p *Player) trackT(x float64) int64 {
	if p.Track.W <= 0 {
		return p.At
	}
	f := clamp((x-p.Track.X)/p.Track.W, 0, 1)
	return p.Start + int64(math.Round(f*float64(p.End-p.Start)))
}

// TrackX is the place of time t on the track.
func (p *Player) TrackX(t int64) float64 {
	if p.End <= p.Start {
		return p.Track.Right()
	}
	return p.Track.X + p.Track.W*clamp(float64(t-p.Start)/float64(p.End-p.Start), 0, 1)
}

// The viewer's toolbar actions, carried out by the App itself.
const (
	ActPlay    Action = 100 + iota // play or pause
	ActSpeed1                      // play at 1×
	ActSpeed2                      // play at 2×
	ActSpeed10                     // play at 10×
	ActToStart                     // the cursor to the run's start
	ActToEnd                       // the cursor to the run's end, the view following it
)

// NewViewer returns the viewer's state for a session spanning [start,
// end]: keys drive the view (there is no guest), the cursor is at the end.
func NewViewer(start, end int64) *App {
	a := NewApp()
	a.Player = NewPlayer(start, end)
	a.Focus = FocusUI
	// The whole run, or its last DefaultSpan.
	a.View = Viewport{end - min(max(end-start, MinSpan), DefaultSpan), end}
	return a
}

// viewerButtons are the viewer's toolbar buttons.
func (a *App) viewerButtons() []Button {
	p := a.Player
	play := Button{Act: ActPlay, Label: "► Play", Hint: "play the run from the cursor (Space)"}
	if p.Playing {
		play.Label, play.On, play.Hint = "Pause", true, "stop playing (Space)"
	}
	speed := func(act Action, v float64, key string) Button {
		return Button{Act: act, Label: fmt.Sprintf("%g×", v), Hint: fmt.Sprintf("play at %g× (%s)", v, key), On: p.Speed == v}
	}
	freeze := Button{Act: ActFreeze, Label: "Freeze view", Hint: "stop the timeline following the cursor (F)"}
	if !a.Follow {
		freeze.Label, freeze.On, freeze.Hint = "Follow cursor", true, "the timeline follows the cursor again (F)"
	}
	return []Button{
		play,
		speed(ActSpeed1, 1, "1"), speed(ActSpeed2, 2, "2"), speed(ActSpeed10, 10, "0"),
		{Act: ActToStart, Label: "Start", Hint: "the cursor to the run's start (Home)"},
		{Act: ActToEnd, Label: "End", Hint: "the cursor to the run's end (End)"},
		freeze,
		{Act: ActSaveTrace, Label: "Save trace", Hint: "write the model at the cursor as Perfetto JSON (Ctrl+Alt+T)"},
		{Act: ActScreenshot, Label: "Screenshot", Hint: "save this window as PNG (Ctrl+Alt+S)"},
		{Act: ActHelp, Label: "Help", Hint: "keys and mouse (F1 or ?)", On: a.Help},
	}
}

// placeTrack puts the scrubber's track after the buttons, to the right
// edge but for the times written beside it.
func (a *App) placeTrack() {
	p := a.Player
	mt := a.Metrics
	x := float64(Margin)
	if n := len(a.Buttons); n > 0 {
		x = a.Buttons[n-1].R.Right() + 16
	}
	label := mt.TextWidth(trackLabel(p.End, p.End)) + 16
	p.Track = Rect{x, ToolbarH/2 - 4, math.Max(a.Layout.Window.W-Margin-label-x, 40), 8}
	tx := p.TrackX(p.At)
	p.Thumb = Rect{tx - 4, 6, 8, ToolbarH - 12}
}

func trackLabel(at, end int64) string {
	return FormatTime(at) + " / " + FormatTime(end)
}

// drawTrack draws the scrubber: the run's track, its part before the
// cursor, the key presses on it, and the thumb.
func (a *App) drawTrack(l *Layer, keys []int64) {
	if a.Player == nil {
		return
	}
	p := a.Player
	mt := a.Metrics
	t := p.Track
	l.fill(t, ColLaneEven)
	l.frame(t, 1, ColBorder)
	done := p.TrackX(p.At) - t.X
	l.fill(Rect{t.X + 1, t.Y + 1, math.Max(done-1, 0), t.H - 2}, ColButtonOn)
	for _, k := range keys {
		x := math.Round(p.TrackX(k))
		l.fill(Rect{x, t.Y - 3, 1, 3}, ColKey)
	}
	thumb := ColText
	if p.Loading {
		thumb = ColTextWarn
	}
	l.fill(p.Thumb, thumb)
	label := trackLabel(p.At, p.End)
	l.text(t.Right()+12, (ToolbarH-mt.LineH)/2, label, ColText)
}

// doViewer carries out a viewer's action.
func (a *App) doViewer(act Action) {
	p := a.Player
	switch act {
	case ActPlay:
		p.TogglePlay()
		if p.Playing {
			a.Follow = true
		}
	case ActSpeed1, ActSpeed2, ActSpeed10:
		p.Speed = Speeds[act-ActSpeed1]
	case ActToStart:
		p.MoveTo(p.Start)
		a.Follow = true
	case ActToEnd:
		p.MoveTo(p.End)
		p.Playing = false
		a.Follow = true
	}
}

// viewerKey handles the keys that move the viewer's cursor; it reports
// whether k was one.
func (a *App) viewerKey(k Key) bool {
	p := a.Player
	step := a.View.Span() / 10
	switch k {
	case keySpace:
		a.doViewer(ActPlay)
	case keyHome:
		a.doViewer(ActToStart)
	case keyEnd:
		a.doViewer(ActToEnd)
	case key("1"):
		a.doViewer(ActSpeed1)
	case key("2"):
		a.doViewer(ActSpeed2)
	case key("0"):
		a.doViewer(ActSpeed10)
	case key("Comma"):
		p.MoveTo(p.At - step)
	case key("Period"):
		p.MoveTo(p.At + step)
	default:
		return false
	}
	return true
}

// scrubberDown starts a drag of the cursor if (x, y) is on the track.
func (a *App) scrubberDown(x, y float64) bool {
	p := a.Player
	grab := Rect{p.Track.X - 6, 0, p.Track.W + 12, ToolbarH}
	if !grab.Contains(x, y) {
		return false
	}
	p.dragging = true
	p.MoveTo(p.trackT(x))
	a.Follow = true
	return true
}

// scrubberMove drags the cursor.
func (a *App) scrubberMove(x float64) bool {
	if p := a.Player; p != nil && p.dragging {
		p.MoveTo(p.trackT(x))
		return true
	}
	return false
}

// scrubberUp ends a drag of the cursor.
func (a *App) scrubberUp() bool {
	if p := a.Player; p != nil && p.dragging {
		p.dragging = false
		return true
	}
	return false
}

// ViewerHelpLines are the help overlay's lines about the viewer.
var ViewerHelpLines = []string{
	"pollscope view — a recorded session",
	"",
	"Everything shows the run as it was at the cursor: the console, the",
	"tasks, resources, histograms and lints, and the timeline up to it.",
	"",
	"  Space    play / pause             1 / 2 / 0   play at 1× / 2× / 10×",
	"  Home     to the run's start       End         to its end",
	"  , / .    the cursor back / on by a tenth of the view",
	"  F        freeze / follow the cursor",
	"  + / -    zoom in / out            ← / →       pan",
	"  ↑ / ↓    select the previous / next task (or resource)",
	"  Ctrl+Alt+T  the model at the cursor as Perfetto JSON",
	"  Ctrl+Alt+S  a screenshot          F1 or ?     this help",
	"",
	"Mouse: click or drag on the scrubber (top right) to move the cursor;",
	"the timeline and the tables work as in the live window.",
	"",
	"Click or press Esc to close.",
}

// playingLag is how far, in wall-clock time, the model may trail the
// cursor while playing before the window says it is building the model:
// the worker building models is always a frame or two behind a moving
// cursor, which is playing, not waiting.
const playingLag = 250 * time.Millisecond

// behind reports whether the frame's model trails the cursor enough to
// say so.
func (p *Player) behind() bool {
	if p.ModelAt == p.At {
		return false
	}
	if !p.Playing {
		return true
	}
	lag := p.At - p.ModelAt
	return lag < 0 || float64(lag) > float64(playingLag)*p.Speed
}
