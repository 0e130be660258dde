package ui

import (
	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/inpututil"

	"github.com/pollscope/pollscope/ui/view"
)

// input polls ebiten's pointer and wheel and takes the keyboard's events,
// and hands them on: to the App, and what the App routes to the guest to
// its keyboard. It reports whether anything happened.
func (g *game) input() bool {
	a := g.app
	fx, fy, acted := g.pointer.input(a, g.do)
	if a.Layout.Console.Contains(fx, fy) {
		ebiten.SetCursorShape(ebiten.CursorShapeText)
	} else {
		ebiten.SetCursorShape(ebiten.CursorShapeDefault)
	}
	if g.xk != nil {
		return g.xKeys() || acted
	}
	if !ebiten.IsFocused() {
		g.releaseAll()
		return acted
	}
	return g.frameKeys() || acted
}

// xKeys takes the key events the X server reported since the last tick,
// in order.
func (g *game) xKeys() bool {
	acted := false
	for {
		select {
		case e, ok := <-g.xk.events:
			if !ok {
				// The connection broke: fall back to ebiten's key state.
				g.say(true, "keyboard: lost the X server's key events; reading the per-frame key state (quick taps may be lost)")
				g.xk = nil
				return acted
			}
			acted = true
			switch {
			case e.focusOut:
				g.releaseAll()
			case e.mapped:
				g.hostKey(e.key)
			}
		default:
			return acted
		}
	}
}

// frameKeys is the fallback without the X server's events: the keys
// that went down and up since the last frame (frameKeyEvents).
func (g *game) frameKeys() bool {
	var evs []view.KeyEvent
	evs, g.keyBuf = frameKeyEvents(g.keyBuf)
	for _, e := range evs {
		g.hostKey(e)
	}
	return len(evs) > 0
}

// frameKeyEvents returns the keys that went down and up since the last
// frame, downs first, modifiers pressed first and released last (so Shift
// is held around the letter it shifts), and a repeat for each of the
// timeline's zoom and pan keys held down. Two taps of a key within a
// frame count as one. buf is scratch space, returned for reuse.
func frameKeyEvents(buf []ebiten.Key) ([]view.KeyEvent, []ebiten.Key) {
	var downs, ups []view.KeyEvent
	buf = inpututil.AppendJustPressedKeys(buf[:0])
	for _, k := range buf {
		if pk, ok := view.EbitenKey(k.String()); ok {
			e := view.KeyEvent{Key: pk, Down: true}
			if view.IsModifier(pk) {
				downs = append([]view.KeyEvent{e}, downs...)
			} else {
				downs = append(downs, e)
			}
		}
	}
	buf = inpututil.AppendJustReleasedKeys(buf[:0])
	for _, k := range buf {
		if pk, ok := view.EbitenKey(k.String()); ok {
			e := view.KeyEvent{Key: pk}
			if view.IsModifier(pk) {
				ups = append(ups, e)
			} else {
				ups = append([]view.KeyEvent{e}, ups...)
			}
		}
	}
	for _, k := range []ebiten.Key{ebiten.KeyArrowLeft, ebiten.KeyArrowRight, ebiten.KeyEqual, ebiten.KeyMinus, ebiten.KeyNumpadAdd, ebiten.KeyNumpadSubtract} {
		if d := inpututil.KeyPressDuration(k); d > 30 && d%3 == 0 {
			pk, _ := view.EbitenKey(k.String())
			downs = append(downs, view.KeyEvent{Key: pk, Down: true, Repeat: true})
		}
	}
	return append(downs, ups...), buf
}

// hostKey routes one host key event through the App and sends the guest
// its part.
func (g *game) hostKey(e view.KeyEvent) {
	var acts []view.Action
	acts, g.guestKeys = g.app.HostKey(e, g.guestKeys[:0])
	g.sendGuest(g.guestKeys)
	g.do(acts)
}

// sendGuest presses and releases keys on the guest's keyboard, unless the
// machine is being replaced.
func (g *game) sendGuest(evs []view.KeyEvent) {
	if len(evs) == 0 || g.resetting.Load() {
		return
	}
	m := g.machine.Load()
	for _, e := range evs {
		if e.Down {
			m.KeyDown(e.Key)
		} else {
			m.KeyUp(e.Key)
		}
	}
}

// releaseAll releases every key the guest sees held, as when the console
// loses focus, so no key stays stuck down in the guest.
func (g *game) releaseAll() {
	g.guestKeys = g.app.ReleaseGuestKeys(g.guestKeys[:0])
	g.sendGuest(g.guestKeys)
}

// pointer is where the mouse was last seen, to tell a move.
type pointer struct{ x, y int }

// input hands ebiten's pointer, its left button and the wheel to a, and
// the actions they cause to do; it returns the pointer's position and
// whether anything happened.
func (p *pointer) input(a *view.App, do func([]view.Action)) (fx, fy float64, acted bool) {
	x, y := ebiten.CursorPosition()
	fx, fy = float64(x), float64(y)
	if x != p.x || y != p.y {
		p.x, p.y = x, y
		a.PointerMove(fx, fy)
		acted = true
	}
	if inpututil.IsMouseButtonJustPressed(ebiten.MouseButtonLeft) {
		do(a.PointerDown(fx, fy))
		acted = true
	}
	if inpututil.IsMouseButtonJustReleased(ebiten.MouseButtonLeft) {
		do(a.PointerUp(fx, fy))
		acted = true
	}
	if dx, dy := ebiten.Wheel(); dx != 0 || dy != 0 {
		a.Wheel(fx, fy, dx, dy, ebiten.IsKeyPressed(ebiten.KeyShift))
		acted = true
	}
	return fx, fy, acted
}
