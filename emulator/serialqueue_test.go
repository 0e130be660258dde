package emulator

import "testing"

// Serial input waits for room in the receiver: a slow guest loses nothing.
func TestSerialInputWaitsForTheReceiver(t *testing.T) {
	var q inputQueue
	q.pushSerial([]byte("0123456789abcdefghijklmnopqrstuvwxyz"))
	var got []byte
	for range 10 {
		q.feedSerial(func(p []byte) int { // a FIFO with room for 5
			n := min(5, len(p))
			got = append(got, p[:n]...)
			return n
		})
	}
	if string(got) != "0123456789abcdefghijklmnopqrstuvwxyz" {
		t.Fatalf("received %q, want everything in order", got)
	}
	if q.waiting.Load() {
		t.Fatal("the queue still says it waits with everything delivered")
	}
}
