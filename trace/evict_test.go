package trace

import (
	"testing"
	"time"
)

// stored counts the items a model holds against Options.MaxEvents.
func stored(m *Model) int {
	return len(m.Polls) + len(m.Wakes) + len(m.IRQs) + len(m.Idle) + len(m.Host) + len(m.Queue) + len(m.Marks)
}

func TestEvictionKeepsMemoryBounded(t *testing.T) {
	const maxEvents = 60
	s := heartbeatStream(200, 3, 4)
	c := NewCollector(Options{MaxEvents: maxEvents})
	var first *Model
	for i := 0; i < len(s.evs); i += 7 {
		c.Add(s.evs[i:min(i+7, len(s.evs))]...)
		m := c.Snapshot()
		checkModel(t, m)
		if n := stored(m); n > maxEvents {
			t.Fatalf("after %d events: %d items stored, cap %d", i+7, n, maxEvents)
		}
		if first == nil {
			first = m
		}
	}
	m := c.Snapshot()
	if m.Evicted == 0 || m.Start <= first.Start {
		t.Errorf("evicted %d, start %d (was %d): want evictions and a later start", m.Evicted, m.Start, first.Start)
	}
	all := collect(t, Options{}, s.evs)
	if uint64(stored(m))+m.Evicted != uint64(stored(all)) {
		t.Errorf("stored %d + evicted %d != %d items stored without a cap", stored(m), m.Evicted, stored(all))
	}
	// Statistics are cumulative: they count what was evicted.
	if st := mustTask(t, m, 3).Stats; st.Polls != 101 || st.Wakes != 100 {
		t.Errorf("task 3: %d polls, %d wakes; want 101 and 100 despite eviction", st.Polls, st.Wakes)
	}
	// The ready-queue length stays known from Start on.
	if len(m.Queue) == 0 || m.Queue[0].Time > m.Start {
		t.Errorf("first queue sample %+v after start %d", m.Queue[:min(1, len(m.Queue))], m.Start)
	}
}

func TestEvictionRebasesLinks(t *testing.T) {
	tests := []struct {
		name string
		s    *stream
	}{
		{"heartbeats", heartbeatStream(100, 3, 4)},
		{"yield loop", yieldStream(100)},
		{"demo", demoStream(100)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := collect(t, Options{MaxEvents: 50}, tt.s.evs)
			if m.Evicted == 0 {
				t.Fatalf("nothing evicted")
			}
			linked := 0
			for _, p := range m.Polls {
				if p.Wake >= 0 {
					linked++
				}
			}
			if linked == 0 {
				t.Errorf("no poll links to a retained wake after eviction")
			}
			// checkModel (in collect) verified every link both ways.
		})
	}
}

func TestEvictionWithEqualTimes(t *testing.T) {
	// Everything at one time: no single cut time splits it, so each list
	// loses its oldest items in proportion.
	c := NewCollector(Options{MaxEvents: 20})
	for i := range 100 {
		c.Add(Event{Time: 5, Kind: HostExit, Arg: uint64(i), Name: "hlt"})
	}
	m := c.Snapshot()
	checkModel(t, m)
	if n := len(m.Host); n > 20 || n < 10 {
		t.Errorf("%d host events kept, want between 10 and 20", n)
	}
	if last := m.Host[len(m.Host)-1].Arg; last != 99 {
		t.Errorf("last host event kept is %d, want the newest (99)", last)
	}
	if m.Evicted+uint64(len(m.Host)) != 100 {
		t.Errorf("evicted %d + kept %d != 100", m.Evicted, len(m.Host))
	}
}

func TestTaskTableEviction(t *testing.T) {
	s := &stream{}
	s.executor(true)
	for id := uint32(1); id <= 10; id++ {
		s.after(time.Microsecond).spawn(id, "short").begin(id).after(time.Microsecond).end(id, true, 0)
	}
	m := collect(t, Options{MaxTasks: 4}, s.evs)
	if len(m.Tasks) > 4 || m.Tasks[len(m.Tasks)-1].ID != 10 {
		t.Errorf("tasks = %d, last %d; want at most 4, the newest kept", len(m.Tasks), m.Tasks[len(m.Tasks)-1].ID)
	}
	if len(m.Polls) != 10 || m.Evicted != uint64(10-len(m.Tasks)) {
		t.Errorf("%d polls, %d evicted; want all 10 polls kept and the dropped tasks counted", len(m.Polls), m.Evicted)
	}
	if got := m.PollsIn(1, 0, m.End+1); len(got) != 1 {
		t.Errorf("polls of evicted task 1: %d, want its 1 poll still there", len(got))
	}

	s = &stream{}
	for id := uint32(1); id <= 6; id++ {
		s.after(time.Microsecond).spawn(id, "alive")
	}
	m = collect(t, Options{MaxTasks: 4}, s.evs)
	if len(m.Tasks) != 4 || m.Unmatched != 2 {
		t.Errorf("6 live tasks with MaxTasks 4: %d kept, %d unmatched; want 4 and 2", len(m.Tasks), m.Unmatched)
	}
}
