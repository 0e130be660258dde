package view

import (
	"fmt"
	"image/color"
	"math"
	"time"

	"github.com/pollscope/pollscope/trace"
)

// HistBins is how many bars a histogram of the details panel has.
const HistBins = 40

// Rebin spreads a histogram's buckets over n bins of equal width on a log
// scale from its minimum to its maximum, and returns the bins' counts and
// their edges (n+1 of them). An empty histogram gives nil.
func Rebin(h *trace.Histogram, n int) (counts []uint64, edges []time.Duration) {
	if h.Count() == 0 || n <= 0 {
		return nil, nil
	}
	lo, hi := float64(max(h.Min(), 1)), float64(max(h.Max(), 1))
	if hi <= lo {
		hi = lo * 1.01
	}
	counts = make([]uint64, n)
	edges = make([]time.Duration, n+1)
	ratio := math.Log(hi / lo)
	for i := range edges {
		edges[i] = time.Duration(lo * math.Exp(ratio*float64(i)/float64(n)))
	}
	for _, b := range h.Buckets() {
		mid := clamp(float64(b.Low+b.High)/2, lo, hi)
		i := int(math.Log(mid/lo) / ratio * float64(n))
		counts[min(max(i, 0), n-1)] += b.Count
	}
	return counts, edges
}

// drawDetails fills r with the selected task's histograms, or a hint.
func (tb *Table) drawDetails(l *Layer, mt Metrics, m *trace.Model, selected uint32, r Rect) {
	if r.H < 5*mt.LineH {
		return
	}
	l.fill(Rect{r.X + 8, r.Y, r.W - 16, 1}, ColBorder)
	t, ok := m.Task(selected)
	if !ok {
		// With no task selected: the executor's own switch cost, from one
		// poll's end to the next poll's begin, over the whole run.
		l.text(r.X+8, r.Y+8, mt.Fit("Select a task (click its row, or a span on the timeline) for its poll-time and wake-latency histograms.", r.W-16), ColTextDim)
		top := r.Y + 8 + mt.LineH + 10
		drawHistogram(l, mt, "executor task switch (poll end → next poll begin)", &m.Switches, Rect{r.X + 8, top, r.W - 16, r.Bottom() - top - 8}, ColPollPending)
		return
	}
	s := &t.Stats
	title := fmt.Sprintf("%s #%d", t.Label(), t.ID)
	l.text(r.X+8, r.Y+8, title, ColText)
	busy := 0.0
	if s.Lifetime > 0 {
		busy = 100 * float64(s.Busy) / float64(s.Lifetime)
	}
	info := fmt.Sprintf("  %s · polls %s · wakes %s (%s self) · busy %s (%.1f%%) · alive %s",
		t.State, FormatCount(s.Polls), FormatCount(s.Wakes), FormatCount(s.SelfWakes), FormatDuration(s.Busy), busy, FormatDuration(s.Lifetime))
	l.text(r.X+8+mt.TextWidth(title), r.Y+8, mt.Fit(info, r.W-24-mt.TextWidth(title)), ColTextDim)
	top := r.Y + 8 + mt.LineH + 10
	w := (r.W - 16 - 24) / 2
	h := r.Bottom() - top - 8
	drawHistogram(l, mt, "poll time", &s.PollTime, Rect{r.X + 8, top, w, h}, ColPollPending)
	drawHistogram(l, mt, "wake → poll latency", &s.WakeLatency, Rect{r.X + 8 + w + 24, top, w, h}, ColScheduledBright)
}

// ColScheduledBright is the scheduled colour at full strength, for the
// wake-latency histogram.
var ColScheduledBright = rgb(0xe0, 0xb8, 0x4a)

// drawHistogram draws a titled bar chart of h in r, with its minimum,
// median, 99th percentile and maximum under the axis.
func drawHistogram(l *Layer, mt Metrics, title string, h *trace.Histogram, r Rect, c color.RGBA) {
	l.text(r.X, r.Y, title, ColText)
	if h.Count() > 0 {
		n := fmt.Sprintf("%s values", FormatCount(h.Count()))
		l.text(r.Right()-mt.TextWidth(n), r.Y, n, ColTextDim)
	}
	plot := Rect{r.X, r.Y + mt.LineH + 4, r.W, r.H - 2*mt.LineH - 10}
	if plot.H < 10 {
		return
	}
	l.fill(plot, ColLaneOdd)
	counts, edges := Rebin(h, HistBins)
	if counts == nil {
		l.text(plot.X+8, plot.Y+8, "no values yet", ColTextDim)
		return
	}
	peak := uint64(1)
	for _, n := range counts {
		peak = max(peak, n)
	}
	bw := plot.W / float64(len(counts))
	for i, n := range counts {
		if n == 0 {
			continue
		}
		bh := math.Max(1, (plot.H-4)*float64(n)/float64(peak))
		l.fill(Rect{plot.X + float64(i)*bw + 1, plot.Bottom() - bh, math.Max(bw-2, 1), bh}, c)
	}
	// Percentile markers.
	xOf := func(d time.Duration) float64 {
		lo, hi := float64(edges[0]), float64(edges[len(edges)-1])
		return plot.X + plot.W*clamp(math.Log(float64(max(d, 1))/lo)/math.Log(hi/lo), 0, 1)
	}
	for _, q := range []float64{0.5, 0.99} {
		x := xOf(h.Quantile(q))
		l.fill(Rect{math.Min(x, plot.Right()-1), plot.Y, 1, plot.H}, ColText)
	}
	y := plot.Bottom() + 4
	l.text(plot.X, y, FormatDuration(h.Min()), ColTextDim)
	mid := fmt.Sprintf("p50 %s · p99 %s", FormatDuration(h.Quantile(0.5)), FormatDuration(h.Quantile(0.99)))
	l.text(plot.X+(plot.W-mt.TextWidth(mid))/2, y, mid, ColText)
	mx := FormatDuration(h.Max())
	l.text(plot.Right()-mt.TextWidth(mx), y, mx, ColTextDim)
}
