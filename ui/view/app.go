package view

import (
	"fmt"
	"math"
	"time"

	"image/color"

	"github.com/pollscope/pollscope/emulator"
	"github.com/pollscope/pollscope/trace"
)

// Focus says where host keys go.
type Focus uint8

const (
	// FocusConsole: keys go to the guest's keyboard (except Ctrl+Alt
	// shortcuts).
	FocusConsole Focus = iota
	// FocusUI: keys drive the timeline and the controls.
	FocusUI
)

// Action is something the user asked for that the ebiten layer carries out
// on the machine or the file system.
type Action uint8

// The actions.
const (
	ActNone        Action = iota
	ActPauseVM            // pause a running VM, resume a paused one
	ActReset              // restart the guest from boot
	ActFreeze             // stop or start following the live edge (done by App)
	ActSaveTrace          // write the trace as Perfetto JSON
	ActScreenshot         // save the window as PNG
	ActHelp               // show or hide the help overlay (done by App)
	ActReleaseKeys        // the console lost focus: release the keys the guest sees held
	ActDebugBreak         // stop the vCPU in the debugger, or let a stopped one continue
	ActDebugStep          // run one instruction of a vCPU stopped in the debugger
	ActCPUPane            // show the CPU pane or the task table beside the console (done by App)
)

// DefaultSpan is how much time the live timeline shows at first.
const DefaultSpan = 4 * int64(time.Second)

// Button is a toolbar button.
type Button struct {
	Act      Action
	Label    string
	Hint     string // its shortcut, for its tooltip
	R        Rect
	On       bool
	Disabled bool
}

// App is the GUI's state between frames and the code that turns input into
// view changes and Actions. The ebiten layer calls its input methods from
// Update and Frame from Draw.
type App struct {
	Metrics  Metrics
	Layout   Layout
	Timeline Timeline
	Table    Table
	CPU      CPUPane
	Buttons  []Button

	View     Viewport
	Follow   bool // the timeline follows the live edge
	Scroll   float64
	Selected uint32 // selected task, 0 for none
	// SelectedResource is the resource selected (its Key), 0 for none;
	// Tab the list the table pane shows.
	SelectedResource uint32
	Tab              TableTab
	Focus            Focus
	Help             bool
	Status           Status
	// ShowTasks: the task table stays beside the console while the CPU
	// pane could be shown (the guest paused or stopped in the debugger).
	ShowTasks bool
	// Player is the session viewer's playback (player.go); nil in the
	// live window.
	Player *Player

	px, py      float64
	hoverItem   int
	hoverRow    uint32
	hoverRes    uint32
	hoverWait   int
	hoverButton int
	tabs        [2]Rect // the table pane's tabs: tasks, resources

	cpuIn      *CPUInput // this frame's, nil while the guest runs
	paneSwitch Rect      // the right pane's header link between the CPU and the tasks

	dragging   bool
	dragMoved  bool
	dragX      float64
	dragView   Viewport
	lastModel  *trace.Model
	lastLayout bool

	keys   keyRouter
	uptime Uptime
}

// NewApp returns the GUI state at start: following the live edge over
// DefaultSpan, keys going to the console.
func NewApp() *App {
	return &App{
		Metrics:     DefaultMetrics,
		View:        Viewport{0, DefaultSpan},
		Follow:      true,
		Focus:       FocusConsole,
		hoverItem:   -1,
		hoverButton: -1,
	}
}

// MachineReset starts over after the machine was reset or replaced: the
// guest holds no keys and its uptime starts again.
func (a *App) MachineReset() {
	a.keys = keyRouter{}
	a.uptime = Uptime{}
	a.lastModel = nil
	a.Timeline.built = false
	a.Follow = true
	a.View = Viewport{0, a.View.Span()}
	a.Selected = 0
	a.CPU = CPUPane{}
}

// FrameInput is what one frame shows.
type FrameInput struct {
	W, H   float64
	Model  *trace.Model
	Screen *emulator.Screen
	Now    time.Duration // wall time, for the blink phases and the uptime
	Status Status
	// CPU is the vCPU where it stands while the guest is paused or
	// stopped in the debugger; nil while it runs.
	CPU *CPUInput
	// ModelAt is, in the session viewer, the time Model and Screen are
	// at (the Player's cursor once they are built for it).
	ModelAt int64
}

// CPUShown reports whether the CPU pane takes the task table's place.
func (a *App) CPUShown() bool { return a.cpuIn != nil && !a.ShowTasks }

