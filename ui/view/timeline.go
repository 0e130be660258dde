package view

import (
	"image/color"
	"math"
	"slices"
	"sort"

	"github.com/pollscope/pollscope/trace"
)

// Level of detail.
const (
	// MinDetailPx: a span at least this many pixels wide is drawn as itself;
	// narrower ones are merged per pixel column.
	MinDetailPx = 2.0
	// MinShade is how much of the span colour a merged column shows however
	// little of its time was busy, so that activity never disappears.
	MinShade = 0.4
)

// Item is one thing drawn on a lane: a span, or a pixel column of merged
// spans or instants.
type Item struct {
	Lane       int
	X0, X1     float64
	Start, End int64          // the time the item covers: its first start, its last end
	Count      int            // how many spans or instants it stands for
	Index      int            // the first one's index in its lane's list (trace.SpanList, trace.Instants)
	Busy       int64          // their total duration (spans)
	Flag       trace.SpanFlag // for a single span: ready, open
	Sched      bool           // waiting time (woken, not yet polled), not polls
	KeyUp      bool           // on the key lane: every event in it is a release
	Shade      float64
	// On a resource lane: which part of it (its fill level, a wait row,
	// a wake through it, ...), the wait row, the fill level as a share of
	// the capacity, and the task a wait or deadline is of.
	Part  ItemPart
	Row   int
	Level float64
	Task  uint32
}

// Arrow is a wake→poll arrow: Wakes[Wake] of the model, from its source's
// lane to the start of the poll it caused; or, Via, the same wake from the
// lane of the resource it came through up to the woken task's lane at the
// wake's time.
type Arrow struct {
	Wake   int
	Source trace.WakeSourceKind
	Self   bool
	Via    bool
	Line   Line
}

// Timeline is the timeline pane of one frame: its geometry, lanes, ruler,
// the items drawn on each lane and the wake arrows.
type Timeline struct {
	Pane    Rect // the whole pane
	Labels  Rect // the lane label column
	Plot    Rect // where time runs: X..Right is View.Start..View.End
	RulerR  Rect
	View    Viewport
	Ruler   Ruler
	Lanes   []Lane
	Items   []Item
	Arrows  []Arrow
	Scroll  float64 // pixels of lanes scrolled off the top
	Content float64 // total height of the lanes
	// SelectedResource is the resource whose lane is lit (its Key), 0 for
	// none.
	SelectedResource uint32
	// Cursor, when Cursor > 0 (the session viewer), is the time drawn as
	// a line across the lanes.
	Cursor int64
	// ArrowsHidden says arrows were left out because more than MaxArrows
	// wakes are in view.
	ArrowsHidden bool

	from int64 // the model's start: nothing before it is drawn

	// What the items were last computed from (see Build).
	built     bool
	builtIn   TimelineInput
	builtFrom *trace.Model
	prevLanes []Lane
}

// TimelineInput is what a timeline frame is computed from.
type TimelineInput struct {
	Model    *trace.Model
	View     Viewport
	Pane     Rect
	Scroll   float64
	Selected uint32 // the selected task, 0 for none
	// SelectedResource is the selected resource's Key, 0 for none.
	SelectedResource uint32
}

