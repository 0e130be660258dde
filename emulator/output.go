package emulator

import (
	"io"
	"sync"
)

// maxOutputLog bounds the serial output a machine keeps; the oldest bytes go
// first. maxForwardBacklog bounds what waits for a slow forward writer;
// past it the oldest waiting bytes are dropped and counted.
const (
	maxOutputLog      = 1 << 20
	maxForwardBacklog = 1 << 20
)

// outputLog keeps a device's output for the scripting API and forwards it to
// an optional writer. Waiters learn of new bytes through a channel that is
// closed and replaced on every write. Forwarding happens on a goroutine of
// its own, in batches: the guest's UART runs on the vCPU thread with the
// device lock held, and a slow or stalled writer (a terminal, a pipe nobody
// reads) must not stall the guest.
type outputLog struct {
	mu      sync.Mutex
	buf     []byte
	dropped int64 // bytes evicted from the front of buf
	changed chan struct{}

	forward     io.Writer
	backlog     []byte        // bytes not yet forwarded
	lostForward int64         // bytes the forward writer never got
	writeErr    error         // the forward writer's first error
	failed      int64         // bytes it failed to write
	kick        chan struct{} // wakes the forwarder
	forwarded   chan struct{} // closed when the forwarder has finished
	closeOnce   sync.Once

	record func(p []byte) // if set, gets every write (see Machine.Record)
}

// setRecord installs the session recorder's hook.
func (l *outputLog) setRecord(f func(p []byte)) {
	l.mu.Lock()
	l.record = f
	l.mu.Unlock()
}

func newOutputLog(forward io.Writer) *outputLog {
	l := &outputLog{changed: make(chan struct{}), forward: forward}
	if forward != nil {
		l.kick = make(chan struct{}, 1)
		l.forwarded = make(chan struct{})
		go l.runForwarder()
	}
	return l
}

// Write stores p and queues it for the forward writer. It never fails and
// never blocks on the forward writer.
func (l *outputLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	if l.record != nil {
		l.record(p)
	}
	l.buf = append(l.buf, p...)
	if over := len(l.buf) - maxOutputLog; over > 0 {
		l.buf = append(l.buf[:0], l.buf[over:]...)
		l.dropped += int64(over)
	}
	close(l.changed)
	l.changed = make(chan struct{})
	if l.kick != nil {
		l.backlog = append(l.backlog, p...)
		if over := len(l.backlog) - maxForwardBacklog; over > 0 {
			l.backlog = append(l.backlog[:0], l.backlog[over:]...)
			l.lostForward += int64(over)
		}
	}
	l.mu.Unlock()
	if l.kick != nil {
		select {
		case l.kick <- struct{}{}:
		default:
		}
	}
	return len(p), nil
}

// runForwarder writes the backlog to the forward writer until close, then
// writes what is left.
func (l *outputLog) runForwarder() {
	defer close(l.forwarded)
	var spare []byte
	for {
		_, open := <-l.kick
		l.mu.Lock()
		out := l.backlog
		l.backlog = spare[:0]
		l.mu.Unlock()
		if len(out) > 0 {
			if n, err := l.forward.Write(out); err != nil {
				l.noteWriteError(err, len(out)-n)
			}
		}
		spare = out
		if !open {
			return
		}
	}
}

// close flushes the backlog to the forward writer and stops forwarding.
func (l *outputLog) close() {
	if l.kick == nil {
		return
	}
	l.closeOnce.Do(func() { close(l.kick) })
	<-l.forwarded
}

// snapshot returns a copy of the kept output and a channel closed at the
// next write.
func (l *outputLog) snapshot() ([]byte, <-chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]byte(nil), l.buf...), l.changed
}

// lost is how many bytes the forward writer never got.
func (l *outputLog) lost() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return uint64(l.lostForward)
}

// noteWriteError keeps the forward writer's first error and counts the
// bytes it did not take. The guest's output is still kept (and readable
// with Serial); only the forwarding failed.
func (l *outputLog) noteWriteError(err error, lost int) {
	l.mu.Lock()
	if l.writeErr == nil {
		l.writeErr = err
	}
	l.failed += int64(lost)
	l.mu.Unlock()
}

// writeError returns the forward writer's first error and how many bytes it
// failed to write.
func (l *outputLog) writeError() (error, uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.writeErr, uint64(l.failed)
}
