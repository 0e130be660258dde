package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
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
	Selected      uint32 // the selected task, 0 for none
	VM            string // the status bar's VM state ("running", "stopped in the debugger (breakpoint)")
	// CPU is the CPU pane, while it is shown.
	CPU *StateCPU `json:",omitempty"`
	// The session viewer's cursor (0 in the live window): where it is,
	// what the shown model is at, whether it plays; the scrubber's track
	// and the session's time range.
	Cursor, ModelAt          int64 `json:",omitempty"`
	Playing                  bool  `json:",omitempty"`
	Track                    view.Rect
	SessionStart, SessionEnd int64 `json:",omitempty"`
	// Frame times over the last frames (CPU time in Update and Draw).
	FrameMedianMs, FrameWorstMs float64
	Frames                      int
	FPS, TPS                    float64 // as ebiten measures them
}

// StateCPU is what the CPU pane shows, for tests that drive the debugger.
type StateCPU struct {
	Title   string
	RIP     uint64
	At      string   // RIP's symbol and offset
	Changed []string // the registers marked changed since the last stop
	Polling string   // the task being polled ("worker #5"), or what the CPU was in
	Link    view.Rect
	Stack   []string // the frames' symbols
	Method  string   // how the stack was found
}

// StateLane is one timeline lane.
type StateLane struct {
	Label string
	Kind  string
	Task  uint32
	Y, H  float64
	// A resource's lane: the top of its fill band (view.ResFillH high)
	// and of each wait row (view.ResRowH high).
	FillY float64   `json:",omitempty"`
	RowsY []float64 `json:",omitempty"`
}

type stateWriter struct {
	last    []byte
	written time.Time
}

// write saves the state of app a in a w×h window to path when it
// changed, at most twice a second.
func (s *stateWriter) write(path string, a *view.App, w, h int, frames *frameStats) {
	if path == "" || time.Since(s.written) < 500*time.Millisecond {
		return
	}
	st := State{
		Width: w, Height: h,
		Screen: a.Layout.Screen, Scale: a.Layout.Scale,
		Plot: a.Timeline.Plot,
		Colors: map[string]color.RGBA{
			"pollPending": view.ColPollPending, "pollReady": view.ColPollReady,
			"laneEven": view.ColLaneEven, "laneOdd": view.ColLaneOdd, "laneSelected": view.ColLaneSelected,
		},
		Focus:    map[view.Focus]string{view.FocusConsole: "console", view.FocusUI: "timeline"}[a.Focus],
		Follow:   a.Follow,
		Selected: a.Selected,
		VM:       a.Status.VM,
		CPU:      stateCPU(a),
	}
	if p := a.Player; p != nil {
		st.Cursor, st.ModelAt, st.Playing, st.Track = p.At, p.ModelAt, p.Playing, p.Track
		st.SessionStart, st.SessionEnd = p.Start, p.End
	}
	st.View, st.End = a.View, 0
	if m := a.Timeline.Model(); m != nil {
		st.End = m.End
	}
	st.FrameMedianMs, st.FrameWorstMs, st.Frames = frames.summary()
	st.FPS, st.TPS = ebiten.ActualFPS(), ebiten.ActualTPS()
	kinds := map[view.LaneKind]string{view.LaneTask: "task", view.LaneResource: "resource", view.LaneIRQ: "irq", view.LaneIdle: "idle", view.LaneStopped: "stopped", view.LaneExit: "exit", view.LaneKeys: "keys"}
	st.Colors["fillLine"], st.Colors["fillZero"] = view.ColFillLine, view.ColFillZero
	for _, ln := range a.Timeline.Lanes {
		sl := StateLane{Label: ln.Label, Kind: kinds[ln.Kind], Task: ln.Task, Y: ln.Y, H: ln.H}
		if ln.Kind == view.LaneResource {
			sl.FillY, sl.RowsY = view.ResourceBands(ln)
		}
		st.Lanes = append(st.Lanes, sl)
		if ln.Kind == view.LaneTask {
			st.Colors[fmt.Sprint("task", ln.Task)] = view.TaskColor(ln.Task)
		}
	}
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil || bytes.Equal(b, s.last) {
		return
	}
	tmp := path + ".tmp"
	if os.WriteFile(tmp, b, 0o644) == nil && os.Rename(tmp, path) == nil {
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

// stateCPU is the CPU pane's part of the state, nil while it is not shown.
func stateCPU(a *view.App) *StateCPU {
	p := &a.CPU
	if !a.CPUShown() || len(p.Regs) == 0 || len(p.Stack.Frames) == 0 {
		return nil
	}
	c := &StateCPU{Title: p.Title, RIP: p.Stack.Frames[0].Addr, At: p.Stack.Frames[0].Name, Link: p.TaskLink, Method: p.Stack.Method}
	for _, row := range p.Regs {
		for _, r := range row {
			if r.Changed {
				c.Changed = append(c.Changed, r.Name)
			}
		}
	}
	c.Polling = p.Polling.Else
	if p.Polling.Task != 0 {
		c.Polling = p.Polling.Label
	}
	for _, f := range p.Stack.Frames {
		c.Stack = append(c.Stack, f.Name)
	}
	return c
}
