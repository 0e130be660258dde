package view

import (
	"slices"
	"testing"
	"time"

	"github.com/pollscope/pollscope/trace"
)

func TestTaskRows(t *testing.T) {
	s := &stream{}
	s.executor().spawn(1, "keyboard").spawn(2, "cruncher").spawn(3, "")
	s.at(1000).poll(1, 2*time.Microsecond, false)
	s.interrupt(kbdVec, 1).after(time.Microsecond).poll(1, 4*time.Microsecond, false)
	s.after(time.Microsecond).poll(2, 25*time.Millisecond, false) // a long poll
	s.after(time.Millisecond).hostExit("hlt")
	m := collect(s.evs)
	rows := TaskRows(m)
	if len(rows) != 3 {
		t.Fatalf("%d rows", len(rows))
	}
	cols := map[string]int{}
	for i, c := range TableColumns {
		cols[c.Title] = i
	}
	kb := rows[0].Cells
	checks := []struct {
		row  []string
		col  string
		want string
	}{
		{kb, "id", "1"},
		{kb, "name", "keyboard"},
		{kb, "state", "idle"},
		{kb, "polls", "2"},
		{kb, "wakes", "1"},
		{kb, "busy", "6.00 µs"},
		{kb, "poll p50", "2.00 µs"},
		{kb, "poll p99", "4.00 µs"},
		{kb, "wake p50", "2.00 µs"},
		{kb, "last poll", "26.0 ms ago"},
		{kb, "", " "},
		{rows[1].Cells, "", "!"},
		{rows[1].Cells, "poll p50", "25.0 ms"},
		{rows[2].Cells, "name", "task 3"},
		{rows[2].Cells, "last poll", "—"},
		{rows[2].Cells, "poll p50", "—"},
	}
	for _, c := range checks {
		if got := c.row[cols[c.col]]; got != c.want {
			t.Errorf("%s of %s = %q, want %q", c.col, c.row[cols["name"]], got, c.want)
		}
	}
	if len(rows[1].Lints) != 1 || rows[1].Lints[0].Kind != trace.LintLongPoll {
		t.Errorf("cruncher's lints %+v, want a long poll", rows[1].Lints)
	}
	for _, r := range rows {
		if len(r.Cells) != len(TableColumns) {
			t.Errorf("row %d has %d cells for %d columns", r.Task, len(r.Cells), len(TableColumns))
		}
	}
}

func TestTableHitAndDraw(t *testing.T) {
	m := collect(demoStream(4).evs)
	var tb Table
	tb.Build(m, Rect{700, 40, 900, 420})
	r := tb.RowRect[1]
	if got := tb.RowAt(r.X+10, r.Y+5); got != 2 {
		t.Errorf("RowAt on the second row = %d, want task 2", got)
	}
	if got := tb.RowAt(r.X+10, tb.RowRect[2].Bottom()+30); got != 0 {
		t.Errorf("RowAt below the rows = %d", got)
	}
	var l Layer
	tb.Draw(&l, DefaultMetrics, 2, 0)
	var texts []string
	for _, tx := range l.Texts {
		texts = append(texts, tx.S)
		if tx.X+DefaultMetrics.TextWidth(tx.S) > tb.Pane.Right() {
			t.Errorf("%q runs past the pane", tx.S)
		}
	}
	for _, want := range []string{"name", "wake p50", "keyboard", "worker", "consumer"} {
		if !slices.Contains(texts, want) {
			t.Errorf("the table does not show %q", want)
		}
	}
	if !slices.ContainsFunc(l.Fills, func(f Fill) bool { return f.Color == ColRowSelected && f.Rect == tb.RowRect[1] }) {
		t.Errorf("the selected task's row is not highlighted")
	}
}
