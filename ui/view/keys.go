package view

import (
	"time"

	"github.com/pollscope/pollscope/devices/ps2"
)

// ebitenKeys maps ebiten's key names (ebiten.Key.String()) to the keys of
// the guest's US 104-key PS/2 keyboard. ebiten's names follow the W3C UI
// Events KeyboardEvent code values. Keys a PC keyboard lacks (F13-F24, the
// keypad's =) are left out; the ISO keyboard's extra key beside left Shift
// ("IntlBackslash") becomes Backslash, as on a US layout.
var ebitenKeys = map[string]ps2.Key{
	"A": ps2.KeyA, "B": ps2.KeyB, "C": ps2.KeyC, "D": ps2.KeyD, "E": ps2.KeyE,
	"F": ps2.KeyF, "G": ps2.KeyG, "H": ps2.KeyH, "I": ps2.KeyI, "J": ps2.KeyJ,
	"K": ps2.KeyK, "L": ps2.KeyL, "M": ps2.KeyM, "N": ps2.KeyN, "O": ps2.KeyO,
	"P": ps2.KeyP, "Q": ps2.KeyQ, "R": ps2.KeyR, "S": ps2.KeyS, "T": ps2.KeyT,
	"U": ps2.KeyU, "V": ps2.KeyV, "W": ps2.KeyW, "X": ps2.KeyX, "Y": ps2.KeyY,
	"Z":      ps2.KeyZ,
	"Digit0": ps2.Key0, "Digit1": ps2.Key1, "Digit2": ps2.Key2, "Digit3": ps2.Key3,
	"Digit4": ps2.Key4, "Digit5": ps2.Key5, "Digit6": ps2.Key6, "Digit7": ps2.Key7,
	"Digit8": ps2.Key8, "Digit9": ps2.Key9,
	"Enter": ps2.KeyEnter, "Escape": ps2.KeyEscape, "Backspace": ps2.KeyBackspace,
	"Tab": ps2.KeyTab, "Space": ps2.KeySpace, "Minus": ps2.KeyMinus, "Equal": ps2.KeyEqual,
	"BracketLeft": ps2.KeyLeftBracket, "BracketRight": ps2.KeyRightBracket,
	"Backslash": ps2.KeyBackslash, "IntlBackslash": ps2.KeyBackslash,
	"Semicolon": ps2.KeySemicolon, "Quote": ps2.KeyApostrophe, "Backquote": ps2.KeyGrave,
	"Comma": ps2.KeyComma, "Period": ps2.KeyPeriod, "Slash": ps2.KeySlash,
	"CapsLock": ps2.KeyCapsLock,
	"F1":       ps2.KeyF1, "F2": ps2.KeyF2, "F3": ps2.KeyF3, "F4": ps2.KeyF4,
	"F5": ps2.KeyF5, "F6": ps2.KeyF6, "F7": ps2.KeyF7, "F8": ps2.KeyF8,
	"F9": ps2.KeyF9, "F10": ps2.KeyF10, "F11": ps2.KeyF11, "F12": ps2.KeyF12,
	"PrintScreen": ps2.KeyPrintScreen, "ScrollLock": ps2.KeyScrollLock, "Pause": ps2.KeyPause,
	"Insert": ps2.KeyInsert, "Home": ps2.KeyHome, "PageUp": ps2.KeyPageUp,
	"Delete": ps2.KeyDelete, "End": ps2.KeyEnd, "PageDown": ps2.KeyPageDown,
	"ArrowRight": ps2.KeyRight, "ArrowLeft": ps2.KeyLeft, "ArrowDown": ps2.KeyDown, "ArrowUp": ps2.KeyUp,
	"NumLock": ps2.KeyNumLock, "NumpadDivide": ps2.KeyKPDivide, "NumpadMultiply": ps2.KeyKPMultiply,
	"NumpadSubtract": ps2.KeyKPMinus, "NumpadAdd": ps2.KeyKPPlus, "NumpadEnter": ps2.KeyKPEnter,
	"Numpad0": ps2.KeyKP0, "Numpad1": ps2.KeyKP1, "Numpad2": ps2.KeyKP2, "Numpad3": ps2.KeyKP3,
	"Numpad4": ps2.KeyKP4, "Numpad5": ps2.KeyKP5, "Numpad6": ps2.KeyKP6, "Numpad7": ps2.KeyKP7,
	"Numpad8": ps2.KeyKP8, "Numpad9": ps2.KeyKP9, "NumpadDecimal": ps2.KeyKPPeriod,
	"ShiftLeft": ps2.KeyLeftShift, "ShiftRight": ps2.KeyRightShift,
	"ControlLeft": ps2.KeyLeftCtrl, "ControlRight": ps2.KeyRightCtrl,
	"AltLeft": ps2.KeyLeftAlt, "AltRight": ps2.KeyRightAlt,
	"MetaLeft": ps2.KeyLeftMeta, "MetaRight": ps2.KeyRightMeta,
	"ContextMenu": ps2.KeyMenu,
}

// PS2Key returns the guest keyboard key for an ebiten key name.
func PS2Key(ebitenName string) (ps2.Key, bool) {
	k, ok := ebitenKeys[ebitenName]
	return k, ok
}

// IsModifier reports whether k is a Shift, Ctrl, Alt or Meta key. When keys
// change in the same frame the ebiten layer sends modifier presses first and
// modifier releases last, so the guest sees Shift held around the letter.
func IsModifier(k ps2.Key) bool {
	switch k {
	case ps2.KeyLeftShift, ps2.KeyRightShift, ps2.KeyLeftCtrl, ps2.KeyRightCtrl,
		ps2.KeyLeftAlt, ps2.KeyRightAlt, ps2.KeyLeftMeta, ps2.KeyRightMeta:
		return true
	}
	return false
}

