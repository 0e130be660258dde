package main

import (
	"context"
	"slices"
	"testing"

	"github.com/pollscope/pollscope/devices/ps2"
)

// keyLog records what typeByte types.
type keyLog []string

func (l *keyLog) KeyDown(k ps2.Key)  { *l = append(*l, "down "+k.String()) }
func (l *keyLog) KeyUp(k ps2.Key)    { *l = append(*l, "up "+k.String()) }
func (l *keyLog) PressKey(k ps2.Key) { *l = append(*l, "press "+k.String()) }
func (l *keyLog) TypeText(_ context.Context, s string) error {
	*l = append(*l, "type "+s)
	return nil
}

// What -keys stdin makes of terminal input: control sequences are arrow
// keys or nothing (a terminal's cursor-position report must not be typed
// into the guest), a lone ESC is the Esc key, control characters are
// their keys.
func TestTerminalEscapeSequences(t *testing.T) {
	up, esc, bs, enter, ctrl, c := ps2.KeyUp.String(), ps2.KeyEscape.String(), ps2.KeyBackspace.String(),
		ps2.KeyEnter.String(), ps2.KeyLeftCtrl.String(), ps2.KeyC.String()
	for _, tc := range []struct {
		name    string
		in      string
		want    []string
		pending bool // an escape sequence is still open at the end
	}{
		{"up arrow", "\x1b[A", []string{"press " + up}, false},
		{"cursor-position report", "\x1b[24;80R", nil, false},
		{"half a sequence", "\x1b[2", nil, true},
		{"lone escape then a letter", "\x1bx", []string{"press " + esc, "type x"}, false},
		{"backspace and enter", "\x7f\r", []string{"press " + bs, "press " + enter}, false},
		{"ctrl-c", "\x03", []string{"down " + ctrl, "press " + c, "up " + ctrl}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var typed keyLog
			var seq []byte
			for i := 0; i < len(tc.in); i++ {
				seq = typeByte(context.Background(), &typed, tc.in[i], seq)
			}
			if (seq != nil) != tc.pending {
				t.Errorf("after %q the sequence state is %q", tc.in, seq)
			}
			if !slices.Equal(typed, tc.want) {
				t.Errorf("%q typed %q, want %q", tc.in, typed, tc.want)
			}
		})
	}
}
