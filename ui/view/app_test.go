package view

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pollscope/pollscope/emulator"
)

func TestLayoutPanes(t *testing.T) {
	for _, c := range []struct {
		w, h  float64
		scale float64
	}{{1600, 1000, 1}, {MinWidth, MinHeight, 1}, {2560, 1600, 2}} {
		L := MakeLayout(c.w, c.h)
		if L.Scale != c.scale || L.Screen.W != 640*c.scale || L.Screen.H != 400*c.scale {
			t.Errorf("%vx%v: console scale %v (%vx%v), want %v", c.w, c.h, L.Scale, L.Screen.W, L.Screen.H, c.scale)
		}
		panes := []Rect{L.Toolbar, L.Console, L.Table, L.Timeline, L.Status}
		for i, a := range panes {
			if a.X < 0 || a.Y < 0 || a.Right() > c.w || a.Bottom() > c.h || a.W <= 0 || a.H <= 0 {
				t.Errorf("%vx%v: pane %d %+v outside the window", c.w, c.h, i, a)
			}
			for j, b := range panes[:i] {
				if a.X < b.Right() && b.X < a.Right() && a.Y < b.Bottom() && b.Y < a.Bottom() {
					t.Errorf("%vx%v: panes %d and %d overlap", c.w, c.h, i, j)
				}
			}
		}
		if !L.Console.Contains(L.Screen.X, L.Screen.Y) || !L.Console.Contains(L.Screen.Right()-1, L.Screen.Bottom()-1) {
			t.Errorf("%vx%v: the screen is not inside the console pane", c.w, c.h)
		}
		if L.Table.W < 780 && c.w >= 1600 {
			t.Errorf("%vx%v: table only %v wide", c.w, c.h, L.Table.W)
		}
	}
}

func TestDrawConsole(t *testing.T) {
	var s emulator.Screen
	for c, ch := range []byte("hi \x01") {
		s.Cells[2][c] = emulator.ScreenCell{Char: ch, Attr: 0x1F} // white on blue
	}
	s.Cells[3][0] = emulator.ScreenCell{Char: 'B', Attr: 0x8E} // blinking yellow on black
	s.Cells[3][5].Attr = 0x07
	s.CursorRow, s.CursorCol, s.CursorVisible, s.CursorStart, s.CursorEnd = 3, 5, true, 14, 15
	var on, off Layer
	DrawConsole(&on, &s, 10, 20, 2, 0)
	DrawConsole(&off, &s, 10, 20, 2, CharBlink+CursorBlink)
	glyphs := func(l Layer) (out []string) {
		for _, g := range l.Glyphs {
			out = append(out, string(emulator.CP437(g.Char)))
		}
		return out
	}
	if got := glyphs(on); !slices.Equal(got, []string{"h", "i", "☺", "B"}) {
		t.Errorf("glyphs in the on phase: %q", got)
	}
	if got := glyphs(off); !slices.Equal(got, []string{"h", "i", "☺"}) {
		t.Errorf("glyphs in the off phase: %q (the blinking B must be hidden)", got)
	}
	if g := on.Glyphs[1]; g.X != 10+1*16 || g.Y != 20+2*32 || g.Scale != 2 || g.Color != emulator.ScreenColor(15) {
		t.Errorf("glyph 'i' at (%v,%v) ×%v in %v", g.X, g.Y, g.Scale, g.Color)
	}
	// One background run for the four blue cells, then the cursor.
	if len(on.Fills) != 2 || on.Fills[0].Rect != (Rect{10, 20 + 2*32, 4 * 16, 32}) || on.Fills[0].Color != emulator.ScreenColor(1) {
		t.Fatalf("fills %+v", on.Fills)
	}
	cur := on.Fills[1]
	if cur.Rect != (Rect{10 + 5*16, 20 + 3*32 + 14*2, 16, 4}) || cur.Color != emulator.ScreenColor(7) {
		t.Errorf("cursor %+v, want scan lines 14-15 of cell (3,5) in the cell's foreground", cur)
	}
	if len(off.Fills) != 1 {
		t.Errorf("the cursor shows in its off phase")
	}
}

