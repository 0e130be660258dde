package vga

import "strings"

// TextWindow is the size of the colour text window at 0xB8000 (up to
// 0xBFFFF): the CRTC's cell addresses wrap inside it.
const TextWindow = 0x8000

// Cell is one character cell of the text buffer as the guest writes it: the
// code page 437 character at the even address, the attribute at the odd one
// (bits 0-3 foreground colour, 4-6 background, 7 blink or bright background).
type Cell struct{ Char, Attr byte }

// Fg returns the index in Palette of the cell's foreground colour.
func (c Cell) Fg() int { return int(c.Attr & 0x0F) }

// Bg returns the index in Palette of the cell's background colour (bit 7,
// which the BIOS default treats as blink, is left out).
func (c Cell) Bg() int { return int(c.Attr>>4) & 0x07 }

// Screen is what the monitor shows: the visible cells and the cursor.
type Screen struct {
	Cells                [Rows][Cols]Cell // the visible cells, from the CRTC start address on
	CursorRow, CursorCol int              // cursor position; inside the screen even when hidden
	CursorVisible        bool             // the cursor is drawn: CursorDisable clear, start ≤ end, on screen
	CursorStart          uint8            // first scan line of the cursor within its cell
	CursorEnd            uint8            // last scan line of the cursor within its cell
}

// Snapshot reads the visible screen out of textRAM, guest memory from
// 0xB8000 on, starting at the cell the start address registers name.
// Addresses wrap at TextWindow; cells past the end of a shorter textRAM read
// as zero. The cursor position is relative to the start address; a cursor
// outside the visible 80×25 cells is clamped into the screen and hidden.
func (v *VGA) Snapshot(textRAM []byte) Screen {
	var sc Screen
	start := v.s.startAddress()
	for i := range Rows * Cols {
		off := (2 * int(start+uint16(i))) % TextWindow
		if off+1 < len(textRAM) {
			sc.Cells[i/Cols][i%Cols] = Cell{Char: textRAM[off], Attr: textRAM[off+1]}
		}
	}

	sc.CursorStart = v.s.Regs[RegCursorStart] & CursorLineMask
	sc.CursorEnd = v.s.Regs[RegCursorEnd] & CursorLineMask
	sc.CursorVisible = v.s.Regs[RegCursorStart]&CursorDisable == 0 && sc.CursorStart <= sc.CursorEnd

	// The CRTC draws the cursor where its address counter, which starts at
	// the start address, equals the cursor location.
	rel := int(v.s.cursorLocation() - start)
	if rel >= Rows*Cols {
		sc.CursorVisible = false
		rel = Rows*Cols - 1
	}
	sc.CursorRow, sc.CursorCol = rel/Cols, rel%Cols
	return sc
}

// Row returns row r as text: each character through CP437, trailing spaces
// trimmed. It returns "" for a row outside the screen.
func (s *Screen) Row(r int) string {
	if r < 0 || r >= Rows {
		return ""
	}
	var b strings.Builder
	for _, c := range s.Cells[r] {
		b.WriteRune(CP437(c.Char))
	}
	return strings.TrimRight(b.String(), " ")
}

// Text returns the screen's rows as lines joined by '\n', each with trailing
// spaces trimmed, and without the empty lines at the bottom.
func (s *Screen) Text() string {
	lines := make([]string, Rows)
	last := -1
	for r := range Rows {
		lines[r] = s.Row(r)
		if lines[r] != "" {
			last = r
		}
	}
	return strings.Join(lines[:last+1], "\n")
}
