package view

import (
	"sort"

	"github.com/pollscope/pollscope/trace"
)

// HostSettle is how far behind the model's end the Index takes host events:
// the collector inserts a late host event at its own time, so the last
// moments of Model.Host may still change. Drawing reads them from the model.
const HostSettle = 250_000_000

// spanList is one lane's spans in time order, none overlapping another, with
// running sums of their durations: cum[i] is the total duration of the
// spans before span i, so any run's busy time is one subtraction.
type spanList struct {
	start, end []int64
	cum        []int64 // len(start)+1 entries
	flag       []uint8 // per span: spanReady, ...
}

const spanReady = 1 // a poll that completed its future

func (l *spanList) add(start, end int64, flag uint8) {
	if len(l.cum) == 0 {
		l.cum = append(l.cum, 0)
	}
	end = max(end, start)
	l.start = append(l.start, start)
	l.end = append(l.end, end)
	l.flag = append(l.flag, flag)
	l.cum = append(l.cum, l.cum[len(l.cum)-1]+end-start)
}

func (l *spanList) len() int { return len(l.start) }

// busy is the total duration of spans [i, j).
func (l *spanList) busy(i, j int) int64 { return l.cum[j] - l.cum[i] }

// firstEndingAfter returns the first span with end > t (or, for a zero-length
// span, end ≥ t), in [lo, len).
func (l *spanList) firstEndingAfter(t int64, lo int) int {
	return lo + sort.Search(len(l.end)-lo, func(i int) bool {
		i += lo
		return l.end[i] > t || (l.end[i] == t && l.start[i] == t)
	})
}

// firstStartingAt returns the first span with start ≥ t, in [lo, len).
func (l *spanList) firstStartingAt(t int64, lo int) int { return gallop(l.start, t, lo) }

// gallop returns the first index in [lo, len(s)) whose value is ≥ t, for a
// sorted s. It probes lo+1, lo+2, lo+4, ... before searching between the
// last two probes, so finding the end of a short run costs O(log run) and
// stays in the cache: the timeline asks for one pixel column's worth at a
// time.
func gallop(s []int64, t int64, lo int) int {
	if lo >= len(s) || s[lo] >= t {
		return lo
	}
	prev, step := lo, 1
	for {
		i := lo + step
		if i >= len(s) {
			i = len(s)
		} else if s[i] < t {
			prev, step = i, step*2
			continue
		}
		// s[prev] < t, and s[i] ≥ t or i == len(s).
		return prev + 1 + sort.Search(i-prev-1, func(k int) bool { return s[prev+1+k] >= t })
	}
}

// trim drops the spans that ended before t once they are a quarter of the
// list, copying the rest so their memory is released.
func (l *spanList) trim(t int64) {
	k := sort.Search(len(l.end), func(i int) bool { return l.end[i] >= t })
	if k == 0 || k < len(l.start)/4 {
		return
	}
	l.start = append([]int64(nil), l.start[k:]...)
	l.end = append([]int64(nil), l.end[k:]...)
	l.flag = append([]uint8(nil), l.flag[k:]...)
	l.cum = append([]int64(nil), l.cum[k:]...)
}

// instantList is one lane's instants (VM exits of one kind, key events) in
// time order.
type instantList struct{ t []int64 }

func (l *instantList) add(t int64) { l.t = append(l.t, t) }

// count returns how many instants lie in [from, to), and the index of the
// first, searching from lo.
func (l *instantList) count(from, to int64, lo int) (n, first int) {
	i := gallop(l.t, from, lo)
	j := gallop(l.t, to, i)
	return j - i, i
}

func (l *instantList) trim(t int64) {
	k := sort.Search(len(l.t), func(i int) bool { return l.t[i] >= t })
	if k > 0 && k >= len(l.t)/4 {
		l.t = append([]int64(nil), l.t[k:]...)
	}
}

// taskLanes is what the Index keeps for one task: its polls and the
// scheduled stretches (from the wake that caused a poll to the poll).
type taskLanes struct {
	polls, sched spanList
}

// Index is the timeline's level-of-detail index: per lane, the spans or
// instants of the trace in time order with running sums. Update feeds it
// each new snapshot; it takes what the previous one did not have, so its
// cost follows the event rate, not the trace size.
//
// Each list is taken up to a settled time — before the earliest span still
// open (a span enters its list when it ends, at its start's place) and, for
// host events, HostSettle before the end — so nothing can arrive later
// before the point already taken. What lies past it is read from the model.
type Index struct {
	tasks map[uint32]*taskLanes
	irqs  map[uint8]*spanList
	idle  spanList
	exits map[string]*instantList
	keys  instantList

	// Settled times: every item starting before them is in the index.
	pollCur, irqCur, idleCur, hostCur int64

	model *trace.Model // the snapshot last taken
}

