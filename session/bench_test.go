package session

import (
	"bytes"
	"math/rand/v2"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The benchmarks use synthetic runs shaped like the demo kernel's trace
// (synth); the file size per event depends on that shape.

var (
	benchOnce   sync.Once
	benchEvents int
	benchFile   []byte
	benchBuilt  time.Duration
)

// bench5M is a recorded 5-million-event session, made once. The events it
// is made of are not kept, so that the garbage collector of the measured
// process has only the viewer's memory to scan.
func bench5M(b *testing.B) (events int, file []byte) {
	benchOnce.Do(func() {
		t0 := time.Now()
		run := synth(5_000_000, 42)
		benchFile, benchEvents = record(b, run, &testEnd).file, run.events
		benchBuilt = time.Since(t0)
		runtime.GC()
	})
	return benchEvents, benchFile
}

// cpuTime is the process's CPU time so far (user and system). Benchmarks
// report it beside wall time because this machine's cores are shared: wall
// time says how long a user waits on an idle machine only when the two
// agree.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkRecord writes a million events through a Writer (with the
// serial, screen and input records record adds) and reports the file's
// size per million events.
func BenchmarkRecord(b *testing.B) {
	run := synth(1_000_000, 7)
	var size int
	start := time.Now()
	for b.Loop() {
		size = len(record(b, run, &testEnd).file)
	}
	b.ReportMetric(float64(size)/float64(run.events)*1e6/(1<<20), "MiB/Mevent")
	b.ReportMetric(float64(size)/float64(run.events), "B/event")
	b.ReportMetric(float64(run.events)*float64(b.N)/time.Since(start).Seconds(), "events/s")
}

// BenchmarkOpen5M opens a 5-million-event session: every chunk read,
// checked and decoded, and the model at its end built (the first full
// model a viewer shows).
func BenchmarkOpen5M(b *testing.B) {
	events, file := bench5M(b)
	b.Logf("%d events, %.1f MiB (%.2f B/event), made in %v", events, float64(len(file))/(1<<20), float64(len(file))/float64(events), benchBuilt)
	var s *Session
	cpu0 := cpuTime()
	for b.Loop() {
		var err error
		if s, err = Open(bytes.NewReader(file), int64(len(file))); err != nil {
			b.Fatal(err)
		}
		s.Model(1 << 62)
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/open")
	b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/open")
	b.ReportMetric(float64(events), "events")
	// What the open session holds: the model at the end and the
	// checkpoints.
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MiB")
	b.ReportMetric(float64(len(s.checkpoints)), "checkpoints")
	runtime.KeepAlive(s)
}

// BenchmarkModel5M builds models of a 5-million-event session at a late
// time: rebuilt from the start (what scrubbing backwards costs), and moved
// forward by one 60 Hz frame (what playing at 1× costs per frame).
func BenchmarkModel5M(b *testing.B) {
	_, file := bench5M(b)
	s, err := Open(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		b.Fatal(err)
	}
	start, last := s.Range()
	late := start + (last-start)*9/10
	b.Run("rebuild-at-90%", func(b *testing.B) {
		cps := s.checkpoints
		s.checkpoints = nil // from the start, as without checkpoints
		defer func() { s.checkpoints = cps }()
		cpu0 := cpuTime()
		for b.Loop() {
			s.mu.Lock()
			s.cursors = nil
			s.mu.Unlock()
			s.Model(late)
		}
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/model")
		b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/model")
	})
	// A backward jump: the viewer's scrubber dragged back to a time before
	// every model kept, which the nearest checkpoint serves.
	b.Run("backward-jump", func(b *testing.B) {
		rng := rand.New(rand.NewPCG(1, 2))
		cpu0 := cpuTime()
		for b.Loop() {
			s.mu.Lock()
			s.cursors = nil
			s.mu.Unlock()
			s.Model(start + rng.Int64N(last-start))
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/jump")
		b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/jump")
		b.ReportMetric(float64(len(s.checkpoints)), "checkpoints")
	})
	b.Run("forward-one-frame", func(b *testing.B) {
		at := late
		s.Model(at)
		for b.Loop() {
			at += int64(time.Second / 60)
			s.Model(at)
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/model")
	})
}
