package view

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/pollscope/pollscope/trace"
)

// The resources' lanes (docs/trace-abi.md, "What the host should show"):
// one per resource, under the task lanes, in id order. A lane has a fill
// band on top, the resource's fill level as a step graph scaled to its
// capacity (the band's top line), with a tick for each wake through it;
// under it one thin row per wait row (trace.Model.ResourceWaitLanes), a
// bar per wait in the waiting task's colour, ended by an arrow up to the
// task's lane when a wake through the resource ended it, or by a mark
// saying why it ended otherwise. The timer table's lane also marks when
// each pending sleep is due.

// ItemPart says which part of a resource lane an item is.
type ItemPart uint8

// The parts.
const (
	PartSpan     ItemPart = iota // not a resource lane's: a span or an instant of its lane
	PartFill                     // the fill level over a run of pixel columns (Level)
	PartWait                     // a wait on the resource (or a column of them), in wait row Row
	PartWaitEnd                  // where a wait ended without a wake (taken, dropped, replaced)
	PartWake                     // a wake through the resource (or a column of them)
	PartDeadline                 // when a pending sleep is due (the timer table)
)

// Resource lane geometry.
const (
	ResFillH  = 16 // the fill band
	ResRowH   = 4  // a wait row
	ResRowGap = 2
)

// The resources' colours.
var (
	ColFill     = rgb(0x2b, 0x4a, 0x47)
	ColFillLine = rgb(0x5f, 0xd3, 0xc0)
	ColCapacity = rgb(0x44, 0x4a, 0x56)
	ColWakeVia  = rgb(0x8c, 0x93, 0xc8)
	// ColFillZero is the fill band's floor where the resource holds
	// nothing.
	ColFillZero  = Mix(ColFill, ColFillLine, 0.35)
	ColWaitEnd   = rgb(0xff, 0x7a, 0x7a)
	ColDeadline  = rgb(0xf2, 0xc1, 0x4e)
	taskPalette  = []color.RGBA{rgb(0x4c, 0x9a, 0xff), rgb(0x3d, 0xd6, 0x8c), rgb(0xff, 0x8f, 0x3f), rgb(0xc0, 0x7c, 0xff), rgb(0xff, 0x6b, 0x9a), rgb(0x3f, 0xd0, 0xe0), rgb(0xe0, 0xd0, 0x4a), rgb(0x9a, 0xa8, 0xff)}
	maxDeadlines = 64 // deadline marks drawn at most per lane
)

// TaskColor is task id's colour: its lane's marker, and its waits on the
// resources' lanes.
func TaskColor(id uint32) color.RGBA {
	if id == 0 {
		return ColWakeUnknown
	}
	return taskPalette[(id-1)%uint32(len(taskPalette))]
}

// ResourceLabel names a resource on its lane and in its row: "numbers
// (channel) #4", or "timers #1" when its name is its kind's.
func ResourceLabel(r *trace.Resource) string {
	name := r.Name
	if name == "" {
		name = "resource"
	}
	if name == r.Kind.String() {
		return name + " #" + strconv.Itoa(int(r.ID))
	}
	return r.Label()
}

// ResourceState is a resource's state as "length/capacity".
func ResourceState(r *trace.Resource) string {
	return fmt.Sprintf("%d/%d", r.Len, r.Capacity)
}

// appendResourceLanes adds a lane per resource of m, by id.
func appendResourceLanes(m *trace.Model, lanes []Lane) []Lane {
	order := make([]*trace.Resource, len(m.Resources))
	for i := range m.Resources {
		order[i] = &m.Resources[i]
	}
	slices.SortStableFunc(order, func(a, b *trace.Resource) int { return int(a.ID) - int(b.ID) })
	for _, r := range order {
		lanes = append(lanes, Lane{Kind: LaneResource, Resource: r.Key, Rows: len(m.ResourceWaitLanes(r.Key)),
			Label: ResourceLabel(r), Sub: ResourceState(r)})
	}
	return lanes
}

// ResourceLane returns the index of resource key's lane, or -1.
func ResourceLane(lanes []Lane, key uint32) int {
	for i := range lanes {
		if lanes[i].Kind == LaneResource && lanes[i].Resource == key {
			return i
		}
	}
	return -1
}

