// Package vgafont holds pollscope's console font: the 256 glyphs of code page
// 437 as a VGA adapter draws them in 80×25 text mode, 8 pixels wide and 16
// high, and a parser for the PC Screen Font (PSF) files Linux consoles use.
//
// The embedded font (cp437-8x16.psf) is a PSF2 file with one glyph per CP437
// byte, in byte order, and a Unicode table. It was assembled by
// internal/mkfont from the VGA-style fonts of Debian's console-setup package,
// which are built from Dmitry Bolkhovityanov's u_vga16 font, a redrawing of
// the IBM VGA ROM font under an MIT-style licence that allows redistribution
// with its notice; see LICENSE.font beside this file.
package vgafont

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// PSF magic numbers and flags, as the Linux kernel's include/linux/font.h and
// kbd's psf.h define them.
const (
	psf1Magic0     = 0x36
	psf1Magic1     = 0x04
	psf1Mode512    = 0x01 // 512 glyphs instead of 256
	psf1ModeHasTab = 0x02 // a Unicode table follows the glyphs
	psf1ModeSeq    = 0x04 // the table has sequences

	psf1Separator = 0xFFFF // ends a glyph's entries in a PSF1 Unicode table
	psf1StartSeq  = 0xFFFE // starts a sequence in a PSF1 Unicode table

	psf2Magic      = 0x864ab572
	psf2HasUnicode = 0x01 // a Unicode table follows the glyphs
	psf2Separator  = 0xFF // ends a glyph's entries in a PSF2 Unicode table
	psf2StartSeq   = 0xFE // starts a sequence in a PSF2 Unicode table

	psf2HeaderSize = 32
	maxGlyphs      = 1 << 16 // more than any console font has
	maxGlyphSide   = 64      // pixels; consoles go up to 32×64
)

// ErrFormat wraps every reason a file is not a PSF font this package reads.
var ErrFormat = errors.New("not a PSF1 or PSF2 font")

// Font is a bitmap font: Len glyphs of Width×Height pixels, each stored row
// by row with rows padded to whole bytes, most significant bit leftmost.
type Font struct {
	Width, Height int
	rowBytes      int
	data          []byte       // Len() glyphs of Height*rowBytes bytes
	unicode       map[rune]int // first glyph for each character, if the file has a table
}

// Len is the number of glyphs.
func (f *Font) Len() int { return len(f.data) / f.glyphSize() }

func (f *Font) glyphSize() int { return f.Height * f.rowBytes }

// Glyph returns glyph i's bitmap rows (Height*ceil(Width/8) bytes), or nil if
// there is no glyph i. The slice is the font's own storage: do not modify it.
func (f *Font) Glyph(i int) []byte {
	n := f.glyphSize()
	if i < 0 || i >= f.Len() {
		return nil
	}
	return f.data[i*n : (i+1)*n : (i+1)*n]
}

// Set reports whether pixel (x, y) of glyph i is drawn in the foreground.
func (f *Font) Set(i, x, y int) bool {
	g := f.Glyph(i)
	if g == nil || x < 0 || y < 0 || x >= f.Width || y >= f.Height {
		return false
	}
	return g[y*f.rowBytes+x/8]&(0x80>>(x%8)) != 0
}

// Lookup returns the glyph the font's Unicode table gives for r. It reports
// false when the font has no table or no glyph for r.
func (f *Font) Lookup(r rune) (int, bool) {
	i, ok := f.unicode[r]
	return i, ok
}

// Parse reads a PSF1 or PSF2 font, gzip-compressed or not (the .psf.gz files
// of /usr/share/consolefonts are).
func Parse(data []byte) (*Font, error) {
	if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b {
		z, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("%w: bad gzip stream: %v", ErrFormat, err)
		}
		// A console font is at most a few hundred KiB; refuse a gzip bomb.
		raw, err := io.ReadAll(io.LimitReader(z, 16<<20))
		if err != nil {
			return nil, fmt.Errorf("%w: bad gzip stream: %v", ErrFormat, err)
		}
		data = raw
	}
	switch {
	case len(data) >= 4 && binary.LittleEndian.Uint32(data) == psf2Magic:
		return parsePSF2(data)
	case len(data) >= 4 && data[0] == psf1Magic0 && data[1] == psf1Magic1:
		return parsePSF1(data)
	}
	return nil, ErrFormat
}

