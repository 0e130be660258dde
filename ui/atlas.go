package ui

import (
	"image"
	"image/color"
	"image/draw"
	"math"

	"github.com/hajimehoshi/ebiten/v2"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"github.com/pollscope/pollscope/ui/vgafont"
	"github.com/pollscope/pollscope/ui/view"
)

// The atlas holds everything the GUI draws with, so a frame is a few
// DrawTriangles calls from one texture:
//
//	(0,0)    a white block, for fills and lines
//	(0,16)   the 256 VGA glyphs, 32 to a row, 8×16 each
//	(0,160)  the UI font's glyphs, in cells of uiCellW×uiCellH
const (
	atlasW, atlasH = 512, 512
	vgaTop         = 16
	uiTop          = 160
	uiPad          = 2 // pixels around a UI glyph inside its cell
)

// uiFontSize is the Go Mono size whose advance is 7 pixels (0.6 em).
const uiFontSize = 7 / 0.6

// extraRunes are the non-ASCII characters the GUI writes.
const extraRunes = "·—…µ→←↑↓≥≤×°±‹›►"

type atlas struct {
	img      *ebiten.Image
	metrics  view.Metrics
	uiCellW  int
	uiCellH  int
	ascent   int
	uiGlyphs map[rune]image.Point // top left of each UI glyph's cell
}

// newAtlas rasterises the fonts into one image.
func newAtlas() (*atlas, error) {
	rgba := image.NewRGBA(image.Rect(0, 0, atlasW, atlasH))
	draw.Draw(rgba, image.Rect(0, 0, 8, 8), image.White, image.Point{}, draw.Src)

	vf := vgafont.CP437()
	for g := range 256 {
		ox, oy := (g%32)*8, vgaTop+(g/32)*16
		for y := range 16 {
			for x := range 8 {
				if vf.Set(g, x, y) {
					rgba.SetRGBA(ox+x, oy+y, color.RGBA{0xff, 0xff, 0xff, 0xff})
				}
			}
		}
	}

	tt, err := opentype.Parse(gomono.TTF)
	if err != nil {
		return nil, err
	}
	face, err := opentype.NewFace(tt, &opentype.FaceOptions{Size: uiFontSize, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return nil, err
	}
	defer face.Close()
	fm := face.Metrics()
	adv, _ := face.GlyphAdvance('M')
	a := &atlas{uiGlyphs: map[rune]image.Point{}}
	a.ascent = fm.Ascent.Ceil()
	lineH := fm.Ascent.Ceil() + fm.Descent.Ceil() + 1
	a.metrics = view.Metrics{CharW: math.Round(float64(adv) / 64), LineH: float64(lineH)}
	a.uiCellW = int(a.metrics.CharW) + 2*uiPad + 2
	a.uiCellH = lineH + 2*uiPad
	runes := []rune{}
	for r := rune(32); r < 127; r++ {
		runes = append(runes, r)
	}
	runes = append(runes, []rune(extraRunes)...)
	perRow := atlasW / a.uiCellW
	d := &font.Drawer{Dst: rgba, Src: image.White, Face: face}
	n := 0
	for _, r := range runes {
		if _, ok := face.GlyphAdvance(r); !ok {
			continue
		}
		cell := image.Pt((n%perRow)*a.uiCellW, uiTop+(n/perRow)*a.uiCellH)
		if cell.Y+a.uiCellH > atlasH {
			break
		}
		d.Dot = fixed.P(cell.X+uiPad, cell.Y+uiPad+a.ascent)
		d.DrawString(string(r))
		a.uiGlyphs[r] = cell
		n++
	}
	a.img = ebiten.NewImageFromImage(rgba)
	return a, nil
}