// resourceItems adds the items of resource lane li.
func (tl *Timeline) resourceItems(li int, m *trace.Model) {
	ln := &tl.Lanes[li]
	r, ok := m.Resource(ln.Resource)
	if !ok {
		return
	}
	tl.fillItems(li, m, r)
	var ends []Item
	for row, l := range m.ResourceWaitLanes(r.Key) {
		n := len(tl.Items)
		tl.walkSpans(li, l, false)
		for k := n; k < len(tl.Items); k++ {
			it := &tl.Items[k]
			it.Part, it.Row = PartWait, row
			w, ok := m.LaneResourceWait(r.Key, row, it.Index)
			if !ok {
				continue
			}
			it.Task = w.Task
			// A wait that ended without a wake, drawn as itself: a mark
			// at its end.
			if it.Count == 1 && w.How != trace.WaitWoken && w.How != trace.WaitOpen && it.X1 < tl.Plot.Right() {
				ends = append(ends, Item{Lane: li, X0: it.X1 - 1, X1: it.X1 + 2, Start: w.End, End: w.End,
					Count: 1, Index: it.Index, Part: PartWaitEnd, Row: row, Task: w.Task, Shade: 1})
			}
		}
	}
	tl.Items = append(tl.Items, ends...)
	n := len(tl.Items)
	tl.walkInstants(li, m.ResourceWakeLane(r.Key))
	for k := n; k < len(tl.Items); k++ {
		tl.Items[k].Part = PartWake
	}
	if r.Kind == trace.ResourceTimers {
		tl.deadlineItems(li, m, r)
	}
}

// fillItems adds the fill level of resource r on lane li from its
// creation (or the model's start) to its drop (or the model's end), per
// pixel column the most it held there, runs of columns at one level
// merged into one item.
func (tl *Timeline) fillItems(li int, m *trace.Model, r *trace.Resource) {
	v, x0, w := tl.View, tl.Plot.X, tl.Plot.W
	from, to := max(v.Start, r.Created, tl.from), min(v.End, m.End)
	if !r.Alive {
		to = min(to, r.Dropped)
	}
	if from >= to {
		return
	}
	capacity := r.Capacity
	if capacity <= 0 {
		capacity = max(r.MaxLen, 1)
	}
	fill := m.ResourceFill(r.Key)
	nsPerPx := v.NsPerPx(w)
	c0, c1 := math.Floor(v.X(from, x0, w)-x0), math.Ceil(v.X(to, x0, w)-x0)
	var run *Item
	i := fill.FirstAt(from, 0)
	for col := c0; col < c1; col++ {
		cs := max(v.Start+int64(col*nsPerPx), from)
		ce := min(v.Start+int64((col+1)*nsPerPx), to)
		if ce <= cs {
			ce = cs + 1
		}
		val, ok := fill.ValueAt(cs)
		j := fill.FirstAt(ce, i)
		if j > i {
			val, ok = max(val, fill.Max(i, j)), true
		}
		i = j
		if !ok {
			run = nil
			continue
		}
		level := clamp(float64(val)/float64(capacity), 0, 1)
		if run != nil && run.Level == level && run.Count == val {
			run.X1, run.End = x0+col+1, ce
			continue
		}
		tl.Items = append(tl.Items, Item{Lane: li, X0: x0 + col, X1: x0 + col + 1, Start: cs, End: ce,
			Count: val, Part: PartFill, Level: level, Shade: 1})
		run = &tl.Items[len(tl.Items)-1]
	}
}

// deadlineItems marks when the sleeps pending on the timer table r are
// due.
func (tl *Timeline) deadlineItems(li int, m *trace.Model, r *trace.Resource) {
	v, x0, w := tl.View, tl.Plot.X, tl.Plot.W
	for i, wt := range m.WaitingOn(r.Key) {
		if i >= maxDeadlines {
			break
		}
		if wt.Deadline < v.Start || wt.Deadline >= v.End {
			continue
		}
		x := v.X(wt.Deadline, x0, w)
		tl.Items = append(tl.Items, Item{Lane: li, X0: x - 1, X1: x + 2, Start: wt.Deadline, End: wt.Deadline,
			Count: 1, Index: i, Part: PartDeadline, Row: wt.Slot, Task: wt.Task, Shade: 1})
	}
}

