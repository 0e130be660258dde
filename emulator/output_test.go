package emulator

import (
	"errors"
	"testing"
)

// failingWriter takes the first n bytes, then refuses everything, as a file
// on a full disk (-serial file:/dev/full) does.
type failingWriter struct{ room int }

var errDiskFull = errors.New("no space left on device")

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) <= w.room {
		w.room -= len(p)
		return len(p), nil
	}
	n := w.room
	w.room = 0
	return n, errDiskFull
}

// A forward writer's error is kept (the first one) with a count of what it
// did not take, and the output itself is still readable.
func TestOutputLogKeepsTheForwardWritersError(t *testing.T) {
	l := newOutputLog(&failingWriter{room: 3})
	l.Write([]byte("hello"))
	l.close()
	err, failed := l.writeError()
	if !errors.Is(err, errDiskFull) || failed != 2 {
		t.Fatalf("writeError = %v, %d bytes; want the disk-full error and 2 bytes", err, failed)
	}
	if b, _ := l.snapshot(); string(b) != "hello" {
		t.Fatalf("kept output %q, want hello", b)
	}
}
