package view

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pollscope/pollscope/guest"
	"github.com/pollscope/pollscope/trace"
)

func TestLanesOrder(t *testing.T) {
	m := collect(demoStream(8).evs)
	tl := build(t, m, Viewport{0, m.End}, 1000)
	var got []string
	for _, ln := range tl.Lanes {
		got = append(got, ln.Label+ln.Sub)
	}
	want := []string{"keyboard#1", "worker#2", "consumer#3", "IRQ0 timer", "IRQ1 keyboard", "idle (hlt)", "exit hlt", "exit port-io", "host keys"}
	if !slices.Equal(got, want) {
		t.Fatalf("lanes %q, want %q", got, want)
	}
	for i := 1; i < len(tl.Lanes); i++ {
		a, b := tl.Lanes[i-1], tl.Lanes[i]
		gap := b.Y - (a.Y + a.H)
		if gap != LaneGap && gap != LaneGap+GroupGap {
			t.Errorf("gap %v between %q and %q", gap, a.Label, b.Label)
		}
	}
}

// A view zoomed in enough draws every poll as itself, where its times put it.
func TestZoomedInDrawsEachSpan(t *testing.T) {
	s := &stream{}
	s.executor().spawn(1, "task").at(1000).poll(1, 500, false).at(3000).poll(1, 1000, true)
	m := collect(s.evs)
	tl := build(t, m, Viewport{0, 5000}, 1000) // 5 ns per pixel
	items := itemsOn(tl, 0, false)
	if len(items) != 2 {
		t.Fatalf("items %+v, want the two polls", items)
	}
	x0 := tl.Plot.X
	want := []struct{ x0, x1 float64 }{{x0 + 200, x0 + 300}, {x0 + 600, x0 + 800}}
	for i, it := range items {
		if it.X0 != want[i].x0 || it.X1 != want[i].x1 || it.Count != 1 {
			t.Errorf("poll %d drawn at [%v, %v) ×%d, want [%v, %v)", i, it.X0, it.X1, it.Count, want[i].x0, want[i].x1)
		}
	}
	bg := tl.LaneBackground(0, 0)
	if c := tl.ItemColor(&items[0], bg); c != ColPollPending {
		t.Errorf("pending poll colour %v", c)
	}
	if c := tl.ItemColor(&items[1], bg); c != ColPollReady {
		t.Errorf("ready poll colour %v", c)
	}
	// Half out of view: clipped to the plot.
	tl = build(t, m, Viewport{1250, 6250}, 1000)
	if it := itemsOn(tl, 0, false)[0]; it.X0 != tl.Plot.X || it.X1 != tl.Plot.X+50 {
		t.Errorf("clipped poll drawn at [%v, %v), want [%v, %v)", it.X0, it.X1, tl.Plot.X, tl.Plot.X+50)
	}
}

// Zoomed out, polls narrower than MinDetailPx merge into one item per pixel
// column whose shade grows with the busy share of the column.
func TestZoomedOutAggregates(t *testing.T) {
	s := &stream{}
	s.executor().spawn(1, "busy")
	const n = 100_000
	for i := range n {
		s.at(int64(i)*1000).poll(1, 100*time.Nanosecond, false) // 10% busy
	}
	m := collect(s.evs)
	tl := build(t, m, Viewport{0, n * 1000}, 1000) // 100 polls per pixel
	items := itemsOn(tl, 0, false)
	if len(items) < 990 || len(items) > 1001 {
		t.Fatalf("%d items for 1000 columns", len(items))
	}
	total := 0
	for _, it := range items {
		total += it.Count
		if it.X1-it.X0 > 2 {
			t.Fatalf("merged item %+v wider than its column", it)
		}
		if want := MinShade + (1-MinShade)*0.1; math.Abs(it.Shade-want) > 0.02 && it.Count > 90 {
			t.Errorf("column at %v: shade %.3f for %d polls, want %.3f", it.X0, it.Shade, it.Count, want)
		}
	}
	if total != n {
		t.Errorf("the columns hold %d polls, want %d", total, n)
	}
	// A wide span among narrow ones is still drawn as itself.
	s.at(n*1000).poll(1, 5*time.Millisecond, false)
	m = collect(s.evs)
	tl = build(t, m, Viewport{0, n*1000 + 5_000_000}, 1000)
	items = itemsOn(tl, 0, false)
	last := items[len(items)-1]
	if last.Count != 1 || last.X1-last.X0 < 40 {
		t.Errorf("the 5 ms poll became %+v", last)
	}
}

