package view

import "math"

// SaveDirHint names, for the help, where saved traces and screenshots go
// (ui.DefaultDir, unless pollscope was told a -trace path).
const SaveDirHint = "$XDG_STATE_HOME/pollscope (~/.local/state/pollscope)"

// HelpLines are the help overlay's text.
var HelpLines = []string{
	"pollscope — keys and mouse",
	"",
	"Focus   click the console to type into the guest (every key goes to its",
	"        PS/2 keyboard, which repeats a held key at the rate the guest set);",
	"        click the timeline or the table to drive the view with the keys",
	"        below. Ctrl+Alt+G toggles.",
	"",
	"Anywhere (never sent to the guest)",
	"  Ctrl+Alt+P  pause / resume the VM      Ctrl+Alt+R  reset the guest",
	"  Ctrl+Alt+F  freeze / follow the view   Ctrl+Alt+T  save the trace (Perfetto JSON)",
	"  Ctrl+Alt+S  save a screenshot (PNG)    Ctrl+Alt+H  this help",
	"  Ctrl+Alt+B  stop in the debugger / continue   Ctrl+Alt+N  step one instruction",
	"  Ctrl+Alt+C  CPU pane / task table (while paused or stopped)",
	"  Saved traces and screenshots go to " + SaveDirHint + ".",
	"",
	"Timeline or table focused",
	"  F       freeze / follow live           Space     pause / resume the VM",
	"  F5      stop / continue (debugger)     F10       step one instruction",
	"  + / -   zoom in / out                  ← / →     pan",
	"  Home    whole trace                    End       follow the live edge",
	"  ↑ / ↓   select the previous / next task",
	"  Esc     clear the selection            F1 or ?   this help",
	"",
	"Mouse",
	"  wheel on the timeline   zoom around the pointer (Shift+wheel pans)",
	"  wheel on lane names     scroll the lanes",
	"  drag on the timeline    pan (freezes the view; the guest keeps running)",
	"  hover                   details of a poll, interrupt, hlt or exit",
	"  click a span or a row   select its task (its lane and row light up)",
	"",
	"Colours: blue poll (Pending), green poll (Ready), faint amber: woken and",
	"waiting for its poll; arrows run from what woke a task to the poll it got:",
	"amber from an interrupt, cyan from another task, magenta from itself.",
	"Red: stopped in the debugger, time every duration and statistic leaves out.",
	"",
	"Debugger: gdb (-s, -S, -gdb) and these buttons drive the same vCPU; while",
	"it stands still the CPU pane shows its registers (changed ones in yellow),",
	"the code at RIP, the stack and the task being polled (click: its lane).",
	"",
	"Click or press Esc to close.",
}

func (a *App) drawHelp(l *Layer) {
	mt := a.Metrics
	W := a.Layout.Window
	l.fill(W, ColOverlayShade)
	lines := HelpLines
	if a.Player != nil {
		lines = ViewerHelpLines
	}
	w := 0.0
	for _, s := range lines {
		w = math.Max(w, mt.TextWidth(s))
	}
	w += 40
	h := float64(len(lines))*mt.LineH + 32
	r := Rect{math.Round((W.W - w) / 2), math.Round((W.H - h) / 2), w, h}
	l.fill(r, ColPane)
	l.frame(r, 1, ColFocus)
	for i, s := range lines {
		col := ColText
		if i == 0 {
			col = ColFocus
		}
		l.text(r.X+20, r.Y+16+float64(i)*mt.LineH, s, col)
	}
}
