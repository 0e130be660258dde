package view

import (
	"testing"
	"time"

	"github.com/pollscope/pollscope/emulator"
)

// The window is drawn again only when what it shows changed.
func TestRedraw(t *testing.T) {
	m1 := collect(demoStream(10).evs)
	m2 := collect(demoStream(11).evs)
	var scr emulator.Screen
	scr.Cells[0][0] = emulator.ScreenCell{Char: 'A', Attr: 0x07}
	base := FrameInput{W: 1600, H: 1000, Model: m1, Screen: &scr, Status: Status{Backend: "KVM", VM: "paused", Paused: true}}
	changed := func(f func(in *FrameInput)) FrameInput {
		in := base
		s := *base.Screen
		in.Screen = &s
		f(&in)
		return in
	}
	cursor := changed(func(in *FrameInput) { in.Screen.CursorVisible, in.Screen.CursorEnd = true, 15 })
	blinking := changed(func(in *FrameInput) { in.Screen.Cells[1][0] = emulator.ScreenCell{Char: 'B', Attr: 0x87} })
	at := func(in FrameInput, now time.Duration) FrameInput { in.Now = now; return in }
	tests := []struct {
		name       string
		before, in FrameInput
		input      bool
		want       bool
	}{
		{"nothing changed", base, base, false, false},
		{"input", base, base, true, true},
		{"a new trace snapshot", base, changed(func(in *FrameInput) { in.Model = m2 }), false, true},
		{"a character on the screen", base, changed(func(in *FrameInput) { in.Screen.Cells[0][1].Char = 'x' }), false, true},
		{"the status", base, changed(func(in *FrameInput) { in.Status.Message = "saved" }), false, true},
		{"the window's size", base, changed(func(in *FrameInput) { in.W = 1200 }), false, true},
		{"time passes, nothing blinks", base, at(base, 5*time.Second), false, false},
		{"the cursor's blink phase", cursor, at(cursor, CursorBlink), false, true},
		{"a blinking character's phase", blinking, at(blinking, CharBlink), false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r Redraw
			if !r.Needed(tt.before, false) {
				t.Fatalf("the first frame was not drawn")
			}
			if got := r.Needed(tt.in, tt.input); got != tt.want {
				t.Errorf("Needed = %v, want %v", got, tt.want)
			}
			if r.Needed(tt.in, false) {
				t.Errorf("the same frame again was drawn again")
			}
		})
	}
}

// BenchmarkIdleFrame is what a frame of an idle, paused window costs: the
// check that nothing changed, against computing the frame anew.
func BenchmarkIdleFrame(b *testing.B) {
	a, in := newTestApp(b)
	var sc Scene
	b.Run("redraw-check", func(b *testing.B) {
		var r Redraw
		r.Needed(in, false)
		for b.Loop() {
			if r.Needed(in, false) {
				b.Fatal("an unchanged frame needs drawing")
			}
		}
	})
	b.Run("full-frame", func(b *testing.B) {
		for b.Loop() {
			a.Frame(in, &sc)
		}
	})
}
