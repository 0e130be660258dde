package trace

import (
	"bytes"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pollscope/pollscope/guest"
)

// spansOf lists a lane's spans as [start, end] pairs in µs, with its flags.
type laneSpanUS struct {
	Start, End int64
	Flag       SpanFlag
}

func spansOf(l *SpanList) []laneSpanUS {
	us := int64(time.Microsecond)
	var out []laneSpanUS
	for i := range l.Len() {
		out = append(out, laneSpanUS{l.Start(i) / us, l.End(i) / us, l.Flag(i)})
	}
	return out
}

func TestLanes(t *testing.T) {
	us := time.Microsecond
	type lanes struct{ polls, waits, irq33, irq32, idle []laneSpanUS }
	tests := []struct {
		name   string
		stream func(s *stream)
		want   lanes
	}{
		{"an interrupt wakes the task out of hlt, and it is polled", func(s *stream) {
			s.spawn(1, "kbd").at(10*us).idleEnter().at(20*us).irqEnter(33).at(21*us).wakeBy(1, guest.WakeInterrupt, 33)
			s.at(22 * us).irqExit(33).at(23 * us).idleExit().at(25 * us).begin(1).at(30 * us).pending(1)
		}, lanes{
			polls: []laneSpanUS{{25, 30, 0}},
			waits: []laneSpanUS{{21, 25, 0}},
			irq33: []laneSpanUS{{20, 22, 0}},
			idle:  []laneSpanUS{{10, 23, 0}},
		}},
		{"what is still open ends at End, flagged open", func(s *stream) {
			s.spawn(1, "t").at(5*us).begin(1).at(8*us).wakeBy(1, guest.WakeTask, 1).at(10*us).end(1, true, 0)
			s.at(12*us).irqEnter(32).at(14*us).hostExit(1, "port-io")
		}, lanes{
			polls: []laneSpanUS{{5, 10, SpanReady}},
			irq32: []laneSpanUS{{12, 14, SpanOpen}},
		}},
		{"a task woken during its own poll waits from that wake", func(s *stream) {
			s.spawn(1, "yield").at(5*us).begin(1).at(7*us).wakeBy(1, guest.WakeTask, 1).at(9 * us).pending(1)
			s.at(12*us).begin(1).at(20*us).hostExit(1, "hlt")
		}, lanes{
			polls: []laneSpanUS{{5, 9, 0}, {12, 20, SpanOpen}},
			waits: []laneSpanUS{{7, 12, 0}},
		}},
		{"a woken task not yet polled waits until End", func(s *stream) {
			s.spawn(1, "t").at(5*us).wakeBy(1, guest.WakeUnknown, 0).at(9*us).idleEnter().at(11*us).hostExit(1, "hlt")
		}, lanes{
			waits: []laneSpanUS{{5, 11, SpanOpen}},
			idle:  []laneSpanUS{{9, 11, SpanOpen}},
		}},
		{"a nested handler is in its lane before the outer one ends", func(s *stream) {
			s.at(1*us).irqEnter(32).at(2*us).irqEnter(33).at(3*us).irqExit(33).at(6*us).hostExit(1, "hlt")
		}, lanes{
			irq32: []laneSpanUS{{1, 6, SpanOpen}},
			irq33: []laneSpanUS{{2, 3, 0}},
		}},
		{"a handler nested in its own vector is part of the outer one", func(s *stream) {
			s.at(1 * us).irqEnter(32).at(2 * us).irqEnter(32).at(3 * us).irqExit(32).at(4 * us).irqExit(32)
		}, lanes{irq32: []laneSpanUS{{1, 4, 0}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &stream{}
			tt.stream(s)
			m := collect(t, Options{}, s.evs)
			got := lanes{spansOf(m.PollLane(1)), spansOf(m.WaitLane(1)), spansOf(m.IRQLane(33)), spansOf(m.IRQLane(32)), spansOf(m.IdleLane())}
			for _, c := range []struct {
				name      string
				got, want []laneSpanUS
			}{{"polls", got.polls, tt.want.polls}, {"waits", got.waits, tt.want.waits}, {"vector 33", got.irq33, tt.want.irq33},
				{"vector 32", got.irq32, tt.want.irq32}, {"idle", got.idle, tt.want.idle}} {
				if !slices.Equal(c.got, c.want) {
					t.Errorf("%s lane %v, want %v", c.name, c.got, c.want)
				}
			}
		})
	}
}

func TestLaneBusySums(t *testing.T) {
	s := &stream{}
	s.spawn(1, "t")
	for i := range 10 {
		s.at(time.Duration(i*10) * time.Microsecond).begin(1).after(time.Duration(i+1) * time.Microsecond).pending(1)
	}
	s.at(100*time.Microsecond).begin(1).at(104*time.Microsecond).hostExit(1, "hlt")
	m := collect(t, Options{}, s.evs)
	l := m.PollLane(1)
	if l.Len() != 11 {
		t.Fatalf("%d polls in the lane, want 11", l.Len())
	}
	us := int64(time.Microsecond)
	for _, c := range []struct{ i, j, want int }{{0, 1, 1}, {0, 10, 55}, {3, 5, 4 + 5}, {9, 11, 10 + 4}, {10, 11, 4}, {4, 4, 0}} {
		if got := l.Busy(c.i, c.j); got != int64(c.want)*us {
			t.Errorf("Busy(%d, %d) = %dµs, want %dµs", c.i, c.j, got/us, c.want)
		}
	}
	if i := l.FirstEndingAfter(45*us, 0); i != 5 {
		t.Errorf("FirstEndingAfter(45µs) = %d, want 5 (the poll at [50, 56])", i)
	}
	if i := l.FirstStartingAt(41*us, 2); i != 5 {
		t.Errorf("FirstStartingAt(41µs) = %d, want 5", i)
	}
	if i := l.FirstStartingAt(101*us, 0); i != 11 {
		t.Errorf("FirstStartingAt past the last = %d, want 11", i)
	}
}

// FirstStartingAt and FirstAt gallop; they must agree with a binary
// search from every starting point, the open span included.
func TestGallopMatchesBinarySearch(t *testing.T) {
	starts := []int64{1, 3, 3, 3, 7, 8, 8, 20, 21, 22, 40}
	c := NewCollector(Options{})
	for i, st := range starts {
		c.Add(Event{Time: st * 1000, Kind: kIdleEnter})
		if i < len(starts)-1 {
			c.Add(Event{Time: st * 1000, Kind: kIdleExit})
		}
		c.Add(Event{Time: st * 1000, Kind: HostExit, Name: "hlt"})
	}
	m := c.Snapshot()
	l, x := m.IdleLane(), m.ExitLane("hlt")
	if l.Len() != len(starts) || !l.hasOpen || x.Len() != len(starts) {
		t.Fatalf("lane of %d spans (open %v), %d exits; want %d with the last open", l.Len(), l.hasOpen, x.Len(), len(starts))
	}
	for lo := 0; lo <= len(starts); lo++ {
		for v := int64(0); v <= 42; v++ {
			want := lo + sort.Search(len(starts)-lo, func(i int) bool { return starts[lo+i] >= v })
			if got := l.FirstStartingAt(v*1000, lo); got != want {
				t.Fatalf("FirstStartingAt(%d, from %d) = %d, want %d", v, lo, got, want)
			}
			if got := x.FirstAt(v*1000, lo); got != want {
				t.Fatalf("FirstAt(%d, from %d) = %d, want %d", v, lo, got, want)
			}
		}
	}
}

// Key direction is in the model: Keys says pressed or released, the key
// lane flags releases.
func TestKeyDirection(t *testing.T) {
	s := &stream{}
	s.at(time.Microsecond).hostKey(39, "Backspace").after(time.Microsecond).hostKey(39|KeyReleased, "Backspace")
	m := collect(t, Options{}, s.evs)
	want := []KeyEvent{{Time: 1000, Code: 39, Name: "Backspace", Down: true}, {Time: 2000, Code: 39, Name: "Backspace", Down: false}}
	if !slices.Equal(m.Keys, want) {
		t.Errorf("Keys %+v, want %+v", m.Keys, want)
	}
	if l := m.KeyLane(); l.Len() != 2 || l.Flag(0) != 0 || l.Flag(1) != InstantKeyUp {
		t.Errorf("key lane %+v, want a press then a release", l)
	}
	var b bytes.Buffer
	if err := m.WritePerfetto(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"name":"key Backspace"`, `"name":"key Backspace up"`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("the Perfetto export lacks %s:\n%s", want, b.String())
		}
	}
}

func TestFinal(t *testing.T) {
	us := time.Microsecond
	ms := time.Millisecond
	tests := []struct {
		name   string
		stream func(s *stream)
		want   time.Duration
	}{
		{"nothing open: the last guest event", func(s *stream) {
			s.spawn(1, "t").at(5 * us).begin(1).at(9 * us).pending(1)
		}, 9 * us},
		{"a poll in progress: its start", func(s *stream) {
			s.spawn(1, "t").at(5*us).begin(1).at(9*us).pending(1).at(12*us).begin(1).at(20*us).mark(1, 0)
		}, 12 * us},
		{"a task waiting: its wake", func(s *stream) {
			s.spawn(1, "t").at(3*us).wakeBy(1, guest.WakeUnknown, 0).at(7 * us).idleEnter()
		}, 3 * us},
		{"host events: HostSettle before the last", func(s *stream) {
			s.spawn(1, "t").at(400*ms).begin(1).at(401*ms).pending(1).at(500*ms).hostExit(1, "hlt")
		}, 250 * ms},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &stream{}
			tt.stream(s)
			if m := collect(t, Options{}, s.evs); m.Final != int64(tt.want) {
				t.Errorf("Final = %v, want %v", time.Duration(m.Final), tt.want)
			}
		})
	}
}

// What lies before Final stays as it is: a snapshot's lanes, cut at its
// Final, read the same in every later snapshot (eviction aside).
func TestFinalHolds(t *testing.T) {
	s := demoStream(300)
	c := NewCollector(Options{})
	var snaps []*Model
	for i := 0; i < len(s.evs); i += 37 {
		c.Add(s.evs[i:min(i+37, len(s.evs))]...)
		// A host event arriving late, but within HostSettle of the last.
		c.Add(Event{Time: s.evs[i].Time - int64(time.Microsecond), Kind: HostExit, Name: "late"})
		snaps = append(snaps, c.Snapshot())
	}
	last := snaps[len(snaps)-1]
	upTo := func(l *SpanList, t int64) []laneSpanUS {
		var out []laneSpanUS
		for _, sp := range spansOf(l) {
			if sp.Start*int64(time.Microsecond) < t {
				out = append(out, sp)
			}
		}
		return out
	}
	instantsUpTo := func(l *Instants, t int64) (n int) {
		for i := range l.Len() {
			if l.Time(i) < t {
				n++
			}
		}
		return n
	}
	for i, m := range snaps {
		for _, task := range m.Tasks {
			if a, b := upTo(m.PollLane(task.ID), m.Final), upTo(last.PollLane(task.ID), m.Final); !slices.Equal(a, b) {
				t.Fatalf("snapshot %d (Final %d): task %d's polls before Final were %v, later %v", i, m.Final, task.ID, a, b)
			}
			if a, b := upTo(m.WaitLane(task.ID), m.Final), upTo(last.WaitLane(task.ID), m.Final); !slices.Equal(a, b) {
				t.Fatalf("snapshot %d (Final %d): task %d's waits before Final were %v, later %v", i, m.Final, task.ID, a, b)
			}
		}
		for _, v := range m.Vectors() {
			if a, b := upTo(m.IRQLane(v), m.Final), upTo(last.IRQLane(v), m.Final); !slices.Equal(a, b) {
				t.Fatalf("snapshot %d: vector %d before Final was %v, later %v", i, v, a, b)
			}
		}
		if a, b := instantsUpTo(m.ExitLane("late"), m.Final), instantsUpTo(last.ExitLane("late"), m.Final); a != b {
			t.Fatalf("snapshot %d: %d late exits before Final, later %d", i, a, b)
		}
	}
}

// A host event later than HostSettle behind the last one is applied at
// that bound.
func TestVeryLateHostEventIsMovedToTheBound(t *testing.T) {
	c := NewCollector(Options{})
	c.Add(Event{Time: int64(time.Second), Kind: HostExit, Name: "hlt"})
	c.Add(Event{Time: int64(100 * time.Millisecond), Kind: HostKeyEvent, Arg: 4, Name: "D"})
	m := c.Snapshot()
	checkModel(t, m)
	if len(m.Keys) != 1 || m.Keys[0].Time != int64(time.Second)-HostSettle {
		t.Errorf("keys %+v, want the key at 1s - HostSettle", m.Keys)
	}
}

// Unchanged lanes are shared between snapshots, not rebuilt.
func TestUnchangedLanesAreShared(t *testing.T) {
	c := NewCollector(Options{})
	s := &stream{}
	s.spawn(1, "a").spawn(2, "b").at(time.Microsecond).begin(1).after(time.Microsecond).pending(1)
	c.Add(s.evs...)
	m1 := c.Snapshot()
	c.Add(Event{Time: int64(5 * time.Microsecond), Kind: kPollBegin, Task: 2})
	m2 := c.Snapshot()
	if m1.lanes.tasks[1].polls != m2.lanes.tasks[1].polls {
		t.Errorf("task 1's poll lane was rebuilt though nothing of it changed")
	}
	if spansOf(m2.PollLane(2))[0].Flag != SpanOpen {
		t.Errorf("task 2's lane %v does not show its poll in progress", spansOf(m2.PollLane(2)))
	}
}
