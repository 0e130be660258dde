package view

import "image/color"

// Rect is an axis-aligned rectangle in window pixels.
type Rect struct{ X, Y, W, H float64 }

// Contains reports whether (x, y) lies inside r.
func (r Rect) Contains(x, y float64) bool {
	return x >= r.X && x < r.X+r.W && y >= r.Y && y < r.Y+r.H
}

// Inset returns r shrunk by d on every side.
func (r Rect) Inset(d float64) Rect { return Rect{r.X + d, r.Y + d, r.W - 2*d, r.H - 2*d} }

// Right and Bottom are r's far edges.
func (r Rect) Right() float64  { return r.X + r.W }
func (r Rect) Bottom() float64 { return r.Y + r.H }

// Fill is a filled rectangle.
type Fill struct {
	Rect
	Color color.RGBA
}

// Line is a straight line Width pixels thick; with Head > 0 it ends in an
// arrowhead Head pixels long at (X1, Y1).
type Line struct {
	X0, Y0, X1, Y1 float64
	Width, Head    float64
	Color          color.RGBA
}

// Text is a run of text in the UI font, its top left corner at (X, Y).
type Text struct {
	X, Y  float64
	S     string
	Color color.RGBA
}

// Glyph is one VGA font glyph (a code page 437 byte) drawn at (X, Y) with
// Scale×Scale pixels per font pixel.
type Glyph struct {
	X, Y  float64
	Scale float64
	Char  byte
	Color color.RGBA
}

// Layer is what one pass draws, in this order: fills, lines, glyphs, texts.
type Layer struct {
	Fills  []Fill
	Lines  []Line
	Glyphs []Glyph
	Texts  []Text
}

// Scene is a whole frame: the panes, then the overlay (tooltips, help) on
// top of them.
type Scene struct {
	Base, Overlay Layer
}

// Reset empties the scene, keeping its storage for the next frame.
func (s *Scene) Reset() {
	for _, l := range []*Layer{&s.Base, &s.Overlay} {
		l.Fills, l.Lines, l.Glyphs, l.Texts = l.Fills[:0], l.Lines[:0], l.Glyphs[:0], l.Texts[:0]
	}
}

func (l *Layer) fill(r Rect, c color.RGBA) {
	if r.W > 0 && r.H > 0 {
		l.Fills = append(l.Fills, Fill{r, c})
	}
}

func (l *Layer) frame(r Rect, w float64, c color.RGBA) {
	l.fill(Rect{r.X, r.Y, r.W, w}, c)
	l.fill(Rect{r.X, r.Bottom() - w, r.W, w}, c)
	l.fill(Rect{r.X, r.Y + w, w, r.H - 2*w}, c)
	l.fill(Rect{r.Right() - w, r.Y + w, w, r.H - 2*w}, c)
}

func (l *Layer) text(x, y float64, s string, c color.RGBA) {
	if s != "" {
		l.Texts = append(l.Texts, Text{x, y, s, c})
	}
}

// Metrics is the UI font's cell: every character is CharW wide (the font is
// monospaced) and a line is LineH high.
type Metrics struct{ CharW, LineH float64 }

// DefaultMetrics is the UI font the ebiten layer draws with.
var DefaultMetrics = Metrics{CharW: 7, LineH: 15}

// TextWidth is how wide s is drawn.
func (m Metrics) TextWidth(s string) float64 {
	n := 0
	for range s {
		n++
	}
	return float64(n) * m.CharW
}

// Fit cuts s to at most w pixels, ending it in "…" when cut.
func (m Metrics) Fit(s string, w float64) string {
	max := int(w / m.CharW)
	if max <= 0 {
		return ""
	}
	n := 0
	for i := range s {
		if n == max-1 && len(s) > i && m.TextWidth(s[i:]) > m.CharW {
			return s[:i] + "…"
		}
		n++
	}
	return s
}