// Frame computes the whole window into s.
func (a *App) Frame(in FrameInput, s *Scene) {
	s.Reset()
	a.Status = in.Status
	a.cpuIn = in.CPU
	if p := a.Player; p != nil {
		p.ModelAt = in.ModelAt
		p.Loading = p.behind()
	}
	a.update(in.W, in.H, in.Model)
	b, o := &s.Base, &s.Overlay
	mt := a.Metrics
	L := a.Layout
	b.fill(L.Window, ColWindow)

	a.drawToolbar(b)

	// Console.
	if a.Player != nil {
		a.paneHeader(b, L.Console, "Console at "+FormatTime(in.ModelAt), "as recorded · read-only", false)
	} else {
		a.paneHeader(b, L.Console, "Console", a.consoleHint(), a.Focus == FocusConsole)
	}
	b.fill(L.Screen, emulator.ScreenColor(0))
	if in.Screen != nil {
		DrawConsole(b, in.Screen, L.Screen.X, L.Screen.Y, L.Scale, in.Now)
	}

	// Tasks, or the CPU.
	a.paneSwitch = Rect{}
	if a.CPUShown() {
		a.paneHeader(b, L.Table, a.CPU.Title, "", false)
		a.drawPaneSwitch(b, "tasks →")
		a.CPU.Draw(b, mt)
	} else {
		lints := ""
		if n := len(a.Table.Lints); n > 0 {
			lints = fmt.Sprintf("%d lint(s)", n)
		}
		a.drawTableHeader(b, lints, in.Model)
		if a.cpuIn != nil {
			a.drawPaneSwitch(b, "CPU →")
		}
		if a.Tab == TabResources {
			a.Table.drawResources(b, mt, a.SelectedResource, a.hoverRes, a.hoverWait)
		} else {
			a.Table.Draw(b, mt, a.Selected, a.hoverRow)
		}
	}

	// Timeline.
	tl := &a.Timeline
	mode := "LIVE"
	switch {
	case a.Player != nil && a.Player.Loading:
		mode = "AT " + FormatTime(a.Player.At) + " (building the model…)"
	case a.Player != nil && !a.Follow:
		mode = "FROZEN · cursor at " + FormatTime(a.Player.At)
	case a.Player != nil && a.Player.Playing:
		mode = fmt.Sprintf("PLAYING %g×", a.Player.Speed)
	case a.Player != nil:
		mode = "AT " + FormatTime(a.Player.At)
	case !a.Follow:
		mode = "FROZEN"
	case a.Status.Stopped:
		mode = "STOPPED IN THE DEBUGGER" // following, but nothing moves
	case a.Status.Paused:
		mode = "PAUSED"
	}
	a.paneHeader(b, L.Timeline, "Timeline · "+mode, fmt.Sprintf("span %s · 1 px = %s", FormatDuration(time.Duration(a.View.Span())), FormatDuration(time.Duration(a.View.NsPerPx(tl.Plot.W)))), a.Focus == FocusUI)
	a.drawLegend(b)
	tl.Draw(b, mt, a.Selected, a.hoverItem)
	if tl.ArrowsHidden && tl.Plot.H > 40 {
		hint := "too many wakes in view for arrows: zoom in, or select a task"
		if len(tl.Arrows) > 0 {
			hint = "arrows of the selected task only: zoom in for all"
		}
		r := Rect{tl.Plot.Right() - mt.TextWidth(hint) - 16, tl.Plot.Bottom() - mt.LineH - 10, mt.TextWidth(hint) + 12, mt.LineH + 6}
		b.fill(r, ColPaneHeader)
		b.frame(r, 1, ColBorder)
		b.text(r.X+6, r.Y+3, hint, ColTextDim)
	}

	a.drawStatus(b, in.Model, a.uptime.At(in.Model, a.Status.Paused || a.Status.Stopped, in.Now))

	// Overlay: tooltips, then help.
	if a.hoverItem >= 0 && !a.dragging {
		a.tooltip(o, tl.Tooltip(in.Model, a.hoverItem))
	} else if a.hoverButton >= 0 {
		bt := a.Buttons[a.hoverButton]
		a.tooltip(o, []string{bt.Hint})
	}
	if a.Help {
		a.drawHelp(o)
	}
}

