package vgafont

import (
	_ "embed"
	"sync"
)

//go:embed cp437-8x16.psf
var cp437PSF []byte

var cp437 = sync.OnceValue(func() *Font {
	f, err := Parse(cp437PSF)
	if err != nil || f.Len() != 256 || f.Width != 8 || f.Height != 16 {
		panic("vgafont: the embedded cp437-8x16.psf is damaged")
	}
	return f
})

// CP437 returns the embedded 8×16 VGA font. Glyph b is what the VGA draws for
// the code page 437 byte b.
func CP437() *Font { return cp437() }
