package view

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/pollscope/pollscope/emulator"
	"github.com/pollscope/pollscope/trace"
)

// benchEvents is how many events the frame benchmark's trace holds.
const benchEvents = 5_000_000

var benchTrace = sync.OnceValues(func() (*trace.Collector, *stream) {
	c := trace.NewCollector(trace.Options{MaxEvents: 2 * benchEvents})
	s := demoStream(0)
	c.Add(s.evs...)
	for c.Snapshot().EventCount < benchEvents {
		s.evs = s.evs[:0]
		s.more(10_000)
		c.Add(s.evs...)
	}
	return c, s
})

// more appends rounds of the demo's activity to s (see demoStream).
func (s *stream) more(rounds int) {
	d := demoStream(rounds)
	for i := range d.evs {
		if d.evs[i].Kind == gk(1) || d.evs[i].Kind == gk(9) { // spawns and the executor start: once only
			continue
		}
		e := d.evs[i]
		e.Time += s.t
		s.evs = append(s.evs, e)
	}
	s.t += d.t
}

func frameInput(m *trace.Model) FrameInput {
	var scr emulator.Screen
	for r := range emulator.ScreenRows {
		for c := range emulator.ScreenCols {
			scr.Cells[r][c] = emulator.ScreenCell{Char: byte('A' + (r+c)%26), Attr: 0x07}
		}
	}
	return FrameInput{W: 1600, H: 1000, Model: m, Screen: &scr, Status: Status{Backend: "KVM", VM: "running"}}
}

// BenchmarkFrame measures the view model's work for one frame (layout,
// level of detail, arrows, table, scene) on a trace of five million events,
// at several zooms, and reports the median and worst frame. The same view
// of the same snapshot keeps its timeline items (see Timeline.Build), as a
// frozen or paused window does; "panning" and "appending" recompute them
// every frame. The first frame is reported as first-frame-ms.
func BenchmarkFrame(b *testing.B) {
	c, s := benchTrace()
	m := c.Snapshot()
	b.Logf("%d events, %d polls, %d wakes, %d interrupts, %d host events over %s", m.EventCount, len(m.Polls), len(m.Wakes), len(m.IRQs), len(m.Host), FormatDuration(time.Duration(m.End-m.Start)))
	a := NewApp()
	var sc Scene
	t0 := time.Now()
	a.Frame(frameInput(m), &sc)
	first := time.Since(t0)

	report := func(b *testing.B, times []time.Duration) {
		slices.Sort(times)
		ms := func(d time.Duration) float64 { return float64(d) / 1e6 }
		b.ReportMetric(ms(times[len(times)/2]), "median-ms")
		b.ReportMetric(ms(times[len(times)-1]), "worst-ms")
		b.ReportMetric(float64(len(a.Timeline.Items)), "items")
		b.ReportMetric(ms(first), "first-frame-ms")
	}
	views := []struct {
		name   string
		follow bool
		view   Viewport
	}{
		{"whole-trace", false, Viewport{m.Start, m.End}},
		{"live-4s", true, Viewport{0, DefaultSpan}},
		{"live-100ms", true, Viewport{0, 100e6}},
		{"1ms", false, Viewport{m.End / 2, m.End/2 + 1e6}},
	}
	for _, v := range views {
		b.Run(v.name, func(b *testing.B) {
			a.Follow, a.View = v.follow, v.view
			in := frameInput(m)
			var times []time.Duration
			for b.Loop() {
				t := time.Now()
				a.Frame(in, &sc)
				times = append(times, time.Since(t))
			}
			report(b, times)
		})
	}
	// The user drags a frozen view: each frame shows another stretch, so
	// nothing drawn before can be kept.
	b.Run("whole-trace-panning", func(b *testing.B) {
		a.Follow, a.View = false, Viewport{m.Start, m.End}
		in := frameInput(m)
		step := (m.End - m.Start) / 1000
		var times []time.Duration
		for b.Loop() {
			a.View = a.View.Pan(step)
			t := time.Now()
			a.Frame(in, &sc)
			times = append(times, time.Since(t))
		}
		report(b, times)
	})
	// The guest keeps running: each frame 1,200 more events arrive (72k/s
	// at 60 frames a second), the frame takes a new snapshot and the index
	// takes them in.
	b.Run("live-4s-appending", func(b *testing.B) {
		a.Follow, a.View = true, Viewport{0, DefaultSpan}
		var times []time.Duration
		for b.Loop() {
			s.evs = s.evs[:0]
			s.more(100)
			c.Add(s.evs...)
			t := time.Now()
			a.Frame(frameInput(c.Snapshot()), &sc)
			times = append(times, time.Since(t))
		}
		report(b, times)
	})
}
