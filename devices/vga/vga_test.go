package vga

import (
	"image/color"
	"strings"
	"testing"
)

// Port offsets from the CRTC's base, 0x3D4.
const (
	indexPort = 0 // 0x3D4
	dataPort  = 1 // 0x3D5
)

func outb(v *VGA, off uint16, b byte) { v.Out(off, []byte{b}) }

func inb(v *VGA, off uint16) byte {
	var b [1]byte
	v.In(off, b[:])
	return b[0]
}

// setReg selects a register and writes it, one byte at a time.
func setReg(v *VGA, idx, val byte) {
	outb(v, indexPort, idx)
	outb(v, dataPort, val)
}

// moveCursor does what blog_os-style and osdev-wiki kernels do after
// printing: low byte of the cell index into register 0x0F, high byte into
// 0x0E.
func moveCursor(v *VGA, row, col int) {
	pos := uint16(row*Cols + col)
	setReg(v, RegCursorLocationLow, byte(pos))
	setReg(v, RegCursorLocationHigh, byte(pos>>8))
}

// moveCursorWord does the same with 16-bit writes, as Linux's vgacon does
// with outw(0x3D4, index | value<<8).
func moveCursorWord(v *VGA, row, col int) {
	pos := uint16(row*Cols + col)
	v.Out(indexPort, []byte{RegCursorLocationHigh, byte(pos >> 8)})
	v.Out(indexPort, []byte{RegCursorLocationLow, byte(pos)})
}

func TestCursorPosition(t *testing.T) {
	cases := []struct {
		name     string
		move     func(v *VGA, row, col int)
		row, col int
	}{
		{"power-on cursor top left", nil, 0, 0},
		{"byte writes, middle of the screen", moveCursor, 5, 10},
		{"byte writes, last cell", moveCursor, 24, 79},
		{"byte writes, start of row 13 (high byte 0x04)", moveCursor, 13, 0},
		{"word writes, row 20 column 33", moveCursorWord, 20, 33},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := New()
			if tc.move != nil {
				tc.move(v, tc.row, tc.col)
			}
			s := v.Snapshot(make([]byte, TextWindow))
			if s.CursorRow != tc.row || s.CursorCol != tc.col || !s.CursorVisible {
				t.Fatalf("cursor at %d,%d visible %v; want %d,%d visible", s.CursorRow, s.CursorCol, s.CursorVisible, tc.row, tc.col)
			}
			if s.CursorStart != 0x0D || s.CursorEnd != 0x0E {
				t.Fatalf("cursor scan lines %d-%d, want 13-14", s.CursorStart, s.CursorEnd)
			}
		})
	}
}

func TestCursorHidden(t *testing.T) {
	cases := []struct {
		name     string
		do       func(v *VGA)
		visible  bool
		row, col int
	}{
		{"bit 5 of cursor start set, as kernels disable it", func(v *VGA) {
			setReg(v, RegCursorStart, CursorDisable)
		}, false, 0, 0},
		{"bit 5 cleared again with a block cursor", func(v *VGA) {
			setReg(v, RegCursorStart, CursorDisable)
			setReg(v, RegCursorStart, 0x00)
			setReg(v, RegCursorEnd, 0x0F)
		}, true, 0, 0},
		{"start scan line after end scan line", func(v *VGA) {
			setReg(v, RegCursorStart, 0x0F)
			setReg(v, RegCursorEnd, 0x01)
		}, false, 0, 0},
		{"cursor location below the screen is clamped", func(v *VGA) {
			moveCursor(v, 30, 5)
		}, false, 24, 79},
		{"cursor above the start address is clamped", func(v *VGA) {
			setReg(v, RegStartAddressLow, 160)
			moveCursor(v, 0, 3)
		}, false, 24, 79},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := New()
			tc.do(v)
			s := v.Snapshot(make([]byte, TextWindow))
			if s.CursorVisible != tc.visible || s.CursorRow != tc.row || s.CursorCol != tc.col {
				t.Fatalf("cursor %d,%d visible %v; want %d,%d visible %v",
					s.CursorRow, s.CursorCol, s.CursorVisible, tc.row, tc.col, tc.visible)
			}
		})
	}
}

