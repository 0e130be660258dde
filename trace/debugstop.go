package trace

import (
	"fmt"
	"sort"
	"time"
)

// Time stopped in the debugger. While the vCPU stands still for a debugger
// (a gdb breakpoint, a Ctrl-C, the GUI's stop) the guest does nothing, yet
// the time axis runs on: host time does, and a KVM guest's TSC, from which
// its own event times come, does too. The host marks each stop with a
// HostDebugStop and its end with a HostDebugResume. The collector turns
// them into DebugStops and keeps a clock of the time stopped so far, the
// stopped clock: every interval the statistics measure (a poll, a wait in
// the ready queue, a task's life, a task switch) takes a reading of it
// where it begins and where it ends, and leaves the difference out. A
// single step is stopped time too: a resume that steps one instruction
// leaves the stop open, so stepping through a poll adds nothing to it.

// DebugResumeStep is set in a HostDebugResume's Arg when the debugger lets
// the vCPU run a single instruction: the stop goes on through it.
const DebugResumeStep = 1

// DebugStop is one interval the vCPU spent stopped in the debugger: from
// its HostDebugStop to the HostDebugResume that let it run freely again,
// single steps included.
type DebugStop struct {
	Start, End int64
	// Reason is why it stopped first: HostDebugStop's Arg, numbered as
	// gdbstub.StopReason (DebugStopReasonName names it).
	Reason uint8
	// Steps counts the single instructions stepped inside it.
	Steps uint32
}

// Duration is End - Start.
func (s DebugStop) Duration() time.Duration { return time.Duration(s.End - s.Start) }

// debugStopReasons name HostDebugStop's Arg, gdbstub.StopReason's numbers
// (the emulator's tests check that the two agree).
var debugStopReasons = [...]string{1: "halted", 2: "step", 3: "breakpoint", 4: "hardware breakpoint",
	5: "watchpoint", 6: "trap", 7: "fault", 8: "exited"}

// DebugStopReasonName names a HostDebugStop's reason: "breakpoint",
// "halted" (the debugger asked), "step", ...
func DebugStopReasonName(r uint8) string {
	if int(r) < len(debugStopReasons) && debugStopReasons[r] != "" {
		return debugStopReasons[r]
	}
	return fmt.Sprintf("reason %d", r)
}

// stopState is the collector's side of the debugger's stops.
//
// The stopped clock is a function of time: how much of [0, t) lies in a
// stop. The statistics read it at the times of guest events, which only
// go forward, and every reading must stay true as later events arrive, or
// a duration could come out negative. So a stop is taken to begin no
// earlier than the last guest event before it (the host's and the guest's
// clocks may differ a little) nor than the previous stop's end, and to
// end no earlier than the last guest event during it (its resume may come
// in a later batch than events it let happen): what was read while it was
// open stays what the clock says.
type stopState struct {
	open     bool
	start    int64
	reason   uint8
	steps    uint32
	stepping bool  // the last resume was a single step: the stop goes on
	seen     int64 // the latest guest event applied while open
	total    int64 // the duration of the stops that ended
	lastEnd  int64 // the last ended stop's end
	// ahead are the ended stops that end after the last guest event,
	// oldest first: a reading before their end counts them in part.
	// (Before the first guest event nothing reads the clock but
	// snapshots, at the end of everything.)
	ahead []Span
}

// stoppedAt reads the stopped clock at t, a time no earlier than the last
// guest event applied: the time stopped before t.
func (s *stopState) stoppedAt(t int64) int64 {
	v := s.total
	if s.open && t > s.start {
		v += t - s.start
	}
	for i := len(s.ahead) - 1; i >= 0 && s.ahead[i].End > t; i-- {
		v -= s.ahead[i].End - max(s.ahead[i].Start, t)
	}
	return v
}

// stoppedSince is the stopped time from a reading taken earlier (from) to
// t.
func (c *Collector) stoppedSince(from, t int64) time.Duration {
	return time.Duration(max(c.stop.stoppedAt(t)-from, 0))
}

