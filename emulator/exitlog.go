package emulator

import (
	"sync/atomic"

	"github.com/pollscope/pollscope/cpu"
	"github.com/pollscope/pollscope/trace"
)

// exitLog records every VM exit for the trace without a lock on the exit
// path: the vCPU thread is its only writer and the drainer its only reader.
// When the drainer falls a whole ring behind, the oldest exits are counted
// as lost.
type exitLog struct {
	perKind [cpu.NumExitKinds]atomic.Uint64 // every exit ever, by kind
	slots   [1 << 14]exitRecord
	write   atomic.Uint64 // next slot the vCPU writes
	read    uint64        // next slot the drainer reads (drainer only)
	lost    uint64
}

type exitRecord struct {
	time int64
	kind cpu.ExitKind
}

// add is called by the vCPU thread for each exit.
func (l *exitLog) add(t int64, k cpu.ExitKind) {
	if k >= 0 && int(k) < len(l.perKind) {
		l.perKind[k].Add(1)
	}
	w := l.write.Load()
	l.slots[w%uint64(len(l.slots))] = exitRecord{t, k}
	l.write.Store(w + 1)
}

// take appends the exits recorded since the last call to evs. The vCPU may
// lap the reader while it copies; the slots it overwrote meanwhile are
// dropped (and counted), never passed on torn.
func (l *exitLog) take(evs []trace.Event) []trace.Event {
	n := uint64(len(l.slots))
	w := l.write.Load()
	if w-l.read > n {
		l.lost += w - l.read - n
		l.read = w - n
	}
	first, from := l.read, len(evs)
	for ; l.read < w; l.read++ {
		r := l.slots[l.read%n]
		evs = append(evs, trace.Event{Time: r.time, Kind: trace.HostExit, Arg: uint64(r.kind), Name: r.kind.String()})
	}
	if w2 := l.write.Load(); w2-first > n {
		torn := min(w2-first-n, w-first)
		l.lost += torn
		evs = append(evs[:from], evs[from+int(torn):]...)
	}
	return evs
}

// counts returns the exits of each kind so far.
func (l *exitLog) counts() map[cpu.ExitKind]uint64 {
	out := make(map[cpu.ExitKind]uint64)
	for k := range l.perKind {
		if n := l.perKind[k].Load(); n > 0 {
			out[cpu.ExitKind(k)] = n
		}
	}
	return out
}
