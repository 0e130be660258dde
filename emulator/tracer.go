package emulator

import (
	"io"
	"math/bits"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/pollscope/pollscope/cpu"
	"github.com/pollscope/pollscope/guest"
	"github.com/pollscope/pollscope/trace"
)

// drainInterval is how often the host empties the guest's trace ring while
// the guest runs. At the demo's rates a 65536-record ring holds seconds of
// events, so this leaves a wide margin.
const drainInterval = 10 * time.Millisecond

// maxDrainBatch bounds the records taken in one pass, so one pass never
// holds the host for long however much a guest wrote.
const maxDrainBatch = 1 << 16

// tracer is the machine's part that builds the trace: it reads the guest's
// ring out of guest RAM, merges it with the host's own events (lines raised,
// vectors injected, VM exits, keys) on one time axis, feeds the trace model,
// and counts everything it could not pass on.
type tracer struct {
	collector *trace.Collector
	clock     cpu.Clock
	host      hostLog
	exits     exitLog

	// mu serialises drain passes and guards what they use: guest RAM (nil
	// once released), the ring reader, the TSC anchor and the batch buffer.
	mu   sync.Mutex
	ram  []byte
	ring atomic.Pointer[traceRing]
	// Guest TSC to machine time: the TSC frequency and one anchor pair,
	// taken when the guest announced its ring.
	tscHz       uint64
	anchorTSC   uint64
	anchorNs    int64
	lastDropped uint64
	spare       []trace.Event
	// record, if set, gets every batch as it enters the model, with the
	// drain's time and the ring's counters (see Machine.Record).
	record func(evs []trace.Event, flush int64, dropped, malformed uint64)
}

// setRecord installs the session recorder's hook.
func (t *tracer) setRecord(f func(evs []trace.Event, flush int64, dropped, malformed uint64)) {
	t.mu.Lock()
	t.record = f
	t.mu.Unlock()
}

func newTracer(ram []byte, clock cpu.Clock, tscHz uint64, opts trace.Options) *tracer {
	return &tracer{collector: trace.NewCollector(opts), clock: clock, ram: ram, tscHz: tscHz}
}

// now is the machine time of a host event.
func (t *tracer) now() int64 { return int64(t.clock.Now()) }

// hostEvent records something the host saw happen to the guest.
func (t *tracer) hostEvent(kind trace.Kind, arg uint64, name string) {
	t.host.add(trace.Event{Time: t.now(), Kind: kind, Arg: arg, Name: name})
}

// exit records a VM exit; the vCPU thread calls it for every one.
func (t *tracer) exit(k cpu.ExitKind) { t.exits.add(t.now(), k) }

// announce takes the guest's announcement of its ring header at addr (from
// the trace port, on the vCPU thread) and reports whether it is valid.
func (t *tracer) announce(addr uint32) bool {
	ring, err := newTraceRing(t.ram, uint64(addr))
	if err != nil {
		return false // the trace port counts it
	}
	t.anchorNs = t.now()
	t.anchorTSC = load64(t.ram, ring.base+guest.HdrAnnounceTSC)
	t.ring.Store(ring)
	return true
}

// guestTime converts a guest TSC value to nanoseconds of machine time.
func (t *tracer) guestTime(tsc uint64) int64 {
	if t.tscHz == 0 {
		return t.anchorNs
	}
	neg := tsc < t.anchorTSC
	d := tsc - t.anchorTSC
	if neg {
		d = t.anchorTSC - tsc
	}
	hi, lo := bits.Mul64(d, uint64(time.Second))
	if hi >= t.tscHz {
		return t.anchorNs // absurdly far from the anchor: a garbage TSC
	}
	ns, _ := bits.Div64(hi, lo, t.tscHz)
	if neg {
		return t.anchorNs - int64(ns)
	}
	return t.anchorNs + int64(ns)
}

// run drains every drainInterval until done is closed, then once more.
// A pass that finds the ring busy (half a batch or more) is followed by
// another at once, so a guest that writes millions of records a second is
// drained as fast as the model takes them, and an idle one costs a wake-up
// every drainInterval.
func (t *tracer) run(done <-chan struct{}, finished chan<- struct{}) {
	defer close(finished)
	tick := time.NewTicker(drainInterval)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			for t.flush() >= maxDrainBatch/2 && !isClosed(done) {
			}
		case <-done:
			t.flush()
			return
		}
	}
}

