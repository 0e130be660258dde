package view

import (
	"fmt"
	"image/color"
	"strconv"
	"time"

	"github.com/pollscope/pollscope/trace"
)

// Column is one column of the task table.
type Column struct {
	Title string
	Chars int  // width in characters
	Right bool // right-aligned (numbers)
}

// TableColumns are the task table's columns, tokio-console style.
var TableColumns = []Column{
	{"", 1, false},
	{"id", 3, true},
	{"name", 15, false},
	{"state", 9, false},
	{"polls", 6, true},
	{"wakes", 6, true},
	{"busy", 8, true},
	{"sched", 8, true},
	{"idle", 8, true},
	{"last poll", 11, true},
	{"poll p50", 8, true},
	{"poll p99", 8, true},
	{"wake p50", 8, true},
}

// Row is one task's row of the table.
type Row struct {
	Task  uint32
	Cells []string
	Lints []trace.Lint // the task's lints
	State trace.TaskState
}

// Table rows, lints and their geometry.
const (
	RowH         = 18
	ColGapCh     = 2 // characters between columns
	lintLineH    = 17
	maxLintLines = 6 // lints listed at most (the rows' markers show them all)
)

// TaskRows formats one row per task of m, in task id order.
func TaskRows(m *trace.Model) []Row {
	byTask := map[uint32][]trace.Lint{}
	for _, l := range m.Lints {
		byTask[l.Task] = append(byTask[l.Task], l)
	}
	rows := make([]Row, 0, len(m.Tasks))
	for i := range m.Tasks {
		t := &m.Tasks[i]
		s := &t.Stats
		mark := " "
		if len(byTask[t.ID]) > 0 {
			mark = "!"
		}
		last := "—"
		if s.Polls > 0 {
			last = FormatDuration(time.Duration(m.End-s.LastPoll)) + " ago"
			if t.State == trace.Running {
				last = "now"
			}
		}
		rows = append(rows, Row{
			Task:  t.ID,
			State: t.State,
			Lints: byTask[t.ID],
			Cells: []string{
				mark,
				strconv.FormatUint(uint64(t.ID), 10),
				t.Label(),
				t.State.String(),
				FormatCount(s.Polls),
				FormatCount(s.Wakes),
				FormatDuration(s.Busy),
				FormatDuration(s.Scheduled),
				FormatDuration(s.Idle),
				last,
				quantile(&s.PollTime, 0.5),
				quantile(&s.PollTime, 0.99),
				quantile(&s.WakeLatency, 0.5),
			},
		})
	}
	return rows
}

func quantile(h *trace.Histogram, q float64) string {
	if h.Count() == 0 {
		return "—"
	}
	return FormatDuration(h.Quantile(q))
}

// Table is the task table pane of one frame.
type Table struct {
	Pane    Rect
	Rows    []Row
	RowRect []Rect // where each row is drawn
	Lints   []trace.Lint
	LintTop float64
	// DetailsTop is where the selected task's details begin, under the
	// rows and the lints.
	DetailsTop float64
	model      *trace.Model

	// Tab is the list shown; SelectedResource the resource selected on
	// the Resources tab (its Key, 0 for none). The App sets them before
	// Build.
	Tab              TableTab
	SelectedResource uint32
	ResRows          []ResourceRow
	ResRowRect       []Rect
	Waits            []WaitRow // the selected resource's latest waits
}

// Build lays out the table in pane for model m.
func (tb *Table) Build(m *trace.Model, pane Rect) {
	tb.Pane = pane
	tb.Rows = TaskRows(m)
	tb.Lints = m.Lints
	tb.RowRect = tb.RowRect[:0]
	y := pane.Y + HeaderH + RowH + 2
	for range tb.Rows {
		tb.RowRect = append(tb.RowRect, Rect{pane.X + 1, y, pane.W - 2, RowH})
		y += RowH
	}
	tb.LintTop = y + 8
	tb.DetailsTop = y + 8
	if len(tb.Lints) > 0 {
		tb.DetailsTop = tb.LintTop + float64(1+min(len(tb.Lints), maxLintLines))*lintLineH + 8
	}
	tb.model = m
	if tb.Tab == TabResources {
		tb.buildResources(m, tb.SelectedResource)
	}
}

