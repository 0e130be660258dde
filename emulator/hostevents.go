package emulator

import (
	"sync"
	"time"
)

// HostEventKind is what the host itself saw happen to the guest.
type HostEventKind uint8

// Host event kinds.
const (
	// HostIRQRaise: a device raised ISA IRQ line Arg at the PIC.
	HostIRQRaise HostEventKind = iota + 1
	// HostInject: the host injected vector Arg into the vCPU.
	HostInject
	// HostExit: the vCPU took a VM exit of cpu.ExitKind Arg.
	HostExit
	// HostKey: a host key event entered the keyboard; Arg is the ps2.Key,
	// with bit 31 set for a release.
	HostKey
)

// HostEvent is one host-side event, timestamped with the machine's clock.
type HostEvent struct {
	Time time.Duration
	Kind HostEventKind
	Arg  uint32
}

// maxHostEvents bounds the events waiting for the trace drainer; past it
// new events are counted and dropped.
const maxHostEvents = 1 << 16

// hostLog buffers host events until the drainer takes them.
type hostLog struct {
	mu      sync.Mutex
	evs     []HostEvent
	dropped uint64
	enabled bool
}

func (l *hostLog) add(e HostEvent) {
	l.mu.Lock()
	if !l.enabled {
		l.mu.Unlock()
		return
	}
	if len(l.evs) < maxHostEvents {
		l.evs = append(l.evs, e)
	} else {
		l.dropped++
	}
	l.mu.Unlock()
}

// take returns the buffered events and empties the buffer, reusing spare.
func (l *hostLog) take(spare []HostEvent) []HostEvent {
	l.mu.Lock()
	out := l.evs
	l.evs = spare[:0]
	l.mu.Unlock()
	return out
}
