package view

import "math"

// Window geometry.
const (
	ToolbarH  = 36
	StatusH   = 24
	Margin    = 6
	PanePad   = 4
	MinWidth  = 1280
	MinHeight = 760
)

// Layout places the panes in a window: the toolbar on top, the console and
// the task table side by side under it, the timeline below them across the
// whole width, and the status bar at the bottom.
type Layout struct {
	Window   Rect
	Toolbar  Rect
	Console  Rect // the console pane, header included
	Screen   Rect // the 80×25 text screen inside it
	Scale    float64
	Table    Rect
	Timeline Rect
	Status   Rect
}

// MakeLayout lays out a w×h window. The console is drawn at the largest
// whole scale that leaves the table at least 780 pixels and the timeline at
// least 45% of the height.
func MakeLayout(w, h float64) Layout {
	L := Layout{Window: Rect{0, 0, w, h}}
	L.Toolbar = Rect{0, 0, w, ToolbarH}
	L.Status = Rect{0, h - StatusH, w, StatusH}
	scale := 1.0
	for s := 2.0; s <= 4; s++ {
		if 640*s+780+3*Margin <= w && 400*s+HeaderH+2*PanePad <= 0.55*(h-ToolbarH-StatusH) {
			scale = s
		}
	}
	L.Scale = scale
	sw, sh := 640*scale, 400*scale
	top := float64(ToolbarH + Margin)
	L.Console = Rect{Margin, top, sw + 2*PanePad, HeaderH + sh + 2*PanePad}
	L.Screen = Rect{L.Console.X + PanePad, L.Console.Y + HeaderH + PanePad, sw, sh}
	L.Table = Rect{L.Console.Right() + Margin, top, math.Max(0, w-L.Console.Right()-2*Margin), L.Console.H}
	tlTop := L.Console.Bottom() + Margin
	L.Timeline = Rect{Margin, tlTop, w - 2*Margin, math.Max(0, L.Status.Y-Margin-tlTop)}
	return L
}
