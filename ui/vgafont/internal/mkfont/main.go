// Command mkfont assembles ui/vgafont/cp437-8x16.psf: the 256 code page 437
// glyphs, in byte order, taken from the VGA-style 8×16 fonts of Debian's
// console-setup package (console-setup-linux, /usr/share/consolefonts), which
// are indexed by Unicode. Each byte's character (emulator.CP437) is looked up in
// the fonts in the order given, first match wins.
//
//	apt-get download console-setup-linux && dpkg-deb -x console-setup-linux_*.deb cs
//	go run ./ui/vgafont/internal/mkfont -o ui/vgafont/cp437-8x16.psf \
//	    cs/usr/share/consolefonts/{Uni2,Uni1,Lat15,FullGreek,FullCyrSlav,CyrKoi}-VGA16.psf.gz
//
// Only the *-VGA16 fonts are used (not the Terminus ones): they come from
// u_vga16.bdf, whose licence is in ui/vgafont/LICENSE.font.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/pollscope/pollscope/emulator"
	"github.com/pollscope/pollscope/ui/vgafont"
)

// drawn are the glyphs none of the console fonts has: the VGA's 0x10 and
// 0x11 pointers (U+25BA, U+25C4), solid triangles seven rows high.
var drawn = map[byte][]byte{
	0x10: {0x00, 0x00, 0x80, 0xC0, 0xE0, 0xF0, 0xF8, 0xFE, 0xF8, 0xF0, 0xE0, 0xC0, 0x80, 0x00, 0x00, 0x00},
	0x11: {0x00, 0x00, 0x02, 0x06, 0x0E, 0x1E, 0x3E, 0xFE, 0x3E, 0x1E, 0x0E, 0x06, 0x02, 0x00, 0x00, 0x00},
}

func main() {
	out := flag.String("o", "cp437-8x16.psf", "output PSF2 file")
	flag.Parse()
	var fonts []*vgafont.Font
	for _, path := range flag.Args() {
		b, err := os.ReadFile(path)
		if err != nil {
			fail(err)
		}
		f, err := vgafont.Parse(b)
		if err != nil {
			fail(fmt.Errorf("%s: %w", path, err))
		}
		if f.Width != 8 || f.Height != 16 {
			fail(fmt.Errorf("%s: glyphs are %d×%d, want 8×16", path, f.Width, f.Height))
		}
		fonts = append(fonts, f)
	}
	glyphs := make([][]byte, 256)
	chars := make([][]rune, 256)
	for b := range 256 {
		r := emulator.CP437(byte(b))
		if b == 0 {
			glyphs[b] = make([]byte, 16) // the VGA draws nothing for 0x00
			continue
		}
		g := drawn[byte(b)]
		if g == nil {
			g = find(fonts, r)
		}
		if g == nil {
			fail(fmt.Errorf("no font has a glyph for CP437 %#02x %q", b, r))
		}
		glyphs[b] = g
		chars[b] = []rune{r}
	}
	if err := os.WriteFile(*out, vgafont.EncodePSF2(8, 16, glyphs, chars), 0o644); err != nil {
		fail(err)
	}
}

func find(fonts []*vgafont.Font, r rune) []byte {
	for _, f := range fonts {
		if i, ok := f.Lookup(r); ok {
			return f.Glyph(i)
		}
	}
	return nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "mkfont:", err)
	os.Exit(1)
}
