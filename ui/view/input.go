package view

import (
	"math"
	"slices"
)

// hover recomputes what the pointer is over from the last frame's layout.
func (a *App) hover() {
	a.hoverItem, a.hoverRow, a.hoverButton, a.hoverRes, a.hoverWait = -1, 0, -1, 0, -1
	if a.Help {
		return
	}
	for i, bt := range a.Buttons {
		if bt.R.Contains(a.px, a.py) {
			a.hoverButton = i
			return
		}
	}
	if a.Timeline.Plot.Contains(a.px, a.py) || a.Timeline.Labels.Contains(a.px, a.py) {
		a.hoverItem = a.Timeline.HitItem(a.px, a.py)
		return
	}
	if !a.CPUShown() {
		a.hoverRow = a.Table.RowAt(a.px, a.py)
		if a.Tab == TabResources {
			a.hoverRes = a.Table.ResourceAt(a.px, a.py)
			for i, w := range a.Table.Waits {
				if w.R.Contains(a.px, a.py) && w.R.Bottom() <= a.Table.Pane.Bottom() {
					a.hoverWait = i
				}
			}
		}
	}
}

// HoverItem is the timeline item under the pointer, -1 for none.
func (a *App) HoverItem() int { return a.hoverItem }

// PointerMove follows the pointer; while dragging on the timeline it pans.
func (a *App) PointerMove(x, y float64) {
	a.px, a.py = x, y
	if a.scrubberMove(x) {
		return
	}
	if a.dragging {
		dx := x - a.dragX
		if math.Abs(dx) > 2 {
			a.dragMoved = true
		}
		if a.dragMoved {
			a.Follow = false
			ns := dx * a.dragView.NsPerPx(a.Timeline.Plot.W)
			a.View = a.dragView.Pan(-int64(ns))
		}
	}
	if a.lastLayout {
		a.hover()
	}
}

// PointerDown handles a press of the left button at (x, y).
func (a *App) PointerDown(x, y float64) []Action {
	a.PointerMove(x, y)
	if a.Help {
		a.Help = false
		return nil
	}
	for _, bt := range a.Buttons {
		if bt.R.Contains(x, y) {
			if bt.Disabled {
				return nil
			}
			return a.Do(bt.Act)
		}
	}
	if a.Player != nil {
		if a.scrubberDown(x, y) {
			return nil
		}
		if a.Timeline.Plot.Contains(x, y) {
			a.dragging, a.dragMoved, a.dragX, a.dragView = true, false, x, a.View
		}
		return nil // no guest to type into
	}
	var acts []Action
	if a.Layout.Console.Contains(x, y) {
		a.Focus = FocusConsole
		return nil
	}
	if a.Focus == FocusConsole && (a.Layout.Timeline.Contains(x, y) || a.Layout.Table.Contains(x, y)) {
		a.Focus = FocusUI
		acts = append(acts, ActReleaseKeys)
	}
	if a.Timeline.Plot.Contains(x, y) {
		a.dragging, a.dragMoved, a.dragX, a.dragView = true, false, x, a.View
	}
	return acts
}

