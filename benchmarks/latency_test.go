package benchmarks

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/pollscope/pollscope/devices/ps2"
	"github.com/pollscope/pollscope/emulator/emutest"
	"github.com/pollscope/pollscope/trace"
)

// median of durations in ns.
func median(xs []int64) float64 {
	if len(xs) == 0 {
		return 0
	}
	sort.Slice(xs, func(i, j int) bool { return xs[i] < xs[j] })
	return float64(xs[len(xs)/2])
}

// BenchmarkTimerInterruptLatency: from the PIT raising IRQ 0 (host time) to
// the guest's timer handler entry (guest TSC on the same axis), over a
// second of a 1000 Hz guest, read from the merged trace.
func BenchmarkTimerInterruptLatency(b *testing.B) {
	forEachRing(b, func(b *testing.B, ring string) {
		var lat []int64
		for i := 0; i < b.N; i++ {
			m := bootReady(b, "hz=1000 scenario=keyboard ring="+ring)
			time.Sleep(time.Second)
			m.FlushTrace()
			model := m.Trace()
			lat = append(lat, raiseToHandler(model, 0, 32)...)
			m.Close()
		}
		if len(lat) == 0 {
			b.Fatal("no IRQ 0 raise matched a handler entry")
		}
		b.ReportMetric(median(lat), "ns/irq-latency")
	})
}

// raiseToHandler pairs each guest handler entry for vector with the latest
// raise of ISA line irq before it: the raise that handler answers. (Pairing
// each raise with the next handler instead drifts: an edge that arrives
// while the previous request is still pending is latched once, not twice.)
func raiseToHandler(model *trace.Model, irq uint64, vector uint8) []int64 {
	var raises []int64
	for _, e := range model.Host {
		if e.Kind == trace.HostIRQRaise && e.Arg == irq {
			raises = append(raises, e.Time)
		}
	}
	var out []int64
	for _, s := range model.IRQs {
		if s.Vector != vector {
			continue
		}
		i := sort.Search(len(raises), func(i int) bool { return raises[i] > s.Start }) - 1
		if i >= 0 {
			out = append(out, s.Start-raises[i])
		}
	}
	return out
}

// BenchmarkKeyToPoll: from a host key press to the first poll of the guest's
// keyboard task after it.
func BenchmarkKeyToPoll(b *testing.B) {
	forEachRing(b, func(b *testing.B, ring string) { keyToPoll(b, "scenario=keyboard ring="+ring) })
}

func keyToPoll(b *testing.B, cmdline string) {
	m := bootReady(b, cmdline)
	defer m.Close()
	var lat []int64
	var seen int64 // key events before this time were measured already
	for i := 0; i < b.N; i++ {
		for k := 0; k < 20; k++ {
			m.PressKey(ps2.KeyX)
			time.Sleep(20 * time.Millisecond)
		}
		emutest.WaitScreen(b, m, fmt.Sprintf(`x{%d}`, 20*(i+1)), 10*time.Second)
		m.FlushTrace()
		model := m.Trace()
		var kbd uint32
		for _, t := range model.Tasks {
			if t.Name == "keyboard" {
				kbd = t.ID
			}
		}
		for _, e := range model.Host {
			if e.Kind != trace.HostKeyEvent || e.Arg&(1<<31) != 0 || e.Time < seen {
				continue
			}
			for _, p := range model.PollsIn(kbd, e.Time, model.End) {
				if p.Start >= e.Time {
					lat = append(lat, p.Start-e.Time)
					break
				}
			}
		}
		seen = model.End + 1
	}
	b.ReportMetric(median(lat), "ns/key-to-poll")
}
