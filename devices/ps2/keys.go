package ps2

import (
	"strconv"
	"strings"
)

// Key is one key of the US 104-key PC keyboard, named by its position and
// legend, not by the character it types. The zero Key is not a key.
type Key int

// The keys of the US 104-key keyboard.
const (
	KeyA            Key = iota + 1 // letter A
	KeyB                           // letter B
	KeyC                           // letter C
	KeyD                           // letter D
	KeyE                           // letter E
	KeyF                           // letter F
	KeyG                           // letter G
	KeyH                           // letter H
	KeyI                           // letter I
	KeyJ                           // letter J
	KeyK                           // letter K
	KeyL                           // letter L
	KeyM                           // letter M
	KeyN                           // letter N
	KeyO                           // letter O
	KeyP                           // letter P
	KeyQ                           // letter Q
	KeyR                           // letter R
	KeyS                           // letter S
	KeyT                           // letter T
	KeyU                           // letter U
	KeyV                           // letter V
	KeyW                           // letter W
	KeyX                           // letter X
	KeyY                           // letter Y
	KeyZ                           // letter Z
	Key0                           // digit 0 and )
	Key1                           // digit 1 and !
	Key2                           // digit 2 and @
	Key3                           // digit 3 and #
	Key4                           // digit 4 and $
	Key5                           // digit 5 and %
	Key6                           // digit 6 and ^
	Key7                           // digit 7 and &
	Key8                           // digit 8 and *
	Key9                           // digit 9 and (
	KeyEnter                       // main Enter
	KeyEscape                      // Esc
	KeyBackspace                   // Backspace
	KeyTab                         // Tab
	KeySpace                       // space bar
	KeyMinus                       // - and _
	KeyEqual                       // = and +
	KeyLeftBracket                 // [ and {
	KeyRightBracket                // ] and }
	KeyBackslash                   // \ and |
	KeySemicolon                   // ; and :
	KeyApostrophe                  // ' and "
	KeyGrave                       // ` and ~
	KeyComma                       // , and <
	KeyPeriod                      // . and >
	KeySlash                       // / and ?
	KeyCapsLock                    // Caps Lock
	KeyF1                          // function key F1
	KeyF2                          // function key F2
	KeyF3                          // function key F3
	KeyF4                          // function key F4
	KeyF5                          // function key F5
	KeyF6                          // function key F6
	KeyF7                          // function key F7
	KeyF8                          // function key F8
	KeyF9                          // function key F9
	KeyF10                         // function key F10
	KeyF11                         // function key F11
	KeyF12                         // function key F12
	KeyPrintScreen                 // Print Screen / SysRq
	KeyScrollLock                  // Scroll Lock
	KeyPause                       // Pause / Break: a make sequence and no break
	KeyInsert                      // grey Insert
	KeyHome                        // grey Home
	KeyPageUp                      // grey Page Up
	KeyDelete                      // grey Delete
	KeyEnd                         // grey End
	KeyPageDown                    // grey Page Down
	KeyRight                       // grey right arrow
	KeyLeft                        // grey left arrow
	KeyDown                        // grey down arrow
	KeyUp                          // grey up arrow
	KeyNumLock                     // Num Lock
	KeyKPDivide                    // keypad /
	KeyKPMultiply                  // keypad *
	KeyKPMinus                     // keypad -
	KeyKPPlus                      // keypad +
	KeyKPEnter                     // keypad Enter
	KeyKP0                         // keypad 0 / Ins
	KeyKP1                         // keypad 1 / End
	KeyKP2                         // keypad 2 / down
	KeyKP3                         // keypad 3 / Page Down
	KeyKP4                         // keypad 4 / left
	KeyKP5                         // keypad 5
	KeyKP6                         // keypad 6 / right
	KeyKP7                         // keypad 7 / Home
	KeyKP8                         // keypad 8 / up
	KeyKP9                         // keypad 9 / Page Up
	KeyKPPeriod                    // keypad . / Del
	KeyLeftShift                   // left Shift
	KeyRightShift                  // right Shift
	KeyLeftCtrl                    // left Ctrl
	KeyRightCtrl                   // right Ctrl
	KeyLeftAlt                     // left Alt
	KeyRightAlt                    // right Alt (AltGr)
	KeyLeftMeta                    // left Windows / Super key
	KeyRightMeta                   // right Windows / Super key
	KeyMenu                        // Menu (application) key

	keyEnd // one past the last key
)

// NumKeys is the number of keys: valid keys run from 1 to NumKeys.
const NumKeys = int(keyEnd) - 1

