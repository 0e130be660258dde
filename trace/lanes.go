package trace

import "sort"

// The model's lanes: what a timeline draws, one list per row, in time order
// and ready to search. Per task there are its polls and its waits (woken,
// not yet polled); per interrupt vector its handler runs; one lane of hlt
// periods; one of the time stopped in the debugger; per VM exit kind its
// exits; one lane of host key events. A span
// list carries running sums of its durations, so the busy time of any run
// of spans is one subtraction, and it ends with the span in progress, if
// any, flagged SpanOpen. See Model.PollLane and the methods beside it.

// SpanFlag describes one span of a lane.
type SpanFlag uint8

// The span flags.
const (
	// SpanReady: a poll whose future completed.
	SpanReady SpanFlag = 1 << iota
	// SpanOpen: begun and not yet ended; its End is Model.End.
	SpanOpen
)

// laneSpan is one span of a lane, but for its start, which the lane keeps
// in a list of its own: the timeline's searches read only starts.
type laneSpan struct {
	end  int64
	cum  int64  // the total duration of the lane's spans before this one
	ref  uint64 // poll lanes: the poll's global number; wait lanes: its wake's
	flag SpanFlag
}

// SpanList is one lane's spans in time order; none overlaps the next. The
// zero SpanList is empty. A SpanList from a Model is immutable.
type SpanList struct {
	starts    []int64    // the ended spans' starts
	spans     []laneSpan // the rest of them
	openStart int64      // the span in progress, if hasOpen
	open      laneSpan   // its cum is the ended spans' total, open or not
	hasOpen   bool
}

// Len is the number of spans, the one in progress included.
func (l *SpanList) Len() int {
	if l.hasOpen {
		return len(l.spans) + 1
	}
	return len(l.spans)
}

func (l *SpanList) at(i int) *laneSpan {
	if i < len(l.spans) {
		return &l.spans[i]
	}
	return &l.open
}

// Start is span i's start.
func (l *SpanList) Start(i int) int64 {
	if i < len(l.starts) {
		return l.starts[i]
	}
	return l.openStart
}

// End is span i's end (Model.End for the span in progress).
func (l *SpanList) End(i int) int64 { return l.at(i).end }

// Flag is span i's flags.
func (l *SpanList) Flag(i int) SpanFlag { return l.at(i).flag }

// cumAt is the total duration of spans [0, i), for i in [0, Len()]: the
// open span, if any, has its cum set to that of the ended ones, and its
// own duration is added past it.
func (l *SpanList) cumAt(i int) int64 {
	if i < len(l.spans) {
		return l.spans[i].cum
	}
	if i == len(l.spans) {
		return l.open.cum
	}
	return l.open.cum + l.open.end - l.openStart
}

// Busy is the total duration of spans [i, j).
func (l *SpanList) Busy(i, j int) int64 { return l.cumAt(j) - l.cumAt(i) }

// FirstEndingAfter returns the first span in [lo, Len()) that ends after t
// (or, for a zero-length span, ends at t), or Len() if none does.
func (l *SpanList) FirstEndingAfter(t int64, lo int) int {
	n := l.Len()
	return lo + sort.Search(n-lo, func(k int) bool {
		end := l.at(lo + k).end
		return end > t || (end == t && l.Start(lo+k) == t)
	})
}

// FirstStartingAt returns the first span in [lo, Len()) that starts at or
// after t, or Len() if none does. It probes lo+1, lo+2, lo+4, ... before
// searching between the last two probes, so finding the end of a short run
// costs O(log run): a timeline asks for one pixel column's worth at a time.
func (l *SpanList) FirstStartingAt(t int64, lo int) int {
	n := len(l.starts)
	i := lo
	if lo < n {
		i = gallop(l.starts, t, lo)
	}
	if i == n && l.hasOpen && l.openStart < t {
		return n + 1
	}
	return i
}

// gallop returns the first index in [lo, len(s)) whose value is ≥ t, for a
// sorted s, probing lo+1, lo+2, lo+4, ... first. This is the timeline's
// hottest loop: no closure, the values compared in place.
func gallop(s []int64, t int64, lo int) int {
	n := len(s)
	if lo >= n || s[lo] >= t {
		return lo
	}
	prev, step := lo, 1
	for lo+step < n && s[lo+step] < t {
		prev, step = lo+step, step*2
	}
	i := min(lo+step, n) // s[prev] < t; i is n or s[i] ≥ t
	for prev+1 < i {
		mid := int(uint(prev+i) >> 1)
		if s[mid] < t {
			prev = mid
		} else {
			i = mid
		}
	}
	return i
}

// InstantFlag describes one instant of a lane.
type InstantFlag uint8

// InstantKeyUp: on the key lane, a release (a press has no flag).
const InstantKeyUp InstantFlag = 1

// Instants is one lane's instants (VM exits of one kind, host key events)
// in time order. The zero Instants is empty. Instants from a Model are
// immutable.
type Instants struct {
	times []int64
	flags []InstantFlag
}

