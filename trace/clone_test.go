package trace

import (
	"reflect"
	"testing"
	"time"
)

// A clone goes on as the original would: fed the same events from the
// clone's time on, both give the same model, and neither disturbs the
// other's snapshots, taken before or after.
func TestClone(t *testing.T) {
	streams := []struct {
		name string
		evs  []Event
	}{
		{"the demo", demoStream(40).evs},
		{"resources", resourceStream().evs},
		{"a breakpoint", heldAtBreakpoint(100*time.Microsecond, true).evs},
		{"yields", yieldStream(200).evs},
	}
	for _, o := range []Options{{}, {MaxEvents: 60, MaxTasks: 3, MaxResources: 2}} {
		for _, s := range streams {
			for _, cut := range []int{0, 1, len(s.evs) / 3, len(s.evs) / 2, len(s.evs) - 1} {
				t.Run(s.name, func(t *testing.T) {
					first, rest := s.evs[:cut], s.evs[cut:]
					c := NewCollector(o)
					c.Add(first...)
					before := c.Snapshot()
					d := c.Clone()
					if !reflect.DeepEqual(d.Snapshot(), before) {
						t.Fatalf("the clone's snapshot differs from the original's")
					}
					// Feed them apart, in pieces, the original first.
					for i := 0; i < len(rest); i += 7 {
						c.Add(rest[i:min(i+7, len(rest))]...)
					}
					mid := d.Snapshot()
					if !reflect.DeepEqual(mid, before) {
						t.Fatalf("events added to the original changed the clone")
					}
					e := d.Clone() // a clone of a clone
					for i := 0; i < len(rest); i += 5 {
						d.Add(rest[i:min(i+5, len(rest))]...)
					}
					e.Add(rest...)
					want := NewCollector(o)
					want.Add(first...)
					for i := 0; i < len(rest); i += 7 {
						want.Add(rest[i:min(i+7, len(rest))]...)
					}
					wm := want.Snapshot()
					checkModel(t, d.Snapshot())
					for name, m := range map[string]*Model{"original": c.Snapshot(), "clone": d.Snapshot(), "clone of the clone": e.Snapshot()} {
						// Batches cut differently may order late host
						// events differently; the guest's side is the
						// same whatever the cut.
						if !reflect.DeepEqual(m.Tasks, wm.Tasks) || !reflect.DeepEqual(m.Polls, wm.Polls) || !reflect.DeepEqual(m.Resources, wm.Resources) ||
							!reflect.DeepEqual(m.Waits, wm.Waits) || m.EventCount != wm.EventCount {
							t.Errorf("the %s's model differs from one fed the same events", name)
						}
					}
					if !reflect.DeepEqual(c.Snapshot(), wm) {
						t.Errorf("the original's model differs from one fed the same batches")
					}
					if !reflect.DeepEqual(before, mid) {
						t.Errorf("the snapshot taken before cloning changed")
					}
				})
			}
		}
	}
}

// BenchmarkClone clones a collector holding a million events (what a
// session viewer's checkpoint costs).
func BenchmarkClone(b *testing.B) {
	evs, _ := benchStream()
	c := NewCollector(Options{})
	c.Add(evs...)
	for b.Loop() {
		c.Clone()
	}
}
