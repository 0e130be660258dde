package emulator

import (
	"sync"

	"github.com/pollscope/pollscope/trace"
)

// maxHostEvents bounds the host events waiting for the trace drainer; past
// it new events are counted and dropped.
const maxHostEvents = 1 << 16

// hostLog buffers what the host itself sees happen to the guest (lines
// raised, vectors injected, VM exits, key events) until the drainer merges
// it with the guest's records.
type hostLog struct {
	mu      sync.Mutex
	evs     []trace.Event
	dropped uint64
}

func (l *hostLog) add(e trace.Event) {
	l.mu.Lock()
	if len(l.evs) < maxHostEvents {
		l.evs = append(l.evs, e)
	} else {
		l.dropped++
	}
	l.mu.Unlock()
}

// lost is how many events found the buffer full.
func (l *hostLog) lost() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.dropped
}

// take returns the buffered events and empties the buffer, reusing spare.
func (l *hostLog) take(spare []trace.Event) []trace.Event {
	l.mu.Lock()
	out := l.evs
	l.evs = spare[:0]
	l.mu.Unlock()
	return out
}
