package view

import (
	"testing"
	"time"

	"github.com/pollscope/pollscope/guest"
	"github.com/pollscope/pollscope/trace"
)

// Vectors of the demo kernel's interrupts.
const (
	timerVec = trace.ISAVectorBase + 0
	kbdVec   = trace.ISAVectorBase + 1
)

// stream writes trace events as the guest and the host produce them, on a
// clock the test advances.
type stream struct {
	t   int64
	evs []trace.Event
}

func (s *stream) after(d time.Duration) *stream { s.t += int64(d); return s }
func (s *stream) at(t int64) *stream            { s.t = t; return s }

func (s *stream) add(k trace.Kind, task uint32, arg uint64, name string) *stream {
	s.evs = append(s.evs, trace.Event{Time: s.t, Kind: k, Task: task, Arg: arg, Name: name})
	return s
}

func gk(k guest.EventKind) trace.Kind { return trace.Kind(k) }

func (s *stream) executor() *stream { return s.add(gk(guest.EvExecutorStart), 0, 1, "") }
func (s *stream) spawn(id uint32, name string) *stream {
	return s.add(gk(guest.EvTaskSpawn), id, 0, name)
}
func (s *stream) begin(id uint32) *stream { return s.add(gk(guest.EvPollBegin), id, 0, "") }
func (s *stream) end(id uint32, ready bool) *stream {
	arg := uint64(1) << 32 // one live waker
	if ready {
		arg = 1
	}
	return s.add(gk(guest.EvPollEnd), id, arg, "")
}
func (s *stream) wake(id uint32, src trace.WakeSourceKind, srcID uint32) *stream {
	return s.add(gk(guest.EvWake), id, uint64(src)<<56|uint64(srcID), "")
}
func (s *stream) irqEnter(v uint8) *stream { return s.add(gk(guest.EvIrqEnter), 0, uint64(v), "") }
func (s *stream) irqExit(v uint8) *stream  { return s.add(gk(guest.EvIrqExit), 0, uint64(v), "") }
func (s *stream) idleEnter() *stream       { return s.add(gk(guest.EvIdleEnter), 0, 0, "") }
func (s *stream) idleExit() *stream        { return s.add(gk(guest.EvIdleExit), 0, 0, "") }
func (s *stream) hostExit(name string) *stream {
	return s.add(trace.HostExit, 0, 1, name)
}
func (s *stream) hostKey(name string) *stream { return s.add(trace.HostKeyEvent, 0, 1, name) }
func (s *stream) hostKeyUp(name string) *stream {
	return s.add(trace.HostKeyEvent, 0, 1|trace.KeyReleased, name)
}

// poll writes a poll of task id lasting d.
func (s *stream) poll(id uint32, d time.Duration, ready bool) *stream {
	return s.begin(id).after(d).end(id, ready)
}

// interrupt writes an interrupt on vector v lasting 2 µs that wakes task id
// in its middle.
func (s *stream) interrupt(v uint8, id uint32) *stream {
	s.irqEnter(v).after(time.Microsecond).wake(id, trace.WakeInterrupt, uint32(v)).after(time.Microsecond)
	return s.irqExit(v)
}

func collect(evs []trace.Event) *trace.Model {
	c := trace.NewCollector(trace.Options{})
	c.Add(evs...)
	return c.Snapshot()
}

// demoStream is rounds of the demo's activity, each 100 µs: the CPU idles,
// the timer wakes the worker (polled 10 µs) which wakes the consumer
// (polled 5 µs); every fourth round a key wakes the keyboard task instead.
func demoStream(rounds int) *stream {
	s := &stream{}
	s.executor().spawn(1, "keyboard").spawn(2, "worker").spawn(3, "consumer")
	for _, id := range []uint32{1, 2, 3} {
		s.after(time.Microsecond).poll(id, time.Microsecond, false)
	}
	for r := range rounds {
		s.after(time.Microsecond).idleEnter().after(60 * time.Microsecond).idleExit()
		if r%4 == 3 {
			s.hostKey("A").after(time.Microsecond)
			s.interrupt(kbdVec, 1).after(time.Microsecond).poll(1, 8*time.Microsecond, false)
			s.hostExit("port-io").after(time.Microsecond)
			continue
		}
		s.interrupt(timerVec, 2).after(time.Microsecond)
		s.begin(2).after(5*time.Microsecond).wake(3, trace.WakeTask, 2).after(5*time.Microsecond).end(2, false)
		s.after(time.Microsecond).poll(3, 5*time.Microsecond, false)
		s.hostExit("hlt").after(time.Microsecond)
	}
	return s
}

// build builds a timeline of model m (through a fresh index) for view v in
// a pane wide enough for a plot of plotW pixels.
func build(t testing.TB, m *trace.Model, v Viewport, plotW float64) *Timeline {
	t.Helper()
	tl := &Timeline{}
	tl.Build(TimelineInput{Model: m, View: v, Pane: Rect{0, 0, LabelW + plotW + PlotPadR, 600}})
	if tl.Plot.W != plotW {
		t.Fatalf("plot is %v wide, want %v", tl.Plot.W, plotW)
	}
	return tl
}

func itemsOn(tl *Timeline, lane int, sched bool) []Item {
	var out []Item
	for _, it := range tl.Items {
		if it.Lane == lane && it.Sched == sched {
			out = append(out, it)
		}
	}
	return out
}
