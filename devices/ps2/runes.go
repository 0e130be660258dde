package ps2

// shiftedRunes maps each character typed with Shift held on a US layout to the
// key that types it.
var shiftedRunes = map[rune]Key{
	'~': KeyGrave, '!': Key1, '@': Key2, '#': Key3, '$': Key4, '%': Key5,
	'^': Key6, '&': Key7, '*': Key8, '(': Key9, ')': Key0, '_': KeyMinus,
	'+': KeyEqual, '{': KeyLeftBracket, '}': KeyRightBracket,
	'|': KeyBackslash, ':': KeySemicolon, '"': KeyApostrophe,
	'<': KeyComma, '>': KeyPeriod, '?': KeySlash,
}

// plainRunes maps the characters typed without Shift (other than letters and
// digits) to their keys.
var plainRunes = map[rune]Key{
	'`': KeyGrave, '-': KeyMinus, '=': KeyEqual, '[': KeyLeftBracket,
	']': KeyRightBracket, '\\': KeyBackslash, ';': KeySemicolon,
	'\'': KeyApostrophe, ',': KeyComma, '.': KeyPeriod, '/': KeySlash,
	' ': KeySpace, '\n': KeyEnter, '\r': KeyEnter, '\t': KeyTab,
	'\b': KeyBackspace, '\x1b': KeyEscape,
}

// KeyForRune tells which key, with or without Shift, types r on a US
// keyboard: 'a' is KeyA, 'A' is KeyA with Shift, '!' is Key1 with Shift,
// '\n' and '\r' are KeyEnter, '\t' KeyTab, '\b' KeyBackspace, '\x1b'
// KeyEscape. ok is false for a character no single key types.
func KeyForRune(r rune) (k Key, shift bool, ok bool) {
	switch {
	case r >= 'a' && r <= 'z':
		return KeyA + Key(r-'a'), false, true
	case r >= 'A' && r <= 'Z':
		return KeyA + Key(r-'A'), true, true
	case r >= '0' && r <= '9':
		return Key0 + Key(r-'0'), false, true
	}
	if k, ok := plainRunes[r]; ok {
		return k, false, true
	}
	if k, ok := shiftedRunes[r]; ok {
		return k, true, true
	}
	return 0, false, false
}
