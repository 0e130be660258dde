package view

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pollscope/pollscope/guest"
	"github.com/pollscope/pollscope/trace"
)

// Resource records, as the demo kernel writes them.
func (s *stream) resNew(id uint16, kind trace.ResourceKind, name string) *stream {
	return s.add(gk(guest.EvResourceNew), 0, uint64(id)<<48|uint64(kind)<<40|uint64(len(name))<<32, name)
}
func (s *stream) resState(id uint16, n, capacity uint32) *stream {
	return s.add(gk(guest.EvResourceState), 0, uint64(id)<<48|uint64(capacity)<<24|uint64(n), "")
}
func (s *stream) resWait(task uint32, id uint16, detail uint64) *stream {
	return s.add(gk(guest.EvResourceWait), task, uint64(id)<<48|detail, "")
}
func (s *stream) resWaitEnd(task uint32, id uint16, why guest.WaitEndReason) *stream {
	return s.add(gk(guest.EvResourceWaitEnd), task, uint64(id)<<48|uint64(why), "")
}
func (s *stream) resDrop(id uint16) *stream {
	return s.add(gk(guest.EvResourceDrop), 0, uint64(id)<<48, "")
}
func (s *stream) wakeVia(id uint32, src trace.WakeSourceKind, srcID uint32, res uint16) *stream {
	return s.add(gk(guest.EvWake), id, uint64(src)<<56|uint64(res)<<32|uint64(srcID), "")
}

// resourceStream: a producer sends into "numbers" (capacity 4), the
// consumer waits for values; two tasks sleep on the timer table, one is
// woken by the timer, the other still sleeps at the end; a scratch channel
// is made and dropped.
func resourceStream() *stream {
	us := time.Microsecond
	s := &stream{}
	s.executor().spawn(1, "producer").spawn(2, "consumer").spawn(3, "sleeper")
	s.resNew(1, trace.ResourceTimers, "timers").resState(1, 0, 64)
	s.resNew(4, trace.ResourceChannel, "numbers").resState(4, 0, 4)
	s.resNew(5, trace.ResourceChannel, "scratch").resState(5, 0, 1)
	for r := range 5 {
		s.after(10*us).begin(2).resWait(2, 4, 0).after(us).end(2, false)
		s.after(10*us).begin(1).resState(4, 1, 4).wakeVia(2, trace.WakeTask, 1, 4)
		if r == 2 {
			s.resState(4, 2, 4)
		}
		s.after(2*us).end(1, false)
		s.after(us).begin(2).resState(4, 0, 4).after(us).end(2, false)
	}
	s.after(10*us).begin(1).resWait(1, 1, 100<<32|1000).resState(1, 1, 64).after(us).end(1, false)
	s.after(10*us).begin(3).resWait(3, 1, 50<<32|950).resState(1, 2, 64).after(us).end(3, false)
	s.after(10*us).begin(2).resWait(2, 5, 0).resWaitEnd(2, 5, guest.WaitTaken).after(us).end(2, false)
	s.after(10 * us).resDrop(5)
	s.after(10*us).irqEnter(timerVec).wakeVia(1, trace.WakeInterrupt, uint32(timerVec), 1).resState(1, 1, 64).irqExit(timerVec)
	s.after(5*us).poll(1, us, false)
	s.after(20 * us).idleEnter()
	return s
}

func TestResourceLanes(t *testing.T) {
	m := collect(resourceStream().evs)
	lanes := BuildLanes(m, nil)
	var labels []string
	var kinds []LaneKind
	for _, ln := range lanes {
		labels = append(labels, ln.Label+" "+ln.Sub)
		kinds = append(kinds, ln.Kind)
	}
	want := []string{"producer #1", "consumer #2", "sleeper #3", "timers #1 1/64", "numbers (channel) #4 0/4", "scratch (channel) #5 0/1"}
	if !slices.Equal(labels[:6], want) {
		t.Fatalf("lanes %q, want %q first", labels, want)
	}
	if kinds[3] != LaneResource || kinds[6] != LaneIRQ {
		t.Errorf("lane kinds %v: resources after the tasks, before the interrupts", kinds)
	}
	PlaceLanes(lanes, 0)
	if timers := lanes[3]; timers.Rows != 2 || timers.H <= LaneH || lanes[4].Rows != 1 {
		t.Errorf("timers lane: %d rows, %v high; numbers: %d rows", timers.Rows, timers.H, lanes[4].Rows)
	}
	if lanes[3].Y-(lanes[2].Y+lanes[2].H) <= LaneGap {
		t.Errorf("no gap between the tasks and the resources")
	}
}

