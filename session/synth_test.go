package session

import (
	"math/rand/v2"
	"time"

	"github.com/pollscope/pollscope/guest"
	"github.com/pollscope/pollscope/trace"
)

// synthRun is a recorded run made up for tests and benchmarks: drains of
// a waker executor driven by a timer interrupt and a keyboard, shaped like
// what the machine's tracer hands the trace model (VM exits first, then
// host events, then the guest's ring, each in time order), including the
// drain race that puts a few host events in the drain after the one their
// time belongs to.
type synthRun struct {
	batches []Batch
	events  int
	end     int64
}

const (
	synthTick  = 1 * time.Millisecond  // the timer's period
	synthDrain = 10 * time.Millisecond // the drain interval
)

var synthTasks = []string{"example", "keyboard", "heartbeat-1s", "heartbeat-250ms", "worker", "producer", "consumer"}

// synth makes drains until at least n events are recorded.
func synth(n int, seed uint64) *synthRun {
	rng := rand.New(rand.NewPCG(seed, 1))
	r := &synthRun{}
	var exits, host, ring []trace.Event
	var late []trace.Event // host events held for the next drain
	t := int64(time.Millisecond)
	queue := uint16(0)
	g := func(k guest.EventKind, task uint32, arg uint64) {
		t += int64(200 + rng.IntN(800))
		ring = append(ring, trace.Event{Time: t, Kind: trace.Kind(k), Task: task, Arg: arg, Queue: queue})
	}
	h := func(k trace.Kind, arg uint64, name string) {
		t += int64(100 + rng.IntN(300))
		host = append(host, trace.Event{Time: t, Kind: k, Arg: arg, Name: name})
	}
	x := func(name string, arg uint64) {
		exits = append(exits, trace.Event{Time: t, Kind: trace.HostExit, Arg: arg, Name: name})
	}
	g(guest.EvExecutorStart, 0, 1)
	for i, name := range synthTasks {
		g(guest.EvTaskSpawn, uint32(i+1), uint64(len(name))<<48|0x100000)
		ring[len(ring)-1].Name = name
	}
	// The resources: the timer table, the keyboard, the ready queue.
	for id, r := range []struct {
		kind     guest.ResourceKind
		name     string
		capacity uint64
	}{1: {guest.ResourceTimers, "timers", 64}, 2: {guest.ResourceKeyboard, "keyboard", 1024}, 3: {guest.ResourceReadyQueue, "ready-queue", 256}} {
		if r.name == "" {
			continue
		}
		g(guest.EvResourceNew, 0, uint64(id)<<48|uint64(r.kind)<<40|uint64(len(r.name))<<32|0x100200)
		ring[len(ring)-1].Name = r.name
		g(guest.EvResourceState, 0, uint64(id)<<48|r.capacity<<24)
	}
	nextDrain := t + int64(synthDrain)
	var dropped uint64
	for tick := 0; r.events < n; tick++ {
		t = max(t, int64(tick)*int64(synthTick)+int64(time.Millisecond))
		// The timer: line raised, vector injected, the guest leaves hlt,
		// runs the handler, which wakes a heartbeat every so often.
		h(trace.HostIRQRaise, 0, "")
		h(trace.HostInject, 32, "")
		x("hlt", 2)
		g(guest.EvIdleExit, 0, 0)
		g(guest.EvIrqEnter, 0, 32)
		woke := []uint32{}
		if tick%4 == 0 && tick > 0 {
			queue++
			g(guest.EvWake, 4, uint64(guest.WakeInterrupt)<<56|1<<32|32)
			g(guest.EvResourceState, 0, 1<<48|64<<24)
			woke = append(woke, 4)
		}
		if tick%7 == 3 { // a key
			h(trace.HostKeyEvent, 5, "E")
			h(trace.HostIRQRaise, 1, "")
			h(trace.HostInject, 33, "")
			queue++
			g(guest.EvResourceState, 0, 2<<48|1024<<24|1)
			g(guest.EvWake, 2, uint64(guest.WakeInterrupt)<<56|2<<32|33)
			woke = append(woke, 2)
		}
		g(guest.EvIrqExit, 0, 32)
		for _, task := range woke {
			queue--
			g(guest.EvPollBegin, task, 0)
			if task == 4 && rng.IntN(3) == 0 { // the heartbeat wakes the worker
				queue++
				g(guest.EvWake, 5, uint64(guest.WakeTask)<<56|3<<32|4)
				woke = append(woke, 5)
			}
			switch task {
			case 4: // sleeps again: 4 ticks
				g(guest.EvResourceWait, 4, 1<<48|4<<32|uint64(tick+4))
				g(guest.EvResourceState, 0, 1<<48|64<<24|1)
			case 2: // takes the scancode, waits for the next
				g(guest.EvResourceState, 0, 2<<48|1024<<24)
				g(guest.EvResourceWait, 2, 2<<48)
			}
			x("port-io", 1)
			g(guest.EvPollEnd, task, 1<<32)
		}
		if rng.IntN(50) == 0 {
			g(guest.EvMark, 0, uint64(tick))
		}
		g(guest.EvIdleEnter, 0, 0)
		if t >= nextDrain {
			if rng.IntN(20) == 0 {
				dropped++ // the ring overflowed once
			}
			// The race: the last exits seen land in the next drain.
			var now []trace.Event
			if k := rng.IntN(3); k > 0 && len(exits) > k {
				now, late = append(late, exits[:len(exits)-k]...), append([]trace.Event(nil), exits[len(exits)-k:]...)
			} else {
				now, late = append(late, exits...), nil
			}
			batch := append(append(now, host...), ring...)
			r.batches = append(r.batches, Batch{Flush: t + 5000, Dropped: dropped, Events: batch})
			r.events += len(batch)
			exits, host, ring = nil, nil, nil
			nextDrain = t + int64(synthDrain)
		}
	}
	batch := append(append(late, exits...), append(host, ring...)...)
	if len(batch) > 0 {
		r.batches = append(r.batches, Batch{Flush: t + 5000, Dropped: dropped, Events: batch})
		r.events += len(batch)
	}
	r.end = t + 5000
	return r
}

// collectUpTo feeds a fresh collector the run's events with Time ≤ at,
// batch by batch, with the ring counters of the batches drained by at:
// the model Session.Model(at) must equal.
func (r *synthRun) collectUpTo(o trace.Options, at int64) *trace.Model {
	return collectBatches(o, r.batches, at)
}

func collectBatches(o trace.Options, batches []Batch, at int64) *trace.Model {
	c := trace.NewCollector(o)
	for _, b := range batches {
		var evs []trace.Event
		for _, e := range b.Events {
			if e.Time <= at {
				evs = append(evs, e)
			}
		}
		if b.Flush <= at {
			c.AddMalformed(b.Malformed)
			c.SetDropped(b.Dropped)
		}
		c.Add(evs...)
	}
	return c.Snapshot()
}
