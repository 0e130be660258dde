package view

import (
	"fmt"
	"strings"

	"github.com/pollscope/pollscope/emulator"
)

// Key is a key of the guest's keyboard (emulator.Key): what the window's
// key events are turned into, whether they go to the guest or drive the
// view.
type Key = emulator.Key

// key returns the key with the canonical name; the names below are fixed,
// so a panic here is a typo caught by any test.
func key(name string) Key {
	k, ok := emulator.KeyByName(name)
	if !ok || !strings.EqualFold(k.String(), name) {
		panic(fmt.Sprintf("view: no key named %q", name))
	}
	return k
}

// The keys the view itself reacts to.
var (
	keyEscape, keyTab, keySpace, keyHome, keyEnd = key("Escape"), key("Tab"), key("Space"), key("Home"), key("End")
	keyLeft, keyRight, keyUp, keyDown            = key("Left"), key("Right"), key("Up"), key("Down")
	keyEqual, keyMinus, keyKPPlus, keyKPMinus    = key("Equal"), key("Minus"), key("KPPlus"), key("KPMinus")
	keyF, keyF1, keySlash                        = key("F"), key("F1"), key("Slash")
	keyF5, keyF10, keyF11                        = key("F5"), key("F10"), key("F11")
	keyLeftShift, keyRightShift                  = key("LeftShift"), key("RightShift")
	keyLeftCtrl, keyRightCtrl                    = key("LeftCtrl"), key("RightCtrl")
	keyLeftAlt, keyRightAlt                      = key("LeftAlt"), key("RightAlt")
	keyLeftMeta, keyRightMeta                    = key("LeftMeta"), key("RightMeta")
)

// IsModifier reports whether k is a Shift, Ctrl, Alt or Meta key.
func IsModifier(k Key) bool {
	switch k {
	case keyLeftShift, keyRightShift, keyLeftCtrl, keyRightCtrl, keyLeftAlt, keyRightAlt, keyLeftMeta, keyRightMeta:
		return true
	}
	return false
}

func isCtrl(k Key) bool  { return k == keyLeftCtrl || k == keyRightCtrl }
func isAlt(k Key) bool   { return k == keyLeftAlt || k == keyRightAlt }
func isShift(k Key) bool { return k == keyLeftShift || k == keyRightShift }

// ebitenKeys maps ebiten's key names (ebiten.Key.String(), the W3C UI
// Events KeyboardEvent code values) to the guest keyboard's keys, for the
// window's per-frame key state. Keys a PC keyboard lacks (F13-F24, the
// keypad's =) are left out; the ISO keyboard's extra key beside left Shift
// ("IntlBackslash") becomes Backslash, as on a US layout.
var ebitenKeys = func() map[string]Key {
	m := map[string]Key{}
	for _, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZ" {
		m[string(c)] = key(string(c))
	}
	for d := range 10 {
		m[fmt.Sprint("Digit", d)] = key(fmt.Sprint(d))
		m[fmt.Sprint("Numpad", d)] = key(fmt.Sprint("KP", d))
	}
	for f := 1; f <= 12; f++ {
		m[fmt.Sprint("F", f)] = key(fmt.Sprint("F", f))
	}
	for ebitenName, name := range map[string]string{
		"Enter": "Enter", "Escape": "Escape", "Backspace": "Backspace", "Tab": "Tab", "Space": "Space",
		"Minus": "Minus", "Equal": "Equal", "BracketLeft": "LeftBracket", "BracketRight": "RightBracket",
		"Backslash": "Backslash", "IntlBackslash": "Backslash", "Semicolon": "Semicolon", "Quote": "Apostrophe",
		"Backquote": "Grave", "Comma": "Comma", "Period": "Period", "Slash": "Slash", "CapsLock": "CapsLock",
		"PrintScreen": "PrintScreen", "ScrollLock": "ScrollLock", "Pause": "Pause",
		"Insert": "Insert", "Home": "Home", "PageUp": "PageUp", "Delete": "Delete", "End": "End", "PageDown": "PageDown",
		"ArrowRight": "Right", "ArrowLeft": "Left", "ArrowDown": "Down", "ArrowUp": "Up",
		"NumLock": "NumLock", "NumpadDivide": "KPDivide", "NumpadMultiply": "KPMultiply", "NumpadSubtract": "KPMinus",
		"NumpadAdd": "KPPlus", "NumpadEnter": "KPEnter", "NumpadDecimal": "KPPeriod",
		"ShiftLeft": "LeftShift", "ShiftRight": "RightShift", "ControlLeft": "LeftCtrl", "ControlRight": "RightCtrl",
		"AltLeft": "LeftAlt", "AltRight": "RightAlt", "MetaLeft": "LeftMeta", "MetaRight": "RightMeta", "ContextMenu": "Menu",
	} {
		m[ebitenName] = key(name)
	}
	return m
}()