// update brings the layout, index, view and panes up to date.
func (a *App) update(w, h float64, m *trace.Model) {
	a.Layout = MakeLayout(w, h)
	a.placeButtons()
	if m == nil {
		m = &trace.Model{}
	}
	a.lastModel = m
	switch {
	case a.Player != nil && a.Follow:
		a.View = a.View.EndingAt(max(a.Player.At, a.Player.Start+a.View.Span()))
	case a.Follow:
		a.View = a.View.EndingAt(max(m.End, a.View.Span()))
	}
	a.Timeline.Cursor = 0
	if a.Player != nil {
		a.Timeline.Cursor = max(a.Player.At, 1)
	}
	a.Timeline.Build(TimelineInput{Model: m, View: a.View, Pane: a.Layout.Timeline, Scroll: a.Scroll, Selected: a.Selected, SelectedResource: a.SelectedResource})
	a.Scroll = a.Timeline.Scroll
	a.Table.Tab, a.Table.SelectedResource = a.Tab, a.SelectedResource
	a.Table.Build(m, a.Layout.Table)
	if a.cpuIn != nil {
		a.CPU.Build(a.cpuIn, m, a.Layout.Table, a.Metrics)
	}
	a.lastLayout = true
	a.hover()
}

func (a *App) placeButtons() {
	if a.Player != nil {
		a.Buttons = a.viewerButtons()
		a.layoutButtons()
		a.placeTrack()
		return
	}
	pause := Button{Act: ActPauseVM, Label: "Pause VM", Hint: "pause the guest's vCPU (Ctrl+Alt+P; Space on the timeline)"}
	if a.Status.Paused {
		pause.Label, pause.On = "Resume VM", true
		pause.Hint = "resume the guest (Ctrl+Alt+P; Space on the timeline)"
	}
	if a.Status.Ended {
		pause.Disabled = true
		pause.Hint = "the guest has ended"
	}
	if a.Status.Stopped {
		pause.Disabled = true
		pause.Hint = "the guest is stopped in the debugger: Continue it first"
	}
	brk := Button{Act: ActDebugBreak, Label: "Stop", Hint: "stop the vCPU in the debugger, at the next instruction (Ctrl+Alt+B; F5 on the timeline)"}
	if a.Status.Stopped {
		brk.Label, brk.On = "Continue", true
		brk.Hint = "let the vCPU run until a breakpoint or a Stop (Ctrl+Alt+B; F5 on the timeline)"
	}
	step := Button{Act: ActDebugStep, Label: "Step", Hint: "run one instruction (Ctrl+Alt+N; F10 on the timeline)"}
	if !a.Status.Stopped {
		step.Disabled = true
		step.Hint = "stop the vCPU in the debugger first (Stop, Ctrl+Alt+B), then step one instruction"
	}
	if a.Status.Ended {
		brk.Disabled, step.Disabled = true, true
		brk.Hint, step.Hint = "the guest has ended", "the guest has ended"
	}
	freeze := Button{Act: ActFreeze, Label: "Freeze view", Hint: "stop following the live edge; the guest keeps running (F, Ctrl+Alt+F)"}
	if !a.Follow {
		freeze.Label, freeze.On = "Follow live", true
		freeze.Hint = "follow the live edge again (F or End, Ctrl+Alt+F)"
	}
	a.Buttons = append(a.Buttons[:0],
		pause,
		brk,
		step,
		Button{Act: ActReset, Label: "Reset", Hint: "reboot the guest with the same kernel and command line (Ctrl+Alt+R)"},
		freeze,
		Button{Act: ActSaveTrace, Label: "Save trace", Hint: "write the trace as Perfetto JSON (Ctrl+Alt+T)"},
		Button{Act: ActScreenshot, Label: "Screenshot", Hint: "save this window as PNG (Ctrl+Alt+S)"},
		Button{Act: ActHelp, Label: "Help", Hint: "keys and mouse (F1 or ? on the timeline, Ctrl+Alt+H)", On: a.Help},
	)
	a.layoutButtons()
}

// layoutButtons places the toolbar's buttons from the left.
func (a *App) layoutButtons() {
	x := float64(Margin)
	for i := range a.Buttons {
		bw := a.Metrics.TextWidth(a.Buttons[i].Label) + 24
		a.Buttons[i].R = Rect{x, 6, bw, ToolbarH - 12}
		x += bw + 6
	}
}

func (a *App) consoleHint() string {
	if a.Focus == FocusConsole {
		return "keys go to the guest · Ctrl+Alt+G releases"
	}
	return "click to type into the guest"
}

func (a *App) paneHeader(l *Layer, r Rect, title, right string, focused bool) {
	mt := a.Metrics
	l.fill(r, ColPane)
	l.fill(Rect{r.X, r.Y, r.W, HeaderH}, ColPaneHeader)
	border := ColBorder
	if focused {
		border = ColFocus
	}
	l.frame(r, 1, border)
	ty := r.Y + (HeaderH-mt.LineH)/2
	l.text(r.X+8, ty, title, ColText)
	if right != "" {
		x := math.Max(r.X+8+mt.TextWidth(title)+2*mt.CharW, r.Right()-8-mt.TextWidth(right))
		l.text(x, ty, mt.Fit(right, r.Right()-8-x), ColTextDim)
	}
}

