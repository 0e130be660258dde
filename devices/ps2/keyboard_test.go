package ps2

import "testing"

// exchange is one byte a driver sends the keyboard through port 0x60 and the
// bytes it then reads back, each announced by OBF.
type exchange struct {
	send byte
	want []byte
}

func b(v ...byte) []byte { return v }

// TestAtkbdProbe replays drivers/input/keyboard/atkbd.c's conversation with
// the keyboard (atkbd_probe, atkbd_select_set, atkbd_reset_state,
// atkbd_activate, then the LED and repeat-rate updates and a reset), with
// the controller translating (as SeaBIOS leaves it) and not translating (as
// Linux runs it with i8042.direct or without firmware).
func TestAtkbdProbe(t *testing.T) {
	cases := []struct {
		name      string
		translate bool
		steps     []exchange
	}{
		{"translated", true, []exchange{
			{KbdIdentify, b(KbdAck, KbdID1, 0x41)},
			{KbdDisable, b(KbdAck)},
			{KbdSetLEDs, b(KbdAck)}, {0x00, b(KbdAck)},
			{KbdTypematic, b(KbdAck)}, {0x00, b(KbdAck)},
			{KbdEnable, b(KbdAck)},
			{KbdSetLEDs, b(KbdAck)}, {0x02, b(KbdAck)},
			{KbdTypematic, b(KbdAck)}, {0x20, b(KbdAck)},
			{KbdScanCodeSet, b(KbdAck)}, {0x02, b(KbdAck)},
			{KbdScanCodeSet, b(KbdAck)}, {0x00, b(KbdAck, 0x41)},
			{KbdEcho, b(KbdEcho)},
			{KbdReset, b(KbdAck, KbdBATOK)},
		}},
		{"untranslated", false, []exchange{
			{KbdIdentify, b(KbdAck, KbdID1, KbdID2)},
			{KbdDisable, b(KbdAck)},
			{KbdSetLEDs, b(KbdAck)}, {0x00, b(KbdAck)},
			{KbdTypematic, b(KbdAck)}, {0x00, b(KbdAck)},
			{KbdEnable, b(KbdAck)},
			{KbdScanCodeSet, b(KbdAck)}, {0x02, b(KbdAck)},
			{KbdScanCodeSet, b(KbdAck)}, {0x00, b(KbdAck, 0x02)},
			{KbdEcho, b(KbdEcho)},
			{KbdReset, b(KbdAck, KbdBATOK)},
		}},
		{"set 3 is refused by reading back set 2, as atkbd_select_set checks", false, []exchange{
			{KbdScanCodeSet, b(KbdAck)}, {0x03, b(KbdAck)},
			{KbdScanCodeSet, b(KbdAck)}, {0x00, b(KbdAck, 0x02)},
		}},
		{"set 1 is taken", false, []exchange{
			{KbdScanCodeSet, b(KbdAck)}, {0x01, b(KbdAck)},
			{KbdScanCodeSet, b(KbdAck)}, {0x00, b(KbdAck, 0x01)},
		}},
		{"unknown commands answer resend", false, []exchange{
			{0xE8, b(KbdResendMe)},
			{0x00, b(KbdResendMe)},
		}},
		{"resend repeats the last byte sent", false, []exchange{
			{KbdIdentify, b(KbdAck, KbdID1, KbdID2)},
			{KbdResend, b(KbdID2)},
		}},
		{"a command in place of a parameter replaces the first command", false, []exchange{
			{KbdSetLEDs, b(KbdAck)},
			{KbdIdentify, b(KbdAck, KbdID1, KbdID2)},
		}},
		{"an invalid scan code set is refused", false, []exchange{
			{KbdScanCodeSet, b(KbdAck)}, {0x07, b(KbdResendMe)},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			if !tc.translate {
				r.untranslated()
			}
			for _, ex := range tc.steps {
				r.write(ex.send)
				r.expect(hex([]byte{ex.send}), ex.want...)
			}
		})
	}
}

// TestKeyboardRepliesRaiseIRQ1 checks that the atkbd conversation, which
// Linux runs through its interrupt handler, sees one IRQ 1 edge per byte.
func TestKeyboardRepliesRaiseIRQ1(t *testing.T) {
	r := newRig(t)
	r.write(KbdIdentify)
	var got []byte
	for handled := 0; handled < r.irq1.rises && len(got) < 10; handled++ {
		got = append(got, r.read())
	}
	if hex(got) != "FA AB 41" {
		t.Fatalf("handler read % X, want FA AB 41", got)
	}
}

func TestScanningDisabledDiscardsKeys(t *testing.T) {
	r := newRig(t)
	r.write(KbdDisable)
	r.expect("ack", KbdAck)
	r.tap(KeyA)
	r.expect("keys while disabled")
	if r.c.Discarded() != 2 || r.c.Dropped() != 0 {
		t.Fatalf("discarded %d dropped %d, want 2 and 0", r.c.Discarded(), r.c.Dropped())
	}
	r.write(KbdEnable)
	r.expect("ack", KbdAck)
	r.tap(KeyA)
	r.expect("keys after enable", 0x1E, 0x9E)
}

func TestResetClearsUnsentKeys(t *testing.T) {
	r := newRig(t)
	r.command(CmdDisableKbd)
	r.tap(KeyA)
	r.tap(KeyB)
	r.write(KbdReset)
	r.command(CmdEnableKbd)
	r.expect("after reset", KbdAck, KbdBATOK)
	if r.c.Discarded() != 4 {
		t.Fatalf("discarded %d, want 4", r.c.Discarded())
	}
}

func TestReplyWaitsForEventInFlight(t *testing.T) {
	r := newRig(t)
	r.c.KeyDown(KeyUp) // E0 48: E0 in the output buffer, 48 still in the keyboard
	r.c.KeyDown(KeyA)  // queued behind it
	r.write(KbdEcho)
	r.expect("bytes", 0xE0, 0x48, KbdEcho, 0x1E)
}

func TestReplyBufferOverrunKeepsOldest(t *testing.T) {
	r := newRig(t)
	r.command(CmdDisableKbd)
	for range ReplyCap + 4 {
		r.write(KbdEcho)
	}
	r.command(CmdEnableKbd)
	got := r.drain(100)
	if len(got) != ReplyCap {
		t.Fatalf("read %d echoes, want %d", len(got), ReplyCap)
	}
}