// EbitenKey returns the guest keyboard key for an ebiten key name.
func EbitenKey(ebitenName string) (Key, bool) {
	k, ok := ebitenKeys[ebitenName]
	return k, ok
}

// KeyEvent is a key going down or up, on the host or on the guest's
// keyboard.
type KeyEvent struct {
	Key  Key
	Down bool
	// Repeat: a press the window system made up because the key is held
	// (its autorepeat). The guest's keyboard repeats by itself, so the
	// guest never sees these; the timeline's zoom and pan keys do repeat.
	Repeat bool
}

// keyRouter is the App's record of the keyboard: which keys the guest sees
// held, and the Ctrl and Alt presses held back until it is known whether
// they begin a Ctrl+Alt shortcut (which the guest never sees).
type keyRouter struct {
	host    map[Key]bool // keys the host has down
	guest   map[Key]bool // keys the guest has down
	pending []Key        // Ctrl and Alt presses not yet sent to the guest
	chord   bool         // a shortcut fired while the pending keys were down
	eaten   map[Key]bool // shortcut keys whose release the guest must not see
}

func (r *keyRouter) init() {
	if r.host == nil {
		r.host, r.guest, r.eaten = map[Key]bool{}, map[Key]bool{}, map[Key]bool{}
	}
}

func (r *keyRouter) down(isKey func(Key) bool) bool {
	for k, d := range r.host {
		if d && isKey(k) {
			return true
		}
	}
	return false
}

func (r *keyRouter) isPending(k Key) bool {
	for _, p := range r.pending {
		if p == k {
			return true
		}
	}
	return false
}

// HostKey takes one key event from the window, in the order the window
// system delivered them, and returns the actions it asks for and the key
// events the guest's keyboard must see (appended to guest).
//
// Ctrl+Alt with a shortcut key acts in either focus and reaches the guest
// not at all: a Ctrl or Alt press is held back while it could begin such a
// chord and sent, before the key, once another key shows it does not; a
// lone Ctrl or Alt tap reaches the guest as a press and a release. With the
// console focused every other key goes to the guest (repeats of a held key
// excepted: the guest's keyboard repeats by itself); otherwise presses
// drive the view (App.Key).
func (a *App) HostKey(e KeyEvent, guest []KeyEvent) ([]Action, []KeyEvent) {
	r := &a.keys
	r.init()
	k := e.Key
	toGuest := a.Focus == FocusConsole && !a.Help
	send := func(k Key, down bool) {
		if r.guest[k] == down {
			return
		}
		if down {
			r.guest[k] = true
		} else {
			delete(r.guest, k)
		}
		guest = append(guest, KeyEvent{Key: k, Down: down})
	}
	flush := func() {
		for _, p := range r.pending {
			send(p, true)
		}
		r.pending, r.chord = r.pending[:0], false
	}
	if !e.Down {
		delete(r.host, k)
		switch {
		case r.eaten[k]:
			delete(r.eaten, k)
		case r.isPending(k):
			if !r.chord && toGuest {
				flush() // a lone tap: the guest sees it after all
				send(k, false)
			} else {
				r.pending = removeKey(r.pending, k)
			}
		default:
			send(k, false)
		}
		if !r.down(isCtrl) && !r.down(isAlt) {
			r.pending, r.chord = r.pending[:0], false
		}
		return nil, guest
	}
	r.host[k] = true
	if isCtrl(k) || isAlt(k) {
		if toGuest && !r.guest[k] && !r.isPending(k) {
			r.pending = append(r.pending, k)
		}
		return nil, guest
	}
	if r.down(isCtrl) && r.down(isAlt) {
		if acts, ok := a.Shortcut(k); ok {
			if !e.Repeat {
				r.eaten[k], r.chord = true, true
				return acts, guest
			}
			return nil, guest
		}
	}
	if !toGuest {
		return a.Key(k, r.down(isShift)), guest
	}
	if e.Repeat || r.guest[k] {
		return nil, guest
	}
	if !IsModifier(k) { // Shift or Meta leaves a chord possible
		flush()
	}
	send(k, true)
	return nil, guest
}

// ReleaseGuestKeys forgets the keys held back and returns a release of
// every key the guest sees held (appended to guest), as when the console
// loses the focus, so that no key stays stuck down in the guest.
func (a *App) ReleaseGuestKeys(guest []KeyEvent) []KeyEvent {
	r := &a.keys
	r.init()
	for k := range r.guest {
		guest = append(guest, KeyEvent{Key: k})
		delete(r.guest, k)
	}
	r.pending, r.chord = r.pending[:0], false
	return guest
}

func removeKey(s []Key, k Key) []Key {
	out := s[:0]
	for _, x := range s {
		if x != k {
			out = append(out, x)
		}
	}
	return out
}
