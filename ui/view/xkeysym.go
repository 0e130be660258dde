package view

import (
	"fmt"

	"github.com/pollscope/pollscope/emulator"
)

// X11 keysyms (X11/keysymdef.h) of the keys of a PC keyboard: what the X
// server reports for a key event's keycode, in the keyboard mapping's first
// column (no modifier held). Printable ASCII keysyms are the characters
// themselves.
var keysymKeys = func() map[uint32]Key {
	m := map[uint32]Key{}
	// Latin-1 keysyms equal the character: letters (either case, as
	// layouts list them), digits and the US layout's punctuation.
	for r := rune(0x20); r < 0x7f; r++ {
		if k, _, ok := emulator.KeyForRune(r); ok {
			m[uint32(r)] = k
		}
	}
	for f := 1; f <= 12; f++ {
		m[0xffbd+uint32(f)] = key(fmt.Sprint("F", f)) // XK_F1 = 0xffbe
	}
	for d := range 10 {
		m[0xffb0+uint32(d)] = key(fmt.Sprint("KP", d)) // XK_KP_0..XK_KP_9
	}
	for ks, name := range map[uint32]string{
		0xff08: "Backspace", 0xff09: "Tab", 0xfe20: "Tab" /* ISO_Left_Tab */, 0xff0d: "Enter", 0xff1b: "Escape",
		0xff13: "Pause", 0xff6b: "Pause" /* Break */, 0xff14: "ScrollLock", 0xff15: "PrintScreen" /* Sys_Req */, 0xff61: "PrintScreen",
		0xff50: "Home", 0xff51: "Left", 0xff52: "Up", 0xff53: "Right", 0xff54: "Down",
		0xff55: "PageUp", 0xff56: "PageDown", 0xff57: "End", 0xff63: "Insert", 0xffff: "Delete", 0xff67: "Menu",
		0xff7f: "NumLock", 0xffe5: "CapsLock",
		0xffe1: "LeftShift", 0xffe2: "RightShift", 0xffe3: "LeftCtrl", 0xffe4: "RightCtrl",
		0xffe7: "LeftMeta", 0xffe8: "RightMeta", 0xffe9: "LeftAlt", 0xffea: "RightAlt",
		0xffeb: "LeftMeta", 0xffec: "RightMeta", // Super_L, Super_R: the Windows keys
		0xfe03: "RightAlt", 0xff7e: "RightAlt", // ISO_Level3_Shift (AltGr), Mode_switch
		// The keypad, with Num Lock off (the first column) and on.
		0xff8d: "KPEnter", 0xffaa: "KPMultiply", 0xffab: "KPPlus", 0xffad: "KPMinus", 0xffaf: "KPDivide",
		0xffae: "KPPeriod", 0xff9f: "KPPeriod", 0xffac: "KPPeriod", // KP_Decimal, KP_Delete, KP_Separator
		0xff9e: "KP0", 0xff9c: "KP1", 0xff99: "KP2", 0xff9b: "KP3", 0xff96: "KP4",
		0xff9d: "KP5", 0xff98: "KP6", 0xff95: "KP7", 0xff97: "KP8", 0xff9a: "KP9",
	} {
		m[ks] = key(name)
	}
	return m
}()

// KeysymKey returns the guest keyboard key for an X11 keysym, as the X
// server maps the key's keycode with no modifier held.
func KeysymKey(keysym uint32) (Key, bool) {
	k, ok := keysymKeys[keysym]
	return k, ok
}
