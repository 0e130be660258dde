package trace

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/pollscope/pollscope/guest"
)

const (
	timerVector    = 32
	keyboardVector = 33
)

// keyboardStream is the demo's keyboard task waiting for a key: the first
// poll finds no scancode and keeps the waker; a key press raises IRQ1, the
// handler wakes the task, the executor leaves hlt and polls it.
func keyboardStream() *stream {
	s := &stream{}
	s.executor(true).spawn(1, "keyboard")
	s.after(10 * time.Microsecond).begin(1).after(3 * time.Microsecond).pending(1)
	s.after(time.Microsecond).idleEnter()
	s.at(time.Millisecond).hostKey(0x1e, "a").after(2 * time.Microsecond).hostRaise(1)
	s.after(time.Microsecond).hostInject(keyboardVector).hostExit(7, "hlt")
	s.after(time.Microsecond).interrupt(keyboardVector, 1)
	s.after(time.Microsecond).idleExit()
	s.after(time.Microsecond).pollOnce(1, 4*time.Microsecond)
	s.after(time.Microsecond).idleEnter()
	return s
}

func TestKeyboardScenario(t *testing.T) {
	s := keyboardStream()
	m := collect(t, Options{}, s.evs)

	task := mustTask(t, m, 1)
	if task.Name != "keyboard" || task.State != Idle {
		t.Errorf("task = %q in state %v, want keyboard, idle", task.Name, task.State)
	}
	if st := task.Stats; st.Polls != 2 || st.Wakes != 1 || st.SelfWakes != 0 {
		t.Errorf("stats: %d polls, %d wakes, %d self-wakes; want 2, 1, 0", st.Polls, st.Wakes, st.SelfWakes)
	}
	if len(m.Polls) != 2 || len(m.Wakes) != 1 {
		t.Fatalf("%d polls and %d wakes, want 2 and 1", len(m.Polls), len(m.Wakes))
	}
	w := m.Wakes[0]
	if w.Source != guest.WakeInterrupt || w.SourceID != keyboardVector || w.Self {
		t.Errorf("wake = %+v, want from interrupt 33, not self", w)
	}
	if m.Polls[0].Wake != -1 || m.Polls[1].Wake != 0 || m.WakePoll(0) != 1 {
		t.Errorf("links: first poll's wake %d, second's %d, wake's poll %d; want -1, 0, 1",
			m.Polls[0].Wake, m.Polls[1].Wake, m.WakePoll(0))
	}
	latency := time.Duration(m.Polls[1].Start - w.Time)
	if got := task.Stats.WakeLatency; got.Count() != 1 || got.Max() != latency {
		t.Errorf("wake latency: %d samples, max %v; want 1 of %v", got.Count(), got.Max(), latency)
	}
	if task.Stats.Scheduled != latency {
		t.Errorf("scheduled = %v, want the wake-to-poll gap %v", task.Stats.Scheduled, latency)
	}
	if len(m.IRQs) != 1 || m.IRQs[0].Vector != keyboardVector || m.IRQs[0].Start > w.Time || m.IRQs[0].End < w.Time {
		t.Errorf("irqs = %+v, want one span of vector 33 around the wake at %d", m.IRQs, w.Time)
	}
	if len(m.Idle) != 1 || len(m.OpenIdle) != 1 || m.OpenIdle[0].End != m.End {
		t.Errorf("idle = %+v, open %+v; want one ended and one open until %d", m.Idle, m.OpenIdle, m.End)
	}
	if len(m.Host) != 4 || m.Host[0].Kind != HostKeyEvent || m.Host[1].Kind != HostIRQRaise {
		t.Errorf("host = %+v, want key, raise, inject, exit", m.Host)
	}
	wantQueue := []int{0, 1, 0}
	if len(m.Queue) != len(wantQueue) {
		t.Errorf("queue samples = %+v, want values %v", m.Queue, wantQueue)
	} else {
		for i, v := range wantQueue {
			if m.Queue[i].Value != v {
				t.Errorf("queue sample %d = %d, want %d", i, m.Queue[i].Value, v)
			}
		}
	}
	if len(m.Lints) != 0 {
		t.Errorf("lints = %+v, want none", m.Lints)
	}
	if m.Executor != "waker" || m.EventCount != uint64(len(s.evs)) || m.Unmatched != 0 {
		t.Errorf("executor %q, %d events, %d unmatched; want waker, %d, 0",
			m.Executor, m.EventCount, m.Unmatched, len(s.evs))
	}
}

// yieldStream is a task calling yield_now in a loop: each poll wakes the
// task itself and returns Pending with no waker kept.
func yieldStream(n int) *stream {
	s := &stream{}
	s.executor(true).spawn(2, "spinner")
	for range n {
		s.after(time.Microsecond).begin(2).after(time.Microsecond)
		s.q++
		s.wakeBy(2, guest.WakeTask, 2).after(time.Microsecond).end(2, false, 0)
		s.q--
	}
	return s
}