func (a *App) drawToolbar(l *Layer) {
	mt := a.Metrics
	l.fill(a.Layout.Toolbar, ColPaneHeader)
	l.fill(Rect{0, ToolbarH - 1, a.Layout.Window.W, 1}, ColBorder)
	for i, bt := range a.Buttons {
		bg, fg := ColButton, ColText
		switch {
		case bt.Disabled:
			bg, fg = ColButtonOff, ColTextDim
		case bt.On:
			bg = ColButtonOn
		case i == a.hoverButton:
			bg = ColButtonHover
		}
		l.fill(bt.R, bg)
		l.frame(bt.R, 1, ColBorder)
		l.text(bt.R.X+12, bt.R.Y+(bt.R.H-mt.LineH)/2, bt.Label, fg)
	}
	if a.Player != nil {
		a.drawTrack(l, a.Player.Keys)
		return
	}
	title := "pollscope"
	keys := "keyboard → guest"
	if a.Focus == FocusUI {
		keys = "keyboard → timeline"
	}
	right := keys + "   " + title
	x := a.Layout.Window.W - Margin - 4 - mt.TextWidth(right)
	if n := len(a.Buttons); n > 0 && x > a.Buttons[n-1].R.Right()+20 {
		l.text(x, (ToolbarH-mt.LineH)/2, keys, ColTextDim)
		l.text(x+mt.TextWidth(keys+"   "), (ToolbarH-mt.LineH)/2, title, ColFocus)
	}
}

// legend lists the timeline's colours for its header.
var legend = []struct {
	label string
	col   colorRGBA
	line  bool
}{
	{"poll", ColPollPending, false},
	{"ready", ColPollReady, false},
	{"scheduled", ColScheduled, false},
	{"irq", ColIRQ, false},
	{"hlt", ColIdle, false},
	{"stopped", ColStopped, false},
	{"exit", ColExit, false},
	{"fill", ColFillLine, false},
	{"wake: irq", ColWakeIRQ, true},
	{"task", ColWakeTask, true},
	{"self", ColWakeSelf, true},
	{"via resource", ColWakeVia, true},
}

func (a *App) drawLegend(l *Layer) {
	mt := a.Metrics
	r := a.Layout.Timeline
	w := 0.0
	for _, e := range legend {
		w += 14 + mt.TextWidth(e.label) + 12
	}
	// Centre it in the header, between the title and the span.
	x := r.X + (r.W-w)/2
	if x < r.X+8+mt.TextWidth("Timeline · FROZEN")+16 {
		return
	}
	y := r.Y + (HeaderH-mt.LineH)/2
	for _, e := range legend {
		if e.line {
			l.fill(Rect{x, r.Y + HeaderH/2 - 1, 10, 2}, e.col)
		} else {
			l.fill(Rect{x, r.Y + 6, 10, HeaderH - 12}, e.col)
		}
		l.text(x+14, y, e.label, ColTextDim)
		x += 14 + mt.TextWidth(e.label) + 12
	}
}

func (a *App) drawStatus(l *Layer, m *trace.Model, up time.Duration) {
	mt := a.Metrics
	r := a.Layout.Status
	l.fill(r, ColPaneHeader)
	l.fill(Rect{r.X, r.Y, r.W, 1}, ColBorder)
	st := a.Status
	if m == nil {
		m = &trace.Model{}
	}
	parts := []struct {
		s   string
		col colorRGBA
	}{
		{st.Backend, ColFocus},
		{st.Host, ColTextDim},
		{"VM " + st.VM, vmColor(st)},
		{a.uptimeText(up), ColText},
		{"events " + FormatRate(st.EventsRate), ColText},
		{"exits " + FormatRate(st.ExitsRate), ColText},
		{"total " + FormatCount(m.EventCount), ColTextDim},
		{"dropped " + FormatCount(m.Dropped), countColor(m.Dropped)},
		{"evicted " + FormatCount(m.Evicted), countColor(m.Evicted)},
	}
	if a.Player != nil {
		// A recorded run: no VM, no rates; the events up to the cursor.
		parts[2].s, parts[4].s, parts[5].s = st.VM, "", ""
		parts[6].s = "events " + FormatCount(m.EventCount)
	}
	x := r.X + 8
	y := r.Y + (r.H-mt.LineH)/2 + 1
	for _, p := range parts {
		if p.s == "" {
			continue
		}
		l.text(x, y, p.s, p.col)
		x += mt.TextWidth(p.s) + 3*mt.CharW
	}
	if st.Message != "" {
		col := ColTextDim
		if st.MessageBad {
			col = ColTextBad
		}
		msg := mt.Fit(st.Message, r.Right()-8-x)
		l.text(r.Right()-8-mt.TextWidth(msg), y, msg, col)
	}
}

