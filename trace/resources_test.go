package trace

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/pollscope/pollscope/guest"
)

// Resource records, as the demo kernel writes them (docs/trace-abi.md,
// "Resources").

func (s *stream) resNew(id uint16, kind ResourceKind, name string) *stream {
	return s.add(kResNew, 0, uint64(id)<<48|uint64(kind)<<40|uint64(len(name))<<32|0x1000, name)
}
func (s *stream) resState(id uint16, n, capacity uint32) *stream {
	return s.add(kResState, 0, uint64(id)<<48|uint64(capacity)<<24|uint64(n), "")
}
func (s *stream) resWait(task uint32, id uint16, detail uint64) *stream {
	return s.add(kResWait, task, uint64(id)<<48|detail, "")
}
func (s *stream) resWaitEnd(task uint32, id uint16, why guest.WaitEndReason) *stream {
	return s.add(kResWaitEnd, task, uint64(id)<<48|uint64(why), "")
}
func (s *stream) resDrop(id uint16) *stream { return s.add(kResDrop, 0, uint64(id)<<48, "") }

// wakeThrough writes a wake of task id by src that came through resource
// res.
func (s *stream) wakeThrough(id uint32, src guest.WakeSourceKind, srcID uint32, res uint16) *stream {
	return s.add(kWake, id, uint64(src)<<56|uint64(res)<<32|uint64(srcID), "")
}

// timerDetail is a timer wait's detail: deadline tick and ticks left.
func timerDetail(deadline uint32, left uint16) uint64 { return uint64(left)<<32 | uint64(deadline) }

// waitUS is a wait as the tests compare it: times in µs.
type waitUS struct {
	Task       uint32
	Start, End int64
	How        WaitEnd
}

func waitsOf(m *Model, key uint32) []waitUS {
	us := int64(time.Microsecond)
	var out []waitUS
	for _, w := range m.Waits {
		if w.Resource == key {
			out = append(out, waitUS{w.Task, w.Start / us, w.End / us, w.How})
		}
	}
	for _, w := range m.OpenWaits {
		if w.Resource == key {
			out = append(out, waitUS{w.Task, w.Start / us, w.End / us, w.How})
		}
	}
	return out
}

func fillOf(l *CounterLane) [][2]int64 {
	var out [][2]int64
	for i := range l.Len() {
		out = append(out, [2]int64{l.Time(i) / int64(time.Microsecond), int64(l.Value(i))})
	}
	return out
}

// resourceByName finds the resource of that name in m.
func resourceByName(t *testing.T, m *Model, name string) *Resource {
	t.Helper()
	for i := range m.Resources {
		if m.Resources[i].Name == name {
			return &m.Resources[i]
		}
	}
	t.Fatalf("no resource %q among %+v", name, m.Resources)
	return nil
}