// PointerUp handles the release of the left button: a click (a press and
// release without a drag) selects the task of the span or row under it, or
// clears the selection on empty space.
func (a *App) PointerUp(x, y float64) []Action {
	if a.scrubberUp() {
		return nil
	}
	a.PointerMove(x, y)
	wasDrag := a.dragging && a.dragMoved
	a.dragging = false
	if wasDrag {
		return nil
	}
	tl := &a.Timeline
	switch {
	case a.Player != nil && tl.RulerR.Contains(x, y):
		// The viewer: a click on the ruler puts the cursor there.
		a.Player.MoveTo(a.View.T(x, tl.Plot.X, tl.Plot.W))
	case a.paneSwitch.Contains(x, y):
		a.Do(ActCPUPane)
	case a.CPUShown() && a.CPU.TaskLink.Contains(x, y):
		a.ShowTaskLane(a.CPU.Polling.Task, a.lastModel.End)
	case a.CPUShown() && a.Layout.Table.Contains(x, y):
		// The CPU pane: nothing else to click.
	case a.tabs[0].Contains(x, y):
		a.Tab = TabTasks
	case a.tabs[1].Contains(x, y):
		a.Tab = TabResources
	case tl.Plot.Contains(x, y) || tl.Labels.Contains(x, y):
		if k := tl.HitItem(x, y); k >= 0 {
			it := &tl.Items[k]
			switch ln := tl.Lanes[it.Lane]; {
			case ln.Kind == LaneTask:
				a.Selected = ln.Task
				return nil
			case ln.Kind == LaneResource && it.Task != 0:
				// A wait, or a sleep's deadline: the waiting task.
				a.Selected = it.Task
				return nil
			case ln.Kind == LaneResource:
				a.SelectResource(ln.Resource)
				return nil
			}
		}
		if li := tl.LaneAt(y); li >= 0 && tl.Labels.Contains(x, y) {
			switch ln := tl.Lanes[li]; ln.Kind {
			case LaneTask:
				a.Selected = ln.Task
				return nil
			case LaneResource:
				a.SelectResource(ln.Resource)
				return nil
			}
		}
		a.Selected, a.SelectedResource = 0, 0
	case a.Layout.Table.Contains(x, y) && a.Tab == TabResources:
		if w, ok := a.Table.WaitAt(x, y); ok {
			a.ShowTaskLane(w.Task, w.Start)
			return nil
		}
		a.SelectedResource = a.Table.ResourceAt(x, y)
	case a.Layout.Table.Contains(x, y):
		a.Selected = a.Table.RowAt(x, y)
	}
	return nil
}

// SelectResource selects resource key and shows the Resources tab.
func (a *App) SelectResource(key uint32) {
	a.SelectedResource, a.Tab = key, TabResources
}

// Wheel handles a wheel turn at (x, y): dy > 0 is away from the user. On
// the plot it zooms around the pointer (around the live edge while
// following), with shift or a horizontal turn it pans; on the lane names it
// scrolls the lanes.
func (a *App) Wheel(x, y, dx, dy float64, shift bool) {
	tl := &a.Timeline
	if a.Help {
		return
	}
	if tl.Labels.Contains(x, y) {
		a.Scroll = math.Max(0, a.Scroll-dy*2*(LaneH+LaneGap))
		return
	}
	if !tl.Plot.Contains(x, y) {
		return
	}
	if shift && dx == 0 {
		dx, dy = dy, 0
	}
	if dx != 0 {
		a.Follow = false
		a.View = a.View.Pan(int64(-dx * 60 * a.View.NsPerPx(tl.Plot.W)))
	}
	if dy != 0 {
		f := math.Pow(0.8, dy)
		at := a.View.T(x, tl.Plot.X, tl.Plot.W)
		if a.Follow {
			at = a.View.End
		}
		a.View = a.View.ZoomAt(at, f)
	}
}

// Key handles a key pressed while the timeline or the table has focus, or
// while the help is open (whatever has focus).
func (a *App) Key(k Key, shift bool) []Action {
	span := a.View.Span()
	if a.Help {
		// The help takes the keys while it is open: only closing keys act.
		if k == keyEscape || k == keyF1 || (k == keySlash && shift) {
			a.Help = false
		}
		return nil
	}
	if a.Player != nil && a.viewerKey(k) {
		return nil
	}
	switch k {
	case keyEscape:
		a.Selected, a.SelectedResource = 0, 0
	case keyF1:
		a.Help = !a.Help
	case keySlash:
		if shift {
			a.Help = !a.Help
		}
	case keyF:
		return a.Do(ActFreeze)
	case keySpace:
		return a.Do(ActPauseVM)
	case keyEqual, keyKPPlus:
		a.zoomKey(0.5)
	case keyMinus, keyKPMinus:
		a.zoomKey(2)
	case keyLeft:
		a.Follow = false
		a.View = a.View.Pan(-span / 8)
	case keyRight:
		a.Follow = false
		a.View = a.View.Pan(span / 8)
	case keyHome:
		if m := a.lastModel; m != nil && m.End > m.Start {
			a.Follow = false
			a.View = Viewport{m.Start, m.End}
			if a.View.Span() < MinSpan {
				a.View.End = a.View.Start + MinSpan
			}
		}
	case keyEnd:
		a.Follow = true
	case keyUp, keyDown:
		a.moveSelection(k == keyDown)
	case keyTab:
		a.Focus = FocusConsole
	case keyF5:
		return a.Do(ActDebugBreak)
	case keyF10, keyF11:
		return a.Do(ActDebugStep)
	}
	return nil
}

