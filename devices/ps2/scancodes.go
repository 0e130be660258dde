package ps2

// extended marks a set-2 code in set2Codes that the keyboard sends after an
// 0xE0 prefix (the grey keys added by the MF2 keyboard).
const extended = 0xE000

// set2Codes holds each key's make code in scan code set 2, the keyboard's
// native set. A key's break code is 0xF0 followed by its make code, after
// the 0xE0 prefix for an extended key. KeyPrintScreen and KeyPause send
// longer sequences (see set2Sequence) and have no entry.
var set2Codes = [keyEnd]uint16{
	KeyA: 0x1C, KeyB: 0x32, KeyC: 0x21, KeyD: 0x23, KeyE: 0x24, KeyF: 0x2B,
	KeyG: 0x34, KeyH: 0x33, KeyI: 0x43, KeyJ: 0x3B, KeyK: 0x42, KeyL: 0x4B,
	KeyM: 0x3A, KeyN: 0x31, KeyO: 0x44, KeyP: 0x4D, KeyQ: 0x15, KeyR: 0x2D,
	KeyS: 0x1B, KeyT: 0x2C, KeyU: 0x3C, KeyV: 0x2A, KeyW: 0x1D, KeyX: 0x22,
	KeyY: 0x35, KeyZ: 0x1A,
	Key0: 0x45, Key1: 0x16, Key2: 0x1E, Key3: 0x26, Key4: 0x25,
	Key5: 0x2E, Key6: 0x36, Key7: 0x3D, Key8: 0x3E, Key9: 0x46,
	KeyEnter: 0x5A, KeyEscape: 0x76, KeyBackspace: 0x66, KeyTab: 0x0D,
	KeySpace: 0x29, KeyMinus: 0x4E, KeyEqual: 0x55, KeyLeftBracket: 0x54,
	KeyRightBracket: 0x5B, KeyBackslash: 0x5D, KeySemicolon: 0x4C,
	KeyApostrophe: 0x52, KeyGrave: 0x0E, KeyComma: 0x41, KeyPeriod: 0x49,
	KeySlash: 0x4A, KeyCapsLock: 0x58,
	KeyF1: 0x05, KeyF2: 0x06, KeyF3: 0x04, KeyF4: 0x0C, KeyF5: 0x03,
	KeyF6: 0x0B, KeyF7: 0x83, KeyF8: 0x0A, KeyF9: 0x01, KeyF10: 0x09,
	KeyF11: 0x78, KeyF12: 0x07,
	KeyScrollLock: 0x7E,
	KeyInsert:     extended | 0x70, KeyHome: extended | 0x6C,
	KeyPageUp: extended | 0x7D, KeyDelete: extended | 0x71,
	KeyEnd: extended | 0x69, KeyPageDown: extended | 0x7A,
	KeyRight: extended | 0x74, KeyLeft: extended | 0x6B,
	KeyDown: extended | 0x72, KeyUp: extended | 0x75,
	KeyNumLock: 0x77, KeyKPDivide: extended | 0x4A, KeyKPMultiply: 0x7C,
	KeyKPMinus: 0x7B, KeyKPPlus: 0x79, KeyKPEnter: extended | 0x5A,
	KeyKP0: 0x70, KeyKP1: 0x69, KeyKP2: 0x72, KeyKP3: 0x7A, KeyKP4: 0x6B,
	KeyKP5: 0x73, KeyKP6: 0x74, KeyKP7: 0x6C, KeyKP8: 0x75, KeyKP9: 0x7D,
	KeyKPPeriod:  0x71,
	KeyLeftShift: 0x12, KeyRightShift: 0x59, KeyLeftCtrl: 0x14,
	KeyRightCtrl: extended | 0x14, KeyLeftAlt: 0x11, KeyRightAlt: extended | 0x11,
	KeyLeftMeta: extended | 0x1F, KeyRightMeta: extended | 0x27,
	KeyMenu: extended | 0x2F,
}

// Print Screen is a "fake shift" followed by the keypad-* code, both
// extended; its release undoes them in reverse order. Pause sends Ctrl+NumLock
// behind an 0xE1 prefix, make and release at once, and nothing on release.
var (
	set2PrintScreenMake  = []byte{kbdExtended, 0x12, kbdExtended, 0x7C}
	set2PrintScreenBreak = []byte{kbdExtended, kbdBreak, 0x7C, kbdExtended, kbdBreak, 0x12}
	set2PauseMake        = []byte{kbdPause, 0x14, 0x77, kbdPause, kbdBreak, 0x14, kbdBreak, 0x77}
)

// set2Sequence returns the bytes a key sends in scan code set 2 when pressed
// (down) or released; nil for KeyPause's release and for an invalid key.
func set2Sequence(k Key, down bool) []byte {
	switch {
	case !k.Valid():
		return nil
	case k == KeyPrintScreen && down:
		return set2PrintScreenMake
	case k == KeyPrintScreen:
		return set2PrintScreenBreak
	case k == KeyPause && down:
		return set2PauseMake
	case k == KeyPause:
		return nil
	}
	code := set2Codes[k]
	seq := make([]byte, 0, 3)
	if code&extended != 0 {
		seq = append(seq, kbdExtended)
	}
	if !down {
		seq = append(seq, kbdBreak)
	}
	return append(seq, byte(code))
}

// sequence returns the bytes a key sends in the given scan code set (1 or 2)
// when pressed (down) or released: what the guest reads from port 0x60 when
// the controller does not translate. Set 1 is what the 8042's translation
// makes of set 2. It returns nil for KeyPause's release, for an invalid key
// and for any other set.
func sequence(k Key, down bool, set int) []byte {
	seq := set2Sequence(k, down)
	switch {
	case seq == nil:
		return nil
	case set == 2:
		return append([]byte(nil), seq...)
	case set == 1:
		return translateSequence(seq)
	}
	return nil
}