// Len is the number of instants.
func (l *Instants) Len() int { return len(l.times) }

// Time is instant i's time.
func (l *Instants) Time(i int) int64 { return l.times[i] }

// Flag is instant i's flags.
func (l *Instants) Flag(i int) InstantFlag { return l.flags[i] }

// FirstAt returns the first instant in [lo, Len()) at or after t, or Len(),
// galloping from lo like SpanList.FirstStartingAt.
func (l *Instants) FirstAt(t int64, lo int) int { return gallop(l.times, t, lo) }

// taskLaneViews is what a snapshot holds of one task's lanes.
type taskLaneViews struct{ polls, waits *SpanList }

// laneIndex is a snapshot's lanes.
type laneIndex struct {
	tasks     map[uint32]taskLaneViews
	irqs      map[uint8]*SpanList
	vectors   []uint8 // the keys of irqs, ascending
	idle      *SpanList
	stops     *SpanList
	exits     map[string]*Instants
	exitKinds []string // the keys of exits, sorted
	keys      *Instants
	queue     *CounterLane
	resources map[uint32]resourceLaneViews
}

// noSpans and noInstants are what a lane the model does not have reads as.
var (
	noSpans    = &SpanList{}
	noInstants = &Instants{}
)

// PollLane is task id's polls, with the poll in progress (SpanOpen) last.
// Lanes are shared by every reader of the snapshot: do not write to them.
func (m *Model) PollLane(id uint32) *SpanList {
	if m.lanes != nil {
		if v := m.lanes.tasks[id].polls; v != nil {
			return v
		}
	}
	return noSpans
}

// WaitLane is task id's waits in the ready queue: each from the earliest
// wake since its previous poll began to the poll that wake caused, with
// the wait still going on (SpanOpen) last. A wake that comes while the
// task is being polled (yield_now) starts a wait inside that poll.
func (m *Model) WaitLane(id uint32) *SpanList {
	if m.lanes != nil {
		if v := m.lanes.tasks[id].waits; v != nil {
			return v
		}
	}
	return noSpans
}

// IRQLane is vector v's interrupt handler runs, with the one running
// (SpanOpen) last. A handler nested in one of its own vector, which only
// lost records produce, is part of the outer one's span.
func (m *Model) IRQLane(v uint8) *SpanList {
	if m.lanes != nil {
		if l := m.lanes.irqs[v]; l != nil {
			return l
		}
	}
	return noSpans
}

// Vectors lists the interrupt vectors that have an IRQLane, ascending.
func (m *Model) Vectors() []uint8 {
	if m.lanes == nil {
		return nil
	}
	return m.lanes.vectors
}

// IdleLane is the CPU's hlt periods, with the one in progress (SpanOpen)
// last.
func (m *Model) IdleLane() *SpanList {
	if m.lanes == nil || m.lanes.idle == nil {
		return noSpans
	}
	return m.lanes.idle
}

// ExitLane is the VM exits of the named kind (HostExit events' Name).
func (m *Model) ExitLane(kind string) *Instants {
	if m.lanes != nil {
		if l := m.lanes.exits[kind]; l != nil {
			return l
		}
	}
	return noInstants
}

// ExitKinds lists the VM exit kinds that have an ExitLane, sorted.
func (m *Model) ExitKinds() []string {
	if m.lanes == nil {
		return nil
	}
	return m.lanes.exitKinds
}

// KeyLane is the host key events, releases flagged InstantKeyUp; Keys has
// the same events with their keys.
func (m *Model) KeyLane() *Instants {
	if m.lanes == nil || m.lanes.keys == nil {
		return noInstants
	}
	return m.lanes.keys
}

// LanePoll returns the poll that span i of task's PollLane l stands for:
// one of Polls or, for the span in progress, OpenPolls[0]. It reports false
// if that poll was evicted.
func (m *Model) LanePoll(l *SpanList, i int) (PollSpan, bool) {
	if i < 0 || i >= l.Len() {
		return PollSpan{}, false
	}
	if i == len(l.spans) {
		if len(m.OpenPolls) > 0 {
			return m.OpenPolls[0], true
		}
		return PollSpan{}, false
	}
	return m.pollByNumber(l.spans[i].ref)
}

// LaneWake returns the wake that began span i of a WaitLane l: the
// earliest wake before the poll the wait ended in. It reports false if that
// wake was evicted.
func (m *Model) LaneWake(l *SpanList, i int) (Wake, bool) {
	if i < 0 || i >= l.Len() {
		return Wake{}, false
	}
	g := l.at(i).ref
	if g < m.wakeBase || g-m.wakeBase >= uint64(len(m.Wakes)) {
		return Wake{}, false
	}
	return m.Wakes[g-m.wakeBase], true
}

// pollByNumber returns the poll with global number g, if still stored.
func (m *Model) pollByNumber(g uint64) (PollSpan, bool) {
	if g < m.pollBase || g-m.pollBase >= uint64(len(m.Polls)) {
		return PollSpan{}, false
	}
	return m.Polls[g-m.pollBase], true
}
