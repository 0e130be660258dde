package ui

import (
	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/inpututil"

	"github.com/pollscope/pollscope/devices/ps2"
	"github.com/pollscope/pollscope/ui/view"
)

// input polls ebiten's pointer, wheel and keys and hands them on: to the
// App, and while the console has focus to the guest's keyboard.
func (g *game) input() {
	a := g.app
	x, y := ebiten.CursorPosition()
	fx, fy := float64(x), float64(y)
	if x != g.px || y != g.py {
		g.px, g.py = x, y
		a.PointerMove(fx, fy)
	}
	if inpututil.IsMouseButtonJustPressed(ebiten.MouseButtonLeft) {
		g.do(a.PointerDown(fx, fy))
	}
	if inpututil.IsMouseButtonJustReleased(ebiten.MouseButtonLeft) {
		g.do(a.PointerUp(fx, fy))
	}
	if dx, dy := ebiten.Wheel(); dx != 0 || dy != 0 {
		a.Wheel(fx, fy, dx, dy, ebiten.IsKeyPressed(ebiten.KeyShift))
	}
	if a.Layout.Console.Contains(fx, fy) {
		ebiten.SetCursorShape(ebiten.CursorShapeText)
	} else {
		ebiten.SetCursorShape(ebiten.CursorShapeDefault)
	}

	if !ebiten.IsFocused() {
		g.releaseAll()
		return
	}
	ctrlAlt := ebiten.IsKeyPressed(ebiten.KeyControl) && ebiten.IsKeyPressed(ebiten.KeyAlt)
	shift := ebiten.IsKeyPressed(ebiten.KeyShift)
	now := g.now()

	// Key changes: shortcuts and, with the timeline focused, view keys
	// first; the rest go to the guest in the order OrderKeys recovers.
	g.keyBuf = inpututil.AppendJustPressedKeys(g.keyBuf[:0])
	var pressed, released []ps2.Key
	for _, k := range g.keyBuf {
		name := k.String()
		if virtualKey(name) {
			continue
		}
		if ctrlAlt {
			if acts, ok := a.Shortcut(name); ok {
				g.eatKeys[k] = true
				g.do(acts)
				continue
			}
		}
		if a.Focus != view.FocusConsole || a.Help {
			g.do(a.Key(name, shift))
			continue
		}
		if pk, ok := view.PS2Key(name); ok {
			pressed = append(pressed, pk)
		}
	}
	g.keyBuf = inpututil.AppendJustReleasedKeys(g.keyBuf[:0])
	for _, k := range g.keyBuf {
		if g.eatKeys[k] {
			delete(g.eatKeys, k)
			continue
		}
		if pk, ok := view.PS2Key(k.String()); ok && g.held[pk] {
			released = append(released, pk)
		}
	}
	g.chars = ebiten.AppendInputChars(g.chars[:0])
	if a.Focus == view.FocusConsole && !g.resetting.Load() {
		m := g.machine.Load()
		for _, e := range g.order.Frame(pressed, released, g.chars, g.held, now) {
			if e.Down {
				m.KeyDown(e.Key)
				g.held[e.Key] = true
				g.typem.Press(e.Key, now)
			} else {
				m.KeyUp(e.Key)
				delete(g.held, e.Key)
				g.typem.Release(e.Key)
			}
		}
	}

	// Autorepeat of the last key held.
	if a.Focus == view.FocusConsole {
		if k, n := g.typem.Due(now); n > 0 && g.held[k] {
			for range n {
				g.machine.Load().KeyDown(k)
			}
		}
	} else {
		g.repeatUIKeys(shift)
	}
}

// repeatUIKeys repeats the timeline's zoom and pan keys while held.
func (g *game) repeatUIKeys(shift bool) {
	for _, k := range []ebiten.Key{ebiten.KeyArrowLeft, ebiten.KeyArrowRight, ebiten.KeyEqual, ebiten.KeyMinus, ebiten.KeyNumpadAdd, ebiten.KeyNumpadSubtract} {
		if d := inpututil.KeyPressDuration(k); d > 30 && d%3 == 0 {
			g.do(g.app.Key(k.String(), shift))
		}
	}
}

// releaseAll releases every key the guest sees held, as when the console
// loses focus, so no key stays stuck down in the guest.
func (g *game) releaseAll() {
	m := g.machine.Load()
	for k := range g.held {
		m.KeyUp(k)
		delete(g.held, k)
	}
	g.typem.Reset()
}

// virtualKey reports ebiten's side-less aliases (Shift, Control, Alt, Meta),
// which duplicate the real keys.
func virtualKey(name string) bool {
	switch name {
	case "", "Shift", "Control", "Alt", "Meta":
		return true
	}
	return false
}
