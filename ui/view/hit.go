package view

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/pollscope/pollscope/trace"
)

// HitSlop is how many pixels beside an item the pointer may be and still
// hit it.
const HitSlop = 3

// LaneAt returns the index of the lane under y, or -1.
func (tl *Timeline) LaneAt(y float64) int {
	if y < tl.Plot.Y || y >= tl.Plot.Bottom() {
		return -1
	}
	for i := range tl.Lanes {
		if y >= tl.Lanes[i].Y && y < tl.Lanes[i].Y+tl.Lanes[i].H {
			return i
		}
	}
	return -1
}

// HitItem returns the item under (x, y), or -1: on the lane under y, the
// item containing x, or else the nearest within HitSlop pixels. A poll wins
// over the scheduled band it sits in.
func (tl *Timeline) HitItem(x, y float64) int {
	li := tl.LaneAt(y)
	if li < 0 || x < tl.Plot.X-HitSlop || x >= tl.Plot.Right()+HitSlop {
		return -1
	}
	best, bestD := -1, math.Inf(1)
	ln := &tl.Lanes[li]
	part, row := resourcePartAt(ln, y)
	for k := range tl.Items {
		it := &tl.Items[k]
		if it.Lane != li {
			continue
		}
		if ln.Kind == LaneResource && !resourceItemAt(it, part, row) {
			continue
		}
		d := 0.0
		switch {
		case x < it.X0:
			d = it.X0 - x
		case x >= math.Max(it.X1, it.X0+1):
			d = x - math.Max(it.X1, it.X0+1) + 1
		}
		if it.Sched || it.Part == PartFill {
			d += 0.5 // prefer a poll, or a mark on the fill, at the same distance
		}
		if d <= HitSlop && d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

// resourceItemAt reports whether item it of a resource lane is in the
// part of the lane the pointer is over: the fill band, or wait row row.
func resourceItemAt(it *Item, part ItemPart, row int) bool {
	switch it.Part {
	case PartDeadline:
		return true
	case PartFill, PartWake:
		return part == PartFill
	}
	return part == PartWait && it.Row == row
}

// Tooltip describes item k in a few lines: what it is, how long, when, and
// for a poll its outcome and what woke it.
func (tl *Timeline) Tooltip(m *trace.Model, k int) []string {
	if k < 0 || k >= len(tl.Items) {
		return nil
	}
	it := &tl.Items[k]
	ln := &tl.Lanes[it.Lane]
	name := ln.Label
	if ln.Sub != "" {
		name += " " + ln.Sub
	}
	if ln.Kind == LaneResource {
		return resourceTooltip(m, ln, it)
	}
	if it.Count > 1 {
		what := map[LaneKind]string{LaneTask: "polls", LaneIRQ: "interrupts", LaneIdle: "hlt periods", LaneStopped: "stops", LaneExit: "exits", LaneKeys: "key events"}[ln.Kind]
		if it.Sched {
			what = "scheduled waits"
		}
		lines := []string{fmt.Sprintf("%s — %d %s in this pixel", name, it.Count, what)}
		span := it.End - it.Start
		if ln.Kind != LaneExit && ln.Kind != LaneKeys {
			pct := 0.0
			if span > 0 {
				pct = 100 * float64(it.Busy) / float64(span)
			}
			lines = append(lines, fmt.Sprintf("busy      %s of %s (%.0f%%)", FormatDuration(time.Duration(it.Busy)), FormatDuration(time.Duration(span)), pct))
		}
		return append(lines,
			"from      "+FormatTime(it.Start),
			"to        "+FormatTime(it.End),
			"zoom in (wheel) to see each one")
	}
	dur := FormatDuration(time.Duration(it.End - it.Start))
	if it.Flag&trace.SpanOpen != 0 {
		dur += " so far"
	}
	switch ln.Kind {
	case LaneTask:
		if it.Sched {
			lines := []string{name + " — scheduled",
				"woken, waiting in the ready queue for its poll",
				"waited    " + netDuration(m, it.Start, it.End, it.Flag&trace.SpanOpen != 0)}
			if w, ok := m.LaneWake(m.WaitLane(ln.Task), it.Index); ok {
				return append(lines, "woken by  "+WakeSourceText(m, &w))
			}
			return append(lines, "woken at  "+FormatTime(it.Start))
		}
		p, ok := m.LanePoll(m.PollLane(ln.Task), it.Index)
		if ok {
			dur = FormatDuration(p.Duration())
			if it.Flag&trace.SpanOpen != 0 {
				dur += " so far"
			}
		}
		lines := []string{name + " — poll", "duration  " + dur}
		if ok && p.Stopped > 0 {
			lines = append(lines, "stopped   "+FormatDuration(p.Stopped)+" in the debugger (left out)")
		}
		switch {
		case it.Flag&trace.SpanOpen != 0:
			lines = append(lines, "outcome   running")
		case ok && p.Ready:
			lines = append(lines, "outcome   Ready (the task completed)")
		case ok:
			lines = append(lines, fmt.Sprintf("outcome   Pending (%d waker clone(s) kept)", p.LiveWakers))
		}
		lines = append(lines, "start     "+FormatTime(it.Start))
		if ok && p.Wake >= 0 && p.Wake < len(m.Wakes) {
			w := &m.Wakes[p.Wake]
			lines = append(lines, "woken by  "+WakeSourceText(m, w),
				"latency   "+FormatDuration(time.Duration(p.Start-w.Time)-m.StoppedIn(w.Time, p.Start))+" (wake → poll)")
		} else if ok {
			lines = append(lines, "woken by  — (first poll, or its wake was evicted)")
		}
		return lines
	case LaneIRQ:
		return []string{ln.Label + " — interrupt handler", "duration  " + dur, "start     " + FormatTime(it.Start)}
	case LaneIdle:
		return []string{"idle — the CPU in hlt", "duration  " + dur, "start     " + FormatTime(it.Start)}
	case LaneStopped:
		return stopTooltip(m, it.Index, dur)
	case LaneExit:
		return []string{"VM exit — " + ln.Exit, "at        " + FormatTime(it.Start)}
	case LaneKeys:
		what := "host key"
		i := sort.Search(len(m.Keys), func(i int) bool { return m.Keys[i].Time >= it.Start })
		if i < len(m.Keys) && m.Keys[i].Time == it.Start {
			k := m.Keys[i]
			what = "key " + k.Name + " pressed"
			if !k.Down {
				what = "key " + k.Name + " released"
			}
		}
		return []string{what + " (host → guest keyboard)", "at        " + FormatTime(it.Start)}
	}
	return nil
}

// WakeSourceText says what woke a task: "IRQ1 keyboard at 1.234567 s",
// "task producer #6 at ...", "itself (yield) at ...".
func WakeSourceText(m *trace.Model, w *trace.Wake) string {
	at := " at " + FormatTime(w.Time)
	switch {
	case w.Self:
		return "itself (yield)" + at
	case w.Source == trace.WakeInterrupt:
		return trace.VectorName(uint8(w.SourceID)) + at
	case w.Source == trace.WakeTask:
		if t, ok := m.Task(w.SourceID); ok {
			return fmt.Sprintf("task %s #%d%s", t.Label(), t.ID, at)
		}
		return fmt.Sprintf("task #%d%s", w.SourceID, at)
	}
	return "unknown source" + at
}

// netDuration is the time from start to end less the time stopped in the
// debugger, "so far" if the span is still open.
func netDuration(m *trace.Model, start, end int64, open bool) string {
	d := FormatDuration(time.Duration(end-start) - m.StoppedIn(start, end))
	if open {
		d += " so far"
	}
	return d
}

// stopTooltip describes the i-th span of the debugger's lane.
func stopTooltip(m *trace.Model, i int, dur string) []string {
	var s trace.DebugStop
	switch {
	case i < len(m.DebugStops):
		s = m.DebugStops[i]
	case len(m.OpenDebugStops) > 0:
		s = m.OpenDebugStops[0]
	default:
		return nil
	}
	lines := []string{"stopped in the debugger — " + StopText(s.Reason), "duration  " + dur}
	if s.Steps > 0 {
		lines = append(lines, fmt.Sprintf("steps     %d single instructions", s.Steps))
	}
	return append(lines, "start     "+FormatTime(s.Start),
		"left out of poll durations, latencies and statistics")
}
