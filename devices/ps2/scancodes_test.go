package ps2

import "testing"

// set1Make lists every key's set-1 make code as IBM documents it, written
// independently of the set-2 table and the 8042 translation table, so that a
// mistake in either shows here. 0xE0 in the high byte marks an extended key.
var set1Make = map[Key]uint16{
	KeyEscape: 0x01, Key1: 0x02, Key2: 0x03, Key3: 0x04, Key4: 0x05,
	Key5: 0x06, Key6: 0x07, Key7: 0x08, Key8: 0x09, Key9: 0x0A, Key0: 0x0B,
	KeyMinus: 0x0C, KeyEqual: 0x0D, KeyBackspace: 0x0E, KeyTab: 0x0F,
	KeyQ: 0x10, KeyW: 0x11, KeyE: 0x12, KeyR: 0x13, KeyT: 0x14, KeyY: 0x15,
	KeyU: 0x16, KeyI: 0x17, KeyO: 0x18, KeyP: 0x19, KeyLeftBracket: 0x1A,
	KeyRightBracket: 0x1B, KeyEnter: 0x1C, KeyLeftCtrl: 0x1D, KeyA: 0x1E,
	KeyS: 0x1F, KeyD: 0x20, KeyF: 0x21, KeyG: 0x22, KeyH: 0x23, KeyJ: 0x24,
	KeyK: 0x25, KeyL: 0x26, KeySemicolon: 0x27, KeyApostrophe: 0x28,
	KeyGrave: 0x29, KeyLeftShift: 0x2A, KeyBackslash: 0x2B, KeyZ: 0x2C,
	KeyX: 0x2D, KeyC: 0x2E, KeyV: 0x2F, KeyB: 0x30, KeyN: 0x31, KeyM: 0x32,
	KeyComma: 0x33, KeyPeriod: 0x34, KeySlash: 0x35, KeyRightShift: 0x36,
	KeyKPMultiply: 0x37, KeyLeftAlt: 0x38, KeySpace: 0x39, KeyCapsLock: 0x3A,
	KeyF1: 0x3B, KeyF2: 0x3C, KeyF3: 0x3D, KeyF4: 0x3E, KeyF5: 0x3F,
	KeyF6: 0x40, KeyF7: 0x41, KeyF8: 0x42, KeyF9: 0x43, KeyF10: 0x44,
	KeyNumLock: 0x45, KeyScrollLock: 0x46, KeyKP7: 0x47, KeyKP8: 0x48,
	KeyKP9: 0x49, KeyKPMinus: 0x4A, KeyKP4: 0x4B, KeyKP5: 0x4C, KeyKP6: 0x4D,
	KeyKPPlus: 0x4E, KeyKP1: 0x4F, KeyKP2: 0x50, KeyKP3: 0x51, KeyKP0: 0x52,
	KeyKPPeriod: 0x53, KeyF11: 0x57, KeyF12: 0x58,
	KeyKPEnter: 0xE01C, KeyRightCtrl: 0xE01D, KeyKPDivide: 0xE035,
	KeyRightAlt: 0xE038, KeyHome: 0xE047, KeyUp: 0xE048, KeyPageUp: 0xE049,
	KeyLeft: 0xE04B, KeyRight: 0xE04D, KeyEnd: 0xE04F, KeyDown: 0xE050,
	KeyPageDown: 0xE051, KeyInsert: 0xE052, KeyDelete: 0xE053,
	KeyLeftMeta: 0xE05B, KeyRightMeta: 0xE05C, KeyMenu: 0xE05D,
}

func set1Bytes(code uint16, down bool) []byte {
	c := byte(code)
	if !down {
		c |= 0x80
	}
	if code>>8 == 0xE0 {
		return []byte{0xE0, c}
	}
	return []byte{c}
}

