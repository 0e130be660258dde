package view

import (
	"slices"
	"testing"
	"time"

	"github.com/pollscope/pollscope/devices/ps2"
)

// ebitenNames are the names ebiten v2.8 gives its keys (ebiten.Key.String),
// less the side-less aliases (Alt, Control, Shift, Meta).
var ebitenNames = []string{"A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O", "P", "Q", "R", "S", "T", "U", "V", "W", "X", "Y", "Z",
	"AltLeft", "AltRight", "ArrowDown", "ArrowLeft", "ArrowRight", "ArrowUp", "Backquote", "Backslash", "Backspace", "BracketLeft", "BracketRight", "CapsLock", "Comma", "ContextMenu",
	"ControlLeft", "ControlRight", "Delete", "Digit0", "Digit1", "Digit2", "Digit3", "Digit4", "Digit5", "Digit6", "Digit7", "Digit8", "Digit9", "End", "Enter", "Equal", "Escape",
	"F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9", "F10", "F11", "F12", "F13", "F14", "F15", "F16", "F17", "F18", "F19", "F20", "F21", "F22", "F23", "F24",
	"Home", "Insert", "IntlBackslash", "MetaLeft", "MetaRight", "Minus", "NumLock", "Numpad0", "Numpad1", "Numpad2", "Numpad3", "Numpad4", "Numpad5", "Numpad6", "Numpad7", "Numpad8", "Numpad9",
	"NumpadAdd", "NumpadDecimal", "NumpadDivide", "NumpadEnter", "NumpadEqual", "NumpadMultiply", "NumpadSubtract", "PageDown", "PageUp", "Pause", "Period", "PrintScreen", "Quote",
	"ScrollLock", "Semicolon", "ShiftLeft", "ShiftRight", "Slash", "Space", "Tab"}

func TestEveryPCKeyIsMapped(t *testing.T) {
	noPC := []string{"F13", "F14", "F15", "F16", "F17", "F18", "F19", "F20", "F21", "F22", "F23", "F24", "NumpadEqual"}
	seen := map[ps2.Key]bool{}
	for _, name := range ebitenNames {
		k, ok := PS2Key(name)
		switch {
		case slices.Contains(noPC, name):
			if ok {
				t.Errorf("%s maps to %v but a PC keyboard has no such key", name, k)
			}
		case !ok:
			t.Errorf("ebiten key %s has no PS/2 key", name)
		default:
			seen[k] = true
		}
	}
	for k := ps2.KeyA; int(k) <= ps2.NumKeys; k++ {
		if !seen[k] {
			t.Errorf("PS/2 key %v cannot be typed from the host", k)
		}
	}
	for name, want := range map[string]ps2.Key{"Digit1": ps2.Key1, "Quote": ps2.KeyApostrophe, "NumpadEnter": ps2.KeyKPEnter, "ControlRight": ps2.KeyRightCtrl, "ContextMenu": ps2.KeyMenu} {
		if k, _ := PS2Key(name); k != want {
			t.Errorf("PS2Key(%s) = %v, want %v", name, k, want)
		}
	}
}

func TestTypematic(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	tm := NewTypematic()
	tm.Press(ps2.KeyA, 0)
	if k, n := tm.Due(ms(499)); n != 0 {
		t.Errorf("repeat of %v before the 500 ms delay", k)
	}
	if k, n := tm.Due(ms(500)); k != ps2.KeyA || n != 1 {
		t.Errorf("Due(500ms) = %v ×%d, want A once", k, n)
	}
	total := 1
	for now := 501; now <= 1500; now += 16 { // a second of 60 Hz frames
		_, n := tm.Due(ms(now))
		total += n
	}
	if total < 30 || total > 32 {
		t.Errorf("%d repeats in the first second after the delay, want about 30", total)
	}
	// A second key takes over; releasing the first does not stop it.
	tm.Press(ps2.KeyB, ms(2000))
	tm.Release(ps2.KeyA)
	if k, n := tm.Due(ms(2600)); k != ps2.KeyB || n == 0 {
		t.Errorf("Due after pressing B = %v ×%d", k, n)
	}
	tm.Release(ps2.KeyB)
	if _, n := tm.Due(ms(5000)); n != 0 {
		t.Errorf("repeats after the release")
	}
	// A stalled frame does not burst; Pause never repeats.
	tm.Press(ps2.KeyC, 0)
	if _, n := tm.Due(ms(60_000)); n != 3 {
		t.Errorf("a minute-long frame gives %d repeats, want 3", n)
	}
	tm.Press(ps2.KeyPause, 0)
	if _, n := tm.Due(ms(2000)); n != 0 {
		t.Errorf("Pause repeated")
	}
}

