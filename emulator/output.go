package emulator

import (
	"io"
	"sync"
)

// maxOutputLog bounds the serial output a machine keeps; the oldest bytes go
// first.
const maxOutputLog = 1 << 20

// outputLog keeps a device's output for the scripting API and forwards it to
// an optional writer. Waiters learn of new bytes through a channel that is
// closed and replaced on every write.
type outputLog struct {
	mu      sync.Mutex
	buf     []byte
	dropped int64 // bytes evicted from the front of buf
	changed chan struct{}
	forward io.Writer
}

func newOutputLog(forward io.Writer) *outputLog {
	return &outputLog{changed: make(chan struct{}), forward: forward}
}

// Write stores p and forwards it. It never fails: a failing forward writer
// must not stop the guest's UART.
func (l *outputLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	l.buf = append(l.buf, p...)
	if over := len(l.buf) - maxOutputLog; over > 0 {
		l.buf = append(l.buf[:0], l.buf[over:]...)
		l.dropped += int64(over)
	}
	close(l.changed)
	l.changed = make(chan struct{})
	fw := l.forward
	l.mu.Unlock()
	if fw != nil {
		_, _ = fw.Write(p)
	}
	return len(p), nil
}

// snapshot returns a copy of the kept output and a channel closed at the
// next write.
func (l *outputLog) snapshot() ([]byte, <-chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]byte(nil), l.buf...), l.changed
}