func TestResources(t *testing.T) {
	us := time.Microsecond
	tests := []struct {
		name   string
		stream func(s *stream)
		check  func(t *testing.T, m *Model)
	}{
		{"a channel: the receiver waits, a send wakes it through the channel", func(s *stream) {
			s.executor(true).spawn(1, "producer").spawn(2, "consumer").resNew(4, ResourceChannel, "numbers").resState(4, 0, 4)
			s.at(10*us).begin(2).resWait(2, 4, guest.ChannelWantsValue).after(us).pending(2)
			s.at(20*us).begin(1).resState(4, 1, 4).wakeThrough(2, guest.WakeTask, 1, 4).after(us).pending(1)
			s.at(30*us).begin(2).resState(4, 0, 4).after(us).pending(2)
		}, func(t *testing.T, m *Model) {
			r := resourceByName(t, m, "numbers")
			if r.Kind != ResourceChannel || r.ID != 4 || !r.Alive || r.Len != 0 || r.Capacity != 4 || r.MaxLen != 1 ||
				r.Waits != 1 || r.Wakes != 1 || r.Waiting != 0 || r.Label() != "numbers (channel) #4" {
				t.Errorf("resource %+v (%s)", *r, r.Label())
			}
			if got, want := waitsOf(m, r.Key), []waitUS{{2, 10, 20, WaitWoken}}; !slices.Equal(got, want) {
				t.Errorf("waits %v, want %v", got, want)
			}
			w := m.Waits[0]
			if w.Wake < 0 || m.Wakes[w.Wake].Task != 2 || m.Wakes[w.Wake].ResourceKey != r.Key || m.Wakes[w.Wake].Resource != 4 {
				t.Errorf("the wait ended with wake %d of %+v", w.Wake, m.Wakes)
			}
			if p := m.WakePoll(w.Wake); p < 0 || m.Polls[p].Start != int64(30*us) {
				t.Errorf("the wake through the channel led to poll %d", p)
			}
			if got, want := fillOf(m.ResourceFill(r.Key)), [][2]int64{{0, 0}, {20, 1}, {30, 0}}; !slices.Equal(got, want) {
				t.Errorf("fill %v, want %v", got, want)
			}
			if l := m.ResourceWakeLane(r.Key); l.Len() != 1 || l.Time(0) != int64(20*us) {
				t.Errorf("wake lane has %d wakes", l.Len())
			}
		}},
		{"timers: two sleeps at once take two rows; one is woken, one is taken back", func(s *stream) {
			s.executor(true).spawn(1, "a").spawn(2, "b").resNew(1, ResourceTimers, "timers").resState(1, 0, 64)
			s.at(10*us).resWait(1, 1, timerDetail(110, 10)).resState(1, 1, 64)
			s.at(20*us).resWait(2, 1, timerDetail(130, 30)).resState(1, 2, 64)
			s.at(30*us).irqEnter(32).wakeThrough(1, guest.WakeInterrupt, 32, 1).resState(1, 1, 64).irqExit(32)
			s.at(40*us).resWaitEnd(2, 1, guest.WaitTaken).resState(1, 0, 64)
			s.at(50*us).resWait(1, 1, timerDetail(200, 5)).resState(1, 1, 64)
		}, func(t *testing.T, m *Model) {
			r := resourceByName(t, m, "timers")
			if r.Waits != 3 || r.Wakes != 1 || r.Waiting != 1 || r.MaxLen != 2 || r.Len != 1 {
				t.Errorf("resource %+v", *r)
			}
			if got, want := waitsOf(m, r.Key), []waitUS{{1, 10, 30, WaitWoken}, {2, 20, 40, WaitTaken}, {1, 50, 50, WaitOpen}}; !slices.Equal(got, want) {
				t.Errorf("waits %v, want %v", got, want)
			}
			rows := m.ResourceWaitLanes(r.Key)
			if len(rows) != 2 || rows[0].Len() != 2 || rows[1].Len() != 1 {
				t.Fatalf("%d rows", len(rows))
			}
			if m.Waits[0].Slot != 0 || m.Waits[1].Slot != 1 || m.OpenWaits[0].Slot != 0 {
				t.Errorf("slots %d %d %d, want 0 1 0", m.Waits[0].Slot, m.Waits[1].Slot, m.OpenWaits[0].Slot)
			}
			// 10 ticks of the default 10 ms.
			if d, want := m.Waits[0].Deadline, int64(10*us)+100*int64(time.Millisecond); d != want {
				t.Errorf("deadline %d, want %d", d, want)
			}
			if tick, left := m.Waits[1].TimerDeadline(); tick != 130 || left != 30 {
				t.Errorf("deadline tick %d, %d left", tick, left)
			}
			if on := m.WaitingOn(r.Key); len(on) != 1 || on[0].Task != 1 {
				t.Errorf("waiting on it: %+v", on)
			}
			if recent := m.RecentWaits(r.Key, 2); len(recent) != 2 || recent[0].Start != int64(50*us) || recent[1].Start != int64(20*us) {
				t.Errorf("recent waits %+v", recent)
			}
		}},
		{"the tick's length comes from timer waits far enough apart", func(s *stream) {
			s.resNew(1, ResourceTimers, "timers").spawn(1, "a")
			s.at(time.Millisecond).resWait(1, 1, timerDetail(1000+10, 10)).resWaitEnd(1, 1, guest.WaitTaken)
			// 50 ticks in 250 ms: 5 ms a tick (200 Hz).
			s.at(251*time.Millisecond).resWait(1, 1, timerDetail(1050+4, 4))
		}, func(t *testing.T, m *Model) {
			if m.Tick != 5*time.Millisecond {
				t.Errorf("tick %v, want 5ms", m.Tick)
			}
			if w := m.OpenWaits[0]; w.Deadline != w.Start+int64(20*time.Millisecond) {
				t.Errorf("deadline %d after the start", w.Deadline-w.Start)
			}
		}},
		{"the keyboard: its queue fills in the handler, the task takes its waker back", func(s *stream) {
			s.executor(true).spawn(1, "keyboard").resNew(2, ResourceKeyboard, "keyboard").resState(2, 0, 1024)
			s.at(10*us).begin(1).resWait(1, 2, 0).after(us).pending(1)
			s.at(20*us).irqEnter(33).resState(2, 1, 1024).wakeThrough(1, guest.WakeInterrupt, 33, 2).irqExit(33)
			s.at(30*us).begin(1).resState(2, 0, 1024).resWait(1, 2, 0).resWaitEnd(1, 2, guest.WaitTaken).after(us).pending(1)
		}, func(t *testing.T, m *Model) {
			r := resourceByName(t, m, "keyboard")
			if got, want := waitsOf(m, r.Key), []waitUS{{1, 10, 20, WaitWoken}, {1, 30, 30, WaitTaken}}; !slices.Equal(got, want) {
				t.Errorf("waits %v, want %v", got, want)
			}
			if r.Wakes != 1 || r.MaxLen != 1 || r.Len != 0 || r.Capacity != 1024 {
				t.Errorf("resource %+v", *r)
			}
		}},
		{"the ready queue's fill is every record's queue field; yields wake through it", func(s *stream) {
			s.executor(true).spawn(1, "yield").resNew(3, ResourceReadyQueue, "ready-queue").resState(3, 0, 256)
			s.at(10*us).queue(1).wakeThrough(1, guest.WakeUnknown, 0, 3)
			s.at(20*us).queue(0).begin(1).queue(1).wakeThrough(1, guest.WakeTask, 1, 3).after(us).pending(1)
			s.at(30*us).queue(2).mark(0, 1)
		}, func(t *testing.T, m *Model) {
			r := resourceByName(t, m, "ready-queue")
			if r.Kind != ResourceReadyQueue || r.Len != 2 || r.MaxLen != 2 || r.Capacity != 256 || r.Wakes != 2 || r.Waits != 0 {
				t.Errorf("resource %+v", *r)
			}
			if got, want := fillOf(m.ResourceFill(r.Key)), [][2]int64{{0, 0}, {10, 1}, {20, 0}, {20, 1}, {30, 2}}; !slices.Equal(got, want) {
				t.Errorf("fill %v, want %v", got, want)
			}
			if m.ResourceFill(r.Key) != m.QueueLane() {
				t.Errorf("a ready queue's fill is not the queue lane")
			}
		}},
		{"a drop ends the waits; an id made again is a new resource", func(s *stream) {
			s.spawn(1, "rx").resNew(5, ResourceChannel, "jobs").resState(5, 0, 2)
			s.at(10*us).resWait(1, 5, guest.ChannelWantsValue)
			s.at(20 * us).resDrop(5)
			s.at(30*us).resNew(5, ResourceChannel, "jobs2").resWait(1, 5, guest.ChannelWantsRoom)
			s.at(40*us).resNew(5, ResourceChannel, "jobs3") // the id wrapped while jobs2 lived
		}, func(t *testing.T, m *Model) {
			old, mid, cur := resourceByName(t, m, "jobs"), resourceByName(t, m, "jobs2"), resourceByName(t, m, "jobs3")
			if old.Alive || old.Dropped != int64(20*us) || mid.Alive || mid.Dropped != int64(40*us) || !cur.Alive {
				t.Errorf("resources %+v", m.Resources)
			}
			if old.Key == mid.Key || mid.Key == cur.Key {
				t.Errorf("keys %d %d %d", old.Key, mid.Key, cur.Key)
			}
			if got, want := waitsOf(m, old.Key), []waitUS{{1, 10, 20, WaitDropped}}; !slices.Equal(got, want) {
				t.Errorf("waits %v, want %v", got, want)
			}
			if got, want := waitsOf(m, mid.Key), []waitUS{{1, 30, 40, WaitDropped}}; !slices.Equal(got, want) {
				t.Errorf("waits %v, want %v", got, want)
			}
			if m.Unmatched != 0 {
				t.Errorf("%d unmatched", m.Unmatched)
			}
		}},
		{"records that do not fit are counted and repaired", func(s *stream) {
			s.spawn(1, "t").resWait(1, 9, 0)              // never announced: made, unnamed
			s.after(us).resWait(1, 9, 0)                  // waits again: the first wait's end was lost
			s.after(us).resWaitEnd(2, 9, 2)               // task 2 was not waiting
			s.after(us).resWaitEnd(1, 9, 7)               // a reason the ABI does not define
			s.after(us).resDrop(12).resState(0, 1, 1)     // no such resource; id 0
			s.after(us).resWait(0, 9, 0).resNew(0, 2, "") // no task; id 0
		}, func(t *testing.T, m *Model) {
			if len(m.Resources) != 1 || m.Resources[0].Name != "" || m.Resources[0].Label() != "resource (resource-kind(0)) #9" {
				t.Fatalf("resources %+v", m.Resources)
			}
			if got, want := waitsOf(m, m.Resources[0].Key), []waitUS{{1, 0, 1, WaitReplaced}, {1, 1, 3, WaitUnknown}}; !slices.Equal(got, want) {
				t.Errorf("waits %v, want %v", got, want)
			}
			if m.Unmatched != 7 {
				t.Errorf("%d unmatched, want 7", m.Unmatched)
			}
		}},
		{"a guest that predates resources: no resources, wakes name none", func(s *stream) {
			s.executor(true).spawn(1, "t").wakeBy(1, guest.WakeTask, 1).begin(1).after(us).pending(1)
		}, func(t *testing.T, m *Model) {
			if len(m.Resources) != 0 || m.Wakes[0].Resource != 0 || m.Wakes[0].ResourceKey != 0 || m.Unmatched != 0 {
				t.Errorf("resources %+v, wake %+v, %d unmatched", m.Resources, m.Wakes[0], m.Unmatched)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &stream{}
			tt.stream(s)
			tt.check(t, collect(t, Options{}, s.evs))
		})
	}
}

// resourceStream is a short run of the demo's resources: the timer table,
// the keyboard, the ready queue and a channel, with waits, wakes through
// them and a drop (a seed for the fuzz target).
func resourceStream() *stream {
	us := time.Microsecond
	s := &stream{}
	s.executor(true).resNew(1, ResourceTimers, "timers").resNew(2, ResourceKeyboard, "keyboard")
	s.resNew(3, ResourceReadyQueue, "ready-queue").resState(3, 0, 256).resNew(4, ResourceChannel, "numbers").resState(4, 0, 4)
	s.spawn(1, "keyboard").spawn(2, "tx").spawn(3, "rx").queue(3)
	s.after(us).pollOnce(1, us).resWait(1, 2, 0).after(us).pollOnce(3, us).resWait(3, 4, 0)
	s.after(us).pollOnce(2, us).resState(4, 1, 4).wakeThrough(3, guest.WakeTask, 2, 4).resWait(2, 1, timerDetail(20, 2))
	s.after(us).irqEnter(33).resState(2, 1, 1024).wakeThrough(1, guest.WakeInterrupt, 33, 2).irqExit(33)
	s.after(us).irqEnter(32).wakeThrough(2, guest.WakeInterrupt, 32, 1).irqExit(32).resDrop(4)
	return s
}

// More waits at once than there are rows: the rest are listed, not drawn.
func TestResourceWaitRowsRunOut(t *testing.T) {
	s := &stream{}
	s.resNew(1, ResourceTimers, "timers")
	for id := uint32(1); id <= maxWaitSlots+2; id++ {
		s.spawn(id, fmt.Sprint("sleeper", id)).after(time.Microsecond).resWait(id, 1, timerDetail(100, 10))
	}
	for id := uint32(1); id <= maxWaitSlots+2; id++ {
		s.after(time.Microsecond).wakeThrough(id, guest.WakeInterrupt, 32, 1)
	}
	m := collect(t, Options{}, s.evs)
	if n := len(m.ResourceWaitLanes(m.Resources[0].Key)); n != maxWaitSlots {
		t.Errorf("%d rows, want %d", n, maxWaitSlots)
	}
	unslotted := 0
	for _, w := range m.Waits {
		if w.Slot < 0 {
			unslotted++
		}
	}
	if len(m.Waits) != maxWaitSlots+2 || unslotted != 2 {
		t.Errorf("%d waits, %d without a row", len(m.Waits), unslotted)
	}
}

// A long run of resource records under a small event cap: the lanes keep
// agreeing with the lists as items go, and the fill level stays known
// from the model's start.
func TestResourcesUnderEviction(t *testing.T) {
	us := time.Microsecond
	s := &stream{}
	s.executor(true).spawn(1, "producer").spawn(2, "consumer").resNew(4, ResourceChannel, "numbers").resNew(1, ResourceTimers, "timers")
	c := NewCollector(Options{MaxEvents: 300})
	for i := range 400 {
		s.after(10*us).resWait(2, 4, 0).resState(4, uint32(i%3), 4).wakeThrough(2, guest.WakeTask, 1, 4)
		s.after(10*us).resWait(1, 1, timerDetail(uint32(i+5), 5)).queue(uint16(i%4)).wakeThrough(1, guest.WakeInterrupt, 32, 1)
		if i%50 == 49 {
			c.Add(s.evs...)
			s.evs = s.evs[:0]
			checkModel(t, c.Snapshot())
		}
	}
	m := c.Snapshot()
	if m.Evicted == 0 {
		t.Fatalf("nothing was evicted")
	}
	r := resourceByName(t, m, "numbers")
	fill := m.ResourceFill(r.Key)
	if _, ok := fill.Before(); !ok {
		t.Errorf("the channel's fill before its first kept sample is not known")
	}
	if v, ok := fill.ValueAt(m.Start); !ok || v < 0 || v > 2 {
		t.Errorf("fill at the model's start: %d, %v", v, ok)
	}
	if r.Wakes != 400 || r.Waits != 400 {
		t.Errorf("the counts lost what eviction dropped: %+v", *r)
	}
}

// checkResources checks what must hold of every model's resources: sorted
// lists, waits that agree with their wakes, rows that agree with the
// lists, fill lanes in order with true block maxima.
func checkResources(t testing.TB, m *Model) {
	t.Helper()
	keys := map[uint32]*Resource{}
	for i := range m.Resources {
		r := &m.Resources[i]
		if i > 0 && r.Key <= m.Resources[i-1].Key {
			t.Errorf("resources not sorted by key at %d", i)
		}
		keys[r.Key] = r
		if got, ok := m.Resource(r.Key); !ok || got.Key != r.Key {
			t.Errorf("Resource(%d) does not find it", r.Key)
		}
	}
	for i, w := range m.Waits {
		if i > 0 && w.End < m.Waits[i-1].End {
			t.Errorf("waits not sorted by end at %d", i)
		}
		if w.End < w.Start || w.How == WaitOpen {
			t.Errorf("wait %d: %+v", i, w)
		}
		if w.How == WaitWoken && w.Wake >= 0 {
			if w.Wake >= len(m.Wakes) {
				t.Errorf("wait %d: wake %d of %d", i, w.Wake, len(m.Wakes))
			} else if k := m.Wakes[w.Wake]; k.Task != w.Task || k.ResourceKey != w.Resource || k.Time != w.End {
				t.Errorf("wait %d %+v ended by wake %+v", i, w, k)
			}
		} else if w.How != WaitWoken && w.Wake != -1 {
			t.Errorf("wait %d ended %v names wake %d", i, w.How, w.Wake)
		}
	}
	waiting := map[uint32]int{}
	for i, w := range m.OpenWaits {
		waiting[w.Resource]++
		if w.How != WaitOpen || w.End < w.Start || (i > 0 && w.Start < m.OpenWaits[i-1].Start) {
			t.Errorf("open wait %d: %+v", i, w)
		}
	}
	for key, r := range keys {
		if r.Waiting != waiting[key] {
			t.Errorf("%s: %d waiting, %d open waits", r.Label(), r.Waiting, waiting[key])
		}
		listed := 0
		for _, w := range m.Waits {
			if w.Resource == key && w.Slot >= 0 {
				listed++
			}
		}
		drawn := 0
		for slot, l := range m.ResourceWaitLanes(key) {
			for i := range l.Len() {
				if i > 0 && l.Start(i) < l.End(i-1) {
					t.Errorf("%s row %d: span %d overlaps the one before", r.Label(), slot, i)
				}
				w, ok := m.LaneResourceWait(key, slot, i)
				if !ok || w.Resource != key || w.Slot != slot || w.Start != l.Start(i) || (l.Flag(i)&SpanOpen == 0 && w.End != l.End(i)) {
					t.Errorf("%s row %d span %d [%d, %d] is wait %+v (%v)", r.Label(), slot, i, l.Start(i), l.End(i), w, ok)
				}
				if l.Flag(i)&SpanOpen == 0 {
					drawn++
				}
			}
		}
		if drawn != listed {
			t.Errorf("%s: %d waits drawn, %d listed", r.Label(), drawn, listed)
		}
		var wakeTimes []int64
		for _, w := range m.Wakes {
			if w.ResourceKey == key {
				wakeTimes = append(wakeTimes, w.Time)
			}
		}
		wl := m.ResourceWakeLane(key)
		var lane []int64
		for i := range wl.Len() {
			lane = append(lane, wl.Time(i))
		}
		if !slices.Equal(lane, wakeTimes) {
			t.Errorf("%s: wake lane %v, wakes at %v", r.Label(), lane, wakeTimes)
		}
		checkCounterLane(t, r.Label(), m.ResourceFill(key))
		if f := m.ResourceFill(key); r.Kind != ResourceReadyQueue && f.Len() > 0 && f.Value(f.Len()-1) != r.Len {
			t.Errorf("%s: holds %d, its fill lane ends at %d", r.Label(), r.Len, f.Value(f.Len()-1))
		}
	}
	checkCounterLane(t, "ready queue", m.QueueLane())
	if q := m.QueueLane(); q.Len() != len(m.Queue) {
		t.Errorf("queue lane has %d samples, Queue %d", q.Len(), len(m.Queue))
	}
}

func checkCounterLane(t testing.TB, name string, l *CounterLane) {
	t.Helper()
	n := l.Len()
	for i := 1; i < n; i++ {
		if l.Time(i) < l.Time(i-1) {
			t.Errorf("%s: fill samples out of order at %d", name, i)
		}
	}
	for _, r := range [][2]int{{0, n}, {1, n - 1}, {n / 3, n/3 + 70}, {5, 200}, {63, 130}} {
		i, j := max(r[0], 0), min(r[1], n)
		if i >= j {
			continue
		}
		want := l.Value(i)
		for k := i; k < j; k++ {
			want = max(want, l.Value(k))
		}
		if got := l.Max(i, j); got != want {
			t.Errorf("%s: Max(%d, %d) = %d, want %d", name, i, j, got, want)
		}
	}
}

// A task that exits with a wait still open (its ResourceWaitEnd lost) has
// that wait ended at its exit, as dropped; and no resource holds more open
// waits than the task table has tasks, whatever the stream says.
func TestOpenWaitsAreBounded(t *testing.T) {
	s := &stream{}
	s.resNew(1, ResourceChannel, "numbers")
	s.spawn(1, "consumer").after(time.Microsecond).resWait(1, 1, 0)
	s.after(time.Microsecond).exit(1)
	m := collect(t, Options{}, s.evs)
	r := m.Resources[0]
	if r.Waiting != 0 || len(m.Waits) != 1 || m.Waits[0].How != WaitDropped || m.Waits[0].End != m.End {
		t.Fatalf("after the task's exit: %d waiting, waits %+v; want the wait ended, dropped, at the exit", r.Waiting, m.Waits)
	}

	const maxTasks = 16
	s = &stream{}
	s.resNew(1, ResourceChannel, "numbers")
	for id := uint32(1); id <= 3*maxTasks; id++ {
		s.after(time.Microsecond).resWait(id, 1, 0)
	}
	m = collect(t, Options{MaxTasks: maxTasks}, s.evs)
	if r := m.Resources[0]; r.Waiting != maxTasks || m.Unmatched < 2*maxTasks {
		t.Fatalf("%d waiting, %d unmatched; want %d waiting and the rest unmatched", r.Waiting, m.Unmatched, maxTasks)
	}
}