func TestResourceLaneItems(t *testing.T) {
	m := collect(resourceStream().evs)
	tl := build(t, m, Viewport{0, m.End + 10_000}, 1000)
	numbers := ResourceLane(tl.Lanes, resourceKey(t, m, "numbers"))
	timers := ResourceLane(tl.Lanes, resourceKey(t, m, "timers"))
	consumer := TaskLane(tl.Lanes, 2)
	parts := map[ItemPart]int{}
	var maxLevel float64
	for _, it := range tl.Items {
		if it.Lane != numbers {
			continue
		}
		parts[it.Part]++
		if it.Part == PartFill {
			maxLevel = max(maxLevel, it.Level)
		}
		if it.Part == PartWait && it.Task != 2 {
			t.Errorf("a wait on numbers by task %d", it.Task)
		}
	}
	if parts[PartFill] == 0 || parts[PartWait] != 5 || parts[PartWake] != 5 {
		t.Errorf("numbers' items by part: %v; want fill, 5 waits, 5 wakes", parts)
	}
	if maxLevel != 0.5 {
		t.Errorf("the fill reaches %v of the capacity, want 0.5 (2 of 4)", maxLevel)
	}
	// Each wake through the channel has an arrow from its lane up to the
	// consumer's, at the wake's time.
	via := 0
	for _, a := range tl.Arrows {
		if a.Via {
			via++
			if a.Line.X0 != a.Line.X1 || a.Line.Y1 > tl.Lanes[consumer].Y+tl.Lanes[consumer].H && m.Wakes[a.Wake].Task == 2 {
				t.Errorf("arrow %+v does not run straight up to the consumer's lane", a.Line)
			}
		}
	}
	if via != 6 {
		t.Errorf("%d arrows from resource lanes, want 6 (5 through numbers, 1 through the timers)", via)
	}
	// The wait on scratch that the consumer took back ends in a mark.
	scratch := ResourceLane(tl.Lanes, resourceKey(t, m, "scratch"))
	ends := 0
	for _, it := range tl.Items {
		if it.Lane == scratch && it.Part == PartWaitEnd {
			ends++
		}
	}
	if ends != 1 {
		t.Errorf("%d wait-end marks on scratch, want 1", ends)
	}
	// The timer table: two rows, the sleeper still waits in row 1.
	rows := map[int]int{}
	for _, it := range tl.Items {
		if it.Lane == timers && it.Part == PartWait {
			rows[it.Row]++
		}
	}
	if rows[0] != 1 || rows[1] != 1 {
		t.Errorf("timer waits by row %v", rows)
	}
}

// The sleeper's deadline: 50 ticks of the default 10 ms after its wait.
func TestTimerDeadlineMark(t *testing.T) {
	m := collect(resourceStream().evs)
	w := m.WaitingOn(resourceKey(t, m, "timers"))
	if len(w) != 1 || w[0].Task != 3 {
		t.Fatalf("waiting on the timers: %+v", w)
	}
	due := w[0].Start + 50*int64(10*time.Millisecond)
	tl := build(t, m, Viewport{due - int64(time.Millisecond), due + int64(time.Millisecond)}, 1000)
	var marks []Item
	for _, it := range tl.Items {
		if it.Part == PartDeadline {
			marks = append(marks, it)
		}
	}
	if len(marks) != 1 || marks[0].Task != 3 || marks[0].Start != due {
		t.Fatalf("deadline marks %+v, want one for the sleeper at %d", marks, due)
	}
	tip := strings.Join(tl.Tooltip(m, slices.IndexFunc(tl.Items, func(it Item) bool { return it.Part == PartDeadline })), "\n")
	if !strings.Contains(tip, "sleeper #3 sleeps until tick 950") || !strings.Contains(tip, "a tick is 10.0 ms") {
		t.Errorf("tooltip:\n%s", tip)
	}
}