// TestEveryKeyInSet1 presses and releases every ordinary key and checks the
// guest reads IBM's set-1 codes, both through the controller's translation
// of set 2 and from a keyboard switched to set 1 natively.
func TestEveryKeyInSet1(t *testing.T) {
	if len(set1Make) != NumKeys-2 {
		t.Fatalf("test table has %d keys, want %d (all but Pause and Print Screen)", len(set1Make), NumKeys-2)
	}
	modes := []struct {
		name  string
		setup func(r *rig)
	}{
		{"translated set 2", func(r *rig) {}},
		{"native set 1", func(r *rig) {
			r.untranslated()
			r.write(KbdScanCodeSet)
			r.write(1)
			r.expect("set 1", KbdAck, KbdAck)
		}},
	}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			r := newRig(t)
			m.setup(r)
			for k, code := range set1Make {
				r.tap(k)
				want := append(set1Bytes(code, true), set1Bytes(code, false)...)
				if got := r.drain(16); hex(got) != hex(want) {
					t.Errorf("%v: read % X, want % X", k, got, want)
				}
			}
		})
	}
}

func TestTypingShiftedA(t *testing.T) {
	cases := []struct {
		name      string
		translate bool
		want      []byte
	}{
		{"set 1 through translation", true, b(0x2A, 0x1E, 0x9E, 0xAA)},
		{"set 2 untranslated", false, b(0x12, 0x1C, 0xF0, 0x1C, 0xF0, 0x12)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			if !tc.translate {
				r.untranslated()
			}
			k, shift, ok := KeyForRune('A')
			if !ok || !shift || k != KeyA {
				t.Fatalf("KeyForRune('A') = %v, %v, %v", k, shift, ok)
			}
			r.c.KeyDown(KeyLeftShift)
			r.tap(k)
			r.c.KeyUp(KeyLeftShift)
			r.expect("Shift+A", tc.want...)
		})
	}
}

func TestSpecialSequences(t *testing.T) {
	cases := []struct {
		name      string
		key       Key
		down      bool
		translate bool
		want      []byte
	}{
		{"up arrow make, set 2", KeyUp, true, false, b(0xE0, 0x75)},
		{"up arrow break, set 2", KeyUp, false, false, b(0xE0, 0xF0, 0x75)},
		{"up arrow break, set 1", KeyUp, false, true, b(0xE0, 0xC8)},
		{"left arrow make, set 2", KeyLeft, true, false, b(0xE0, 0x6B)},
		{"right arrow make, set 1", KeyRight, true, true, b(0xE0, 0x4D)},
		{"down arrow break, set 1", KeyDown, false, true, b(0xE0, 0xD0)},
		{"right ctrl make, set 2", KeyRightCtrl, true, false, b(0xE0, 0x14)},
		{"right ctrl break, set 2", KeyRightCtrl, false, false, b(0xE0, 0xF0, 0x14)},
		{"right ctrl make, set 1", KeyRightCtrl, true, true, b(0xE0, 0x1D)},
		{"right ctrl break, set 1", KeyRightCtrl, false, true, b(0xE0, 0x9D)},
		{"keypad enter break, set 2", KeyKPEnter, false, false, b(0xE0, 0xF0, 0x5A)},
		{"F7, the one set-2 code above 0x7F, make", KeyF7, true, false, b(0x83)},
		{"F7 break, set 1", KeyF7, false, true, b(0xC1)},
		{"print screen make, set 2", KeyPrintScreen, true, false, b(0xE0, 0x12, 0xE0, 0x7C)},
		{"print screen break, set 2", KeyPrintScreen, false, false, b(0xE0, 0xF0, 0x7C, 0xE0, 0xF0, 0x12)},
		{"print screen make, set 1", KeyPrintScreen, true, true, b(0xE0, 0x2A, 0xE0, 0x37)},
		{"print screen break, set 1", KeyPrintScreen, false, true, b(0xE0, 0xB7, 0xE0, 0xAA)},
		{"pause, set 2", KeyPause, true, false, b(0xE1, 0x14, 0x77, 0xE1, 0xF0, 0x14, 0xF0, 0x77)},
		{"pause, set 1", KeyPause, true, true, b(0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5)},
		{"pause release sends nothing", KeyPause, false, true, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			if !tc.translate {
				r.untranslated()
			}
			if tc.down {
				r.c.KeyDown(tc.key)
			} else {
				r.c.KeyUp(tc.key)
			}
			r.expect(tc.key.String(), tc.want...)
			if r.c.Dropped() != 0 || r.c.Discarded() != 0 {
				t.Fatalf("dropped %d discarded %d", r.c.Dropped(), r.c.Discarded())
			}
		})
	}
}