// RowAt returns the task of the row under (x, y), or 0.
func (tb *Table) RowAt(x, y float64) uint32 {
	if tb.Tab != TabTasks {
		return 0
	}
	for i, r := range tb.RowRect {
		if r.Contains(x, y) && r.Bottom() <= tb.Pane.Bottom() {
			return tb.Rows[i].Task
		}
	}
	return 0
}

// Draw adds the table to the layer, highlighting the selected and hovered
// tasks' rows, with the lints and the selected task's histograms below.
func (tb *Table) Draw(l *Layer, mt Metrics, selected, hover uint32) {
	if tb.Tab == TabResources {
		return // drawResources, by the App
	}
	tb.drawRows(l, mt, selected, hover)
	if tb.model != nil && tb.DetailsTop < tb.Pane.Bottom() {
		tb.drawDetails(l, mt, tb.model, selected, Rect{tb.Pane.X, tb.DetailsTop, tb.Pane.W, tb.Pane.Bottom() - tb.DetailsTop})
	}
}

func (tb *Table) drawRows(l *Layer, mt Metrics, selected, hover uint32) {
	p := tb.Pane
	x0 := p.X + 8
	hy := p.Y + HeaderH + (RowH-mt.LineH)/2
	l.fill(Rect{p.X + 1, p.Y + HeaderH, p.W - 2, RowH}, ColPaneHeader)
	colX := func(c int) (float64, float64) {
		x := x0
		for i := 0; i < c; i++ {
			x += float64(TableColumns[i].Chars+ColGapCh) * mt.CharW
		}
		return x, float64(TableColumns[c].Chars) * mt.CharW
	}
	cellX := func(c int, s string) float64 {
		x, w := colX(c)
		if TableColumns[c].Right {
			return x + w - mt.TextWidth(s)
		}
		return x
	}
	for c, col := range TableColumns {
		if x, w := colX(c); x+w <= p.Right() {
			l.text(cellX(c, col.Title), hy, col.Title, ColTextDim)
		}
	}
	for i, row := range tb.Rows {
		r := tb.RowRect[i]
		if r.Bottom() > p.Bottom() {
			break
		}
		switch row.Task {
		case selected:
			l.fill(r, ColRowSelected)
		case hover:
			l.fill(r, ColRowHover)
		}
		ty := r.Y + (RowH-mt.LineH)/2
		for c, s := range row.Cells {
			x, w := colX(c)
			if x+w > p.Right() {
				break
			}
			col := ColText
			switch {
			case c == 0:
				col = ColTextWarn
				if s != " " {
					l.fill(Rect{r.X + 2, r.Y + 2, 3, r.H - 4}, ColTextWarn)
				}
			case c == 3:
				col = stateColor(row.State)
			case c == 1:
				col = ColTextDim
			}
			l.text(cellX(c, mt.Fit(s, w)), ty, mt.Fit(s, w), col)
		}
	}
	if len(tb.Lints) == 0 {
		return
	}
	y := tb.LintTop
	if y+lintLineH > p.Bottom() {
		return
	}
	l.fill(Rect{p.X + 8, y - 5, p.W - 16, 1}, ColBorder)
	l.text(x0, y, "lints", ColTextWarn)
	y += lintLineH
	for i, li := range tb.Lints {
		if i == maxLintLines-1 && len(tb.Lints) > maxLintLines {
			l.text(x0, y, fmt.Sprintf("… and %d more", len(tb.Lints)-i), ColTextWarn)
			break
		}
		if y+lintLineH > p.Bottom() {
			break
		}
		s := "! " + li.Kind.String() + "  " + li.Message
		l.text(x0, y, mt.Fit(s, p.W-16), ColTextWarn)
		y += lintLineH
	}
}

func stateColor(s trace.TaskState) color.RGBA {
	switch s {
	case trace.Running:
		return ColPollPending
	case trace.Scheduled:
		return ColTextWarn
	case trace.Done:
		return ColTextDim
	}
	return ColText
}
