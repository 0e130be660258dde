package ps2

import (
	"strings"
	"testing"
)

// usRows lays out the US keyboard's character keys: the same position in
// plain and shifted types the character without and with Shift.
var usRows = []struct{ plain, shifted, keys string }{
	{"`1234567890-=", "~!@#$%^&*()_+", "Grave 1 2 3 4 5 6 7 8 9 0 Minus Equal"},
	{"qwertyuiop[]\\", "QWERTYUIOP{}|", "Q W E R T Y U I O P LeftBracket RightBracket Backslash"},
	{"asdfghjkl;'", "ASDFGHJKL:\"", "A S D F G H J K L Semicolon Apostrophe"},
	{"zxcvbnm,./", "ZXCVBNM<>?", "Z X C V B N M Comma Period Slash"},
}

func TestKeyForRuneCoversPrintableASCII(t *testing.T) {
	type want struct {
		key   string
		shift bool
	}
	expect := map[rune]want{' ': {"Space", false}}
	for _, row := range usRows {
		names := strings.Fields(row.keys)
		for i, r := range row.plain {
			expect[r] = want{names[i], false}
		}
		for i, r := range row.shifted {
			expect[r] = want{names[i], true}
		}
	}
	for r := rune(0x20); r < 0x7F; r++ {
		w, ok := expect[r]
		if !ok {
			t.Fatalf("test layout misses %q", r)
		}
		t.Run(string(r), func(t *testing.T) {
			k, shift, ok := KeyForRune(r)
			if !ok || k.String() != w.key || shift != w.shift {
				t.Fatalf("KeyForRune(%q) = %v, %v, %v; want %s, %v, true", r, k, shift, ok, w.key, w.shift)
			}
		})
	}
}

func TestKeyForRuneControls(t *testing.T) {
	cases := []struct {
		name string
		r    rune
		key  Key
		ok   bool
	}{
		{"newline is Enter", '\n', KeyEnter, true},
		{"carriage return is Enter", '\r', KeyEnter, true},
		{"tab", '\t', KeyTab, true},
		{"backspace", '\b', KeyBackspace, true},
		{"escape", 0x1B, KeyEscape, true},
		{"NUL has no key", 0, 0, false},
		{"DEL has no key", 0x7F, 0, false},
		{"non-ASCII has no key", 'é', 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			k, shift, ok := KeyForRune(tc.r)
			if k != tc.key || ok != tc.ok || shift {
				t.Fatalf("KeyForRune(%q) = %v, %v, %v; want %v, false, %v", tc.r, k, shift, ok, tc.key, tc.ok)
			}
		})
	}
}

func TestKeyByName(t *testing.T) {
	cases := []struct {
		name string
		key  Key
		ok   bool
	}{
		{"enter", KeyEnter, true},
		{"a", KeyA, true},
		{"A", KeyA, true},
		{"f1", KeyF1, true},
		{"F12", KeyF12, true},
		{"leftshift", KeyLeftShift, true},
		{"LeftShift", KeyLeftShift, true},
		{"up", KeyUp, true},
		{"kp7", KeyKP7, true},
		{"kpenter", KeyKPEnter, true},
		{"esc", KeyEscape, true},
		{"ctrl", KeyLeftCtrl, true},
		{"pgdn", KeyPageDown, true},
		{" space ", KeySpace, true},
		{"5", Key5, true},
		{"", 0, false},
		{"hyper", 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			k, ok := KeyByName(tc.name)
			if k != tc.key || ok != tc.ok {
				t.Fatalf("KeyByName(%q) = %v, %v; want %v, %v", tc.name, k, ok, tc.key, tc.ok)
			}
		})
	}
}

func TestEveryKeyHasAUniqueName(t *testing.T) {
	seen := map[string]Key{}
	for k := KeyA; int(k) <= NumKeys; k++ {
		name := k.String()
		if prev, dup := seen[name]; dup || name == "" {
			t.Fatalf("key %d named %q, like key %d", k, name, prev)
		}
		seen[name] = k
		if back, ok := KeyByName(name); !ok || back != k {
			t.Fatalf("KeyByName(%q) = %v, %v; want %d", name, back, ok, k)
		}
	}
	if NumKeys != 104 {
		t.Fatalf("NumKeys = %d, want 104", NumKeys)
	}
	if got := Key(0).String(); got != "Key(0)" {
		t.Fatalf("Key(0).String() = %q", got)
	}
}
