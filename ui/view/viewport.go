package view

import "math"

// Viewport is the time range the timeline shows, in ns since machine start:
// [Start, End).
type Viewport struct{ Start, End int64 }

// Zoom limits: the narrowest view shows 50 ns, the widest a day.
const (
	MinSpan = 50
	MaxSpan = 24 * 3600 * 1e9
)

// Span is End - Start.
func (v Viewport) Span() int64 { return v.End - v.Start }

// NsPerPx is how many nanoseconds one pixel of a width-pixel timeline covers.
func (v Viewport) NsPerPx(width float64) float64 { return float64(v.Span()) / width }

// X maps time t to a pixel x on a timeline starting at x0 and width wide.
func (v Viewport) X(t int64, x0, width float64) float64 {
	return x0 + float64(t-v.Start)*width/float64(v.Span())
}

// T maps pixel x back to a time.
func (v Viewport) T(x, x0, width float64) int64 {
	return v.Start + int64(math.Round((x-x0)*float64(v.Span())/width))
}

// ZoomAt scales the span by factor (below 1 zooms in) keeping time t at the
// same place on screen, within MinSpan and MaxSpan.
func (v Viewport) ZoomAt(t int64, factor float64) Viewport {
	span := float64(v.Span())
	ns := clamp(span*factor, MinSpan, MaxSpan)
	k := ns / span
	start := float64(t) - float64(t-v.Start)*k
	s := int64(math.Round(start))
	return Viewport{s, s + int64(ns)}
}

// Pan moves the view by dt.
func (v Viewport) Pan(dt int64) Viewport { return Viewport{v.Start + dt, v.End + dt} }

// EndingAt is a view of the same span whose End is t.
func (v Viewport) EndingAt(t int64) Viewport { return Viewport{t - v.Span(), t} }