// A timeline rebuilt from snapshot after snapshot (with evictions) draws
// what one built afresh from the last snapshot draws, at every view: the
// items it keeps for a view before the watermark are still right.
func TestRebuiltTimelineMatchesFresh(t *testing.T) {
	evs := demoStream(2000).evs
	for i := range evs {
		evs[i].Time *= 1000 // rounds of 100 ms: host events settle (trace.HostSettle) within the run
	}
	c := trace.NewCollector(trace.Options{MaxEvents: 4000})
	views := func(m *trace.Model) []Viewport {
		return []Viewport{{m.Start, m.End}, {m.End - 300_000_000, m.End}, {m.Start + 1000, m.Start + 50_000_000},
			{m.Final - 40_000_000, m.Final}, {m.End - 50_000_000, m.End}}
	}
	live := make([]*Timeline, 5)
	for i := range live {
		live[i] = &Timeline{}
	}
	kept := 0
	for i := 0; i < len(evs); i += 37 {
		c.Add(evs[i:min(i+37, len(evs))]...)
		m := c.Snapshot()
		for k, v := range views(m) {
			if k >= 3 && i > len(evs)/2 { // from then on, the same views frame after frame
				v = live[k].View
			}
			before := len(live[k].Items)
			live[k].Build(TimelineInput{Model: m, View: v, Pane: Rect{0, 0, 1200, 600}})
			fresh := build(t, m, v, live[k].Plot.W)
			if !slices.Equal(live[k].Items, fresh.Items) || !slices.Equal(live[k].Arrows, fresh.Arrows) {
				t.Fatalf("after %d events, view %+v: the rebuilt timeline draws %d items, a fresh one %d", i, v, len(live[k].Items), len(fresh.Items))
			}
			if k == 3 && live[k].builtFrom == m && before > 0 && live[k].builtIn.Model != m {
				kept++
			}
		}
	}
	if m := c.Snapshot(); m.Evicted == 0 {
		t.Fatalf("nothing was evicted: the test does not test eviction")
	}
	if kept == 0 {
		t.Errorf("the view before the watermark was recomputed every time")
	}
}

// Items are kept from one model to the next only where the first was
// final: a poll still open in view is redrawn once it ends.
func TestTimelineKeepsOnlyFinalItems(t *testing.T) {
	c := trace.NewCollector(trace.Options{})
	s := &stream{}
	sec := int64(time.Second)
	s.executor().spawn(1, "t").at(1*sec).poll(1, time.Millisecond, false).at(5 * sec).begin(1).at(6 * sec).hostExit("hlt")
	c.Add(s.evs...)
	m1 := c.Snapshot()
	tl := &Timeline{}
	in := TimelineInput{Model: m1, View: Viewport{0, 6 * sec}, Pane: Rect{0, 0, LabelW + 1000 + PlotPadR, 600}}
	tl.Build(in)
	open := itemsOn(tl, 0, false)
	if len(open) != 2 || open[1].Flag&trace.SpanOpen == 0 {
		t.Fatalf("items %+v, want a poll and an open one", open)
	}
	c.Add(trace.Event{Time: 7 * sec, Kind: gk(guest.EvPollEnd), Task: 1, Arg: 1})
	in.Model = c.Snapshot()
	tl.Build(in)
	if got := itemsOn(tl, 0, false); len(got) != 2 || got[1].Flag&trace.SpanOpen != 0 {
		t.Errorf("after the poll ended the timeline still draws %+v", got)
	}
	// A view before the watermark keeps its items: the same slice, not recomputed.
	in.View = Viewport{0, in.Model.Final}
	tl.Build(in)
	first := &tl.Items[0]
	c.Add(trace.Event{Time: 8 * sec, Kind: trace.HostExit, Name: "hlt"})
	in.Model = c.Snapshot()
	tl.Build(in)
	if &tl.Items[0] != first || tl.builtIn.Model == in.Model {
		t.Errorf("a view before the watermark was recomputed")
	}
}

func TestOpenSpansReachTheEnd(t *testing.T) {
	s := &stream{}
	s.executor().spawn(1, "spin").at(1000).begin(1).at(1500).hostExit("hlt").at(4000).hostExit("hlt")
	m := collect(s.evs)
	tl := build(t, m, Viewport{0, 5000}, 1000)
	items := itemsOn(tl, 0, false)
	if len(items) != 1 || items[0].Flag&trace.SpanOpen == 0 || items[0].End != m.End {
		t.Fatalf("open poll drawn as %+v, want one open item ending at %d", items, m.End)
	}
	if c := tl.ItemColor(&items[0], ColLaneEven); c != ColPollOpen {
		t.Errorf("open poll colour %v", c)
	}
}