func newTestApp(t testing.TB) (*App, FrameInput) {
	t.Helper()
	m := collect(demoStream(200).evs)
	var scr emulator.Screen
	for c, ch := range []byte("pollscope demo kernel") {
		scr.Cells[0][c] = emulator.ScreenCell{Char: ch, Attr: 0x07}
	}
	a := NewApp()
	in := FrameInput{W: 1600, H: 1000, Model: m, Screen: &scr, Status: Status{Backend: "KVM", VM: "running"}}
	var s Scene
	a.Frame(in, &s)
	return a, in
}

func TestFrameShowsEverything(t *testing.T) {
	a, in := newTestApp(t)
	var s Scene
	a.Frame(in, &s)
	var texts []string
	for _, tx := range s.Base.Texts {
		texts = append(texts, tx.S)
	}
	all := strings.Join(texts, "|")
	for _, want := range []string{"Pause VM", "Reset", "Freeze view", "Save trace", "Screenshot", "Help", "Console", "Tasks (3)", "Timeline · LIVE", "keyboard", "IRQ0 timer", "idle (hlt)", "exit hlt", "KVM", "VM running"} {
		if !strings.Contains(all, want) {
			t.Errorf("the frame does not show %q", want)
		}
	}
	if len(s.Base.Glyphs) != len("pollscopedemokernel") {
		t.Errorf("%d console glyphs", len(s.Base.Glyphs))
	}
	if a.View.End != max(in.Model.End, DefaultSpan) || a.View.Span() != DefaultSpan {
		t.Errorf("live view %+v does not end at the model's end %d", a.View, in.Model.End)
	}
}

func TestFocusAndControls(t *testing.T) {
	a, in := newTestApp(t)
	L := a.Layout
	if a.Focus != FocusConsole {
		t.Fatalf("focus starts on %v", a.Focus)
	}
	if acts := a.PointerDown(L.Timeline.X+300, L.Timeline.Y+200); !slices.Equal(acts, []Action{ActReleaseKeys}) || a.Focus != FocusUI {
		t.Errorf("clicking the timeline: actions %v, focus %v", acts, a.Focus)
	}
	a.PointerUp(L.Timeline.X+300, L.Timeline.Y+200)
	a.PointerDown(L.Screen.X+10, L.Screen.Y+10)
	if a.Focus != FocusConsole {
		t.Errorf("clicking the console leaves focus on %v", a.Focus)
	}
	// Buttons act without taking the focus.
	for _, b := range a.Buttons {
		acts := a.PointerDown(b.R.X+3, b.R.Y+3)
		a.PointerUp(b.R.X+3, b.R.Y+3)
		switch b.Act {
		case ActFreeze:
			if a.Follow || acts != nil {
				t.Errorf("Freeze: follow %v, actions %v", a.Follow, acts)
			}
		case ActHelp:
			if !a.Help {
				t.Errorf("Help did not open the help")
			}
			a.PointerDown(5, 500) // any click closes it
		case ActDebugStep:
			if !b.Disabled || acts != nil {
				t.Errorf("Step on a running guest: disabled %v, actions %v", b.Disabled, acts)
			}
		default:
			if !slices.Equal(acts, []Action{b.Act}) {
				t.Errorf("button %q gave %v", b.Label, acts)
			}
		}
		if a.Focus != FocusConsole {
			t.Errorf("button %q took the focus", b.Label)
		}
	}
	// Shortcuts work in either focus; Ctrl+Alt+G toggles the focus.
	if acts, ok := a.Shortcut(key("T")); !ok || !slices.Equal(acts, []Action{ActSaveTrace}) {
		t.Errorf("Ctrl+Alt+T: %v %v", acts, ok)
	}
	if acts, ok := a.Shortcut(key("G")); !ok || a.Focus != FocusUI || !slices.Equal(acts, []Action{ActReleaseKeys}) {
		t.Errorf("Ctrl+Alt+G: %v, focus %v", acts, a.Focus)
	}
	if _, ok := a.Shortcut(key("Q")); ok {
		t.Errorf("Ctrl+Alt+Q is not a shortcut and must reach the guest")
	}
	// Pause is refused once the guest has ended.
	in.Status.Ended = true
	var s Scene
	a.Frame(in, &s)
	if acts := a.Key(key("Space"), false); acts != nil {
		t.Errorf("Space after the guest ended: %v", acts)
	}
}

