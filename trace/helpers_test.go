package trace

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/pollscope/pollscope/guest"
)

// stream writes events the way the guest's trace ring and the host would
// produce them, on a clock the test advances.
type stream struct {
	t   int64
	q   uint16
	evs []Event
}

func (s *stream) after(d time.Duration) *stream { s.t += int64(d); return s }
func (s *stream) at(t time.Duration) *stream    { s.t = int64(t); return s }
func (s *stream) queue(n uint16) *stream        { s.q = n; return s }

func (s *stream) add(k Kind, task uint32, arg uint64, name string) *stream {
	s.evs = append(s.evs, Event{Time: s.t, Kind: k, Task: task, Arg: arg, Queue: s.q, Name: name})
	return s
}

func (s *stream) executor(waker bool) *stream {
	arg := uint64(0)
	if waker {
		arg = 1
	}
	return s.add(kExecStart, 0, arg, "")
}
func (s *stream) spawn(id uint32, name string) *stream { return s.add(kSpawn, id, 0, name) }
func (s *stream) begin(id uint32) *stream              { return s.add(kPollBegin, id, 0, "") }
func (s *stream) end(id uint32, ready bool, live uint32) *stream {
	arg := uint64(live) << 32
	if ready {
		arg |= 1
	}
	return s.add(kPollEnd, id, arg, "")
}
func (s *stream) pending(id uint32) *stream { return s.end(id, false, 1) }
func (s *stream) wakeBy(id uint32, src guest.WakeSourceKind, srcID uint32) *stream {
	return s.add(kWake, id, uint64(src)<<56|uint64(srcID), "")
}
func (s *stream) irqEnter(v uint8) *stream           { return s.add(kIrqEnter, 0, uint64(v), "") }
func (s *stream) irqExit(v uint8) *stream            { return s.add(kIrqExit, 0, uint64(v), "") }
func (s *stream) idleEnter() *stream                 { return s.add(kIdleEnter, 0, 0, "") }
func (s *stream) idleExit() *stream                  { return s.add(kIdleExit, 0, 0, "") }
func (s *stream) exit(id uint32) *stream             { return s.add(kTaskExit, id, 0, "") }
func (s *stream) mark(task uint32, v uint64) *stream { return s.add(kMark, task, v, "") }
func (s *stream) hostRaise(line uint64) *stream      { return s.add(HostIRQRaise, 0, line, "") }
func (s *stream) hostInject(v uint64) *stream        { return s.add(HostInject, 0, v, "") }
func (s *stream) hostExit(kind uint64, name string) *stream {
	return s.add(HostExit, 0, kind, name)
}
func (s *stream) hostKey(code uint64, name string) *stream { return s.add(HostKeyEvent, 0, code, name) }

// interrupt writes an interrupt on vector v that wakes task id, as the
// demo kernel's handler does: enter, wake (the ready queue grows), exit.
func (s *stream) interrupt(v uint8, id uint32) *stream {
	s.irqEnter(v).after(time.Microsecond)
	s.q++
	s.wakeBy(id, guest.WakeInterrupt, uint32(v)).after(time.Microsecond)
	return s.irqExit(v)
}

// pollOnce writes the executor taking task id off its ready queue and
// polling it for d.
func (s *stream) pollOnce(id uint32, d time.Duration) *stream {
	if s.q > 0 {
		s.q--
	}
	return s.begin(id).after(d).pending(id)
}

// sleep writes the executor halting until the next interrupt, d later.
func (s *stream) sleep(d time.Duration) *stream {
	return s.idleEnter().after(d).idleExit()
}

// collect feeds the events to a new collector and returns its snapshot.
func collect(t *testing.T, o Options, evs []Event) *Model {
	t.Helper()
	c := NewCollector(o)
	c.Add(evs...)
	m := c.Snapshot()
	checkModel(t, m)
	return m
}