func TestRegisterAccess(t *testing.T) {
	cases := []struct {
		name string
		do   func(v *VGA) []byte
		want []byte
	}{
		{"index reads back", func(v *VGA) []byte {
			outb(v, indexPort, RegCursorLocationLow)
			return []byte{inb(v, indexPort)}
		}, []byte{RegCursorLocationLow}},
		{"data reads back what was written", func(v *VGA) []byte {
			setReg(v, RegOffset, 0x50)
			return []byte{inb(v, dataPort)}
		}, []byte{0x50}},
		{"BIOS mode 3 cursor shape", func(v *VGA) []byte {
			outb(v, indexPort, RegCursorStart)
			a := inb(v, dataPort)
			outb(v, indexPort, RegCursorEnd)
			return []byte{a, inb(v, dataPort)}
		}, []byte{0x0D, 0x0E}},
		{"16-bit read gives index then data", func(v *VGA) []byte {
			setReg(v, RegLineCompare, 0x77)
			d := make([]byte, 2)
			v.In(indexPort, d)
			return d
		}, []byte{RegLineCompare, 0x77}},
		{"16-bit write sets index then data", func(v *VGA) []byte {
			v.Out(indexPort, []byte{RegStartAddressHigh, 0x12})
			return []byte{inb(v, indexPort), inb(v, dataPort)}
		}, []byte{RegStartAddressHigh, 0x12}},
		{"register past 0x18 reads 0xFF and ignores writes", func(v *VGA) []byte {
			setReg(v, 0x30, 0x12)
			return []byte{inb(v, dataPort)}
		}, []byte{0xFF}},
		{"ports past the data port read 0xFF", func(v *VGA) []byte {
			d := make([]byte, 4)
			v.In(indexPort, d)
			return d[2:]
		}, []byte{0xFF, 0xFF}},
		{"protected horizontal total keeps its value", func(v *VGA) []byte {
			setReg(v, RegHorizontalTotal, 0x12)
			return []byte{inb(v, dataPort)}
		}, []byte{0x5F}},
		{"line compare bit 8 stays writable while protected", func(v *VGA) []byte {
			setReg(v, RegOverflow, 0x00)
			return []byte{inb(v, dataPort)}
		}, []byte{0x0F}},
		{"clearing protection makes 0x00-0x07 writable", func(v *VGA) []byte {
			setReg(v, RegVerticalRetraceEnd, 0x0E)
			setReg(v, RegHorizontalTotal, 0x12)
			return []byte{inb(v, dataPort)}
		}, []byte{0x12}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.do(New())
			if string(got) != string(tc.want) {
				t.Fatalf("read % X, want % X", got, tc.want)
			}
		})
	}
}

// putText writes s at cell index pos of ram with attribute attr, as a
// kernel's print routine writes 0xB8000.
func putText(ram []byte, pos int, s string, attr byte) {
	for i := 0; i < len(s); i++ {
		ram[2*(pos+i)] = s[i]
		ram[2*(pos+i)+1] = attr
	}
}

func TestSnapshotText(t *testing.T) {
	ram := make([]byte, TextWindow)
	for i := 0; i < Rows*Cols; i++ { // a cleared screen: spaces, grey on black
		ram[2*i], ram[2*i+1] = ' ', 0x07
	}
	putText(ram, 0, "Hello, world", 0x1F)
	putText(ram, 2*Cols+4, "\x01 \xB0\xC4\xDB \xE1", 0x4E)
	ram[2*(3*Cols)] = 0x00 // a NUL cell draws nothing
	putText(ram, 3*Cols+1, "x", 0x07)

	s := New().Snapshot(ram)
	want := "Hello, world\n\n    ☺ ░─█ ß\n x"
	if got := s.Text(); got != want {
		t.Fatalf("Text() =\n%q\nwant\n%q", got, want)
	}
	cases := []struct {
		name     string
		row, col int
		want     Cell
	}{
		{"white on blue H", 0, 0, Cell{'H', 0x1F}},
		{"yellow on red smiley", 2, 4, Cell{0x01, 0x4E}},
		{"cleared cell", 10, 10, Cell{' ', 0x07}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := s.Cells[tc.row][tc.col]; got != tc.want {
				t.Fatalf("cell %d,%d = %+v, want %+v", tc.row, tc.col, got, tc.want)
			}
		})
	}
	if c := s.Cells[2][4]; Palette[c.Fg()] != (color.RGBA{0xFF, 0xFF, 0x55, 0xFF}) || Palette[c.Bg()] != (color.RGBA{0xAA, 0, 0, 0xFF}) {
		t.Fatalf("attribute 0x4E gives %v on %v, want yellow on red", Palette[c.Fg()], Palette[c.Bg()])
	}
	if s.Row(1) != "" || s.Row(-1) != "" || s.Row(Rows) != "" || s.Row(0) != "Hello, world" {
		t.Fatalf("rows: %q %q %q %q", s.Row(1), s.Row(-1), s.Row(Rows), s.Row(0))
	}
}