// Build lays the timeline out and computes its items and arrows from the
// model's lanes. When only the model changed since the last Build, and
// everything in view was already final then (Model.Final: later events
// change nothing before it), the items and arrows are kept: a frozen view
// of the past costs nothing while the guest runs on.
func (tl *Timeline) Build(in TimelineInput) {
	m := in.Model
	tl.Pane = in.Pane
	tl.View = in.View
	tl.SelectedResource = in.SelectedResource
	body := Rect{in.Pane.X, in.Pane.Y + HeaderH, in.Pane.W, in.Pane.H - HeaderH}
	tl.RulerR = Rect{body.X + LabelW, body.Y, body.W - LabelW - PlotPadR, RulerH}
	tl.Plot = Rect{tl.RulerR.X, body.Y + RulerH, tl.RulerR.W, body.H - RulerH}
	tl.Labels = Rect{body.X, tl.Plot.Y, LabelW, tl.Plot.H}
	tl.Ruler = MakeRuler(in.View, tl.Plot.X, tl.Plot.W, 90)
	tl.prevLanes, tl.Lanes = tl.Lanes, tl.prevLanes
	tl.Lanes = BuildLanes(m, tl.Lanes)
	tl.Content = PlaceLanes(tl.Lanes, tl.Plot.Y+4)
	tl.Scroll = clamp(in.Scroll, 0, math.Max(0, tl.Content+8-tl.Plot.H))
	for i := range tl.Lanes {
		tl.Lanes[i].Y -= tl.Scroll
	}
	in.Scroll = tl.Scroll
	if tl.unchanged(in) {
		tl.builtFrom = m
		return
	}
	tl.built, tl.builtIn, tl.builtFrom = true, in, m
	tl.Items = tl.Items[:0]
	tl.Arrows = tl.Arrows[:0]
	tl.ArrowsHidden = false
	if tl.Plot.W < 10 || m == nil {
		return
	}
	tl.from = m.Start
	for i := range tl.Lanes {
		ln := &tl.Lanes[i]
		if ln.Y+ln.H < tl.Plot.Y || ln.Y > tl.Plot.Bottom() {
			continue
		}
		switch ln.Kind {
		case LaneTask:
			tl.walkSpans(i, m.WaitLane(ln.Task), true)
			tl.walkSpans(i, m.PollLane(ln.Task), false)
		case LaneIRQ:
			tl.walkSpans(i, m.IRQLane(ln.Vector), false)
		case LaneIdle:
			tl.walkSpans(i, m.IdleLane(), false)
		case LaneStopped:
			tl.walkSpans(i, m.DebugStopLane(), false)
		case LaneExit:
			tl.walkInstants(i, m.ExitLane(ln.Exit))
		case LaneKeys:
			tl.walkInstants(i, m.KeyLane())
		case LaneResource:
			tl.resourceItems(i, m)
		}
	}
	tl.buildArrows(m, in.Selected)
}

// unchanged reports whether the items of the last Build still stand for in:
// the same input, or the same but for a model in which nothing before the
// view's end changed (it was final in the model the items came from, and
// the model's start, its lanes and their places are the same).
func (tl *Timeline) unchanged(in TimelineInput) bool {
	prev := tl.builtFrom
	if !tl.built || prev == nil || in.Model == nil {
		return false
	}
	was := tl.builtIn
	was.Model = in.Model
	if was != in || !slices.Equal(tl.Lanes, tl.prevLanes) {
		return false
	}
	return in.Model == prev || (in.View.End <= prev.Final && in.Model.Start == prev.Start)
}

// walkSpans adds the items of one lane's spans on lane li: spans
// MinDetailPx wide or more as themselves, runs of narrower ones merged per
// pixel column.
func (tl *Timeline) walkSpans(li int, l *trace.SpanList, sched bool) {
	n := l.Len()
	if n == 0 {
		return
	}
	v, x0, w := tl.View, tl.Plot.X, tl.Plot.W
	nsPerPx := v.NsPerPx(w)
	xOf := func(t int64) float64 { return v.X(t, x0, w) }
	i := l.FirstEndingAfter(v.Start, 0)
	if i < n && l.Start(i) < tl.from {
		i = l.FirstStartingAt(tl.from, i)
	}
	for i < n && l.Start(i) < v.End {
		start, end := l.Start(i), l.End(i)
		xs, xe := xOf(start), xOf(end)
		if xe-xs >= MinDetailPx {
			tl.Items = append(tl.Items, Item{
				Lane: li, X0: math.Max(xs, x0), X1: math.Min(xe, x0+w),
				Start: start, End: end, Count: 1, Index: i, Busy: end - start,
				Flag: l.Flag(i), Sched: sched, Shade: 1,
			})
			i++
			continue
		}
		// Merge the spans that start in xs's pixel column.
		col := math.Floor(xs - x0)
		colEnd := v.Start + int64(math.Ceil((col+1)*nsPerPx))
		j := l.FirstStartingAt(colEnd, i+1)
		if last := j - 1; last > i && xOf(l.End(last))-xOf(l.Start(last)) >= MinDetailPx {
			j = last // leave a wide span to be drawn as itself
		}
		busy := l.Busy(i, j)
		shade := MinShade + (1-MinShade)*clamp(float64(busy)/nsPerPx, 0, 1)
		lastEnd := l.End(j - 1)
		it := Item{
			Lane: li, X0: math.Max(x0+col, x0), X1: math.Min(math.Max(x0+col+1, xOf(lastEnd)), x0+w),
			Start: start, End: lastEnd, Count: j - i, Index: i, Busy: busy, Sched: sched, Shade: shade,
		}
		if j-i == 1 {
			it.Flag = l.Flag(i)
		}
		tl.Items = append(tl.Items, it)
		i = j
	}
}

