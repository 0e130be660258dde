package trace

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/pollscope/pollscope/guest"
)

// The export's processes and their fixed threads.
const (
	guestPID = 1
	hostPID  = 2

	irqTID     = 1 // guest: interrupt handlers
	idleTID    = 2 // guest: hlt
	markTID    = 3 // guest: marks and lints of no task
	firstTask  = 10
	hostIRQTID = 1 // host: IRQ lines raised
	injectTID  = 2 // host: vectors injected
	keyTID     = 3 // host: key events
	stopTID    = 4 // host: time stopped in the debugger

	wakeDur = 1 // ns: a wake's slice, long enough to carry a flow
)

// WritePerfetto writes the model as Chrome Trace Event Format JSON, which
// ui.perfetto.dev and chrome://tracing open. Process 1, "guest executor",
// has a thread per task with its polls as slices, an "interrupts" thread,
// an "idle (hlt)" thread and the "ready queue" and "events/s" counters;
// process 2, "host", has the host's IRQ raises, injections and key events
// as instant events, VM exits per kind as a counter per millisecond, and
// the time stopped in the debugger as slices on a track of its own. A poll
// that spans a stop says how long it was stopped (stopped_us) beside its
// run time (run_us), and wake latencies leave stops out.
// Every wake is a short slice on the track of what woke it (the waking
// task, the interrupts thread, or the woken task when the source is
// unknown), and a flow arrow leads from it to the poll it caused.
//
// Times are microseconds with three decimals (exact nanoseconds). The JSON
// is streamed through a buffer, not built in memory.
func (m *Model) WritePerfetto(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	cw := &chromeWriter{w: bw}
	x := newExport(m)
	bw.WriteString(`{"traceEvents":[` + "\n")
	x.writeMetadata(cw)
	x.writePolls(cw)
	x.writeWakes(cw)
	x.writeIRQsAndIdle(cw)
	x.writeMarksAndLints(cw)
	x.writeCounters(cw)
	x.writeHost(cw)
	bw.WriteString("\n],\n" + `"displayTimeUnit":"ns",` + "\n" + `"metadata":`)
	bw.Write(x.metadata())
	bw.WriteString("}\n")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing Perfetto trace: %w", err)
	}
	return nil
}

// export is the state of one WritePerfetto call.
type export struct {
	m     *Model
	tids  map[uint32]int    // task id → thread id
	names map[uint32]string // task id → label
	ids   []uint32          // tasks with a thread, sorted
	flows []bool            // flows[i]: Wakes[i] starts a flow arrow
}

func newExport(m *Model) *export {
	x := &export{m: m, tids: map[uint32]int{}, names: map[uint32]string{}}
	for i := range m.Tasks {
		x.names[m.Tasks[i].ID] = m.Tasks[i].Label()
	}
	add := func(id uint32) {
		if _, ok := x.names[id]; !ok {
			x.names[id] = taskLabel(id, "")
		}
	}
	for _, p := range m.Polls {
		add(p.Task)
	}
	for _, p := range m.OpenPolls {
		add(p.Task)
	}
	x.flows = make([]bool, len(m.Wakes))
	for _, ps := range [][]PollSpan{m.Polls, m.OpenPolls} {
		for _, p := range ps {
			if p.Wake >= 0 && p.Wake < len(m.Wakes) {
				x.flows[p.Wake] = true
			}
		}
	}
	for _, w := range m.Wakes {
		add(w.Task)
	}
	for id := range x.names {
		x.ids = append(x.ids, id)
	}
	slices.Sort(x.ids)
	for i, id := range x.ids {
		x.tids[id] = firstTask + i
	}
	return x
}

func (x *export) writeMetadata(cw *chromeWriter) {
	meta := func(pid, tid int, name string, a arg) {
		cw.write(&chromeEvent{ph: 'M', name: name, pid: pid, tid: tid, dur: -1, metadata: true, args: []arg{a}})
	}
	meta(guestPID, 0, "process_name", strArg("name", "guest executor"))
	meta(guestPID, 0, "process_sort_index", numArg("sort_index", 1))
	meta(hostPID, 0, "process_name", strArg("name", "host"))
	meta(hostPID, 0, "process_sort_index", numArg("sort_index", 2))
	for i, id := range x.ids {
		tid := x.tids[id]
		meta(guestPID, tid, "thread_name", strArg("name", fmt.Sprintf("%s (task %d)", x.names[id], id)))
		meta(guestPID, tid, "thread_sort_index", numArg("sort_index", float64(i)))
	}
	n := float64(len(x.ids))
	for _, t := range []struct {
		pid, tid int
		name     string
		sort     float64
	}{
		{guestPID, irqTID, "interrupts", n}, {guestPID, idleTID, "idle (hlt)", n + 1},
		{guestPID, markTID, "marks", n + 2},
		{hostPID, hostIRQTID, "IRQ lines", 0}, {hostPID, injectTID, "injections", 1},
		{hostPID, keyTID, "keyboard", 2}, {hostPID, stopTID, "stopped in the debugger", 3},
	} {
		meta(t.pid, t.tid, "thread_name", strArg("name", t.name))
		meta(t.pid, t.tid, "thread_sort_index", numArg("sort_index", t.sort))
	}
}

