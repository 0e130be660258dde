package view

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/pollscope/pollscope/trace"
)

// The table pane's Resources tab, tokio-console's resources view: one row
// per resource (dropped ones dim, as finished tasks are), and under the
// rows the selected resource's latest waits, each a link to the waiting
// task's lane.

// TableTab is which list the table pane shows.
type TableTab uint8

// The tabs.
const (
	TabTasks TableTab = iota
	TabResources
)

// ResourceColumns are the Resources tab's columns.
var ResourceColumns = []Column{
	{"id", 3, true},
	{"kind", 11, false},
	{"name", 12, false},
	{"state", 9, true},
	{"most", 5, true},
	{"waiting now", 28, false},
	{"wakes", 7, true},
	{"created", 10, true},
	{"dropped", 10, true},
}

// ResourceRow is one resource's row.
type ResourceRow struct {
	Resource uint32 // its Key
	Alive    bool
	Cells    []string
}

// ResourceRows formats one row per resource of m, by id.
func ResourceRows(m *trace.Model) []ResourceRow {
	var rows []ResourceRow
	for _, ln := range appendResourceLanes(m, nil) {
		r, _ := m.Resource(ln.Resource)
		dropped := "—"
		if !r.Alive {
			dropped = FormatTime(r.Dropped)
		}
		rows = append(rows, ResourceRow{Resource: r.Key, Alive: r.Alive, Cells: []string{
			strconv.Itoa(int(r.ID)), r.Kind.String(), r.Name, ResourceState(r), strconv.Itoa(r.MaxLen),
			waitingText(m, r), FormatCount(r.Wakes), FormatTime(r.Created), dropped,
		}})
	}
	return rows
}

// waitingText lists the tasks waiting on r now; on the timer table with
// the ticks they sleep until.
func waitingText(m *trace.Model, r *trace.Resource) string {
	var names []string
	for _, w := range m.WaitingOn(r.Key) {
		s := taskLabel(m, w.Task)
		if r.Kind == trace.ResourceTimers {
			tick, _ := w.TimerDeadline()
			s += fmt.Sprintf(" (tick %d)", tick)
		}
		names = append(names, s)
	}
	if len(names) == 0 {
		return "—"
	}
	return strings.Join(names, ", ")
}

func taskLabel(m *trace.Model, id uint32) string {
	if t, ok := m.Task(id); ok {
		return t.Label()
	}
	return fmt.Sprintf("task %d", id)
}

// maxWaitRows is how many of the selected resource's waits are listed.
const maxWaitRows = 12

// WaitRow is one wait listed under the resource rows.
type WaitRow struct {
	Wait  trace.ResourceWait
	Cells []string
	R     Rect
}

// waitRows formats the latest waits on resource key.
func waitRows(m *trace.Model, key uint32) []WaitRow {
	r, ok := m.Resource(key)
	if !ok {
		return nil
	}
	var rows []WaitRow
	for _, w := range m.RecentWaits(key, maxWaitRows) {
		end := "—"
		if w.How != trace.WaitOpen {
			end = FormatTime(w.End)
		}
		d := FormatDuration(time.Duration(w.Duration()))
		if w.How == trace.WaitOpen {
			d += " so far"
		}
		rows = append(rows, WaitRow{Wait: w, Cells: []string{taskLabel(m, w.Task), FormatTime(w.Start), end, d,
			waitHow(m, &w), strings.TrimPrefix(WaitDetail(r, &w), ", ")}})
	}
	return rows
}

// waitHow is a wait's ending in a few words.
func waitHow(m *trace.Model, w *trace.ResourceWait) string {
	if w.How == trace.WaitWoken && w.Wake >= 0 && w.Wake < len(m.Wakes) {
		if p := m.WakePoll(w.Wake); p >= 0 {
			return "woken → poll " + FormatDuration(time.Duration(m.Polls[p].Start-w.End)) + " later"
		}
		return "woken"
	}
	if w.How == trace.WaitOpen {
		return "waiting"
	}
	return w.How.String()
}

// waitColumns are the columns of the wait list.
var waitColumns = []Column{
	{"task", 15, false},
	{"start", 11, true},
	{"end", 11, true},
	{"waited", 11, true},
	{"how it ended", 26, false},
	{"detail", 14, false},
}

// buildResources lays out the Resources tab.
func (tb *Table) buildResources(m *trace.Model, selected uint32) {
	tb.ResRows = ResourceRows(m)
	tb.ResRowRect = tb.ResRowRect[:0]
	y := tb.Pane.Y + HeaderH + RowH + 2
	for range tb.ResRows {
		tb.ResRowRect = append(tb.ResRowRect, Rect{tb.Pane.X + 1, y, tb.Pane.W - 2, RowH})
		y += RowH
	}
	tb.Waits = nil
	if selected == 0 {
		return
	}
	tb.Waits = waitRows(m, selected)
	y += 8 + lintLineH + RowH // the resource's title, the wait list's header
	for i := range tb.Waits {
		tb.Waits[i].R = Rect{tb.Pane.X + 1, y, tb.Pane.W - 2, RowH}
		y += RowH
	}
}

// ResourceAt returns the resource (its Key) of the row under (x, y), or 0.
func (tb *Table) ResourceAt(x, y float64) uint32 {
	for i, r := range tb.ResRowRect {
		if r.Contains(x, y) && r.Bottom() <= tb.Pane.Bottom() {
			return tb.ResRows[i].Resource
		}
	}
	return 0
}