// resourceItemColor is the colour of an item on a resource lane.
func resourceItemColor(it *Item) color.RGBA {
	switch it.Part {
	case PartFill:
		return ColFill
	case PartWait:
		return TaskColor(it.Task)
	case PartWaitEnd:
		return ColWaitEnd
	case PartWake:
		return ColWakeVia
	case PartDeadline:
		return ColDeadline
	}
	return ColText
}

// ResourceBands are where a resource lane draws its fill band and its
// wait rows (their tops; a row is ResRowH high).
func ResourceBands(ln Lane) (fillTop float64, rows []float64) {
	for r := range max(ln.Rows, 1) {
		rows = append(rows, ln.Y+2+ResFillH+4+float64(r)*(ResRowH+ResRowGap))
	}
	return ln.Y + 2, rows
}

// resourcePartBand is the rows of lane ln an item of it is drawn in.
func (tl *Timeline) resourcePartBand(it *Item, ln *Lane) (y, h float64) {
	top := ln.Y + 2
	switch it.Part {
	case PartFill, PartWake:
		return top, ResFillH
	case PartWait, PartWaitEnd:
		return ln.Y + 2 + ResFillH + 4 + float64(it.Row)*(ResRowH+ResRowGap), ResRowH
	}
	return top, ln.H - 4
}

// drawResourceFrame draws what a resource lane shows whatever is in view:
// its fill band's capacity line.
func (tl *Timeline) drawResourceFrame(l *Layer, mt Metrics, ln *Lane) {
	plot := tl.Plot
	top := ln.Y + 2
	l.fill(clipY(Rect{plot.X, top, plot.W, 1}, plot), ColCapacity)
}

// drawResourceItem draws one item of a resource lane.
func (tl *Timeline) drawResourceItem(l *Layer, mt Metrics, it *Item, ln *Lane, selected uint32) {
	plot := tl.Plot
	y, h := tl.resourcePartBand(it, ln)
	w := math.Max(it.X1-it.X0, 1)
	c := tl.ItemColor(it, tl.LaneBackground(it.Lane, selected))
	switch it.Part {
	case PartFill:
		if it.Count == 0 {
			l.fill(clipY(Rect{it.X0, y + h - 1, w, 1}, plot), ColFillZero)
			return
		}
		// At least two pixels for anything held, the capacity at the top.
		bh := math.Max(2, math.Round(h*it.Level))
		l.fill(clipY(Rect{it.X0, y + h - bh, w, bh}, plot), c)
		l.fill(clipY(Rect{it.X0, y + h - bh, w, 1}, plot), ColFillLine)
	case PartWake:
		// A short tick rising from the band's floor, so the fill stays
		// readable under many wakes.
		l.fill(clipY(Rect{it.X0, y + h - 5, math.Min(w, 2), 5}, plot), Mix(tl.LaneBackground(it.Lane, selected), c, 0.3+0.7*it.Shade))
	case PartDeadline:
		l.fill(clipY(Rect{it.X0 + 1, ln.Y + 1, 1, ln.H - 2}, plot), c)
		l.fill(clipY(Rect{it.X0, ln.Y + 1, 3, 3}, plot), c)
	default:
		l.fill(clipY(Rect{it.X0, y, w, h}, plot), c)
	}
}

// resourcePartAt is the part of lane ln at height y: the fill band
// (PartFill) or a wait row (PartWait, with the row).
func resourcePartAt(ln *Lane, y float64) (ItemPart, int) {
	rows := ln.Y + 2 + ResFillH + 2
	if y < rows {
		return PartFill, -1
	}
	return PartWait, min(int((y-rows)/(ResRowH+ResRowGap)), max(ln.Rows, 1)-1)
}

