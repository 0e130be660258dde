package vgafont

import (
	"bytes"
	"compress/gzip"
	"errors"
	"testing"

	"github.com/pollscope/pollscope/devices/vga"
)

func TestEmbeddedFontCoversCP437(t *testing.T) {
	f := CP437()
	if f.Len() != 256 || f.Width != 8 || f.Height != 16 {
		t.Fatalf("font has %d glyphs of %d×%d, want 256 of 8×16", f.Len(), f.Width, f.Height)
	}
	for b := 1; b < 256; b++ {
		r := vga.CP437(byte(b))
		if i, ok := f.Lookup(r); !ok || i != b {
			t.Errorf("Lookup(%q) = %d, %v; want glyph %#02x", r, i, ok, b)
		}
	}
	blank := func(i int) bool {
		for _, row := range f.Glyph(i) {
			if row != 0 {
				return false
			}
		}
		return true
	}
	for _, b := range []int{0x00, 0x20, 0xFF} {
		if !blank(b) {
			t.Errorf("glyph %#02x is not blank", b)
		}
	}
	for _, b := range []int{'A', 'g', 0x01, 0x10, 0xB0, 0xC4, 0xDB, 0xE0} {
		if blank(b) {
			t.Errorf("glyph %#02x is blank", b)
		}
	}
	// 0xDB is the full block: every pixel set.
	for y := range 16 {
		for x := range 8 {
			if !f.Set(0xDB, x, y) {
				t.Fatalf("full block glyph has pixel (%d,%d) clear", x, y)
			}
		}
	}
}

func TestEncodeParseRoundTrip(t *testing.T) {
	glyphs := [][]byte{{0x80, 0x40, 0x20}, {0x01, 0x02, 0x03}}
	chars := [][]rune{{'a', 'é'}, {'☺'}}
	for _, name := range []string{"plain", "gzip"} {
		t.Run(name, func(t *testing.T) {
			data := EncodePSF2(8, 3, glyphs, chars)
			if name == "gzip" {
				var b bytes.Buffer
				z := gzip.NewWriter(&b)
				z.Write(data)
				z.Close()
				data = b.Bytes()
			}
			f, err := Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			if f.Len() != 2 || f.Width != 8 || f.Height != 3 {
				t.Fatalf("got %d glyphs of %d×%d", f.Len(), f.Width, f.Height)
			}
			if !bytes.Equal(f.Glyph(1), glyphs[1]) || !f.Set(0, 0, 0) || f.Set(0, 1, 0) || !f.Set(0, 1, 1) {
				t.Errorf("glyph bits differ: %x %x", f.Glyph(0), f.Glyph(1))
			}
			for r, want := range map[rune]int{'a': 0, 'é': 0, '☺': 1} {
				if g, ok := f.Lookup(r); !ok || g != want {
					t.Errorf("Lookup(%q) = %d, %v; want %d", r, g, ok, want)
				}
			}
		})
	}
}

func TestParsePSF1(t *testing.T) {
	// A 256-glyph PSF1 font 2 rows high with a Unicode table in which glyph
	// 65 draws 'A' and 'Α' (Greek capital alpha) and starts a sequence.
	b := []byte{psf1Magic0, psf1Magic1, psf1ModeHasTab, 2}
	glyphs := make([]byte, 256*2)
	glyphs[65*2] = 0x18
	b = append(b, glyphs...)
	for g := range 256 {
		if g == 65 {
			b = append(b, 'A', 0, 0x91, 0x03, 0xFE, 0xFF, 'A', 0, 0x01, 0x03)
		}
		b = append(b, 0xFF, 0xFF)
	}
	f, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if f.Len() != 256 || f.Width != 8 || f.Height != 2 || !f.Set(65, 3, 0) {
		t.Fatalf("got %d glyphs of %d×%d", f.Len(), f.Width, f.Height)
	}
	for _, r := range []rune{'A', 'Α'} {
		if g, ok := f.Lookup(r); !ok || g != 65 {
			t.Errorf("Lookup(%q) = %d, %v; want 65", r, g, ok)
		}
	}
	if _, ok := f.Lookup('B'); ok {
		t.Errorf("Lookup('B') found a glyph the table does not list")
	}
}

func TestParseRejects(t *testing.T) {
	good := EncodePSF2(8, 16, [][]byte{make([]byte, 16)}, nil)
	cases := map[string][]byte{
		"empty":          nil,
		"text":           []byte("hello"),
		"psf1 truncated": {psf1Magic0, psf1Magic1, 0, 16, 1, 2, 3},
		"psf1 height 0":  {psf1Magic0, psf1Magic1, 0, 0},
		"psf2 header":    good[:20],
		"psf2 truncated": good[:len(good)-1],
		"psf2 no glyphs": func() []byte { b := bytes.Clone(good); b[16] = 0; return b }(),
		"psf2 wrong size": func() []byte {
			b := bytes.Clone(good)
			b[20] = 15
			return b
		}(),
		"bad gzip": {0x1f, 0x8b, 1, 2, 3},
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := Parse(data); !errors.Is(err, ErrFormat) {
				t.Fatalf("Parse = %v, want an ErrFormat", err)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add(cp437PSF)
	f.Add(EncodePSF2(8, 2, [][]byte{{1, 2}}, [][]rune{{'x'}}))
	f.Add([]byte{psf1Magic0, psf1Magic1, 3, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		font, err := Parse(data)
		if err != nil {
			return
		}
		for i := range min(font.Len(), 512) {
			if len(font.Glyph(i)) != font.Height*((font.Width+7)/8) {
				t.Fatalf("glyph %d has %d bytes", i, len(font.Glyph(i)))
			}
			font.Set(i, font.Width-1, font.Height-1)
		}
	})
}