func isClosed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// flush drains the guest's ring and the host's events into the model and
// returns how many ring records it took.
func (t *tracer) flush() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.ram == nil {
		return 0
	}
	fromRing := 0
	batch := t.exits.take(t.host.take(t.spare))
	var malformedNow uint64
	if ring := t.ring.Load(); ring != nil {
		malformed, from := ring.malformed, len(batch)
		batch = ring.drain(t.ram, maxDrainBatch, t.guestTime, batch)
		fromRing = len(batch) - from
		for i := from; i < len(batch); i++ {
			switch e := &batch[i]; e.Kind {
			case trace.Kind(guest.EvTaskSpawn):
				e.Name = t.guestName(guest.SpawnName(e.Arg))
			case trace.Kind(guest.EvResourceNew):
				_, _, addr, n := guest.ResourceNewArg(e.Arg)
				e.Name = t.guestName(addr, n)
			}
		}
		if n := ring.malformed - malformed; n > 0 {
			malformedNow = n
			t.collector.AddMalformed(n)
		}
		if d := ring.dropped(t.ram); d != t.lastDropped {
			t.lastDropped = d
			t.collector.SetDropped(d)
		}
	}
	if t.record != nil {
		t.record(batch, t.now(), t.lastDropped, malformedNow)
	}
	if len(batch) > 0 {
		t.collector.Add(batch...)
	}
	t.spare = batch[:0]
	return fromRing
}

// guestName reads a task's or a resource's name (n bytes at guest-physical
// addr) from guest memory, trusting nothing.
func (t *tracer) guestName(addr uint64, n int) string {
	if n <= 0 || n > guest.TraceMaxNameLen || addr+uint64(n) > uint64(len(t.ram)) {
		return ""
	}
	b := t.ram[addr : addr+uint64(n)]
	if !utf8.Valid(b) {
		return ""
	}
	return string(b)
}

// release forgets guest RAM; later flushes do nothing.
func (t *tracer) release() {
	t.mu.Lock()
	t.ram = nil
	t.mu.Unlock()
}

// tracerCounters are the tracer's losses, for HostCounters.
func (t *tracer) counters() (hostLost, exitsLost, clamped uint64) {
	hostLost = t.host.lost()
	t.mu.Lock()
	exitsLost = t.exits.lost
	if ring := t.ring.Load(); ring != nil {
		clamped = ring.clamped
	}
	t.mu.Unlock()
	return hostLost, exitsLost, clamped
}

// Trace returns a snapshot of the trace model: tasks, polls, wakes,
// interrupts, idle periods, statistics and lints, as drained so far. The
// snapshot is immutable and cheap; call it as often as needed.
func (m *Machine) Trace() *trace.Model { return m.tracer.collector.Snapshot() }

// FlushTrace drains the guest's ring and the host's events into the model
// now, instead of at the next drain interval.
func (m *Machine) FlushTrace() { m.tracer.flush() }

// SubscribeTrace returns a channel of every trace event added from now on,
// and a function that ends the subscription. A subscriber that falls more
// than buffer events behind loses events (counted in the model's
// SubscriberDrops) rather than slowing the guest.
func (m *Machine) SubscribeTrace(buffer int) (<-chan trace.Event, func()) {
	return m.tracer.collector.Subscribe(buffer)
}

// WritePerfetto writes the trace so far in the Chrome/Perfetto JSON format.
func (m *Machine) WritePerfetto(w io.Writer) error { return m.Trace().WritePerfetto(w) }

// TSCFrequency is the guest's time-stamp counter rate in Hz, as the backend
// reports it, for converting cycle counts the guest prints into time (0 if
// unknown).
func (m *Machine) TSCFrequency() uint64 { return m.tracer.tscHz }

// ExitCounts returns how many VM exits of each kind the vCPU has taken.
func (m *Machine) ExitCounts() map[cpu.ExitKind]uint64 { return m.tracer.exits.counts() }
