package view

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/pollscope/pollscope/emulator"
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

// allKeys lists every key of the guest's keyboard.
func allKeys() []Key {
	var out []Key
	for k := Key(1); k.Valid(); k++ {
		out = append(out, k)
	}
	return out
}

func TestEveryPCKeyIsMappedFromEbiten(t *testing.T) {
	noPC := []string{"F13", "F14", "F15", "F16", "F17", "F18", "F19", "F20", "F21", "F22", "F23", "F24", "NumpadEqual"}
	seen := map[Key]bool{}
	for _, name := range ebitenNames {
		k, ok := EbitenKey(name)
		switch {
		case slices.Contains(noPC, name):
			if ok {
				t.Errorf("%s maps to %v but a PC keyboard has no such key", name, k)
			}
		case !ok:
			t.Errorf("ebiten key %s has no guest key", name)
		default:
			seen[k] = true
		}
	}
	for _, k := range allKeys() {
		if !seen[k] {
			t.Errorf("guest key %v cannot be typed from ebiten's key state", k)
		}
	}
	for name, want := range map[string]string{"Digit1": "1", "Quote": "Apostrophe", "NumpadEnter": "KPEnter", "ControlRight": "RightCtrl", "ContextMenu": "Menu"} {
		if k, _ := EbitenKey(name); k != key(want) {
			t.Errorf("EbitenKey(%s) = %v, want %v", name, k, want)
		}
	}
}

// Every key of the guest's keyboard has an X11 keysym that types it, as a
// US keymap lists them (first column: no modifier).
func TestEveryPCKeyIsMappedFromX(t *testing.T) {
	seen := map[Key]bool{}
	for ks := range keysymKeys {
		k, _ := KeysymKey(ks)
		seen[k] = true
	}
	for _, k := range allKeys() {
		if !seen[k] {
			t.Errorf("guest key %v has no X keysym", k)
		}
	}
	for ks, want := range map[uint32]string{
		0xff08: "Backspace", 'a': "A", 'Q': "Q", '1': "1", '-': "Minus", '\'': "Apostrophe", 0xffe1: "LeftShift",
		0xffe9: "LeftAlt", 0xfe03: "RightAlt", 0xff9c: "KP1", 0xffb1: "KP1", 0xffbe: "F1", 0xffc9: "F12", 0xff52: "Up",
	} {
		if k, ok := KeysymKey(ks); !ok || k != key(want) {
			t.Errorf("KeysymKey(%#x) = %v, %v; want %s", ks, k, ok, want)
		}
	}
	if k, ok := KeysymKey(0x1008ff13); ok { // XF86AudioRaiseVolume
		t.Errorf("a multimedia key maps to %v", k)
	}
}

// keys parses "+LeftCtrl -LeftCtrl +A* ..." (* marks a repeat) into key
// events.
func keys(t *testing.T, s string) []KeyEvent {
	t.Helper()
	var out []KeyEvent
	for _, f := range strings.Fields(s) {
		e := KeyEvent{Down: f[0] == '+', Repeat: strings.HasSuffix(f, "*")}
		k, ok := emulator.KeyByName(strings.TrimSuffix(f[1:], "*"))
		if !ok || (f[0] != '+' && f[0] != '-') {
			t.Fatalf("bad key event %q", f)
		}
		e.Key = k
		out = append(out, e)
	}
	return out
}

func show(evs []KeyEvent) string {
	var b []string
	for _, e := range evs {
		d := "-"
		if e.Down {
			d = "+"
		}
		b = append(b, d+e.Key.String())
	}
	return strings.Join(b, " ")
}

