package trace

import "sort"

// Task returns the task with the given id.
func (m *Model) Task(id uint32) (*Task, bool) {
	i := sort.Search(len(m.Tasks), func(i int) bool { return m.Tasks[i].ID >= id })
	if i < len(m.Tasks) && m.Tasks[i].ID == id {
		return &m.Tasks[i], true
	}
	return nil, false
}

// PollsIn returns the ended polls of a task that overlap [from, to): those
// with Start < to and End > from, and the zero-length ones at a time in
// [from, to). It finds them through the task's PollLane in O(log n + k).
// The poll in progress, if any, is in OpenPolls.
func (m *Model) PollsIn(task uint32, from, to int64) []PollSpan {
	l := m.PollLane(task)
	n := len(l.spans)
	// A task's polls do not overlap, so Start and End both grow along it.
	i := sort.Search(n, func(i int) bool { return l.spans[i].end > from || l.starts[i] >= from })
	var out []PollSpan
	for ; i < n && l.starts[i] < to; i++ {
		if p, ok := m.pollByNumber(l.spans[i].ref); ok {
			out = append(out, p)
		}
	}
	return out
}

// WakePoll returns the index in Polls of the poll that Wakes[i] caused: the
// woken task's first poll that began after the wake. It returns -1 if that
// poll has not ended yet (see OpenPolls) or has not begun, if it was
// evicted, or if the task had already finished when it was woken.
//
// The link is computed rather than stored in Wake because a wake is stored
// when it happens, before its poll exists, and snapshots share stored wakes.
func (m *Model) WakePoll(i int) int {
	if i < 0 || i >= len(m.Wakes) || m.Wakes[i].tok == 0 {
		return -1
	}
	w := &m.Wakes[i]
	spans := m.PollLane(w.Task).spans
	tok := func(j int) uint64 {
		if p, ok := m.pollByNumber(spans[j].ref); ok {
			return p.tok
		}
		return 0 // evicted: older than every stored poll
	}
	// Tokens of a task's polls grow with the polls.
	j := sort.Search(len(spans), func(j int) bool { return tok(j) >= w.tok })
	if j < len(spans) && tok(j) == w.tok {
		return int(spans[j].ref - m.pollBase)
	}
	return -1
}