func TestHitTestAndTooltip(t *testing.T) {
	s := &stream{}
	s.executor().spawn(1, "keyboard").at(1000).idleEnter().at(10_000).idleExit()
	s.interrupt(kbdVec, 1).at(14_000).poll(1, 3*time.Microsecond, false)
	m := collect(s.evs)
	tl := build(t, m, Viewport{0, 20_000}, 1000) // 20 ns per pixel
	poll := itemsOn(tl, 0, false)[0]
	mid := (poll.X0 + poll.X1) / 2
	y := tl.Lanes[0].Y + LaneH/2
	k := tl.HitItem(mid, y)
	if k < 0 || tl.Items[k] != poll {
		t.Fatalf("HitItem at the poll's middle = %d", k)
	}
	if k2 := tl.HitItem(poll.X1+2, y); k2 != k {
		t.Errorf("HitItem 2 px past the poll = %d, want the poll (slop)", k2)
	}
	if k3 := tl.HitItem(poll.X1+20, y); k3 != -1 {
		t.Errorf("HitItem 20 px past the poll = %d, want none", k3)
	}
	if k4 := tl.HitItem(mid, tl.Lanes[0].Y-50); k4 != -1 {
		t.Errorf("HitItem above the lanes = %d", k4)
	}
	tip := strings.Join(tl.Tooltip(m, k), "\n")
	for _, want := range []string{"keyboard #1 — poll", "duration  3.00 µs", "Pending", "start     0.000014 s", "woken by  IRQ1 keyboard at 0.000011 s", "latency   3.00 µs"} {
		if !strings.Contains(tip, want) {
			t.Errorf("tooltip lacks %q:\n%s", want, tip)
		}
	}
	// The scheduled band under the poll is hit only where the poll is not.
	sched := itemsOn(tl, 0, true)
	if len(sched) != 1 || sched[0].Start != 11_000 || sched[0].End != 14_000 {
		t.Fatalf("scheduled items %+v, want the wake-to-poll wait", sched)
	}
	if k := tl.HitItem(sched[0].X0+5, y); k < 0 || !tl.Items[k].Sched {
		t.Errorf("HitItem over the wait = %d", k)
	}
	idle := tl.HitItem(tl.Plot.X+100, tl.Lanes[IdleLane(tl.Lanes)].Y+5)
	if tip := tl.Tooltip(m, idle); len(tip) == 0 || !strings.HasPrefix(tip[0], "idle") || tip[1] != "duration  9.00 µs" {
		t.Errorf("idle tooltip %q", tip)
	}
}

func IdleLane(lanes []Lane) int {
	for i, l := range lanes {
		if l.Kind == LaneIdle {
			return i
		}
	}
	return -1
}