func TestHostKeyRouting(t *testing.T) {
	tests := []struct {
		name      string
		focusUI   bool
		host      string // what the window reports, in order
		guest     string // what the guest's keyboard must see, in order
		actions   []Action
		focusEnds Focus
	}{
		{"every press and release reaches the guest in order, quick taps included",
			false, "+A -A +Backspace -Backspace +Backspace -Backspace +Backspace -Backspace",
			"+A -A +Backspace -Backspace +Backspace -Backspace +Backspace -Backspace", nil, FocusConsole},
		{"Shift around a letter, released before the letter",
			false, "+LeftShift +A -LeftShift -A", "+LeftShift +A -LeftShift -A", nil, FocusConsole},
		{"a Ctrl+Alt shortcut sends nothing to the guest: not Ctrl, not Alt, not the key",
			false, "+LeftCtrl +LeftAlt +T -T -LeftAlt -LeftCtrl", "", []Action{ActSaveTrace}, FocusConsole},
		{"a shortcut with the modifiers released first still sends nothing",
			false, "+LeftAlt +RightCtrl +P -LeftAlt -RightCtrl -P", "", []Action{ActPauseVM}, FocusConsole},
		{"Ctrl+C reaches the guest: Ctrl, held back, goes first",
			false, "+LeftCtrl +C -C -LeftCtrl", "+LeftCtrl +C -C -LeftCtrl", nil, FocusConsole},
		{"Ctrl+Alt with a key that is no shortcut reaches the guest",
			false, "+LeftCtrl +LeftAlt +Delete -Delete -LeftAlt -LeftCtrl", "+LeftCtrl +LeftAlt +Delete -Delete -LeftAlt -LeftCtrl", nil, FocusConsole},
		{"a lone Ctrl tap reaches the guest",
			false, "+RightCtrl -RightCtrl", "+RightCtrl -RightCtrl", nil, FocusConsole},
		{"Shift between Ctrl+Alt and the shortcut key does not give the chord away",
			false, "+LeftCtrl +LeftShift +LeftAlt +S -S -LeftAlt -LeftShift -LeftCtrl", "+LeftShift -LeftShift", []Action{ActScreenshot}, FocusConsole},
		{"after a shortcut, a guest key with Ctrl+Alt still held gets the modifiers first",
			false, "+LeftCtrl +LeftAlt +T -T +X -X -LeftAlt -LeftCtrl", "+LeftCtrl +LeftAlt +X -X -LeftAlt -LeftCtrl", []Action{ActSaveTrace}, FocusConsole},
		{"the window's autorepeat never reaches the guest (its keyboard repeats by itself)",
			false, "+A +A* +A* -A", "+A -A", nil, FocusConsole},
		{"Ctrl+Alt+G takes the focus to the timeline; the guest gets nothing",
			false, "+LeftCtrl +LeftAlt +G -G -LeftAlt -LeftCtrl +A -A", "", []Action{ActReleaseKeys}, FocusUI},
		{"with the timeline focused keys drive the view, repeats included",
			true, "+F -F +Space -Space +Minus +Minus* -Minus", "", []Action{ActPauseVM}, FocusUI},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, _ := newTestApp(t)
			if tt.focusUI {
				a.Focus = FocusUI
			}
			var guest []KeyEvent
			var acts []Action
			for _, e := range keys(t, tt.host) {
				var act []Action
				act, guest = a.HostKey(e, guest)
				acts = append(acts, act...)
			}
			if got := show(guest); got != tt.guest {
				t.Errorf("the guest sees %q, want %q", got, tt.guest)
			}
			if !slices.Equal(acts, tt.actions) {
				t.Errorf("actions %v, want %v", acts, tt.actions)
			}
			if a.Focus != tt.focusEnds {
				t.Errorf("focus ends on %v, want %v", a.Focus, tt.focusEnds)
			}
			if rel := a.ReleaseGuestKeys(nil); len(rel) != 0 {
				t.Errorf("keys left held in the guest: %s", show(rel))
			}
		})
	}
}

func TestReleaseGuestKeys(t *testing.T) {
	a, _ := newTestApp(t)
	_, guest := a.HostKey(KeyEvent{Key: key("LeftShift"), Down: true}, nil)
	_, guest = a.HostKey(KeyEvent{Key: key("A"), Down: true}, guest)
	_, guest = a.HostKey(KeyEvent{Key: key("LeftCtrl"), Down: true}, guest) // held back
	if got := show(guest); got != "+LeftShift +A" {
		t.Fatalf("guest sees %q", got)
	}
	rel := a.ReleaseGuestKeys(nil)
	slices.SortFunc(rel, func(x, y KeyEvent) int { return int(x.Key) - int(y.Key) })
	if got, want := show(rel), fmt.Sprintf("-%v -%v", min(key("A"), key("LeftShift")), max(key("A"), key("LeftShift"))); got != want {
		t.Errorf("released %q, want %q (the held-back Ctrl never reached the guest)", got, want)
	}
	// Releases of keys the guest no longer holds do not reach it.
	_, guest = a.HostKey(KeyEvent{Key: key("A")}, nil)
	if len(guest) != 0 {
		t.Errorf("a release after ReleaseGuestKeys reached the guest: %s", show(guest))
	}
}