// checkModel checks what must hold of every model: sorted lists, the stats
// identity, and links that agree with each other.
func checkModel(t testing.TB, m *Model) {
	t.Helper()
	for _, task := range m.Tasks {
		s := task.Stats
		if s.Busy+s.Scheduled+s.Idle != s.Lifetime {
			t.Errorf("task %d: busy %v + scheduled %v + idle %v != lifetime %v",
				task.ID, s.Busy, s.Scheduled, s.Idle, s.Lifetime)
		}
	}
	if !slices.IsSortedFunc(m.Tasks, func(a, b Task) int { return cmp.Compare(a.ID, b.ID) }) {
		t.Errorf("tasks not sorted by id")
	}
	sorted := func(name string, n int, key func(int) int64) {
		for i := 1; i < n; i++ {
			if key(i) < key(i-1) {
				t.Errorf("%s not sorted at %d: %d < %d", name, i, key(i), key(i-1))
				return
			}
		}
	}
	sorted("polls", len(m.Polls), func(i int) int64 { return m.Polls[i].Start })
	sorted("wakes", len(m.Wakes), func(i int) int64 { return m.Wakes[i].Time })
	sorted("irqs", len(m.IRQs), func(i int) int64 { return m.IRQs[i].Start })
	sorted("idle", len(m.Idle), func(i int) int64 { return m.Idle[i].Start })
	sorted("host", len(m.Host), func(i int) int64 { return m.Host[i].Time })
	sorted("queue", len(m.Queue), func(i int) int64 { return m.Queue[i].Time })
	sorted("marks", len(m.Marks), func(i int) int64 { return m.Marks[i].Time })
	sorted("lints", len(m.Lints), func(i int) int64 { return m.Lints[i].Time })
	for i, p := range m.Polls {
		if p.End < p.Start {
			t.Errorf("poll %d ends before it starts: %+v", i, p)
		}
		if p.Stopped < 0 || p.Duration() < 0 {
			t.Errorf("poll %d stopped %v of its %v", i, p.Stopped, time.Duration(p.End-p.Start))
		}
		if i > 0 && p.Start < m.Polls[i-1].End {
			t.Errorf("poll %d overlaps the previous one: %+v, %+v", i, m.Polls[i-1], p)
		}
		if p.Wake == -1 {
			continue
		}
		if p.Wake < 0 || p.Wake >= len(m.Wakes) {
			t.Errorf("poll %d: wake index %d out of range [0,%d)", i, p.Wake, len(m.Wakes))
			continue
		}
		w := m.Wakes[p.Wake]
		if w.Task != p.Task || w.Time > p.Start {
			t.Errorf("poll %d %+v links to wake %d %+v of another task or after it", i, p, p.Wake, w)
		}
		if got := m.WakePoll(p.Wake); got != i {
			t.Errorf("poll %d links to wake %d, whose WakePoll is %d", i, p.Wake, got)
		}
	}
	for i, w := range m.Wakes {
		if j := m.WakePoll(i); j >= 0 {
			p := m.Polls[j]
			if p.Task != w.Task || p.Start < w.Time {
				t.Errorf("wake %d %+v links to poll %d %+v of another task or before it", i, w, j, p)
			}
		}
	}
	checkLanes(t, m)
	checkResources(t, m)
}

