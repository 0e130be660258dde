package benchmarks

import (
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// cpuTime is this process's user+system CPU time so far.
func cpuTime() time.Duration {
	var ru unix.Rusage
	unix.Getrusage(unix.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkIdleGuestHostCPU measures the host CPU an idle guest costs: the
// demo kernel with only its keyboard task and a 1000 Hz timer, waiting in
// hlt between ticks. Each tick
// costs a timer wake-up, an injection, the guest's EOI and its next hlt.
// Reported as a percentage of one host core (target: under 3%).
func BenchmarkIdleGuestHostCPU(b *testing.B) {
	m := bootReady(b, "hz=1000 scenario=keyboard")
	const window = 2 * time.Second
	var busy, wall time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c0, t0 := cpuTime(), time.Now()
		time.Sleep(window)
		busy += cpuTime() - c0
		wall += time.Since(t0)
	}
	b.ReportMetric(100*busy.Seconds()/wall.Seconds(), "%host-core")
	_ = m
}
