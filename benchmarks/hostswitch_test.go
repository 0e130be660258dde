package benchmarks

import (
	"runtime"
	"testing"

	"golang.org/x/sys/unix"
)

// The host's own reference points for a context switch, measured in the same
// run as the guest's figures. Each op is pingPongRounds round trips, so a
// single op (make bench runs -benchtime 1x) is already a steady figure.

const pingPongRounds = 20000

// BenchmarkGoroutinePingPong: two goroutines hand a token back and forth
// over unbuffered channels; one op is one switch (half a round trip).
func BenchmarkGoroutinePingPong(b *testing.B) {
	ping, pong := make(chan struct{}), make(chan struct{})
	go func() {
		for range ping {
			pong <- struct{}{}
		}
	}()
	b.ResetTimer()
	for i := 0; i < b.N*pingPongRounds; i++ {
		ping <- struct{}{}
		<-pong
	}
	b.StopTimer()
	close(ping)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(2*b.N*pingPongRounds), "ns/switch")
}

// BenchmarkThreadPingPong: two OS threads hand a byte back and forth through
// a pair of pipes with blocking read and write system calls, so each hand-off
// is a kernel thread switch; one op is one switch.
func BenchmarkThreadPingPong(b *testing.B) {
	var p1, p2 [2]int
	if err := unix.Pipe2(p1[:], unix.O_CLOEXEC); err != nil {
		b.Fatal(err)
	}
	if err := unix.Pipe2(p2[:], unix.O_CLOEXEC); err != nil {
		b.Fatal(err)
	}
	defer func() {
		for _, fd := range []int{p1[0], p1[1], p2[0], p2[1]} {
			unix.Close(fd)
		}
	}()
	done := make(chan struct{})
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		buf := []byte{0}
		for {
			if n, _ := unix.Read(p1[0], buf); n != 1 || buf[0] == 0xff {
				break
			}
			unix.Write(p2[1], buf)
		}
		close(done)
	}()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	buf := []byte{1}
	b.ResetTimer()
	for i := 0; i < b.N*pingPongRounds; i++ {
		unix.Write(p1[1], buf)
		unix.Read(p2[0], buf)
	}
	b.StopTimer()
	unix.Write(p1[1], []byte{0xff})
	<-done
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(2*b.N*pingPongRounds), "ns/switch")
}
