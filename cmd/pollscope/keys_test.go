package main

import (
	"context"
	"testing"

	"github.com/pollscope/pollscope/devices/ps2"
	"github.com/pollscope/pollscope/emulator"
)

// What -keys stdin makes of terminal input: control sequences are arrow
// keys or nothing (a terminal's cursor-position report must not be typed
// into the guest), and a lone ESC is the Esc key.
func TestTerminalEscapeSequences(t *testing.T) {
	m, err := emulator.New(emulator.Config{Backend: emulator.BackendTCG})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for _, c := range []struct {
		name    string
		in      string
		pending bool // an escape sequence is still open at the end
	}{
		{"up arrow", "\x1b[A", false},
		{"cursor-position report", "\x1b[24;80R", false},
		{"half a sequence", "\x1b[2", true},
		{"lone escape then a letter", "\x1bx", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			var esc []byte
			for i := 0; i < len(c.in); i++ {
				esc = typeByte(context.Background(), m, c.in[i], esc)
			}
			if (esc != nil) != c.pending {
				t.Errorf("after %q the sequence state is %q", c.in, esc)
			}
		})
	}
	if arrows['A'] != ps2.KeyUp || byteKeys[0x7f] != ps2.KeyBackspace {
		t.Errorf("the key tables lost the arrows or Backspace")
	}
}