// noteGuest tells the stop state of a guest event applied at t.
func (s *stopState) noteGuest(t int64) {
	if s.open {
		s.seen = max(s.seen, t)
	}
	k := 0
	for k < len(s.ahead) && s.ahead[k].End <= t {
		k++
	}
	if k > 0 {
		s.ahead = append(s.ahead[:0], s.ahead[k:]...)
	}
}

// debugStop applies a HostDebugStop at t.
func (c *Collector) debugStop(reason uint8, t int64) {
	s := &c.stop
	switch {
	case s.open && s.stepping:
		s.stepping = false // the step's instruction ran: stopped again
	case s.open:
		c.unmatched++ // a second stop without a resume: its resume was lost
	default:
		start := max(t, s.lastEnd)
		if c.exec.haveGuest {
			start = max(start, c.exec.lastGuest)
		}
		s.open, s.start, s.reason, s.steps, s.seen = true, start, reason, 0, start
	}
}

// debugResume applies a HostDebugResume at t.
func (c *Collector) debugResume(arg uint64, t int64) {
	s := &c.stop
	switch {
	case !s.open:
		c.unmatched++
	case s.stepping:
		c.unmatched++ // a resume while a step runs: its stop was lost
	case arg&DebugResumeStep != 0:
		s.stepping = true
		s.steps++
	default:
		c.endStop(t)
	}
}

// endStop ends the open stop at t, or at the latest guest event it saw if
// that is later.
func (c *Collector) endStop(t int64) {
	s := &c.stop
	end := max(t, s.seen)
	c.stops = append(grow(c.stops, 1), DebugStop{Start: s.start, End: end, Reason: s.reason, Steps: s.steps})
	c.stored++
	c.lanes.stops.add(s.start, end, 0, 0)
	s.total += end - s.start
	s.lastEnd = end
	if c.exec.haveGuest && end > c.exec.lastGuest {
		s.ahead = append(s.ahead, Span{Start: s.start, End: end})
	}
	s.open, s.stepping, s.steps = false, false, 0
}

// openStop is the stop in progress as a snapshot shows it, ending at end.
func (c *Collector) openStop(end int64) []DebugStop {
	s := &c.stop
	if !s.open {
		return nil
	}
	return []DebugStop{{Start: s.start, End: max(end, s.start), Reason: s.reason, Steps: s.steps}}
}

// DebugStopLane is the intervals stopped in the debugger, with the one in
// progress (SpanOpen) last: span i is DebugStops[i], the open one
// OpenDebugStops[0].
func (m *Model) DebugStopLane() *SpanList {
	if m.lanes == nil || m.lanes.stops == nil {
		return noSpans
	}
	return m.lanes.stops
}

// StoppedIn is how much of [from, to) the vCPU spent stopped in the
// debugger, as far as the stored stops tell (an evicted one is not
// counted).
func (m *Model) StoppedIn(from, to int64) time.Duration {
	if to <= from {
		return 0
	}
	l := m.DebugStopLane()
	i := l.FirstEndingAfter(from, 0)
	j := l.FirstStartingAt(to, i)
	if i >= j {
		return 0
	}
	d := l.Busy(i, j)
	if s := l.Start(i); s < from {
		d -= from - s
	}
	if e := l.End(j - 1); e > to {
		d -= e - to
	}
	return time.Duration(max(d, 0))
}

// StoppedTotal is the time stopped in the debugger in the stored stops and
// the one in progress.
func (m *Model) StoppedTotal() time.Duration {
	l := m.DebugStopLane()
	return time.Duration(l.Busy(0, l.Len()))
}

// DebugStopAt returns the stop that covers t, if one is stored.
func (m *Model) DebugStopAt(t int64) (DebugStop, bool) {
	i := sort.Search(len(m.DebugStops), func(i int) bool { return m.DebugStops[i].End >= t })
	if i < len(m.DebugStops) && m.DebugStops[i].Start <= t {
		return m.DebugStops[i], true
	}
	if len(m.OpenDebugStops) > 0 && m.OpenDebugStops[0].Start <= t {
		return m.OpenDebugStops[0], true
	}
	return DebugStop{}, false
}
