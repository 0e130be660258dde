package view

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pollscope/pollscope/trace"
)

func TestRebin(t *testing.T) {
	var h trace.Histogram
	if c, e := Rebin(&h, 10); c != nil || e != nil {
		t.Errorf("empty histogram rebinned to %v %v", c, e)
	}
	for i := range 1000 {
		h.Record(time.Duration(1000 + i*i)) // 1 µs .. 1 ms
	}
	counts, edges := Rebin(&h, 20)
	if len(counts) != 20 || len(edges) != 21 {
		t.Fatalf("%d counts, %d edges", len(counts), len(edges))
	}
	var sum uint64
	for _, n := range counts {
		sum += n
	}
	if sum != 1000 {
		t.Errorf("bins hold %d values, want 1000", sum)
	}
	if edges[0] != h.Min() || edges[20] < h.Max()*99/100 || !slices.IsSorted(edges) {
		t.Errorf("edges %v do not run from min %v to max %v", edges, h.Min(), h.Max())
	}
	// A single value fills one bin.
	var one trace.Histogram
	one.Record(5 * time.Microsecond)
	if c, _ := Rebin(&one, 8); slices.Max(c) != 1 {
		t.Errorf("one value rebinned to %v", c)
	}
}

func TestDetailsOfSelectedTask(t *testing.T) {
	m := collect(demoStream(100).evs)
	var tb Table
	tb.Build(m, Rect{700, 40, 900, 420})
	texts := func(sel uint32) string {
		var l Layer
		tb.Draw(&l, DefaultMetrics, sel, 0)
		var s []string
		for _, tx := range l.Texts {
			s = append(s, tx.S)
		}
		return strings.Join(s, "|")
	}
	if all := texts(0); !strings.Contains(all, "Select a task") {
		t.Errorf("no hint without a selection: %s", all)
	}
	all := texts(2)
	for _, want := range []string{"worker #2", "poll time", "wake → poll latency", "p50 10.0 µs"} {
		if !strings.Contains(all, want) {
			t.Errorf("the details of task 2 lack %q: %s", want, all)
		}
	}
}
