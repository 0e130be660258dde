package trace

import (
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"
)

// deepCopy copies a model's slices so later comparisons see changes made
// through shared storage.
func deepCopy(m *Model) Model {
	c := *m
	c.Tasks, c.Polls, c.Wakes = slices.Clone(m.Tasks), slices.Clone(m.Polls), slices.Clone(m.Wakes)
	c.IRQs, c.Idle, c.Host = slices.Clone(m.IRQs), slices.Clone(m.Idle), slices.Clone(m.Host)
	c.Queue, c.Marks, c.Lints = slices.Clone(m.Queue), slices.Clone(m.Marks), slices.Clone(m.Lints)
	c.OpenPolls, c.OpenIRQs, c.OpenIdle = slices.Clone(m.OpenPolls), slices.Clone(m.OpenIRQs), slices.Clone(m.OpenIdle)
	c.Keys = slices.Clone(m.Keys)
	c.lanes = copyLanes(m.lanes)
	for i := range c.Tasks {
		st := &c.Tasks[i].Stats
		st.PollTime.counts = slices.Clone(st.PollTime.counts)
		st.WakeLatency.counts = slices.Clone(st.WakeLatency.counts)
	}
	return c
}

func copySpans(l *SpanList) *SpanList {
	if l == nil {
		return nil
	}
	c := *l
	c.starts, c.spans = slices.Clone(l.starts), slices.Clone(l.spans)
	return &c
}

func copyInstants(l *Instants) *Instants {
	if l == nil {
		return nil
	}
	return &Instants{times: slices.Clone(l.times), flags: slices.Clone(l.flags)}
}

func copyLanes(x *laneIndex) *laneIndex {
	c := &laneIndex{
		tasks: map[uint32]taskLaneViews{}, irqs: map[uint8]*SpanList{}, exits: map[string]*Instants{},
		vectors: slices.Clone(x.vectors), exitKinds: slices.Clone(x.exitKinds),
		idle: copySpans(x.idle), keys: copyInstants(x.keys),
	}
	for id, t := range x.tasks {
		c.tasks[id] = taskLaneViews{copySpans(t.polls), copySpans(t.waits)}
	}
	for v, l := range x.irqs {
		c.irqs[v] = copySpans(l)
	}
	for k, l := range x.exits {
		c.exits[k] = copyInstants(l)
	}
	return c
}

func TestSnapshotIsImmutable(t *testing.T) {
	s := demoStream(400)
	half := len(s.evs) / 2
	c := NewCollector(Options{MaxEvents: 500})
	c.Add(s.evs[:half]...)
	m := c.Snapshot()
	want := deepCopy(m)
	// More events: polls end, wakes link, histograms grow, host events
	// arrive out of order, and eviction rewrites the lists.
	c.Add(s.evs[half:]...)
	c.Add(Event{Time: 0, Kind: HostIRQRaise, Arg: 1})
	after := c.Snapshot()
	if after == m || after.EventCount == m.EventCount {
		t.Fatalf("no new snapshot after adding events")
	}
	if after.Evicted == 0 {
		t.Fatalf("nothing evicted: the test does not exercise eviction")
	}
	got := deepCopy(m)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the first snapshot changed after more events were added")
	}
	for _, task := range m.Tasks {
		p := task.Stats.PollTime
		p.Record(time.Hour) // a caller recording into a snapshot's histogram copies it
	}
	if !reflect.DeepEqual(deepCopy(c.Snapshot()), deepCopy(after)) {
		t.Errorf("recording into a snapshot's histogram changed the collector")
	}
}

func TestSnapshotIsCachedUntilSomethingChanges(t *testing.T) {
	c := NewCollector(Options{})
	c.Add(keyboardStream().evs...)
	a, b := c.Snapshot(), c.Snapshot()
	if a != b {
		t.Errorf("two snapshots without a change are different models")
	}
	c.SetDropped(3)
	if d := c.Snapshot(); d == a || d.Dropped != 3 {
		t.Errorf("after SetDropped(3): same model %v, dropped %d", d == a, d.Dropped)
	}
	c.AddMalformed(2)
	if m := c.Snapshot(); m.Malformed != 2 {
		t.Errorf("malformed = %d, want 2", m.Malformed)
	}
}

func TestConcurrentAddAndSnapshot(t *testing.T) {
	s := demoStream(300)
	c := NewCollector(Options{MaxEvents: 300})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < len(s.evs); i += 5 {
			c.Add(s.evs[i:min(i+5, len(s.evs))]...)
		}
	}()
	ch, cancel := c.Subscribe(16)
	defer cancel()
	for range 50 {
		m := c.Snapshot()
		checkModel(t, m)
		for _, task := range m.Tasks {
			_ = task.Stats.PollTime.Quantile(0.99)
		}
		select {
		case <-ch:
		default:
		}
	}
	wg.Wait()
	if m := c.Snapshot(); m.EventCount != uint64(len(s.evs)) {
		t.Errorf("event count %d, want %d", m.EventCount, len(s.evs))
	}
}