// uptimeText is the status bar's time: the guest's uptime, or in the
// viewer the cursor's time in the run.
func (a *App) uptimeText(up time.Duration) string {
	if p := a.Player; p != nil {
		state := "paused"
		if p.Playing {
			state = fmt.Sprintf("playing %g×", p.Speed)
		}
		return fmt.Sprintf("at %s of %s · %s", FormatTime(p.At), FormatTime(p.End), state)
	}
	return "up " + FormatUptime(up)
}

type colorRGBA = color.RGBA

func vmColor(st Status) colorRGBA {
	switch {
	case st.Ended, st.Paused:
		return ColTextWarn
	case st.Stopped:
		return ColStopped
	}
	return ColPollReady
}

func countColor(n uint64) colorRGBA {
	if n > 0 {
		return ColTextWarn
	}
	return ColTextDim
}

// tooltip draws lines in a box beside the pointer, kept inside the window.
func (a *App) tooltip(l *Layer, lines []string) {
	if len(lines) == 0 {
		return
	}
	mt := a.Metrics
	w := 0.0
	for _, s := range lines {
		w = math.Max(w, mt.TextWidth(s))
	}
	w += 16
	h := float64(len(lines))*mt.LineH + 10
	x, y := a.px+16, a.py+18
	if x+w > a.Layout.Window.W-4 {
		x = a.px - 12 - w
	}
	if y+h > a.Layout.Window.H-4 {
		y = a.py - 8 - h
	}
	x, y = math.Max(x, 4), math.Max(y, 4)
	r := Rect{x, y, w, h}
	l.fill(r, ColTooltip)
	l.frame(r, 1, ColTooltipBorder)
	for i, s := range lines {
		col := ColText
		if i > 0 {
			col = ColTextDim
		}
		l.text(x+8, y+5+float64(i)*mt.LineH, s, col)
	}
}

// drawTableHeader draws the table pane's header with its two tabs.
func (a *App) drawTableHeader(l *Layer, right string, m *trace.Model) {
	mt := a.Metrics
	r := a.Layout.Table
	a.paneHeader(l, r, "", right, false)
	nres := 0
	if m != nil {
		nres = len(m.Resources)
	}
	x := r.X + 4
	for i, label := range []string{fmt.Sprintf("Tasks (%d)", len(a.Table.Rows)), fmt.Sprintf("Resources (%d)", nres)} {
		w := mt.TextWidth(label) + 16
		a.tabs[i] = Rect{x, r.Y + 1, w, HeaderH - 2}
		col := ColTextDim
		if TableTab(i) == a.Tab {
			l.fill(a.tabs[i], ColPane)
			l.fill(Rect{x, r.Y + HeaderH - 3, w, 2}, ColFocus)
			col = ColText
		}
		l.text(x+8, r.Y+(HeaderH-mt.LineH)/2, label, col)
		x += w + 4
	}
}

// drawPaneSwitch draws the right pane's header link between the CPU pane
// and the task table.
func (a *App) drawPaneSwitch(l *Layer, label string) {
	mt := a.Metrics
	r := a.Layout.Table
	w := mt.TextWidth(label) + 16
	a.paneSwitch = Rect{r.Right() - w - 4, r.Y + 3, w, HeaderH - 6}
	l.fill(a.paneSwitch, ColButton)
	l.text(a.paneSwitch.X+8, r.Y+(HeaderH-mt.LineH)/2, label, ColFocus)
}

// ShowTaskLane selects task id and brings its lane into view around time
// t: the timeline stops following, the view keeps its span, and the lanes
// scroll so that the task's is in the upper part of the plot.
func (a *App) ShowTaskLane(id uint32, t int64) {
	a.Selected = id
	a.Follow = false
	span := a.View.Span()
	a.View = Viewport{t - span*2/3, t + span/3}
	tl := &a.Timeline
	if i := TaskLane(tl.Lanes, id); i >= 0 {
		a.Scroll = math.Max(0, a.Scroll+tl.Lanes[i].Y-tl.Plot.Y-tl.Plot.H/4)
	}
}