// walkInstants adds the items of one lane's instants on lane li: per pixel
// column, a tick for the instants in it.
func (tl *Timeline) walkInstants(li int, l *trace.Instants) {
	n := l.Len()
	if n == 0 {
		return
	}
	v, x0, w := tl.View, tl.Plot.X, tl.Plot.W
	nsPerPx := v.NsPerPx(w)
	i := l.FirstAt(max(v.Start, tl.from), 0)
	for i < n && l.Time(i) < v.End {
		t := l.Time(i)
		col := math.Floor(v.X(t, x0, w) - x0)
		colEnd := v.Start + int64(math.Ceil((col+1)*nsPerPx))
		j := max(l.FirstAt(colEnd, i), i+1)
		up := true
		for k := i; k < j && up; k++ {
			up = l.Flag(k)&trace.InstantKeyUp != 0
		}
		// One instant: a 2-pixel tick. More: the shade grows with the
		// logarithm of the count.
		shade := clamp(0.55+0.15*math.Log2(float64(j-i)), 0, 1)
		tl.Items = append(tl.Items, Item{
			Lane: li, X0: x0 + col, X1: math.Min(x0+col+2, x0+w),
			Start: t, End: l.Time(j - 1), Count: j - i, Index: i, KeyUp: up, Shade: shade,
		})
		i = j
	}
}

// buildArrows adds the wake→poll arrows of the wakes in view (and of those
// shortly before it whose poll is in view), at most MaxArrows of them; with
// more, only the selected task's.
func (tl *Timeline) buildArrows(m *trace.Model, selected uint32) {
	v := tl.View
	lo := searchWakes(m.Wakes, v.Start-v.Span()/4)
	hi := searchWakes(m.Wakes, v.End)
	only := uint32(0)
	tl.ArrowsHidden = false
	if hi-lo > MaxArrows {
		tl.ArrowsHidden = true
		if selected == 0 || hi-lo > 50*MaxArrows {
			return
		}
		only = selected
	}
	laneOf := map[uint32]int{}
	resLane := map[uint32]int{}
	for i := range tl.Lanes {
		switch tl.Lanes[i].Kind {
		case LaneTask:
			laneOf[tl.Lanes[i].Task] = i
		case LaneResource:
			resLane[tl.Lanes[i].Resource] = i
		}
	}
	for k := lo; k < hi && len(tl.Arrows) < MaxArrows; k++ {
		w := &m.Wakes[k]
		if only != 0 && w.Task != only && !(w.Source == trace.WakeTask && w.SourceID == only) {
			continue
		}
		dst, ok := laneOf[w.Task]
		if !ok {
			continue
		}
		if r, ok := resLane[w.ResourceKey]; ok && w.Time >= v.Start {
			x := v.X(w.Time, tl.Plot.X, tl.Plot.W)
			tl.Arrows = append(tl.Arrows, Arrow{Wake: k, Source: w.Source, Self: w.Self, Via: true,
				Line: ArrowLine(tl.Lanes[r], tl.Lanes[dst], x, x, ColWakeVia)})
		}
		pollAt := int64(-1)
		if pi := m.WakePoll(k); pi >= 0 {
			pollAt = m.Polls[pi].Start
		} else if len(m.OpenPolls) > 0 && m.OpenPolls[0].Task == w.Task && m.OpenPolls[0].Start >= w.Time {
			pollAt = m.OpenPolls[0].Start
		}
		if pollAt < 0 || pollAt < v.Start {
			continue
		}
		src := dst
		self := w.Self
		switch w.Source {
		case trace.WakeInterrupt:
			if i := IRQLane(tl.Lanes, uint8(w.SourceID)); i >= 0 {
				src = i
			}
		case trace.WakeTask:
			if i, ok := laneOf[w.SourceID]; ok {
				src = i
			}
			self = self || w.SourceID == w.Task
		}
		tl.Arrows = append(tl.Arrows, Arrow{Wake: k, Source: w.Source, Self: self,
			Line: ArrowLine(tl.Lanes[src], tl.Lanes[dst], v.X(w.Time, tl.Plot.X, tl.Plot.W), v.X(pollAt, tl.Plot.X, tl.Plot.W), ArrowColor(w.Source, self))})
	}
}

