package trace

import (
	"maps"
	"slices"
	"strconv"
)

const (
	rateBucket = 100_000_000 // ns: events/s is computed per 100 ms
	exitBucket = 1_000_000   // ns: VM exits are counted per 1 ms
)

func (x *export) writeCounters(cw *chromeWriter) {
	m := x.m
	for _, s := range m.Queue {
		cw.write(&chromeEvent{ph: 'C', name: "ready queue", pid: guestPID, tid: 0, ts: s.Time, dur: -1,
			args: []arg{numArg("length", float64(s.Value))}})
	}
	// Each resource's fill level (a ready queue's is the queue above).
	for _, r := range m.Resources {
		if r.Kind == ResourceReadyQueue {
			continue
		}
		l := m.ResourceFill(r.Key)
		for i := range l.Len() {
			cw.write(&chromeEvent{ph: 'C', name: r.Label(), pid: guestPID, tid: 0, ts: l.Time(i), dur: -1,
				args: []arg{numArg("length", float64(l.Value(i)))}})
		}
	}
	x.writeRate(cw)
	x.writeExits(cw)
}

// writeRate writes the "events/s" counter: the trace events the model holds
// (a span counts its begin and its end) per 100 ms bucket.
func (x *export) writeRate(cw *chromeWriter) {
	m := x.m
	counts := map[int64]int{}
	add := func(ts ...int64) {
		for _, t := range ts {
			counts[t/rateBucket]++
		}
	}
	for _, p := range m.Polls {
		add(p.Start, p.End)
	}
	for _, w := range m.Wakes {
		add(w.Time)
	}
	for _, s := range m.IRQs {
		add(s.Start, s.End)
	}
	for _, s := range m.Idle {
		add(s.Start, s.End)
	}
	for _, e := range m.Host {
		add(e.Time)
	}
	for _, e := range m.Marks {
		add(e.Time)
	}
	for _, p := range m.OpenPolls {
		add(p.Start)
	}
	for _, s := range m.OpenIRQs {
		add(s.Start)
	}
	for _, s := range m.OpenIdle {
		add(s.Start)
	}
	perSecond := float64(1e9 / rateBucket)
	writeBuckets(counts, func(b int64, n int) {
		cw.write(&chromeEvent{ph: 'C', name: "events/s", pid: guestPID, ts: b * rateBucket, dur: -1,
			args: []arg{numArg("rate", float64(n)*perSecond)}})
	})
}

// writeExits writes the "vm exits/ms" counter of process "host": one series
// per exit kind, one sample per millisecond that had exits.
func (x *export) writeExits(cw *chromeWriter) {
	buckets := map[int64]map[string]int{}
	kinds := map[string]bool{}
	for _, e := range x.m.Host {
		if e.Kind != HostExit {
			continue
		}
		k := e.Name
		if k == "" {
			k = "exit " + strconv.FormatUint(e.Arg, 10)
		}
		kinds[k] = true
		b := e.Time / exitBucket
		if buckets[b] == nil {
			buckets[b] = map[string]int{}
		}
		buckets[b][k]++
	}
	names := slices.Sorted(maps.Keys(kinds))
	totals := make(map[int64]int, len(buckets))
	for b, per := range buckets {
		for _, n := range per {
			totals[b] += n
		}
	}
	writeBuckets(totals, func(b int64, _ int) {
		args := make([]arg, len(names))
		for i, k := range names {
			args[i] = numArg(k, float64(buckets[b][k]))
		}
		cw.write(&chromeEvent{ph: 'C', name: "vm exits/ms", pid: hostPID, ts: b * exitBucket, dur: -1, args: args})
	})
}

// writeBuckets calls write for each bucket with a count, in order, and with
// a zero count for the bucket after each run of them, so that the counter
// drops back to 0 where nothing happened.
func writeBuckets(counts map[int64]int, write func(b int64, n int)) {
	keys := slices.Sorted(maps.Keys(counts))
	for i, b := range keys {
		write(b, counts[b])
		if i == len(keys)-1 || keys[i+1] != b+1 {
			write(b+1, 0)
		}
	}
}