func TestTimelineNavigation(t *testing.T) {
	a, in := newTestApp(t)
	tl := &a.Timeline
	var s Scene
	x, y := tl.Plot.X+tl.Plot.W/4, tl.Plot.Y+30
	// Following: the wheel zooms around the live edge.
	a.Wheel(x, y, 0, 1, false)
	if !a.Follow || a.View.Span() != int64(float64(DefaultSpan)*0.8) {
		t.Errorf("wheel while following: view %+v, follow %v", a.View, a.Follow)
	}
	// Frozen: around the pointer.
	a.Key(key("F"), false)
	a.Frame(in, &s)
	before := a.View.T(x, tl.Plot.X, tl.Plot.W)
	a.Wheel(x, y, 0, 3, false)
	if after := a.View.T(x, tl.Plot.X, tl.Plot.W); abs(after-before) > a.View.Span()/1000 {
		t.Errorf("zooming moved the time under the pointer from %d to %d", before, after)
	}
	// Dragging pans by the pointer's travel.
	a.Frame(in, &s)
	v0 := a.View
	a.PointerDown(x, y)
	a.PointerMove(x+100, y)
	a.PointerUp(x+100, y)
	if want := v0.Pan(-int64(100 * v0.NsPerPx(tl.Plot.W))); abs(a.View.Start-want.Start) > 1 {
		t.Errorf("drag by 100 px: view %+v, want %+v", a.View, want)
	}
	// End follows again; Home shows the whole trace.
	a.Key(key("End"), false)
	a.Frame(in, &s)
	if !a.Follow || a.View.End != max(in.Model.End, a.View.Span()) {
		t.Errorf("End: follow %v, view %+v", a.Follow, a.View)
	}
	a.Key(key("Home"), false)
	if a.Follow || a.View != (Viewport{in.Model.Start, in.Model.End}) {
		t.Errorf("Home: view %+v", a.View)
	}
	// Clicking a poll selects its task and highlights its lane and row.
	a.Frame(in, &s)
	var poll *Item
	for i := range tl.Items {
		if it := &tl.Items[i]; tl.Lanes[it.Lane].Task == 2 && !it.Sched {
			poll = it
			break
		}
	}
	if poll == nil {
		t.Fatalf("no item of task 2 to click")
	}
	ln := tl.Lanes[poll.Lane]
	a.PointerDown(poll.X0, ln.Y+5)
	a.PointerUp(poll.X0, ln.Y+5)
	if a.Selected != 2 {
		t.Fatalf("selected %d after clicking a poll of task 2", a.Selected)
	}
	a.Frame(in, &s)
	if tl.LaneBackground(poll.Lane, a.Selected) != ColLaneSelected {
		t.Errorf("the selected task's lane is not highlighted")
	}
	a.Key(key("Down"), false)
	if a.Selected != 3 {
		t.Errorf("ArrowDown selected %d, want the next task 3", a.Selected)
	}
	a.Key(key("Escape"), false)
	if a.Selected != 0 {
		t.Errorf("Escape left %d selected", a.Selected)
	}
	// Hovering shows a tooltip in the overlay.
	a.PointerMove(poll.X0, ln.Y+5)
	a.Frame(in, &s)
	if a.HoverItem() < 0 || len(s.Overlay.Texts) == 0 || !strings.Contains(s.Overlay.Texts[0].S, "worker") {
		t.Errorf("hover over a worker poll: item %d, overlay %+v", a.HoverItem(), s.Overlay.Texts)
	}
}

func TestRateMeter(t *testing.T) {
	var r RateMeter
	var got float64
	for i := range 120 {
		got = r.Add(time.Duration(i)*time.Second/60, uint64(i*100))
	}
	if got < 5900 || got > 6100 {
		t.Errorf("rate %v, want 6000/s", got)
	}
	if got := r.Add(3*time.Second, 5); got != 0 {
		t.Errorf("a restarted counter gives %v", got)
	}
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

func TestHelpTakesTheKeys(t *testing.T) {
	a, _ := newTestApp(t)
	a.Do(ActHelp)
	follow := a.Follow
	if acts := a.Key(key("F"), false); acts != nil || a.Follow != follow || !a.Help {
		t.Errorf("F with the help open: actions %v, follow %v, help %v", acts, a.Follow, a.Help)
	}
	a.Key(key("Escape"), false)
	if a.Help {
		t.Errorf("Escape did not close the help")
	}
}
