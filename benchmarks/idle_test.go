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
// hlt between ticks, at each ring. Each tick costs a timer wake-up, an
// injection, the guest's timer handler with its EOI and trace records, and
// its next hlt. Reported as a percentage of one host core (target: 10%).
// The same with tracing off shows how much of it is the trace's records,
// which a host that emulates CPL0 (where the handlers run) pays for in
// microseconds.
func BenchmarkIdleGuestHostCPU(b *testing.B) {
	forEachRing(b, func(b *testing.B, ring string) {
		b.ReportMetric(idleCPU(b, "hz=1000 scenario=keyboard ring="+ring), "%host-core")
		b.ReportMetric(idleCPU(b, "hz=1000 scenario=keyboard trace=off ring="+ring), "%host-core-untraced")
		b.ReportMetric(idleCPU(b, "hz=100 scenario=keyboard ring="+ring), "%host-core-100Hz")
	})
}

func idleCPU(b *testing.B, cmdline string) float64 {
	m := bootReady(b, cmdline)
	defer m.Close()
	const window = 2 * time.Second
	var busy, wall time.Duration
	for i := 0; i < b.N; i++ {
		c0, t0 := cpuTime(), time.Now()
		time.Sleep(window)
		busy += cpuTime() - c0
		wall += time.Since(t0)
	}
	return 100 * busy.Seconds() / wall.Seconds()
}