// resourceTooltip describes item it of resource lane ln.
func resourceTooltip(m *trace.Model, ln *Lane, it *Item) []string {
	r, ok := m.Resource(ln.Resource)
	if !ok {
		return nil
	}
	name := ResourceLabel(r)
	switch it.Part {
	case PartFill:
		lines := []string{fmt.Sprintf("%s — holds %d of %d", name, it.Count, r.Capacity)}
		if it.X1-it.X0 > 1 {
			lines[0] = fmt.Sprintf("%s — at most %d of %d here", name, it.Count, r.Capacity)
		}
		if r.Kind == trace.ResourceReadyQueue {
			lines = append(lines, "tasks woken and waiting for their poll")
		}
		return append(lines, "from      "+FormatTime(it.Start), "to        "+FormatTime(it.End))
	case PartWake:
		if it.Count > 1 {
			return []string{fmt.Sprintf("%s — %d wakes through it in this pixel", name, it.Count), "from      " + FormatTime(it.Start), "to        " + FormatTime(it.End)}
		}
		for i := searchWakes(m.Wakes, it.Start); i < len(m.Wakes) && m.Wakes[i].Time == it.Start; i++ {
			if w := &m.Wakes[i]; w.ResourceKey == r.Key {
				return []string{fmt.Sprintf("wake through %s: %s", name, taskName(m, w.Task)), "woken by  " + WakeSourceText(m, w)}
			}
		}
		return []string{"wake through " + name, "at        " + FormatTime(it.Start)}
	case PartDeadline:
		ws := m.WaitingOn(r.Key)
		if it.Index < len(ws) {
			w := ws[it.Index]
			tick, _ := w.TimerDeadline()
			return []string{fmt.Sprintf("%s sleeps until tick %d", taskName(m, w.Task), tick),
				"due at    ≈ " + FormatTime(w.Deadline) + fmt.Sprintf(" (a tick is %s)", FormatDuration(m.Tick)),
				"waiting   since " + FormatTime(w.Start)}
		}
	case PartWait, PartWaitEnd:
		if it.Count > 1 {
			return []string{fmt.Sprintf("%s — %d waits in this pixel", name, it.Count), "from      " + FormatTime(it.Start), "to        " + FormatTime(it.End), "zoom in (wheel) to see each one"}
		}
		w, ok := m.LaneResourceWait(r.Key, it.Row, it.Index)
		if !ok {
			return []string{name + " — a wait (evicted)"}
		}
		return WaitLines(m, r, &w)
	}
	return nil
}

// WaitLines describes a wait on resource r: who waited for what, how
// long, how it ended.
func WaitLines(m *trace.Model, r *trace.Resource, w *trace.ResourceWait) []string {
	lines := []string{fmt.Sprintf("%s waits on %s%s", taskName(m, w.Task), ResourceLabel(r), WaitDetail(r, w))}
	d := FormatDuration(time.Duration(w.Duration()))
	if w.How == trace.WaitOpen {
		d += " so far"
	}
	lines = append(lines, "waited    "+d, "from      "+FormatTime(w.Start))
	return append(lines, "ended     "+WaitEndText(m, w))
}

// WaitDetail is what a wait's detail says: ", for a value", ", until tick
// 123".
func WaitDetail(r *trace.Resource, w *trace.ResourceWait) string {
	switch r.Kind {
	case trace.ResourceChannel:
		if w.Detail == 1 {
			return ", for room"
		}
		return ", for a value"
	case trace.ResourceTimers:
		tick, _ := w.TimerDeadline()
		return fmt.Sprintf(", until tick %d", tick)
	}
	return ""
}

// WaitEndText says how a wait ended: "woken by IRQ1 keyboard at … → poll
// at …", "taken back at …", "still waiting".
func WaitEndText(m *trace.Model, w *trace.ResourceWait) string {
	switch w.How {
	case trace.WaitOpen:
		return "still waiting"
	case trace.WaitWoken:
		if w.Wake < 0 || w.Wake >= len(m.Wakes) {
			return "woken at " + FormatTime(w.End)
		}
		s := "woken by " + WakeSourceText(m, &m.Wakes[w.Wake])
		if p := m.WakePoll(w.Wake); p >= 0 {
			s += " → poll at " + FormatTime(m.Polls[p].Start)
		}
		return s
	case trace.WaitTaken:
		return "taken back (found what it waited for) at " + FormatTime(w.End)
	case trace.WaitDropped:
		return "dropped unwoken at " + FormatTime(w.End)
	case trace.WaitReplaced:
		return "replaced by another registration at " + FormatTime(w.End)
	}
	return w.How.String() + " at " + FormatTime(w.End)
}

func taskName(m *trace.Model, id uint32) string {
	if t, ok := m.Task(id); ok {
		return fmt.Sprintf("%s #%d", t.Label(), id)
	}
	return fmt.Sprintf("task #%d", id)
}