func TestKeyOrderer(t *testing.T) {
	down := func(k ps2.Key) KeyEvent { return KeyEvent{k, true} }
	up := func(k ps2.Key) KeyEvent { return KeyEvent{k, false} }
	type frame struct {
		pressed, released []ps2.Key
		chars             string
		want              []KeyEvent
	}
	cases := []struct {
		name   string
		frames []frame
	}{
		{"two letters in one frame, in typing order", []frame{
			{[]ps2.Key{ps2.KeyE, ps2.KeyH}, nil, "he", []KeyEvent{down(ps2.KeyH), down(ps2.KeyE)}},
			{nil, []ps2.Key{ps2.KeyE, ps2.KeyH}, "", []KeyEvent{up(ps2.KeyE), up(ps2.KeyH)}},
		}},
		{"a letter typed twice in one frame", []frame{
			{[]ps2.Key{ps2.KeyL}, nil, "ll", []KeyEvent{down(ps2.KeyL), up(ps2.KeyL), down(ps2.KeyL)}},
		}},
		{"a letter typed again before its release was seen", []frame{
			{[]ps2.Key{ps2.KeyL}, nil, "l", []KeyEvent{down(ps2.KeyL)}},
			{nil, nil, "l", []KeyEvent{up(ps2.KeyL), down(ps2.KeyL)}},
		}},
		{"shift held with its letter, then released", []frame{
			{[]ps2.Key{ps2.KeyT, ps2.KeyLeftShift}, nil, "T", []KeyEvent{down(ps2.KeyLeftShift), down(ps2.KeyT)}},
			{[]ps2.Key{ps2.KeyH}, []ps2.Key{ps2.KeyT, ps2.KeyLeftShift}, "h", []KeyEvent{up(ps2.KeyT), up(ps2.KeyLeftShift), down(ps2.KeyH)}},
		}},
		{"a shift that still looks held is released before a lower-case letter", []frame{
			{[]ps2.Key{ps2.KeyT, ps2.KeyLeftShift}, nil, "T", []KeyEvent{down(ps2.KeyLeftShift), down(ps2.KeyT)}},
			{[]ps2.Key{ps2.KeyH}, []ps2.Key{ps2.KeyT}, "h", []KeyEvent{up(ps2.KeyT), up(ps2.KeyLeftShift), down(ps2.KeyH)}},
			{nil, []ps2.Key{ps2.KeyH}, "", []KeyEvent{up(ps2.KeyH)}},
		}},
		{"a shifted character whose shift was not seen", []frame{
			{[]ps2.Key{ps2.Key1}, nil, "!", []KeyEvent{down(ps2.KeyLeftShift), down(ps2.Key1), up(ps2.KeyLeftShift)}},
		}},
		{"keys without characters come after the typed ones", []frame{
			{[]ps2.Key{ps2.KeyEnter, ps2.KeyO}, nil, "o", []KeyEvent{down(ps2.KeyO), down(ps2.KeyEnter)}},
		}},
		{"the window system's autorepeat is left to the guest keyboard", []frame{
			{[]ps2.Key{ps2.KeyA}, nil, "a", []KeyEvent{down(ps2.KeyA)}},
			{nil, nil, "aaa", nil}, // a second later, see below
		}},
		{"caps lock makes capitals without shift", []frame{
			{[]ps2.Key{ps2.KeyCapsLock}, nil, "", []KeyEvent{down(ps2.KeyCapsLock)}},
			{[]ps2.Key{ps2.KeyA}, []ps2.Key{ps2.KeyCapsLock}, "A", []KeyEvent{up(ps2.KeyCapsLock), down(ps2.KeyA)}},
		}},
		{"ctrl+c types no character", []frame{
			{[]ps2.Key{ps2.KeyC, ps2.KeyLeftCtrl}, nil, "", []KeyEvent{down(ps2.KeyLeftCtrl), down(ps2.KeyC)}},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var o KeyOrderer
			held := map[ps2.Key]bool{}
			now := time.Duration(0)
			for i, f := range c.frames {
				now += 16 * time.Millisecond
				if f.chars == "aaa" {
					now += time.Second
				}
				got := o.Frame(f.pressed, f.released, []rune(f.chars), held, now)
				if !slices.Equal(got, f.want) {
					t.Errorf("frame %d: %v, want %v", i, got, f.want)
				}
				for _, e := range got {
					if e.Down {
						held[e.Key] = true
					} else {
						delete(held, e.Key)
					}
				}
			}
		})
	}
}