// ArrowLine is the line of a wake arrow from lane src at x = xWake to lane
// dst at x = xPoll: from the middle of the source lane to the near edge of
// the destination lane (its top when the source is above, its bottom when
// below), so the head points at the poll's start. A wake within one lane
// runs along its top edge.
func ArrowLine(src, dst Lane, xWake, xPoll float64, c color.RGBA) Line {
	l := Line{X0: xWake, X1: xPoll, Width: 1.5, Head: 6, Color: c}
	switch {
	case src.Y == dst.Y:
		l.Y0, l.Y1 = dst.Y+2, dst.Y+2
		l.Head = 5
	case src.Y < dst.Y:
		l.Y0, l.Y1 = src.Y+src.H/2, dst.Y+1
	default:
		l.Y0, l.Y1 = src.Y+src.H/2, dst.Y+dst.H-1
	}
	return l
}

// ArrowColor is the colour of a wake arrow by its source.
func ArrowColor(src trace.WakeSourceKind, self bool) color.RGBA {
	switch {
	case self:
		return ColWakeSelf
	case src == trace.WakeInterrupt:
		return ColWakeIRQ
	case src == trace.WakeTask:
		return ColWakeTask
	}
	return ColWakeUnknown
}

// ItemColor is the colour an item is drawn in on its lane.
func (tl *Timeline) ItemColor(it *Item, bg color.RGBA) color.RGBA {
	var c color.RGBA
	switch tl.Lanes[it.Lane].Kind {
	case LaneTask:
		switch {
		case it.Sched:
			c = ColScheduled
		case it.Flag&trace.SpanOpen != 0:
			c = ColPollOpen
		case it.Flag&trace.SpanReady != 0:
			c = ColPollReady
		default:
			c = ColPollPending
		}
	case LaneIRQ:
		c = ColIRQ
	case LaneIdle:
		c = ColIdle
	case LaneStopped:
		c = ColStopped
	case LaneExit:
		c = ColExit
	case LaneKeys:
		c = ColKey
		if it.KeyUp {
			c = ColKeyUp
		}
	case LaneResource:
		c = resourceItemColor(it)
	}
	if it.Shade >= 1 {
		return c
	}
	return Mix(bg, c, it.Shade)
}

// LaneBackground is lane i's background colour.
func (tl *Timeline) LaneBackground(i int, selected uint32) color.RGBA {
	ln := &tl.Lanes[i]
	if ln.Kind == LaneTask && ln.Task == selected && selected != 0 {
		return ColLaneSelected
	}
	if ln.Kind == LaneResource && ln.Resource == tl.SelectedResource && tl.SelectedResource != 0 {
		return ColLaneSelected
	}
	if i%2 == 0 {
		return ColLaneEven
	}
	return ColLaneOdd
}