// parsePSF1 reads the original Linux console font format: a 4-byte header
// (magic, mode, character height), 256 or 512 glyphs 8 pixels wide, then
// optionally a table of little-endian UCS-2 values per glyph.
func parsePSF1(b []byte) (*Font, error) {
	mode, height := b[2], int(b[3])
	n := 256
	if mode&psf1Mode512 != 0 {
		n = 512
	}
	if height == 0 {
		return nil, fmt.Errorf("%w: PSF1 glyph height 0", ErrFormat)
	}
	end := 4 + n*height
	if len(b) < end {
		return nil, fmt.Errorf("%w: PSF1 file truncated: %d glyphs of %d bytes need %d bytes, have %d", ErrFormat, n, height, end, len(b))
	}
	f := &Font{Width: 8, Height: height, rowBytes: 1, data: b[4:end:end]}
	if mode&psf1ModeHasTab != 0 {
		f.unicode = map[rune]int{}
		t := b[end:]
		for g := 0; g < n && len(t) >= 2; {
			v := binary.LittleEndian.Uint16(t)
			t = t[2:]
			switch {
			case v == psf1Separator:
				g++
			case v == psf1StartSeq:
				// Sequences (a base and combining marks) follow until the
				// separator; none of them names a single character.
				for len(t) >= 2 && binary.LittleEndian.Uint16(t) != psf1Separator {
					t = t[2:]
				}
			default:
				f.addUnicode(rune(v), g)
			}
		}
	}
	return f, nil
}

// parsePSF2 reads the extended format: a 32-byte little-endian header
// (magic, version, header size, flags, glyph count, bytes per glyph, height,
// width), the glyphs, then optionally a UTF-8 table per glyph.
func parsePSF2(b []byte) (*Font, error) {
	if len(b) < psf2HeaderSize {
		return nil, fmt.Errorf("%w: PSF2 header truncated", ErrFormat)
	}
	u32 := func(off int) int { return int(binary.LittleEndian.Uint32(b[off:])) }
	hdr, flags, n, size, height, width := u32(8), u32(12), u32(16), u32(20), u32(24), u32(28)
	switch {
	case width <= 0 || height <= 0 || width > maxGlyphSide || height > maxGlyphSide:
		return nil, fmt.Errorf("%w: PSF2 glyph size %d×%d", ErrFormat, width, height)
	case size != height*((width+7)/8):
		return nil, fmt.Errorf("%w: PSF2 glyph of %d×%d pixels cannot take %d bytes", ErrFormat, width, height, size)
	case n <= 0 || n > maxGlyphs:
		return nil, fmt.Errorf("%w: PSF2 glyph count %d", ErrFormat, n)
	case hdr < psf2HeaderSize || hdr > len(b):
		return nil, fmt.Errorf("%w: PSF2 header size %d", ErrFormat, hdr)
	}
	end := hdr + n*size
	if len(b) < end {
		return nil, fmt.Errorf("%w: PSF2 file truncated: %d glyphs of %d bytes need %d bytes, have %d", ErrFormat, n, size, end, len(b))
	}
	f := &Font{Width: width, Height: height, rowBytes: (width + 7) / 8, data: b[hdr:end:end]}
	if flags&psf2HasUnicode != 0 {
		f.unicode = map[rune]int{}
		t := b[end:]
		for g := 0; g < n && len(t) > 0; {
			switch t[0] {
			case psf2Separator:
				g++
				t = t[1:]
			case psf2StartSeq:
				for len(t) > 0 && t[0] != psf2Separator {
					t = t[1:]
				}
			default:
				r, sz := utf8.DecodeRune(t)
				t = t[sz:]
				if r != utf8.RuneError {
					f.addUnicode(r, g)
				}
			}
		}
	}
	return f, nil
}

func (f *Font) addUnicode(r rune, g int) {
	if _, dup := f.unicode[r]; !dup {
		f.unicode[r] = g
	}
}

// EncodePSF2 writes glyphs (each height*ceil(width/8) bytes) as a PSF2 file,
// with a Unicode table when chars is not nil: chars[i] lists the characters
// glyph i draws.
func EncodePSF2(width, height int, glyphs [][]byte, chars [][]rune) []byte {
	size := height * ((width + 7) / 8)
	var buf bytes.Buffer
	hdr := []uint32{psf2Magic, 0, psf2HeaderSize, 0, uint32(len(glyphs)), uint32(size), uint32(height), uint32(width)}
	if chars != nil {
		hdr[3] = psf2HasUnicode
	}
	for _, v := range hdr {
		binary.Write(&buf, binary.LittleEndian, v)
	}
	for _, g := range glyphs {
		row := make([]byte, size)
		copy(row, g)
		buf.Write(row)
	}
	if chars != nil {
		for i := range glyphs {
			if i < len(chars) {
				for _, r := range chars[i] {
					buf.WriteString(string(r))
				}
			}
			buf.WriteByte(psf2Separator)
		}
	}
	return buf.Bytes()
}