// checkLanes checks that the lanes hold what the lists hold, in order.
func checkLanes(t testing.TB, m *Model) {
	t.Helper()
	spanList := func(name string, l *SpanList) {
		var busy int64
		for i := range l.Len() {
			if l.End(i) < l.Start(i) || (i > 0 && l.Start(i) < l.End(i-1)) {
				t.Errorf("%s: span %d [%d, %d] out of order", name, i, l.Start(i), l.End(i))
			}
			if got := l.Busy(0, i); got != busy {
				t.Errorf("%s: busy before span %d is %d, want %d", name, i, got, busy)
			}
			busy += l.End(i) - l.Start(i)
			if open := l.Flag(i)&SpanOpen != 0; open != (i == l.Len()-1 && l.hasOpen) {
				t.Errorf("%s: span %d open flag %v", name, i, open)
			}
		}
	}
	polls := 0
	for _, task := range m.Tasks {
		pl, wl := m.PollLane(task.ID), m.WaitLane(task.ID)
		spanList(fmt.Sprintf("task %d polls", task.ID), pl)
		spanList(fmt.Sprintf("task %d waits", task.ID), wl)
		if open := pl.hasOpen; open != (len(m.OpenPolls) > 0 && m.OpenPolls[0].Task == task.ID) {
			t.Errorf("task %d: poll lane open %v, OpenPolls %+v", task.ID, open, m.OpenPolls)
		}
		// A running task may have been woken during its poll.
		if wl.hasOpen != (task.State == Scheduled) && task.State != Running {
			t.Errorf("task %d (%v): wait lane open %v", task.ID, task.State, wl.hasOpen)
		}
		for i := range len(pl.spans) {
			p, ok := m.LanePoll(pl, i)
			if !ok || p.Task != task.ID || p.Start != pl.Start(i) || p.End != pl.End(i) || p.Ready != (pl.Flag(i)&SpanReady != 0) {
				t.Errorf("task %d: poll lane span %d [%d, %d] is poll %+v (%v)", task.ID, i, pl.Start(i), pl.End(i), p, ok)
			}
		}
		for i := range wl.Len() {
			if w, ok := m.LaneWake(wl, i); ok && (w.Task != task.ID || w.Time > wl.Start(i)) {
				t.Errorf("task %d: wait %d [%d, %d] began with wake %+v", task.ID, i, wl.Start(i), wl.End(i), w)
			}
		}
	}
	for _, id := range slices.Sorted(maps.Keys(m.lanes.tasks)) {
		polls += len(m.PollLane(id).spans)
	}
	if polls != len(m.Polls) {
		t.Errorf("%d polls in the lanes, %d in Polls", polls, len(m.Polls))
	}
	for _, v := range m.Vectors() {
		spanList(fmt.Sprintf("vector %d", v), m.IRQLane(v))
	}
	for _, q := range m.IRQs {
		// A span of its lane covers it (the outer one, if it is nested in
		// a handler of its own vector).
		l := m.IRQLane(q.Vector)
		i := l.FirstEndingAfter(q.End-1, 0)
		for i < l.Len() && l.End(i) == q.End && l.Start(i) > q.Start {
			i++
		}
		if i >= l.Len() || l.Start(i) > q.Start || l.End(i) < q.End {
			t.Errorf("handler %+v not in its lane", q)
		}
	}
	// A lane of spans that a list of the model holds too, the open one apart.
	listLane := func(name string, l *SpanList, n int, open bool, at func(i int) (int64, int64)) {
		spanList(name, l)
		if len(l.spans) != n || l.hasOpen != open {
			t.Errorf("%s lane: %d spans (open %v), model %d (open %v)", name, len(l.spans), l.hasOpen, n, open)
		}
		for i := range min(n, len(l.spans)) {
			if start, end := at(i); l.Start(i) != start || l.End(i) != end {
				t.Errorf("%s lane span %d [%d, %d], model [%d, %d]", name, i, l.Start(i), l.End(i), start, end)
			}
		}
	}
	listLane("debug stops", m.DebugStopLane(), len(m.DebugStops), len(m.OpenDebugStops) > 0, func(i int) (int64, int64) { return m.DebugStops[i].Start, m.DebugStops[i].End })
	listLane("idle", m.IdleLane(), len(m.Idle), len(m.OpenIdle) > 0, func(i int) (int64, int64) { return m.Idle[i].Start, m.Idle[i].End })
	exits := map[string][]int64{}
	for _, e := range m.Host {
		if e.Kind == HostExit {
			exits[e.Name] = append(exits[e.Name], e.Time)
		}
	}
	if !slices.Equal(m.ExitKinds(), slices.Sorted(maps.Keys(exits))) {
		t.Errorf("exit kinds %q, host events have %v", m.ExitKinds(), slices.Sorted(maps.Keys(exits)))
	}
	for kind, times := range exits {
		l := m.ExitLane(kind)
		var got []int64
		for i := range l.Len() {
			got = append(got, l.Time(i))
		}
		if !slices.Equal(got, times) {
			t.Errorf("exit lane %q: %v, host events at %v", kind, got, times)
		}
	}
	keys := m.KeyLane()
	if keys.Len() != len(m.Keys) {
		t.Errorf("key lane has %d events, Keys %d", keys.Len(), len(m.Keys))
	}
	for i, k := range m.Keys {
		if i < keys.Len() && (keys.Time(i) != k.Time || (keys.Flag(i)&InstantKeyUp == 0) != k.Down) {
			t.Errorf("key lane event %d at %d flag %d, Keys has %+v", i, keys.Time(i), keys.Flag(i), k)
		}
	}
	if m.EventCount > 0 && (m.Final < m.Start || m.Final > m.End) {
		t.Errorf("Final %d outside [%d, %d]", m.Final, m.Start, m.End)
	}
}

// lintKinds lists the kinds of the model's lints for task id (0: all).
func lintsOf(m *Model, id uint32) []LintKind {
	var out []LintKind
	for _, l := range m.Lints {
		if id == 0 || l.Task == id {
			out = append(out, l.Kind)
		}
	}
	return out
}

func mustTask(t *testing.T, m *Model, id uint32) *Task {
	t.Helper()
	task, ok := m.Task(id)
	if !ok {
		t.Fatalf("task %d not in the model; tasks: %+v", id, m.Tasks)
	}
	return task
}
