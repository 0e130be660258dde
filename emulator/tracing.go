package emulator

import (
	"io"
	"math/bits"
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

// tracer merges the guest's trace ring with the host's own events into the
// trace model.
type tracer struct {
	collector *trace.Collector
	ring      atomic.Pointer[traceRing]
	// Guest TSC to host time: the TSC frequency and one anchor pair, taken
	// when the guest announced its ring.
	tscHz     uint64
	anchorTSC uint64
	anchorNs  int64
	// Announcements the host refused (bad address or header).
	badAnnouncements atomic.Uint64
	lastDropped      uint64
	// The batch buffer reused between passes, guarded by Machine.drainMu
	// with the ring's reader.
	spare []trace.Event
}

// tracePort is the paravirtual port the guest announces its ring on.
type tracePort struct{ m *Machine }

func (p tracePort) In(off uint16, data []byte) {
	for i := range data {
		data[i] = 0xff
	}
}

// Out takes the ring header's physical address from a 32-bit write. The
// first valid announcement wins; later ones are counted and ignored.
func (p tracePort) Out(off uint16, data []byte) {
	m := p.m
	if off != 0 || len(data) != 4 || m.tracer.ring.Load() != nil {
		m.tracer.badAnnouncements.Add(1)
		return
	}
	ring, err := newTraceRing(m.ram, uint64(le32(data)))
	if err != nil {
		m.tracer.badAnnouncements.Add(1)
		return
	}
	t := &m.tracer
	t.anchorNs = int64(m.clock.Now())
	t.anchorTSC = load64(m.ram, ring.base+guest.HdrAnnounceTSC)
	t.ring.Store(ring)
}

func le32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
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

// runDrainer empties the ring and the host log into the collector every
// drainInterval until the guest ends, then once more.
func (m *Machine) runDrainer() {
	defer close(m.drainerDone)
	tick := time.NewTicker(drainInterval)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			m.FlushTrace()
		case <-m.done:
			m.FlushTrace()
			return
		}
	}
}

// FlushTrace drains the guest's ring and the host's events into the model
// now, instead of at the next drain interval.
func (m *Machine) FlushTrace() {
	m.drainMu.Lock()
	defer m.drainMu.Unlock()
	if m.ram == nil {
		return
	}
	t := &m.tracer
	batch := m.exitLog.take(m.host.take(t.spare))
	if ring := t.ring.Load(); ring != nil {
		malformed := ring.malformed
		ring.drain(m.ram, maxDrainBatch, func(r guest.Record) {
			e := trace.Event{Time: t.guestTime(r.TSC), Kind: trace.Kind(r.Kind), Task: r.Task, Arg: r.Arg, Queue: r.Queue}
			if r.Kind == guest.EvTaskSpawn {
				e.Name = m.taskName(r)
			}
			batch = append(batch, e)
		})
		if n := ring.malformed - malformed; n > 0 {
			t.collector.AddMalformed(n)
		}
		if d := ring.dropped(m.ram); d != t.lastDropped {
			t.lastDropped = d
			t.collector.SetDropped(d)
		}
	}
	if len(batch) > 0 {
		t.collector.Add(batch...)
	}
	t.spare = batch[:0]
}

// taskName reads a spawned task's name from guest memory, trusting nothing.
func (m *Machine) taskName(r guest.Record) string {
	addr, n := guest.SpawnName(r.Arg)
	if n <= 0 || n > guest.TraceMaxNameLen || addr+uint64(n) > uint64(len(m.ram)) {
		return ""
	}
	b := m.ram[addr : addr+uint64(n)]
	if !utf8.Valid(b) {
		return ""
	}
	return string(b)
}

// recordExit adds a VM exit to the host events.
func (m *Machine) recordExit(k cpu.ExitKind) {
	m.exitLog.add(int64(m.clock.Now()), k)
}

// Trace returns a snapshot of the trace model: tasks, polls, wakes,
// interrupts, idle periods, statistics and lints, as drained so far. The
// snapshot is immutable and cheap; call it as often as needed.
func (m *Machine) Trace() *trace.Model {
	return m.tracer.collector.Snapshot()
}

// SubscribeTrace returns a channel of every trace event added from now on,
// and a function that ends the subscription. A subscriber that falls more
// than buffer events behind loses events (counted in the model's
// SubscriberDrops) rather than slowing the guest.
func (m *Machine) SubscribeTrace(buffer int) (<-chan trace.Event, func()) {
	return m.tracer.collector.Subscribe(buffer)
}

// WritePerfetto writes the trace so far in the Chrome/Perfetto JSON format.
func (m *Machine) WritePerfetto(w io.Writer) error {
	return m.Trace().WritePerfetto(w)
}

// TSCFrequency is the guest's time-stamp counter rate in Hz, as KVM reports
// it, for converting cycle counts the guest prints into time (0 if unknown).
func (m *Machine) TSCFrequency() uint64 { return m.tracer.tscHz }
