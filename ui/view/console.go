package view

import (
	"time"

	"github.com/pollscope/pollscope/emulator"
)

// Console geometry: the VGA font's cell.
const (
	CellW = 8
	CellH = 16
)

// Blink timing, as a VGA in text mode counts frames: the cursor toggles
// every 8 vertical retraces and blinking characters every 16, at 60 Hz.
const (
	CursorBlink = 8 * time.Second / 60
	CharBlink   = 16 * time.Second / 60
)

// DrawConsole adds the 80×25 text screen s to the layer with its top left
// at (x, y), scale screen pixels per font pixel, as it looks at time now
// (which phase of the blinks).
//
// Attribute bit 7 is taken as blink, as the BIOS leaves a VGA: a cell with it
// set shows its character only in the on phase of the character blink, on
// the background of bits 4-6. The cursor is drawn at the CRTC's position in
// the cell's foreground colour over scan lines CursorStart..CursorEnd.
func DrawConsole(l *Layer, s *emulator.Screen, x, y, scale float64, now time.Duration) {
	cursorOn, charsOn := blinkPhases(now)
	cw, ch := CellW*scale, CellH*scale
	for r := range emulator.ScreenRows {
		row := &s.Cells[r]
		// Backgrounds as runs of one colour.
		for c := 0; c < emulator.ScreenCols; {
			bg := row[c].Bg()
			e := c + 1
			for e < emulator.ScreenCols && row[e].Bg() == bg {
				e++
			}
			if bg != 0 {
				l.fill(Rect{x + float64(c)*cw, y + float64(r)*ch, float64(e-c) * cw, ch}, emulator.ScreenColor(bg))
			}
			c = e
		}
		for c := range emulator.ScreenCols {
			cell := row[c]
			if cell.Char == 0 || cell.Char == ' ' || cell.Char == 0xFF || cell.Fg() == cell.Bg() {
				continue
			}
			if cell.Attr&0x80 != 0 && !charsOn {
				continue
			}
			l.Glyphs = append(l.Glyphs, Glyph{X: x + float64(c)*cw, Y: y + float64(r)*ch, Scale: scale, Char: cell.Char, Color: emulator.ScreenColor(cell.Fg())})
		}
	}
	if s.CursorVisible && cursorOn {
		start, end := min(int(s.CursorStart), CellH-1), min(int(s.CursorEnd), CellH-1)
		if end >= start {
			cell := s.Cells[s.CursorRow][s.CursorCol]
			l.fill(Rect{x + float64(s.CursorCol)*cw, y + float64(s.CursorRow)*ch + float64(start)*scale, cw, float64(end-start+1) * scale}, emulator.ScreenColor(cell.Fg()))
		}
	}
}
