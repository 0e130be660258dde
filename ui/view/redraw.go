package view

import (
	"time"

	"github.com/pollscope/pollscope/emulator"
	"github.com/pollscope/pollscope/trace"
)

// Redraw says when a frame must be drawn again, as a CHIP-8's
// DisplayUpdated flag does: when the user did something, or when what the
// frame is computed from changed. An idle window, a paused guest above
// all, then costs almost nothing: the window system keeps showing the last
// frame.
type Redraw struct {
	have bool
	last redrawKey
}

// redrawKey is what a frame shows, as far as it can change by itself.
type redrawKey struct {
	w, h           float64
	model          *trace.Model // snapshots are immutable: a new one is a change
	screen         emulator.Screen
	cursor, blinks bool // the console's blink phases, where something blinks
	status         Status
	cpu            *CPUInput // a new read of the vCPU is a change
}

// Needed reports whether the frame of in must be drawn, given whether the
// user gave any input since the last frame, and notes in as drawn if so.
func (r *Redraw) Needed(in FrameInput, input bool) bool {
	k := redrawKey{w: in.W, h: in.H, model: in.Model, status: in.Status, cpu: in.CPU}
	if in.Screen != nil {
		k.screen = *in.Screen
		cursorOn, charsOn := blinkPhases(in.Now)
		k.cursor = in.Screen.CursorVisible && cursorOn
		k.blinks = hasBlinking(in.Screen) && charsOn
	}
	if !input && r.have && k == r.last {
		return false
	}
	r.have, r.last = true, k
	return true
}

// Forget makes the next frame be drawn whatever it shows.
func (r *Redraw) Forget() { r.have = false }

// blinkPhases is whether the cursor and blinking characters are in their
// on phase at now (see DrawConsole).
func blinkPhases(now time.Duration) (cursor, chars bool) {
	return (now/CursorBlink)%2 == 0, (now/CharBlink)%2 == 0
}

// hasBlinking reports whether a visible character of s blinks.
func hasBlinking(s *emulator.Screen) bool {
	for r := range s.Cells {
		for _, c := range s.Cells[r] {
			if c.Attr&0x80 != 0 && c.Char != 0 && c.Char != ' ' && c.Char != 0xFF && c.Fg() != c.Bg() {
				return true
			}
		}
	}
	return false
}