func TestAutorepeatSendsMakeAgain(t *testing.T) {
	r := newRig(t)
	r.c.KeyDown(KeyA)
	r.c.KeyDown(KeyA)
	r.c.KeyDown(KeyA)
	r.c.KeyUp(KeyA)
	r.expect("repeat", 0x1E, 0x1E, 0x1E, 0x9E)
}

func TestInvalidKeysSendNothing(t *testing.T) {
	r := newRig(t)
	for _, k := range []Key{0, -1, Key(NumKeys + 1), 1 << 30} {
		r.c.KeyDown(k)
		r.c.KeyUp(k)
	}
	r.expect("invalid keys")
	if r.c.Dropped() != 0 || r.c.Discarded() != 0 {
		t.Fatalf("dropped %d discarded %d, want 0 0", r.c.Dropped(), r.c.Discarded())
	}
}

// TestFIFOOverflowDropsWholeEvents holds the keyboard interface disabled so
// nothing drains, types more extended-key releases (three set-2 bytes, two
// set-1 bytes each) than the FIFO holds, and checks the excess is counted
// and what comes out is whole events only.
func TestFIFOOverflowDropsWholeEvents(t *testing.T) {
	const extra = 7
	r := newRig(t)
	r.command(CmdDisableKbd)
	for range QueueCap + extra {
		r.c.KeyUp(KeyUp)
	}
	if r.c.Dropped() != extra {
		t.Fatalf("Dropped() = %d, want %d", r.c.Dropped(), extra)
	}
	r.command(CmdEnableKbd)
	got := r.drain(4 * QueueCap)
	if len(got) != 2*QueueCap {
		t.Fatalf("read %d bytes, want %d", len(got), 2*QueueCap)
	}
	for i := 0; i < len(got); i += 2 {
		if got[i] != 0xE0 || got[i+1] != 0xC8 {
			t.Fatalf("bytes %d-%d are % X, want E0 C8", i, i+1, got[i:i+2])
		}
	}
	r.c.KeyDown(KeyA)
	r.expect("after draining", 0x1E)
	if r.c.Dropped() != extra {
		t.Fatalf("Dropped() = %d after draining, want %d", r.c.Dropped(), extra)
	}
}

func TestPendingCountsUnsentBytes(t *testing.T) {
	r := newRig(t)
	steps := []struct {
		name string
		do   func()
		want int
	}{
		{"nothing typed", func() {}, 0},
		{"first byte goes straight to the output buffer", func() { r.c.KeyDown(KeyA) }, 0},
		{"next event waits: F0 1C", func() { r.c.KeyUp(KeyA) }, 2},
		{"an extended release waits behind it: E0 F0 75", func() { r.c.KeyUp(KeyUp) }, 5},
		{"reading 1E moves F0 1C out (translated to 9E)", func() { r.read() }, 3},
		{"reading 9E moves E0 out", func() { r.read() }, 2},
		{"draining empties the FIFO", func() { r.drain(16) }, 0},
	}
	for _, s := range steps {
		s.do()
		if got := r.c.Pending(); got != s.want {
			t.Fatalf("%s: Pending() = %d, want %d", s.name, got, s.want)
		}
	}
}