func TestArrows(t *testing.T) {
	s := &stream{}
	s.executor().spawn(1, "a").spawn(2, "b").at(1000)
	s.interrupt(timerVec, 1).at(4000).begin(1).at(4500).wake(2, guest.WakeTask, 1).wake(1, guest.WakeTask, 1).at(5000).end(1, false)
	s.at(6000).poll(2, time.Microsecond, false).at(8000).poll(1, time.Microsecond, false)
	m := collect(s.evs)
	tl := build(t, m, Viewport{0, 10_000}, 1000) // 10 ns per pixel
	if len(tl.Arrows) != 3 {
		t.Fatalf("arrows %+v, want three", tl.Arrows)
	}
	x := func(t int64) float64 { return tl.Plot.X + float64(t)/10 }
	la, lb, lt := tl.Lanes[0], tl.Lanes[1], tl.Lanes[IRQLane(tl.Lanes, timerVec)]
	want := []struct {
		line Line
		src  trace.WakeSourceKind
		self bool
	}{
		// The timer (below) wakes a: from the timer lane's middle up to a's bottom.
		{Line{X0: x(2000), Y0: lt.Y + lt.H/2, X1: x(4000), Y1: la.Y + la.H - 1, Color: ColWakeIRQ}, trace.WakeInterrupt, false},
		// a wakes b (below it) during its poll: down to b's top.
		{Line{X0: x(4500), Y0: la.Y + la.H/2, X1: x(6000), Y1: lb.Y + 1, Color: ColWakeTask}, trace.WakeTask, false},
		// a wakes itself: along its own top edge.
		{Line{X0: x(4500), Y0: la.Y + 2, X1: x(8000), Y1: la.Y + 2, Color: ColWakeSelf}, trace.WakeTask, true},
	}
	for i, w := range want {
		a := tl.Arrows[i]
		l := a.Line
		if l.X0 != w.line.X0 || l.Y0 != w.line.Y0 || l.X1 != w.line.X1 || l.Y1 != w.line.Y1 || l.Color != w.line.Color || a.Source != w.src || a.Self != w.self || l.Head <= 0 {
			t.Errorf("arrow %d = %+v\n want %+v (source %v, self %v)", i, a, w.line, w.src, w.self)
		}
	}
	// Too many wakes: none, or only the selected task's.
	d := demoStream(MaxArrows * 2)
	m = collect(d.evs)
	tl = build(t, m, Viewport{0, m.End}, 1000)
	if len(tl.Arrows) != 0 || !tl.ArrowsHidden {
		t.Errorf("%d arrows drawn for %d wakes", len(tl.Arrows), len(m.Wakes))
	}
	tl.Build(TimelineInput{Model: m, View: Viewport{0, m.End}, Pane: Rect{0, 0, 1200, 600}, Selected: 1})
	if len(tl.Arrows) == 0 {
		t.Fatalf("no arrows for the selected task")
	}
	for _, a := range tl.Arrows {
		if w := m.Wakes[a.Wake]; w.Task != 1 {
			t.Errorf("arrow of task %d drawn while task 1 is selected", w.Task)
		}
	}
}

func TestInstantsMergePerColumn(t *testing.T) {
	s := &stream{}
	s.executor()
	for i := range 1000 {
		s.at(int64(i) * 10).hostExit("port-io")
	}
	s.at(1_000_000_000).hostExit("hlt") // moves the end far enough to settle the rest
	m := collect(s.evs)
	tl := build(t, m, Viewport{0, 10_000}, 100) // 100 ns per pixel: 10 exits each
	var items []Item
	li := -1
	for i, ln := range tl.Lanes {
		if ln.Exit == "port-io" {
			li = i
		}
	}
	items = itemsOn(tl, li, false)
	if len(items) != 100 {
		t.Fatalf("%d items, want one per column", len(items))
	}
	for _, it := range items {
		if it.Count != 10 {
			t.Fatalf("column at %v holds %d exits, want 10", it.X0, it.Count)
		}
	}
}

// The key lane tells presses from releases: a release is drawn dimmer, in
// the lane's lower half, and its tooltip says so.
func TestKeyLaneShowsDirection(t *testing.T) {
	s := &stream{}
	s.executor().at(1000).hostKey("A").at(5000).hostKeyUp("A")
	m := collect(s.evs)
	tl := build(t, m, Viewport{0, 10_000}, 1000)
	li := -1
	for i, ln := range tl.Lanes {
		if ln.Kind == LaneKeys {
			li = i
		}
	}
	items := itemsOn(tl, li, false)
	if len(items) != 2 || items[0].KeyUp || !items[1].KeyUp {
		t.Fatalf("key lane items %+v, want a press then a release", items)
	}
	bg := tl.LaneBackground(li, 0)
	if tl.ItemColor(&items[0], bg) == tl.ItemColor(&items[1], bg) {
		t.Errorf("a press and a release are drawn in the same colour")
	}
	for i, want := range []string{"key A pressed", "key A released"} {
		k := -1
		for j := range tl.Items {
			if tl.Items[j] == items[i] {
				k = j
			}
		}
		if tip := tl.Tooltip(m, k); len(tip) == 0 || !strings.HasPrefix(tip[0], want) {
			t.Errorf("tooltip of key event %d: %q, want %q", i, tip, want)
		}
	}
	var l Layer
	tl.Draw(&l, DefaultMetrics, 0, -1)
	var up, down *Fill
	for i := range l.Fills {
		switch f := &l.Fills[i]; f.Rect.X {
		case items[0].X0:
			down = f
		case items[1].X0:
			up = f
		}
	}
	if up == nil || down == nil || up.Rect.Y <= down.Rect.Y || up.Rect.H >= down.Rect.H {
		t.Errorf("press drawn %+v, release %+v: want the release lower and shorter", down, up)
	}
}