func (a *App) zoomKey(f float64) {
	at := a.View.Start + a.View.Span()/2
	if a.Follow {
		at = a.View.End
	}
	a.View = a.View.ZoomAt(at, f)
}

func (a *App) moveSelection(down bool) {
	if a.Tab == TabResources {
		a.moveResourceSelection(down)
		return
	}
	rows := a.Table.Rows
	if len(rows) == 0 {
		return
	}
	cur := -1
	for i, r := range rows {
		if r.Task == a.Selected {
			cur = i
		}
	}
	switch {
	case cur < 0 && down:
		cur = 0
	case cur < 0:
		cur = len(rows) - 1
	case down:
		cur = min(cur+1, len(rows)-1)
	default:
		cur = max(cur-1, 0)
	}
	a.Selected = rows[cur].Task
}

func (a *App) moveResourceSelection(down bool) {
	rows := a.Table.ResRows
	if len(rows) == 0 {
		return
	}
	cur := slices.IndexFunc(rows, func(r ResourceRow) bool { return r.Resource == a.SelectedResource })
	switch {
	case cur < 0 && down:
		cur = 0
	case cur < 0:
		cur = len(rows) - 1
	case down:
		cur = min(cur+1, len(rows)-1)
	default:
		cur = max(cur-1, 0)
	}
	a.SelectedResource = rows[cur].Resource
}

// Shortcut handles Ctrl+Alt with key k, in either focus. It reports
// whether the key is a shortcut (and so must not reach the guest).
func (a *App) Shortcut(k Key) ([]Action, bool) {
	if a.Player != nil {
		switch k.String() {
		case "P", "R", "B", "N", "C", "G":
			return nil, true // nothing to pause, reset or debug
		}
	}
	switch k.String() {
	case "P":
		return a.Do(ActPauseVM), true
	case "R":
		return a.Do(ActReset), true
	case "F":
		return a.Do(ActFreeze), true
	case "T":
		return a.Do(ActSaveTrace), true
	case "S":
		return a.Do(ActScreenshot), true
	case "H":
		return a.Do(ActHelp), true
	case "B":
		return a.Do(ActDebugBreak), true
	case "N":
		return a.Do(ActDebugStep), true
	case "C":
		return a.Do(ActCPUPane), true
	case "G":
		if a.Focus == FocusConsole {
			a.Focus = FocusUI
			return []Action{ActReleaseKeys}, true
		}
		a.Focus = FocusConsole
		return nil, true
	}
	return nil, false
}

// Do carries out the view's part of an action and returns what the ebiten
// layer must do.
func (a *App) Do(act Action) []Action {
	if act >= ActPlay {
		if a.Player != nil {
			a.doViewer(act)
		}
		return nil
	}
	if a.Player != nil {
		switch act {
		case ActPauseVM, ActReset, ActDebugBreak, ActDebugStep, ActCPUPane, ActReleaseKeys:
			return nil
		}
	}
	switch act {
	case ActFreeze:
		a.Follow = !a.Follow
		return nil
	case ActHelp:
		a.Help = !a.Help
		return nil
	case ActCPUPane:
		a.ShowTasks = !a.ShowTasks
		return nil
	case ActPauseVM:
		if a.Status.Ended || a.Status.Stopped {
			return nil
		}
	case ActDebugBreak:
		if a.Status.Ended {
			return nil
		}
	case ActDebugStep:
		if a.Status.Ended || !a.Status.Stopped {
			return nil
		}
	}
	return []Action{act}
}