// Draw adds the timeline to the layer: lane backgrounds and labels, ruler,
// grid, items, arrows and the hovered item's outline (hover = -1 for none).
func (tl *Timeline) Draw(l *Layer, mt Metrics, selected uint32, hover int) {
	l.fill(tl.RulerR, ColRuler)
	l.fill(Rect{tl.Labels.X, tl.RulerR.Y, LabelW, RulerH}, ColRuler)
	if tl.Ruler.AnchorLabel != "" {
		l.text(tl.Pane.X+6, tl.RulerR.Y+(RulerH-mt.LineH)/2, mt.Fit("t0 = "+tl.Ruler.AnchorLabel, LabelW-8), ColTextDim)
	}
	plot := tl.Plot
	for i := range tl.Lanes {
		ln := &tl.Lanes[i]
		if ln.Y+ln.H <= plot.Y || ln.Y >= plot.Bottom() {
			continue
		}
		r := clipY(Rect{plot.X, ln.Y, plot.W, ln.H}, plot)
		l.fill(r, tl.LaneBackground(i, selected))
		lr := clipY(Rect{tl.Labels.X, ln.Y, LabelW - 4, ln.H}, plot)
		l.fill(lr, tl.LaneBackground(i, selected))
		if ln.Y >= plot.Y && ln.Y+ln.H <= plot.Bottom() {
			ty := ln.Y + (ln.H-mt.LineH)/2
			if ln.Kind == LaneResource {
				ty = ln.Y + 3
			}
			marker := laneMarker(ln.Kind)
			if ln.Kind == LaneTask {
				marker = TaskColor(ln.Task)
			}
			l.fill(Rect{tl.Labels.X + 4, ln.Y + 5, 3, ln.H - 10}, marker)
			label := mt.Fit(ln.Label, LabelW-20-mt.TextWidth(ln.Sub)-6)
			l.text(tl.Labels.X+12, ty, label, ColText)
			if ln.Sub != "" {
				l.text(tl.Labels.X+12+mt.TextWidth(label)+mt.CharW, ty, ln.Sub, ColTextDim)
			}
		}
	}
	for _, tk := range tl.Ruler.Ticks {
		l.fill(Rect{math.Round(tk.X), tl.RulerR.Y + RulerH - 6, 1, 6}, ColTextDim)
		l.fill(Rect{math.Round(tk.X), plot.Y, 1, plot.H}, ColGrid)
		if tk.X+mt.TextWidth(tk.Label)+4 <= tl.RulerR.Right() {
			l.text(tk.X+4, tl.RulerR.Y+2, tk.Label, ColTextDim)
		}
	}
	for i := range tl.Lanes {
		if ln := &tl.Lanes[i]; ln.Kind == LaneResource && ln.Y+ln.H > plot.Y && ln.Y < plot.Bottom() {
			tl.drawResourceFrame(l, mt, ln)
		}
	}
	// Time stopped in the debugger veils every lane: nothing ran there.
	for k := range tl.Items {
		if it := &tl.Items[k]; tl.Lanes[it.Lane].Kind == LaneStopped {
			l.fill(Rect{it.X0, plot.Y, math.Max(it.X1-it.X0, 1), plot.H}, ColStoppedShade)
		}
	}
	for k := range tl.Items {
		it := &tl.Items[k]
		ln := &tl.Lanes[it.Lane]
		if ln.Kind == LaneResource {
			tl.drawResourceItem(l, mt, it, ln, selected)
			continue
		}
		y, h := ln.Y+3, ln.H-6
		switch {
		case it.Sched:
			y, h = ln.Y+1, ln.H-2
		case it.KeyUp:
			y, h = ln.Y+ln.H/2, ln.H/2-3
		}
		r := clipY(Rect{it.X0, y, math.Max(it.X1-it.X0, 1), h}, plot)
		l.fill(r, tl.ItemColor(it, tl.LaneBackground(it.Lane, selected)))
	}
	for _, a := range tl.Arrows {
		ln := a.Line
		if (ln.Y0 < plot.Y && ln.Y1 < plot.Y) || (ln.Y0 > plot.Bottom() && ln.Y1 > plot.Bottom()) {
			continue
		}
		ln.Y0 = clamp(ln.Y0, plot.Y, plot.Bottom())
		ln.Y1 = clamp(ln.Y1, plot.Y, plot.Bottom())
		ln.X0 = clamp(ln.X0, plot.X, plot.Right())
		l.Lines = append(l.Lines, ln)
	}
	if tl.Cursor > 0 && tl.Cursor >= tl.View.Start && tl.Cursor <= tl.View.End {
		x := math.Min(math.Round(tl.View.X(tl.Cursor, plot.X, plot.W)), plot.Right()-1)
		l.fill(Rect{x, plot.Y, 1, plot.H}, ColFocus)
		l.fill(Rect{x - 3, tl.RulerR.Bottom() - 6, 7, 6}, ColFocus)
	}
	if hover >= 0 && hover < len(tl.Items) {
		it := &tl.Items[hover]
		ln := &tl.Lanes[it.Lane]
		y, h := ln.Y+1, ln.H-2
		if ln.Kind == LaneResource {
			y, h = tl.resourcePartBand(it, ln)
			y, h = y-1, h+2
		}
		l.frame(clipY(Rect{it.X0 - 1, y, math.Max(it.X1-it.X0, 1) + 2, h}, plot), 1, ColText)
	}
}

func laneMarker(k LaneKind) color.RGBA {
	switch k {
	case LaneTask:
		return ColPollPending
	case LaneResource:
		return ColFillLine
	case LaneIRQ:
		return ColIRQ
	case LaneIdle:
		return ColIdle
	case LaneStopped:
		return ColStopped
	case LaneExit:
		return ColExit
	}
	return ColKey
}

// clipY cuts r to the rows of clip.
func clipY(r, clip Rect) Rect {
	top, bot := math.Max(r.Y, clip.Y), math.Min(r.Bottom(), clip.Bottom())
	if bot <= top {
		return Rect{}
	}
	return Rect{r.X, top, r.W, bot - top}
}

// searchWakes returns the index of the first wake at or after t.
func searchWakes(s []trace.Wake, t int64) int {
	return sort.Search(len(s), func(i int) bool { return s[i].Time >= t })
}

// Model is the model the timeline was last built from.
func (tl *Timeline) Model() *trace.Model { return tl.builtFrom }