func TestYieldLoop(t *testing.T) {
	const n = 30
	m := collect(t, Options{}, yieldStream(n).evs)
	task := mustTask(t, m, 2)
	if st := task.Stats; st.Polls != n || st.Wakes != n || st.SelfWakes != n {
		t.Errorf("stats: %d polls, %d wakes, %d self; want %d each", st.Polls, st.Wakes, st.SelfWakes, n)
	}
	if task.State != Scheduled {
		t.Errorf("state = %v, want scheduled (its last poll woke it)", task.State)
	}
	for i, w := range m.Wakes {
		if !w.Self {
			t.Errorf("wake %d not marked self: %+v", i, w)
		}
	}
	for i := 1; i < n; i++ {
		if m.Polls[i].Wake != i-1 {
			t.Errorf("poll %d caused by wake %d, want %d (the previous poll's yield)", i, m.Polls[i].Wake, i-1)
		}
	}
	// A self-wake counts as scheduled only from the end of the poll it
	// happened in: 1µs per gap, plus the gap still open at End (0).
	if want := time.Duration(n-1) * time.Microsecond; task.Stats.Scheduled != want {
		t.Errorf("scheduled = %v, want %v", task.Stats.Scheduled, want)
	}
	if got := lintsOf(m, 2); len(got) != 1 || got[0] != LintSelfWakeShare {
		t.Errorf("lints = %v, want only self-wake-share (and no lost waker: it woke itself)", got)
	}
}

// heartbeatStream is tasks sleeping on the timer: each timer interrupt
// wakes one of them, alternating.
func heartbeatStream(rounds int, ids ...uint32) *stream {
	s := &stream{}
	s.executor(true)
	for _, id := range ids {
		s.spawn(id, "heartbeat").after(time.Microsecond).begin(id).after(2 * time.Microsecond).pending(id)
	}
	for r := range rounds {
		id := ids[r%len(ids)]
		s.after(time.Microsecond).sleep(500 * time.Microsecond)
		s.interrupt(timerVector, id)
		s.after(time.Microsecond).pollOnce(id, 5*time.Microsecond)
	}
	return s
}

func TestHeartbeats(t *testing.T) {
	const rounds = 40
	m := collect(t, Options{}, heartbeatStream(rounds, 3, 4).evs)
	for _, id := range []uint32{3, 4} {
		task := mustTask(t, m, id)
		if st := task.Stats; st.Polls != rounds/2+1 || st.Wakes != rounds/2 || st.SelfWakes != 0 {
			t.Errorf("task %d: %d polls, %d wakes, %d self; want %d, %d, 0",
				id, st.Polls, st.Wakes, st.SelfWakes, rounds/2+1, rounds/2)
		}
		if task.State != Idle {
			t.Errorf("task %d state = %v, want idle", id, task.State)
		}
	}
	for i, w := range m.Wakes {
		if w.Source != guest.WakeInterrupt || w.SourceID != timerVector || m.WakePoll(i) < 0 {
			t.Errorf("wake %d = %+v (poll %d), want a linked timer wake", i, w, m.WakePoll(i))
		}
	}
	if len(m.IRQs) != rounds || len(m.Idle) != rounds {
		t.Errorf("%d irqs, %d idle spans; want %d each", len(m.IRQs), len(m.Idle), rounds)
	}
	if len(m.Lints) != 0 {
		t.Errorf("lints = %+v, want none", m.Lints)
	}
}

// simpleStream is the simple executor: it polls every task in turn, with
// no wakes and no hlt. Its tasks keep no waker: it does not need one.
func simpleStream(rounds int) *stream {
	s := &stream{}
	s.executor(false).spawn(1, "a").spawn(2, "b")
	for range rounds {
		for _, id := range []uint32{1, 2} {
			s.after(time.Microsecond).begin(id).after(time.Microsecond).end(id, false, 0)
		}
	}
	return s
}

func TestSimpleExecutor(t *testing.T) {
	m := collect(t, Options{}, simpleStream(10).evs)
	if m.Executor != "simple" || len(m.Wakes) != 0 || len(m.Idle) != 0 || len(m.Polls) != 20 {
		t.Errorf("executor %q, %d wakes, %d idle, %d polls; want simple, 0, 0, 20",
			m.Executor, len(m.Wakes), len(m.Idle), len(m.Polls))
	}
	for i, p := range m.Polls {
		if p.Wake != -1 {
			t.Errorf("poll %d caused by wake %d, want -1", i, p.Wake)
		}
	}
	for _, task := range m.Tasks {
		if task.Stats.Scheduled != 0 || task.Stats.Busy != 10*time.Microsecond {
			t.Errorf("task %d: scheduled %v, busy %v; want 0, 10µs", task.ID, task.Stats.Scheduled, task.Stats.Busy)
		}
	}
	if len(m.Lints) != 0 {
		t.Errorf("lints = %+v, want none (the simple executor needs no waker)", m.Lints)
	}
}

func TestMarks(t *testing.T) {
	s := keyboardStream()
	s.after(time.Microsecond).mark(1, 7).after(time.Microsecond).mark(0, 8)
	m := collect(t, Options{}, s.evs)
	if len(m.Marks) != 2 || m.Marks[0].Task != 1 || m.Marks[0].Arg != 7 || m.Marks[1].Arg != 8 {
		t.Fatalf("marks = %+v, want task 1's 7 then 8", m.Marks)
	}
	tr, _ := exportJSON(t, m)
	tids := map[uint64]int{}
	for _, e := range tr.TraceEvents {
		if e.Cat == "mark" {
			v, _ := e.Args["value"].(json.Number).Int64()
			tids[uint64(v)] = e.Tid
		}
	}
	if tids[7] != firstTask || tids[8] != markTID {
		t.Errorf("marks exported on tids %v, want 7 on the keyboard task's (%d), 8 on marks (%d)", tids, firstTask, markTID)
	}
}
