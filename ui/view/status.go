package view

import (
	"time"

	"github.com/pollscope/pollscope/trace"
)

// RateMeter turns a growing counter into a rate per second over the last
// second or so.
type RateMeter struct {
	samples []rateSample
}

type rateSample struct {
	at    time.Duration
	count uint64
}

// Add records the counter's value at time now and returns the rate.
func (r *RateMeter) Add(now time.Duration, count uint64) float64 {
	if n := len(r.samples); n > 0 && count < r.samples[n-1].count {
		r.samples = r.samples[:0] // the counter restarted (a reset machine)
	}
	r.samples = append(r.samples, rateSample{now, count})
	// Keep one sample at least a second old as the base.
	k := 0
	for k+1 < len(r.samples) && now-r.samples[k+1].at >= time.Second {
		k++
	}
	r.samples = r.samples[k:]
	base := r.samples[0]
	dt := now - base.at
	if dt <= 0 {
		return 0
	}
	return float64(count-base.count) / dt.Seconds()
}

// Status is what the status bar shows besides the trace's own counters.
type Status struct {
	Backend string // the machine's backend, as the status bar shows it ("KVM")
	// Host says what the backend runs on: the kind of KVM host, or that
	// the software CPU runs (deterministically).
	Host       string
	VM         string // "running", "paused", "guest exited with 1", ...
	Paused     bool
	Stopped    bool // stopped in the debugger (the CPU's, not the pause's)
	Ended      bool
	EventsRate float64
	ExitsRate  float64
	Message    string // the last action's outcome ("saved ...")
	MessageBad bool
}

// Uptime is how long the guest has run, its pauses left out: the machine's
// clock (the trace's time axis) runs on while the vCPU is paused, and host
// events (a key typed into a paused guest) move the trace's end.
type Uptime struct {
	pausedTotal time.Duration // wall time spent in the pauses that ended
	pausedAt    time.Duration // wall time the current pause began
	paused      bool
	shown       time.Duration
}

// At returns the uptime to show for the model m, whether the guest is
// paused, and the wall time now: while paused, the uptime at the pause;
// once running again, the trace's end less the time spent paused. It
// never goes back.
func (u *Uptime) At(m *trace.Model, paused bool, now time.Duration) time.Duration {
	switch {
	case paused && !u.paused:
		u.paused, u.pausedAt = true, now
	case !paused && u.paused:
		u.paused = false
		u.pausedTotal += now - u.pausedAt
	}
	if !paused && m != nil {
		u.shown = max(u.shown, time.Duration(m.End)-u.pausedTotal)
	}
	return u.shown
}
