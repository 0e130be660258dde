package benchmarks

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/pollscope/pollscope/devices/ps2"
	"github.com/pollscope/pollscope/emulator"
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
// keyboard task after it. ns/key-to-poll presses a key and releases it
// 10 ms later, as a finger does (a typist's key stays down 50-100 ms), so
// the press's interrupt and poll run alone; ns/tap-to-poll sends the press
// and the release together (Machine.PressKey, a script's `key`), so the
// release's interrupt arrives while the press is being handled and its
// handler runs before the first poll.
func BenchmarkKeyToPoll(b *testing.B) {
	forEachRing(b, func(b *testing.B, ring string) {
		m := bootReady(b, "scenario=keyboard ring="+ring)
		defer m.Close()
		held := func() {
			m.KeyDown(ps2.KeyX)
			time.Sleep(10 * time.Millisecond)
			m.KeyUp(ps2.KeyX)
			time.Sleep(10 * time.Millisecond)
		}
		tap := func() {
			m.PressKey(ps2.KeyX)
			time.Sleep(20 * time.Millisecond)
		}
		var seen int64 // key events before this time were measured already
		var typed int
		var heldLat, tapLat []int64
		for i := 0; i < b.N; i++ {
			heldLat = append(heldLat, keyToPoll(b, m, held, &typed, &seen)...)
			tapLat = append(tapLat, keyToPoll(b, m, tap, &typed, &seen)...)
		}
		b.ReportMetric(median(heldLat), "ns/key-to-poll")
		b.ReportMetric(median(tapLat), "ns/tap-to-poll")
	})
}

// keyToPoll presses the X key 20 times with press and returns, for each
// press, the time from the host's key event to the keyboard task's first
// poll after it.
func keyToPoll(b *testing.B, m *emulator.Machine, press func(), typed *int, seen *int64) []int64 {
	for range 20 {
		press()
	}
	*typed += 20
	emutest.WaitScreen(b, m, fmt.Sprintf(`x{%d}`, *typed), 10*time.Second)
	m.FlushTrace()
	model := m.Trace()
	var kbd uint32
	for _, t := range model.Tasks {
		if t.Name == "keyboard" {
			kbd = t.ID
		}
	}
	var lat []int64
	for _, e := range model.Host {
		if e.Kind != trace.HostKeyEvent || e.Arg&trace.KeyReleased != 0 || e.Time < *seen {
			continue
		}
		for _, p := range model.PollsIn(kbd, e.Time, model.End) {
			if p.Start >= e.Time {
				lat = append(lat, p.Start-e.Time)
				break
			}
		}
	}
	*seen = model.End + 1
	return lat
}