// NewIndex returns an empty Index.
func NewIndex() *Index {
	return &Index{
		tasks: map[uint32]*taskLanes{},
		irqs:  map[uint8]*spanList{},
		exits: map[string]*instantList{},
	}
}

// Model returns the snapshot the index last took.
func (x *Index) Model() *trace.Model { return x.model }

// Update takes what m adds to the previous snapshot. m must come from the
// same collector as the previous ones (after a machine reset, use a new
// Index).
func (x *Index) Update(m *trace.Model) {
	if m == nil || m == x.model {
		return
	}
	x.model = m
	settle := m.End
	if len(m.OpenPolls) > 0 {
		settle = min(settle, m.OpenPolls[0].Start)
	}
	lo, hi := searchPolls(m.Polls, x.pollCur), searchPolls(m.Polls, settle)
	for i := lo; i < hi; i++ {
		p := &m.Polls[i]
		tl := x.task(p.Task)
		var f uint8
		if p.Ready {
			f = spanReady
		}
		tl.polls.add(p.Start, p.End, f)
		if p.Wake >= 0 && p.Wake < len(m.Wakes) {
			if w := m.Wakes[p.Wake].Time; w < p.Start {
				tl.sched.add(w, p.Start, 0)
			}
		}
	}
	x.pollCur = max(x.pollCur, settle)

	settle = m.End
	for _, o := range m.OpenIRQs {
		settle = min(settle, o.Start)
	}
	lo, hi = searchIRQs(m.IRQs, x.irqCur), searchIRQs(m.IRQs, settle)
	for i := lo; i < hi; i++ {
		q := &m.IRQs[i]
		l := x.irqs[q.Vector]
		if l == nil {
			l = &spanList{}
			x.irqs[q.Vector] = l
		}
		l.add(q.Start, q.End, 0)
	}
	x.irqCur = max(x.irqCur, settle)

	settle = m.End
	if len(m.OpenIdle) > 0 {
		settle = min(settle, m.OpenIdle[0].Start)
	}
	lo, hi = searchSpans(m.Idle, x.idleCur), searchSpans(m.Idle, settle)
	for i := lo; i < hi; i++ {
		x.idle.add(m.Idle[i].Start, m.Idle[i].End, 0)
	}
	x.idleCur = max(x.idleCur, settle)

	settle = m.End - HostSettle
	if settle > x.hostCur {
		lo, hi = searchHost(m.Host, x.hostCur), searchHost(m.Host, settle)
		for i := lo; i < hi; i++ {
			x.addHost(&m.Host[i])
		}
		x.hostCur = settle
	}

	x.trim(m)
}

func (x *Index) addHost(e *trace.Event) {
	switch e.Kind {
	case trace.HostExit:
		l := x.exits[e.Name]
		if l == nil {
			l = &instantList{}
			x.exits[e.Name] = l
		}
		l.add(e.Time)
	case trace.HostKeyEvent:
		x.keys.add(e.Time)
	}
}

func (x *Index) task(id uint32) *taskLanes {
	t := x.tasks[id]
	if t == nil {
		t = &taskLanes{}
		x.tasks[id] = t
	}
	return t
}

// trim drops what the model evicted, and the lanes of tasks it forgot.
func (x *Index) trim(m *trace.Model) {
	for id, t := range x.tasks {
		if _, ok := m.Task(id); !ok && len(m.Tasks) > 0 {
			delete(x.tasks, id)
			continue
		}
		t.polls.trim(m.Start)
		t.sched.trim(m.Start)
	}
	for _, l := range x.irqs {
		l.trim(m.Start)
	}
	x.idle.trim(m.Start)
	for _, l := range x.exits {
		l.trim(m.Start)
	}
	x.keys.trim(m.Start)
}

// ExitKinds returns the names of the VM exit kinds seen, in the order given
// by names (sorted).
func (x *Index) ExitKinds() []string {
	names := make([]string, 0, len(x.exits))
	for n := range x.exits {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func searchPolls(s []trace.PollSpan, t int64) int {
	return sort.Search(len(s), func(i int) bool { return s[i].Start >= t })
}

func searchIRQs(s []trace.IRQSpan, t int64) int {
	return sort.Search(len(s), func(i int) bool { return s[i].Start >= t })
}

func searchSpans(s []trace.Span, t int64) int {
	return sort.Search(len(s), func(i int) bool { return s[i].Start >= t })
}

func searchHost(s []trace.Event, t int64) int {
	return sort.Search(len(s), func(i int) bool { return s[i].Time >= t })
}

func searchWakes(s []trace.Wake, t int64) int {
	return sort.Search(len(s), func(i int) bool { return s[i].Time >= t })
}