func TestStartAddressScrolling(t *testing.T) {
	ram := make([]byte, TextWindow)
	for r := 0; r < 2*Rows; r++ {
		putText(ram, r*Cols, "line "+string(rune('A'+r%26)), 0x07)
	}
	cases := []struct {
		name          string
		startRow      int
		firstRow      string
		lastRow       string
		cursorRow     int
		cursorVisible bool
	}{
		{"no scroll", 0, "line A", "line Y", 24, true},
		{"scrolled by one row", 1, "line B", "line Z", 23, true},
		{"scrolled by ten rows", 10, "line K", "line I", 14, true},
		{"scrolled past the cursor", 25, "line Z", "line X", 24, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := New()
			start := uint16(tc.startRow * Cols)
			setReg(v, RegStartAddressHigh, byte(start>>8))
			setReg(v, RegStartAddressLow, byte(start))
			moveCursor(v, 24, 0) // cursor on the 25th line of the buffer
			s := v.Snapshot(ram)
			if s.Row(0) != tc.firstRow || s.Row(Rows-1) != tc.lastRow {
				t.Fatalf("rows 0 and 24: %q %q; want %q %q", s.Row(0), s.Row(Rows-1), tc.firstRow, tc.lastRow)
			}
			if s.CursorVisible != tc.cursorVisible || (tc.cursorVisible && s.CursorRow != tc.cursorRow) {
				t.Fatalf("cursor row %d visible %v; want %d visible %v", s.CursorRow, s.CursorVisible, tc.cursorRow, tc.cursorVisible)
			}
		})
	}
}

func TestSnapshotEdges(t *testing.T) {
	cases := []struct {
		name  string
		start uint16
		ram   []byte
		want  string
	}{
		{"start address wraps at the 32 KiB window", 0x3FFF, func() []byte {
			ram := make([]byte, TextWindow)
			ram[TextWindow-2] = 'Z'
			putText(ram, 0, "ab", 0x07)
			return ram
		}(), "Zab"},
		{"short RAM reads as blank cells", 0, []byte{'h', 7, 'i', 7, '!'}, "hi"},
		{"no RAM at all", 0, nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := New()
			setReg(v, RegStartAddressHigh, byte(tc.start>>8))
			setReg(v, RegStartAddressLow, byte(tc.start))
			s := v.Snapshot(tc.ram)
			if got := s.Text(); got != tc.want {
				t.Fatalf("Text() = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCP437(t *testing.T) {
	cases := []struct {
		name string
		b    byte
		want rune
	}{
		{"NUL draws as a space", 0x00, ' '},
		{"white smiling face", 0x01, '☺'},
		{"bullet", 0x07, '•'},
		{"left-right arrow", 0x1D, '↔'},
		{"ASCII A", 0x41, 'A'},
		{"tilde", 0x7E, '~'},
		{"house", 0x7F, '⌂'},
		{"C cedilla", 0x80, 'Ç'},
		{"light shade", 0xB0, '░'},
		{"box horizontal", 0xC4, '─'},
		{"double cross", 0xCE, '╬'},
		{"full block", 0xDB, '█'},
		{"sharp s", 0xE1, 'ß'},
		{"micro", 0xE6, 'µ'},
		{"black square", 0xFE, '■'},
		{"no-break space", 0xFF, '\u00A0'},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := CP437(tc.b); got != tc.want {
				t.Fatalf("CP437(%#02x) = %q, want %q", tc.b, got, tc.want)
			}
		})
	}
	if n := len([]rune(cp437Glyphs)); n != 256 {
		t.Fatalf("glyph table has %d entries, want 256", n)
	}
	seen := map[rune]byte{}
	for i := 1; i < 256; i++ { // 0x00 and 0x20 are both a space
		r := CP437(byte(i))
		if prev, dup := seen[r]; dup {
			t.Fatalf("bytes %#02x and %#02x both give %q", prev, i, r)
		}
		seen[r] = byte(i)
	}
}

func TestPalette(t *testing.T) {
	want := map[int]string{0: "000000", 1: "0000aa", 6: "aa5500", 7: "aaaaaa", 8: "555555", 14: "ffff55", 15: "ffffff"}
	for i, hex := range want {
		c := Palette[i]
		got := strings.ToLower(string([]byte{
			"0123456789abcdef"[c.R>>4], "0123456789abcdef"[c.R&15],
			"0123456789abcdef"[c.G>>4], "0123456789abcdef"[c.G&15],
			"0123456789abcdef"[c.B>>4], "0123456789abcdef"[c.B&15],
		}))
		if got != hex || c.A != 0xFF {
			t.Errorf("Palette[%d] = %s alpha %d, want %s opaque", i, got, c.A, hex)
		}
	}
}

func TestStateRoundTrip(t *testing.T) {
	v := New()
	moveCursor(v, 3, 4)
	setReg(v, RegStartAddressLow, 80)
	outb(v, indexPort, RegOffset)
	w := New()
	w.SetState(v.State())
	if inb(w, indexPort) != RegOffset {
		t.Fatal("index not restored")
	}
	a, b := v.Snapshot(nil), w.Snapshot(nil)
	if a != b || b.CursorRow != 2 || b.CursorCol != 4 {
		t.Fatalf("restored screen %+v differs or cursor wrong", b)
	}
}
