package ui

import (
	"bytes"
	"encoding/json"
	"image/color"
	"os"
	"slices"
	"time"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/pollscope/pollscope/ui/view"
)

// State is the window's layout as Options.StateFile receives it: enough for
// a test to find the console and the lanes in a screenshot, and the frame
// times the window measured.
type State struct {
	Width, Height int
	Screen        view.Rect     // the 80×25 text screen
	Scale         float64       // screen pixels per VGA font pixel
	Plot          view.Rect     // the timeline's time axis area
	View          view.Viewport // the times at the plot's left and right edges
	End           int64         // the trace's last event
	Lanes         []StateLane
	Colors        map[string]color.RGBA
	Focus         string
	Follow        bool
	// Frame times over the last frames (CPU time in Update and Draw).
	FrameMedianMs, FrameWorstMs float64
	Frames                      int
	FPS, TPS                    float64 // as ebiten measures them
}

// StateLane is one timeline lane.
type StateLane struct {
	Label string
	Kind  string
	Task  uint32
	Y, H  float64
}

type stateWriter struct {
	last    []byte
	written time.Time
}

// write saves the state when it changed, at most twice a second.
func (s *stateWriter) write(g *game) {
	if g.opts.StateFile == "" || time.Since(s.written) < 500*time.Millisecond {
		return
	}
	a := g.app
	st := State{
		Width: g.w, Height: g.h,
		Screen: a.Layout.Screen, Scale: a.Layout.Scale,
		Plot: a.Timeline.Plot,
		Colors: map[string]color.RGBA{
			"pollPending": view.ColPollPending, "pollReady": view.ColPollReady,
			"laneEven": view.ColLaneEven, "laneOdd": view.ColLaneOdd, "laneSelected": view.ColLaneSelected,
		},
		Focus:  map[view.Focus]string{view.FocusConsole: "console", view.FocusUI: "timeline"}[a.Focus],
		Follow: a.Follow,
	}
	st.FrameMedianMs, st.FrameWorstMs, st.Frames = g.frames.summary()
	st.FPS, st.TPS = ebiten.ActualFPS(), ebiten.ActualTPS()
	kinds := map[view.LaneKind]string{view.LaneTask: "task", view.LaneIRQ: "irq", view.LaneIdle: "idle", view.LaneStopped: "stopped", view.LaneExit: "exit", view.LaneKeys: "keys"}
	for _, ln := range a.Timeline.Lanes {
		st.Lanes = append(st.Lanes, StateLane{Label: ln.Label, Kind: kinds[ln.Kind], Task: ln.Task, Y: ln.Y, H: ln.H})
	}
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil || bytes.Equal(b, s.last) {
		return
	}
	tmp := g.opts.StateFile + ".tmp"
	if os.WriteFile(tmp, b, 0o644) == nil && os.Rename(tmp, g.opts.StateFile) == nil {
		s.last, s.written = b, time.Now()
	}
}

// frameStats keeps the CPU time of the last frames.
type frameStats struct {
	cur   time.Duration
	times []time.Duration
}

func (f *frameStats) update(d time.Duration) { f.cur += d }

func (f *frameStats) draw(d time.Duration) {
	f.times = append(f.times, f.cur+d)
	f.cur = 0
	if len(f.times) > 600 {
		f.times = f.times[len(f.times)-300:]
	}
}

func (f *frameStats) summary() (median, worst float64, n int) {
	if len(f.times) == 0 {
		return 0, 0, 0
	}
	s := slices.Clone(f.times)
	slices.Sort(s)
	ms := func(d time.Duration) float64 { return float64(d) / 1e6 }
	return ms(s[len(s)/2]), ms(s[len(s)-1]), len(s)
}