// Typematic defaults: a PS/2 keyboard's power-on typematic setting (scan
// code set 2 default, command 0xF3 value 0x2B) is a 500 ms delay and 10.9
// repeats per second; most BIOSes then set 30 per second, which PC users
// know. pollscope uses 500 ms and 30/s.
const (
	TypematicDelay  = 500 * time.Millisecond
	TypematicPeriod = time.Second / 30
)

// Typematic is a keyboard's autorepeat: the last key pressed and still held
// repeats its make code after Delay, every Period. Like a real keyboard,
// only the most recent key repeats and releasing it stops the repeat even if
// another key is still held; Pause never repeats (it has no break code).
type Typematic struct {
	Delay, Period time.Duration
	key           ps2.Key
	next          time.Duration
}

// NewTypematic returns a Typematic with the default delay and rate.
func NewTypematic() *Typematic {
	return &Typematic{Delay: TypematicDelay, Period: TypematicPeriod}
}

// Press notes that k went down at now.
func (t *Typematic) Press(k ps2.Key, now time.Duration) {
	if k == ps2.KeyPause {
		t.key = 0
		return
	}
	t.key, t.next = k, now+t.Delay
}

// Release notes that k went up.
func (t *Typematic) Release(k ps2.Key) {
	if k == t.key {
		t.key = 0
	}
}

// Reset forgets the held key.
func (t *Typematic) Reset() { t.key = 0 }

// Due returns the key to repeat and how many repeats fell due by now (at
// most 3, so a stalled frame does not burst).
func (t *Typematic) Due(now time.Duration) (ps2.Key, int) {
	if t.key == 0 || now < t.next {
		return 0, 0
	}
	n := int((now-t.next)/t.Period) + 1
	t.next += time.Duration(n) * t.Period
	return t.key, min(n, 3)
}

// KeyEvent is a key going down or up on the guest's keyboard.
type KeyEvent struct {
	Key  ps2.Key
	Down bool
}

// RepressWindow: a character from a key already down counts as a new press
// of it (the release in between fell between two frames) if the key went
// down less than this long ago; later ones are the window system's
// autorepeat, which the guest keyboard does by itself.
const RepressWindow = 400 * time.Millisecond

// KeyOrderer turns the key state a window system gives once per frame into
// the key strokes the user made. When keys change faster than frames come
// (fast typing, a slow frame), one frame sees several presses with no order,
// a key pressed twice counts once, and a Shift released just before the
// next letter still looks held. The characters the window received in the
// frame, in order, tell what was typed: the orderer presses the keys in
// that order, presses a key again when its character comes twice, and
// presses or releases Shift around a key so the guest types the same
// character the host did. Caps Lock is followed through its presses.
type KeyOrderer struct {
	caps      bool
	pressedAt map[ps2.Key]time.Duration
}

// Frame orders one frame's changes: pressed and released are the keys that
// went down and up, chars the characters typed, down the keys the guest has
// held since the last frame (the caller's record, updated from the result),
// now the time. The result releases first (modifiers last), then presses
// modifiers, then the keys that typed characters in their order (with Shift
// fixed up around each), then the other keys.
func (o *KeyOrderer) Frame(pressed, released []ps2.Key, chars []rune, down map[ps2.Key]bool, now time.Duration) []KeyEvent {
	if o.pressedAt == nil {
		o.pressedAt = map[ps2.Key]time.Duration{}
	}
	var out []KeyEvent
	state := make(map[ps2.Key]bool, len(down)+len(pressed))
	for k, v := range down {
		state[k] = v
	}
	emit := func(k ps2.Key, d bool) {
		out = append(out, KeyEvent{k, d})
		state[k] = d
		if d {
			o.pressedAt[k] = now
			if k == ps2.KeyCapsLock {
				o.caps = !o.caps
			}
		}
	}
	isPressed := func(k ps2.Key) bool {
		for _, p := range pressed {
			if p == k {
				return true
			}
		}
		return false
	}
	for _, mods := range []bool{false, true} {
		for _, k := range released {
			if IsModifier(k) == mods && !isPressed(k) && state[k] {
				emit(k, false)
			}
		}
	}
	for _, k := range pressed {
		if IsModifier(k) {
			emit(k, true)
		}
	}
	done := map[ps2.Key]bool{}
	for _, r := range chars {
		k, shift, ok := ps2.KeyForRune(r)
		if !ok || IsModifier(k) {
			continue
		}
		if isLetter(r) {
			shift = (r >= 'A' && r <= 'Z') != o.caps
		}
		switch {
		case isPressed(k) && !done[k]:
		case done[k] || (state[k] && now-o.pressedAt[k] < RepressWindow):
			emit(k, false) // pressed again: its release fell between frames
		default:
			continue // autorepeat of a held key, or a key we did not see
		}
		done[k] = true
		shiftDown := state[ps2.KeyLeftShift] || state[ps2.KeyRightShift]
		synthetic := false
		switch {
		case shift && !shiftDown:
			emit(ps2.KeyLeftShift, true)
			synthetic = true
		case !shift && shiftDown:
			for _, sk := range []ps2.Key{ps2.KeyLeftShift, ps2.KeyRightShift} {
				if state[sk] {
					emit(sk, false)
				}
			}
		}
		emit(k, true)
		if synthetic {
			emit(ps2.KeyLeftShift, false)
		}
	}
	for _, k := range pressed {
		if !IsModifier(k) && !done[k] {
			emit(k, true)
		}
	}
	for _, k := range released {
		if isPressed(k) && state[k] {
			emit(k, false)
		}
	}
	return out
}

func isLetter(r rune) bool { return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') }