// flowID is the bind_id of the arrow from Wakes[i].
func flowID(i int) uint64 { return uint64(i) + 1 }

func (x *export) writePolls(cw *chromeWriter) {
	poll := func(p *PollSpan, open bool) {
		result := "pending"
		switch {
		case open:
			result = "running"
		case p.Ready:
			result = "ready"
		}
		e := chromeEvent{ph: 'X', name: x.names[p.Task], cat: "poll", pid: guestPID, tid: x.tids[p.Task],
			ts: p.Start, dur: p.End - p.Start, args: []arg{strArg("result", result),
				numArg("live_wakers", float64(p.LiveWakers)), numArg("task", float64(p.Task))}}
		if p.Stopped > 0 {
			e.args = append(e.args, numArg("run_us", float64(p.Duration())/1e3), numArg("stopped_us", float64(p.Stopped)/1e3))
		}
		if p.Wake >= 0 && p.Wake < len(x.m.Wakes) {
			w := x.m.Wakes[p.Wake].Time
			e.flow, e.bindID = flowIn, flowID(p.Wake)
			e.args = append(e.args, numArg("wake_latency_us", float64(time.Duration(p.Start-w)-x.m.StoppedIn(w, p.Start))/1e3))
		}
		cw.write(&e)
	}
	for i := range x.m.Polls {
		poll(&x.m.Polls[i], false)
	}
	for i := range x.m.OpenPolls {
		poll(&x.m.OpenPolls[i], true)
	}
}

func (x *export) writeWakes(cw *chromeWriter) {
	for i, w := range x.m.Wakes {
		tid, src := x.tids[w.Task], "unknown"
		switch w.Source {
		case guest.WakeTask:
			src = "task " + strconv.FormatUint(uint64(w.SourceID), 10)
			if t, ok := x.tids[w.SourceID]; ok {
				tid = t
			}
		case guest.WakeInterrupt:
			tid, src = irqTID, VectorName(uint8(w.SourceID))
		}
		e := chromeEvent{ph: 'X', name: "wake " + x.names[w.Task], cat: "wake", pid: guestPID, tid: tid,
			ts: w.Time, dur: x.wakeDur(tid, w), args: []arg{numArg("task", float64(w.Task)),
				strArg("source", src), strArg("self", strconv.FormatBool(w.Self))}}
		if x.flows[i] {
			e.flow, e.bindID = flowOut, flowID(i)
		}
		cw.write(&e)
	}
}

// wakeDur is how long a wake's slice can be on track tid: wakeDur, unless
// that would end it after the slice it sits in (or too close to its end for
// readers that round microseconds down to whole nanoseconds).
func (x *export) wakeDur(tid int, w Wake) int64 {
	end, ok := x.enclosingEnd(tid, w.Time)
	if ok && w.Time+wakeDur+1 > end {
		return 0
	}
	return wakeDur
}

// enclosingEnd returns the end of the slice on track tid that contains t.
func (x *export) enclosingEnd(tid int, t int64) (int64, bool) {
	m := x.m
	if tid == irqTID {
		i := sort.Search(len(m.IRQs), func(i int) bool { return m.IRQs[i].Start > t }) - 1
		if i >= 0 && m.IRQs[i].End >= t {
			return m.IRQs[i].End, true
		}
		for _, s := range m.OpenIRQs {
			if s.Start <= t {
				return s.End, true
			}
		}
		return 0, false
	}
	id := x.ids[tid-firstTask]
	if ps := m.PollsIn(id, t, t+1); len(ps) > 0 {
		return ps[0].End, true
	}
	for _, p := range m.OpenPolls {
		if p.Task == id && p.Start <= t {
			return p.End, true
		}
	}
	return 0, false
}

