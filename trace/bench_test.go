package trace

import (
	"testing"
	"time"
)

// benchStream is a long stretch of the demo's events and how long it lasts.
func benchStream() ([]Event, int64) {
	s := demoStream(4000)
	return s.evs, s.t + int64(time.Microsecond)
}

// feed adds evs in batches of 256, shifted by offset, through scratch.
func feed(c *Collector, evs []Event, offset int64, scratch []Event) {
	for i := 0; i < len(evs); i += len(scratch) {
		n := copy(scratch, evs[i:])
		for j := range scratch[:n] {
			scratch[j].Time += offset
		}
		c.Add(scratch[:n]...)
	}
}

func BenchmarkAdd(b *testing.B) {
	evs, span := benchStream()
	scratch := make([]Event, 256)
	c := NewCollector(Options{})
	b.ReportAllocs()
	added, pass := 0, int64(0)
	start := time.Now()
	for b.Loop() {
		feed(c, evs, pass*span, scratch)
		added += len(evs)
		pass++
	}
	b.ReportMetric(float64(added)/time.Since(start).Seconds(), "events/s")
	b.ReportMetric(float64(len(evs)), "events/op")
}

func BenchmarkSnapshot(b *testing.B) {
	evs, span := benchStream()
	scratch := make([]Event, 256)
	c := NewCollector(Options{})
	var pass int64
	for c.Snapshot().EventCount < 1_000_000 {
		feed(c, evs, pass*span, scratch)
		pass++
	}
	m := c.Snapshot()
	b.Logf("%d events added, %d items stored, %d tasks", m.EventCount, stored(m), len(m.Tasks))

	b.Run("unchanged", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c.Snapshot()
		}
	})
	b.Run("after-an-event", func(b *testing.B) {
		b.ReportAllocs()
		t := pass * span
		for b.Loop() {
			t++
			c.Add(Event{Time: t, Kind: HostExit, Name: "hlt"})
			c.Snapshot()
		}
	})
}

func BenchmarkWritePerfetto(b *testing.B) {
	evs, _ := benchStream()
	c := NewCollector(Options{})
	c.Add(evs...)
	m := c.Snapshot()
	b.ReportAllocs()
	for b.Loop() {
		if err := m.WritePerfetto(discard{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(evs)), "events/op")
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