// WaitAt returns the wait listed under (x, y).
func (tb *Table) WaitAt(x, y float64) (trace.ResourceWait, bool) {
	for _, w := range tb.Waits {
		if w.R.Contains(x, y) && w.R.Bottom() <= tb.Pane.Bottom() {
			return w.Wait, true
		}
	}
	return trace.ResourceWait{}, false
}

// drawColumns draws a header row and rows of cells in cols from y on, as
// many as fit in p.
func drawColumns(l *Layer, mt Metrics, p Rect, cols []Column, y float64, rows [][]string, rowCol func(i, c int) colorRGBA, rowBg func(i int) (colorRGBA, bool)) {
	x0 := p.X + 8
	colX := func(c int) (float64, float64) {
		x := x0
		for i := 0; i < c; i++ {
			x += float64(cols[i].Chars+ColGapCh) * mt.CharW
		}
		return x, float64(cols[c].Chars) * mt.CharW
	}
	cellX := func(c int, s string) float64 {
		x, w := colX(c)
		if cols[c].Right {
			return x + w - mt.TextWidth(s)
		}
		return x
	}
	l.fill(Rect{p.X + 1, y, p.W - 2, RowH}, ColPaneHeader)
	for c, col := range cols {
		if x, w := colX(c); x+w <= p.Right() {
			l.text(cellX(c, col.Title), y+(RowH-mt.LineH)/2, col.Title, ColTextDim)
		}
	}
	y += RowH
	for i, row := range rows {
		if y+RowH > p.Bottom() {
			return
		}
		if bg, ok := rowBg(i); ok {
			l.fill(Rect{p.X + 1, y, p.W - 2, RowH}, bg)
		}
		for c, s := range row {
			x, w := colX(c)
			if x > p.Right()-8 {
				break
			}
			w = min(w, p.Right()-8-x)
			s = mt.Fit(s, w)
			l.text(cellX(c, s), y+(RowH-mt.LineH)/2, s, rowCol(i, c))
		}
		y += RowH
	}
}

// drawResources draws the Resources tab: the rows, and the selected
// resource's waits.
func (tb *Table) drawResources(l *Layer, mt Metrics, selected, hover uint32, hoverWait int) {
	p := tb.Pane
	if len(tb.ResRows) == 0 {
		l.text(p.X+8, p.Y+HeaderH+8, mt.Fit("No resources: this guest reports none (a demo kernel older than its resource records, or the simple executor's run).", p.W-16), ColTextDim)
		return
	}
	rows := make([][]string, len(tb.ResRows))
	for i, r := range tb.ResRows {
		rows[i] = r.Cells
	}
	drawColumns(l, mt, p, ResourceColumns, p.Y+HeaderH, rows, func(i, c int) colorRGBA {
		switch {
		case !tb.ResRows[i].Alive:
			return ColTextDim
		case c == 0:
			return ColTextDim
		case c == 3:
			return ColFillLine
		}
		return ColText
	}, func(i int) (colorRGBA, bool) {
		switch tb.ResRows[i].Resource {
		case selected:
			return ColRowSelected, true
		case hover:
			return ColRowHover, true
		}
		return colorRGBA{}, false
	})
	if selected == 0 {
		y := p.Y + HeaderH + RowH + 2 + float64(len(tb.ResRows))*RowH + 8
		if y+lintLineH < p.Bottom() {
			l.fill(Rect{p.X + 8, y - 4, p.W - 16, 1}, ColBorder)
			l.text(p.X+8, y+4, mt.Fit("Select a resource (click its row or its lane) for the waits on it; click a wait for its task's lane.", p.W-16), ColTextDim)
		}
		return
	}
	m := tb.model
	r, ok := m.Resource(selected)
	if !ok {
		return
	}
	y := p.Y + HeaderH + RowH + 2 + float64(len(tb.ResRows))*RowH + 8
	if y+lintLineH > p.Bottom() {
		return
	}
	l.fill(Rect{p.X + 8, y - 4, p.W - 16, 1}, ColBorder)
	title := ResourceLabel(r)
	l.text(p.X+8, y+1, title, ColText)
	info := fmt.Sprintf("  %s · %s held, most %d · %s waits, %s wakes · %d waiting now", r.Kind, ResourceState(r), r.MaxLen,
		FormatCount(r.Waits), FormatCount(r.Wakes), r.Waiting)
	l.text(p.X+8+mt.TextWidth(title), y+1, mt.Fit(info, p.W-24-mt.TextWidth(title)), ColTextDim)
	y += lintLineH
	if len(tb.Waits) == 0 {
		l.text(p.X+8, y+RowH, "no waits on it (yet)", ColTextDim)
		return
	}
	wrows := make([][]string, len(tb.Waits))
	for i, w := range tb.Waits {
		wrows[i] = w.Cells
	}
	drawColumns(l, mt, p, waitColumns, y, wrows, func(i, c int) colorRGBA {
		switch {
		case c == 0:
			return TaskColor(tb.Waits[i].Wait.Task)
		case c == 4 && tb.Waits[i].Wait.How == trace.WaitDropped:
			return ColWaitEnd
		case c == 4 && tb.Waits[i].Wait.How == trace.WaitOpen:
			return ColTextWarn
		}
		return ColText
	}, func(i int) (colorRGBA, bool) {
		if i == hoverWait {
			return ColRowHover, true
		}
		return colorRGBA{}, false
	})
}