// keyNames holds each key's canonical name, as String returns it.
var keyNames = [keyEnd]string{
	KeyA: "A", KeyB: "B", KeyC: "C", KeyD: "D", KeyE: "E", KeyF: "F",
	KeyG: "G", KeyH: "H", KeyI: "I", KeyJ: "J", KeyK: "K", KeyL: "L",
	KeyM: "M", KeyN: "N", KeyO: "O", KeyP: "P", KeyQ: "Q", KeyR: "R",
	KeyS: "S", KeyT: "T", KeyU: "U", KeyV: "V", KeyW: "W", KeyX: "X",
	KeyY: "Y", KeyZ: "Z",
	Key0: "0", Key1: "1", Key2: "2", Key3: "3", Key4: "4",
	Key5: "5", Key6: "6", Key7: "7", Key8: "8", Key9: "9",
	KeyEnter: "Enter", KeyEscape: "Escape", KeyBackspace: "Backspace",
	KeyTab: "Tab", KeySpace: "Space", KeyMinus: "Minus", KeyEqual: "Equal",
	KeyLeftBracket: "LeftBracket", KeyRightBracket: "RightBracket",
	KeyBackslash: "Backslash", KeySemicolon: "Semicolon",
	KeyApostrophe: "Apostrophe", KeyGrave: "Grave", KeyComma: "Comma",
	KeyPeriod: "Period", KeySlash: "Slash", KeyCapsLock: "CapsLock",
	KeyF1: "F1", KeyF2: "F2", KeyF3: "F3", KeyF4: "F4", KeyF5: "F5",
	KeyF6: "F6", KeyF7: "F7", KeyF8: "F8", KeyF9: "F9", KeyF10: "F10",
	KeyF11: "F11", KeyF12: "F12",
	KeyPrintScreen: "PrintScreen", KeyScrollLock: "ScrollLock",
	KeyPause:  "Pause",
	KeyInsert: "Insert", KeyHome: "Home", KeyPageUp: "PageUp",
	KeyDelete: "Delete", KeyEnd: "End", KeyPageDown: "PageDown",
	KeyRight: "Right", KeyLeft: "Left", KeyDown: "Down", KeyUp: "Up",
	KeyNumLock: "NumLock", KeyKPDivide: "KPDivide",
	KeyKPMultiply: "KPMultiply", KeyKPMinus: "KPMinus", KeyKPPlus: "KPPlus",
	KeyKPEnter: "KPEnter", KeyKP0: "KP0", KeyKP1: "KP1", KeyKP2: "KP2",
	KeyKP3: "KP3", KeyKP4: "KP4", KeyKP5: "KP5", KeyKP6: "KP6",
	KeyKP7: "KP7", KeyKP8: "KP8", KeyKP9: "KP9", KeyKPPeriod: "KPPeriod",
	KeyLeftShift: "LeftShift", KeyRightShift: "RightShift",
	KeyLeftCtrl: "LeftCtrl", KeyRightCtrl: "RightCtrl",
	KeyLeftAlt: "LeftAlt", KeyRightAlt: "RightAlt",
	KeyLeftMeta: "LeftMeta", KeyRightMeta: "RightMeta", KeyMenu: "Menu",
}

// keyAliases are further names scripts may use, in lower case.
var keyAliases = map[string]Key{
	"esc": KeyEscape, "return": KeyEnter, "bs": KeyBackspace,
	"del": KeyDelete, "ins": KeyInsert, "pgup": KeyPageUp, "pgdn": KeyPageDown,
	"pagedn": KeyPageDown, "prtsc": KeyPrintScreen, "sysrq": KeyPrintScreen,
	"break": KeyPause, "caps": KeyCapsLock, "space bar": KeySpace,
	"shift": KeyLeftShift, "lshift": KeyLeftShift, "rshift": KeyRightShift,
	"ctrl": KeyLeftCtrl, "control": KeyLeftCtrl, "lctrl": KeyLeftCtrl,
	"rctrl": KeyRightCtrl, "alt": KeyLeftAlt, "lalt": KeyLeftAlt,
	"ralt": KeyRightAlt, "altgr": KeyRightAlt, "meta": KeyLeftMeta,
	"super": KeyLeftMeta, "win": KeyLeftMeta, "lmeta": KeyLeftMeta,
	"rmeta": KeyRightMeta, "arrowup": KeyUp, "arrowdown": KeyDown,
	"arrowleft": KeyLeft, "arrowright": KeyRight,
	"-": KeyMinus, "=": KeyEqual, "[": KeyLeftBracket, "]": KeyRightBracket,
	"\\": KeyBackslash, ";": KeySemicolon, "'": KeyApostrophe, "`": KeyGrave,
	",": KeyComma, ".": KeyPeriod, "/": KeySlash,
}

// keysByName maps every canonical name, in lower case, to its key.
var keysByName = func() map[string]Key {
	m := make(map[string]Key, NumKeys)
	for k := KeyA; k < keyEnd; k++ {
		m[strings.ToLower(keyNames[k])] = k
	}
	return m
}()

// Valid reports whether k is one of the keyboard's keys.
func (k Key) Valid() bool { return k >= KeyA && k < keyEnd }

// String returns the key's canonical name ("A", "Enter", "LeftShift",
// "KP7"), or "Key(n)" for a value that is not a key.
func (k Key) String() string {
	if !k.Valid() {
		return "Key(" + strconv.Itoa(int(k)) + ")"
	}
	return keyNames[k]
}

// KeyByName finds a key by its canonical name or a common alias ("esc",
// "ctrl", "pgup", "-"), ignoring case: "enter", "a", "f1", "leftshift", "up".
func KeyByName(name string) (Key, bool) {
	n := strings.ToLower(strings.TrimSpace(name))
	if k, ok := keysByName[n]; ok {
		return k, true
	}
	k, ok := keyAliases[n]
	return k, ok
}
