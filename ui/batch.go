package ui

import (
	"image/color"
	"math"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/pollscope/pollscope/ui/view"
)

// batch collects textured triangles from the atlas and draws them in as few
// DrawTriangles calls as the 16-bit indices allow.
type batch struct {
	at  *atlas
	vs  []ebiten.Vertex
	is  []uint16
	dst *ebiten.Image
	op  ebiten.DrawTrianglesOptions
}

const maxBatchVertices = 65000

func (b *batch) begin(dst *ebiten.Image) {
	b.dst = dst
	b.vs, b.is = b.vs[:0], b.is[:0]
}

// draw draws the layers on dst, in order, in one batch.
func (b *batch) draw(dst *ebiten.Image, layers ...*view.Layer) {
	b.begin(dst)
	for _, l := range layers {
		b.layer(l)
	}
	b.flush()
}

func (b *batch) flush() {
	if len(b.is) > 0 {
		b.dst.DrawTriangles(b.vs, b.is, b.at.img, &b.op)
	}
	b.vs, b.is = b.vs[:0], b.is[:0]
}

// quad adds a quadrilateral with corners p0..p3 (in order around it) showing
// the atlas rectangle at (sx, sy) of sw×sh.
func (b *batch) quad(p [4][2]float32, sx, sy, sw, sh float32, c color.RGBA) {
	if len(b.vs)+4 > maxBatchVertices {
		b.flush()
	}
	cr, cg, cb, ca := float32(c.R)/255, float32(c.G)/255, float32(c.B)/255, float32(c.A)/255
	src := [4][2]float32{{sx, sy}, {sx + sw, sy}, {sx + sw, sy + sh}, {sx, sy + sh}}
	base := uint16(len(b.vs))
	for k := range 4 {
		b.vs = append(b.vs, ebiten.Vertex{DstX: p[k][0], DstY: p[k][1], SrcX: src[k][0], SrcY: src[k][1], ColorR: cr, ColorG: cg, ColorB: cb, ColorA: ca})
	}
	b.is = append(b.is, base, base+1, base+2, base, base+2, base+3)
}

func (b *batch) rect(x, y, w, h float64, sx, sy, sw, sh float32, c color.RGBA) {
	x0, y0, x1, y1 := float32(x), float32(y), float32(x+w), float32(y+h)
	b.quad([4][2]float32{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}}, sx, sy, sw, sh, c)
}

// fill draws a solid rectangle from the middle of the white block.
func (b *batch) fill(f view.Fill) {
	b.rect(f.X, f.Y, f.W, f.H, 2, 2, 4, 4, f.Color)
}

func (b *batch) triangle(p0, p1, p2 [2]float32, c color.RGBA) {
	b.quad([4][2]float32{p0, p1, p2, p2}, 2, 2, 4, 4, c)
}

// line draws a thick line, ending in an arrowhead if it has one.
func (b *batch) line(l view.Line) {
	dx, dy := l.X1-l.X0, l.Y1-l.Y0
	n := math.Hypot(dx, dy)
	if n < 0.5 {
		return
	}
	ux, uy := dx/n, dy/n
	x1, y1 := l.X1, l.Y1
	head := math.Min(l.Head, n)
	if head > 0 {
		x1, y1 = l.X1-ux*head, l.Y1-uy*head
	}
	hw := l.Width / 2
	nx, ny := -uy*hw, ux*hw
	f := func(x, y float64) [2]float32 { return [2]float32{float32(x), float32(y)} }
	b.quad([4][2]float32{f(l.X0+nx, l.Y0+ny), f(x1+nx, y1+ny), f(x1-nx, y1-ny), f(l.X0-nx, l.Y0-ny)}, 2, 2, 4, 4, l.Color)
	if head > 0 {
		hx, hy := -uy*head*0.5, ux*head*0.5
		b.triangle(f(l.X1, l.Y1), f(x1+hx, y1+hy), f(x1-hx, y1-hy), l.Color)
	}
}

// glyph draws one VGA glyph.
func (b *batch) glyph(g view.Glyph) {
	sx, sy := float32(int(g.Char)%32*8), float32(vgaTop+int(g.Char)/32*16)
	b.rect(g.X, g.Y, 8*g.Scale, 16*g.Scale, sx, sy, 8, 16, g.Color)
}

// text draws a run of UI text, one monospaced cell per character, at whole
// pixels so the glyphs stay sharp.
func (b *batch) text(t view.Text) {
	a := b.at
	x, y := math.Round(t.X), math.Round(t.Y)
	cw, ch := float64(a.uiCellW), float64(a.uiCellH)
	for _, r := range t.S {
		if r != ' ' {
			cell, ok := a.uiGlyphs[r]
			if !ok {
				cell = a.uiGlyphs['?']
			}
			b.rect(x-uiPad, y-uiPad, cw, ch, float32(cell.X), float32(cell.Y), float32(cw), float32(ch), t.Color)
		}
		x += a.metrics.CharW
	}
}

// layer draws one layer of a scene: fills, lines, glyphs, then texts.
func (b *batch) layer(l *view.Layer) {
	for _, f := range l.Fills {
		b.fill(f)
	}
	for _, ln := range l.Lines {
		b.line(ln)
	}
	for _, g := range l.Glyphs {
		b.glyph(g)
	}
	for _, t := range l.Texts {
		b.text(t)
	}
}
