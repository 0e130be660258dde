package view

import "time"

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
	Backend    string // "KVM"
	VM         string // "running", "paused", "guest exited with 1", ...
	Paused     bool
	CanPause   bool // the machine has Pause/Resume
	Ended      bool
	EventsRate float64
	ExitsRate  float64
	Message    string // the last action's outcome ("saved ...")
	MessageBad bool
}