func (x *export) writeIRQsAndIdle(cw *chromeWriter) {
	irq := func(s IRQSpan, open bool) {
		cw.write(&chromeEvent{ph: 'X', name: VectorName(s.Vector), cat: "irq", pid: guestPID, tid: irqTID,
			ts: s.Start, dur: s.End - s.Start, args: []arg{numArg("vector", float64(s.Vector)),
				strArg("open", strconv.FormatBool(open))}})
	}
	for _, s := range x.m.IRQs {
		irq(s, false)
	}
	for _, s := range x.m.OpenIRQs {
		irq(s, true)
	}
	idle := func(s Span, open bool) {
		cw.write(&chromeEvent{ph: 'X', name: "hlt", cat: "idle", pid: guestPID, tid: idleTID,
			ts: s.Start, dur: s.End - s.Start, args: []arg{strArg("open", strconv.FormatBool(open))}})
	}
	for _, s := range x.m.Idle {
		idle(s, false)
	}
	for _, s := range x.m.OpenIdle {
		idle(s, true)
	}
}

// trackOf is the thread of a task, or the marks thread for task 0 or one
// without a thread.
func (x *export) trackOf(task uint32) int {
	if tid, ok := x.tids[task]; ok {
		return tid
	}
	return markTID
}

func (x *export) writeMarksAndLints(cw *chromeWriter) {
	for _, e := range x.m.Marks {
		cw.write(&chromeEvent{ph: 'i', name: "mark " + strconv.FormatUint(e.Arg, 10), cat: "mark",
			pid: guestPID, tid: x.trackOf(e.Task), ts: e.Time, dur: -1, scope: 't',
			args: []arg{numArg("value", float64(e.Arg)), numArg("task", float64(e.Task))}})
	}
	for _, l := range x.m.Lints {
		cw.write(&chromeEvent{ph: 'i', name: "lint: " + l.Kind.String(), cat: "lint",
			pid: guestPID, tid: x.trackOf(l.Task), ts: l.Time, dur: -1, scope: 't',
			args: []arg{strArg("message", l.Message)}})
	}
}

func (x *export) writeHost(cw *chromeWriter) {
	x.writeDebugStops(cw)
	for _, e := range x.m.Host {
		var tid int
		var name string
		var a arg
		switch e.Kind {
		case HostIRQRaise:
			tid, name, a = hostIRQTID, "raise "+IRQLineName(e.Arg), numArg("line", float64(e.Arg))
		case HostInject:
			tid, name, a = injectTID, "inject "+VectorName(uint8(e.Arg)), numArg("vector", float64(e.Arg))
		case HostKeyEvent:
			code := e.Arg &^ KeyReleased
			key := e.Name
			if key == "" {
				key = strconv.FormatUint(code, 10)
			}
			if e.Arg&KeyReleased != 0 {
				key += " up"
			}
			tid, name, a = keyTID, "key "+key, numArg("code", float64(code))
		default:
			continue // exits are counted in writeCounters
		}
		cw.write(&chromeEvent{ph: 'i', name: name, cat: "host", pid: hostPID, tid: tid,
			ts: e.Time, dur: -1, scope: 't', args: []arg{a}})
	}
}

// writeDebugStops writes the time stopped in the debugger as slices.
func (x *export) writeDebugStops(cw *chromeWriter) {
	stop := func(s DebugStop, open bool) {
		cw.write(&chromeEvent{ph: 'X', name: "stopped in the debugger", cat: "debug", pid: hostPID, tid: stopTID,
			ts: s.Start, dur: s.End - s.Start, args: []arg{strArg("reason", DebugStopReasonName(s.Reason)),
				numArg("steps", float64(s.Steps)), strArg("open", strconv.FormatBool(open))}})
	}
	for _, s := range x.m.DebugStops {
		stop(s, false)
	}
	for _, s := range x.m.OpenDebugStops {
		stop(s, true)
	}
}

// metadata is the export's top-level "metadata" object.
func (x *export) metadata() []byte {
	m := x.m
	b := []byte(`{"source":"pollscope","executor":`)
	b = appendJSONString(b, m.Executor)
	for _, kv := range []struct {
		k string
		v uint64
	}{
		{"event_count", m.EventCount}, {"dropped", m.Dropped}, {"malformed", m.Malformed},
		{"evicted", m.Evicted}, {"subscriber_drops", m.SubscriberDrops}, {"unmatched", m.Unmatched},
	} {
		b = append(b, `,"`+kv.k+`":`...)
		b = strconv.AppendUint(b, kv.v, 10)
	}
	b = append(b, `,"start_ns":`...)
	b = strconv.AppendInt(b, m.Start, 10)
	b = append(b, `,"end_ns":`...)
	b = strconv.AppendInt(b, m.End, 10)
	return append(b, '}')
}