func TestResourceHitAndTooltip(t *testing.T) {
	m := collect(resourceStream().evs)
	tl := build(t, m, Viewport{0, m.End + 10_000}, 1000)
	li := ResourceLane(tl.Lanes, resourceKey(t, m, "numbers"))
	ln := tl.Lanes[li]
	var wait Item
	for _, it := range tl.Items {
		if it.Lane == li && it.Part == PartWait {
			wait = it
			break
		}
	}
	x := (wait.X0 + wait.X1) / 2
	rowY := ln.Y + 2 + ResFillH + 4 + 1
	k := tl.HitItem(x, rowY)
	if k < 0 || tl.Items[k].Part != PartWait {
		t.Fatalf("the pointer on the wait row hits %d", k)
	}
	tip := strings.Join(tl.Tooltip(m, k), "\n")
	for _, want := range []string{"consumer #2 waits on numbers (channel) #4, for a value", "woken by task producer #1", "→ poll at"} {
		if !strings.Contains(tip, want) {
			t.Errorf("wait tooltip lacks %q:\n%s", want, tip)
		}
	}
	if k := tl.HitItem(x, ln.Y+6); k < 0 || tl.Items[k].Part == PartWait {
		t.Errorf("the pointer on the fill band hits %+v", tl.Items[max(k, 0)])
	}
}

func TestResourcesTab(t *testing.T) {
	m := collect(resourceStream().evs)
	rows := ResourceRows(m)
	if len(rows) != 3 {
		t.Fatalf("%d rows", len(rows))
	}
	if got := strings.Join(rows[0].Cells, "|"); !strings.HasPrefix(got, "1|timers|timers|1/64|2|sleeper (tick 950)|1|") {
		t.Errorf("timers row %q", got)
	}
	if rows[2].Alive || rows[2].Cells[8] == "—" {
		t.Errorf("scratch was dropped: %+v", rows[2])
	}
	a := NewApp()
	a.Focus = FocusUI
	in := FrameInput{W: 1600, H: 1000, Model: m}
	var sc Scene
	a.Frame(in, &sc)
	// Click the timer lane's label: the resource is selected, on its tab.
	li := ResourceLane(a.Timeline.Lanes, resourceKey(t, m, "timers"))
	ln := a.Timeline.Lanes[li]
	a.PointerDown(a.Timeline.Labels.X+20, ln.Y+5)
	a.PointerUp(a.Timeline.Labels.X+20, ln.Y+5)
	if a.SelectedResource != ln.Resource || a.Tab != TabResources {
		t.Fatalf("selected resource %d, tab %d", a.SelectedResource, a.Tab)
	}
	a.Frame(in, &sc)
	if len(a.Table.Waits) != 2 {
		t.Fatalf("%d waits listed on the timers", len(a.Table.Waits))
	}
	if !hasText(sc.Base, "sleeper") || !hasText(sc.Base, "Resources (3)") {
		t.Errorf("the tab does not show the waits")
	}
	// Click the sleeper's wait: its task is selected, its lane in view.
	var r Rect
	for _, w := range a.Table.Waits {
		if w.Wait.Task == 3 {
			r = w.R
		}
	}
	a.PointerDown(r.X+10, r.Y+5)
	a.PointerUp(r.X+10, r.Y+5)
	if a.Selected != 3 || a.Follow {
		t.Errorf("clicking the sleeper's wait selected task %d (following %v)", a.Selected, a.Follow)
	}
	// The tasks tab again.
	a.PointerUp(a.tabs[0].X+5, a.tabs[0].Y+5)
	if a.Tab != TabTasks {
		t.Errorf("tab %d after clicking Tasks", a.Tab)
	}
}

func resourceKey(t *testing.T, m *trace.Model, name string) uint32 {
	t.Helper()
	for _, r := range m.Resources {
		if r.Name == name {
			return r.Key
		}
	}
	t.Fatalf("no resource %q", name)
	return 0
}

func hasText(l Layer, s string) bool {
	for _, tx := range l.Texts {
		if strings.Contains(tx.S, s) {
			return true
		}
	}
	return false
}
