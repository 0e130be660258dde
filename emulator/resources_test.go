package emulator_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/pollscope/pollscope/devices/ps2"
	"github.com/pollscope/pollscope/emulator"
	"github.com/pollscope/pollscope/emulator/emutest"
	"github.com/pollscope/pollscope/guest"
	"github.com/pollscope/pollscope/trace"
)

// The executor's resources in the trace (docs/trace-abi.md, "Resources"):
// the demo kernel announces its timer table, its keyboard queue, its ready
// queue and the producer/consumer channel, reports their state, the
// tasks' waits on them and the resource each wake came through. This test
// boots the demo on every backend, presses a key, and replays the records
// as the GUI would, checking that they make sense.

// resource is what the replay knows about one resource.
type resource struct {
	kind            guest.ResourceKind
	name            string
	length, capSize uint32
	gone            bool
	waits           map[uint32]bool // tasks waiting on it now
	maxLen          uint32
	states          int
}

// resourceReplay replays the guest's records in order and collects what
// went wrong.
type resourceReplay struct {
	res    map[guest.ResourceID]*resource
	errs   []string
	wakes  map[guest.ResourceID]int // wakes through each resource
	waited map[guest.ResourceID]int // waits started on each resource
	// The keyboard queue's lengths after the key press, in order.
	keyLens []uint32
	keyAt   int64 // host time of the key press (0: not yet)
	// Deadlines seen on the timer table's waits.
	deadlines int
}

func newResourceReplay() *resourceReplay {
	return &resourceReplay{res: map[guest.ResourceID]*resource{}, wakes: map[guest.ResourceID]int{}, waited: map[guest.ResourceID]int{}}
}

func (r *resourceReplay) errorf(format string, args ...any) {
	if len(r.errs) < 20 {
		r.errs = append(r.errs, fmt.Sprintf(format, args...))
	}
}

// live returns resource id, reporting a record that names one that was
// never announced or is gone.
func (r *resourceReplay) live(id guest.ResourceID, e trace.Event) *resource {
	res := r.res[id]
	switch {
	case res == nil:
		r.errorf("%v at %d names resource %d, never announced", e.Kind, e.Time, id)
	case res.gone:
		r.errorf("%v at %d names resource %d (%s), already dropped", e.Kind, e.Time, id, res.name)
		return nil
	}
	return res
}

func (r *resourceReplay) apply(e trace.Event) {
	switch guest.EventKind(e.Kind) {
	case guest.EvResourceNew:
		id, kind, _, n := guest.ResourceNewArg(e.Arg)
		if !kind.Valid() || id == 0 || e.Name == "" || len(e.Name) != n {
			r.errorf("ResourceNew %#x: id %d, kind %v, name %q (length %d)", e.Arg, id, kind, e.Name, n)
		}
		if old := r.res[id]; old != nil && !old.gone {
			r.errorf("resource %d (%s) announced again as %q while alive", id, old.name, e.Name)
		}
		r.res[id] = &resource{kind: kind, name: e.Name, waits: map[uint32]bool{}}
	case guest.EvResourceState:
		id, n, c := guest.ResourceStateArg(e.Arg)
		res := r.live(id, e)
		if res == nil {
			return
		}
		if n > c {
			r.errorf("%s (%d) holds %d of capacity %d at %d", res.name, id, n, c, e.Time)
		}
		if res.states > 0 && c != res.capSize {
			r.errorf("%s (%d) changed capacity from %d to %d", res.name, id, res.capSize, c)
		}
		res.length, res.capSize, res.maxLen = n, c, max(res.maxLen, n)
		res.states++
		if res.kind == guest.ResourceKeyboard && r.keyAt != 0 && e.Time >= r.keyAt {
			r.keyLens = append(r.keyLens, n)
		}
	case guest.EvResourceWait:
		id, detail := guest.ResourceDetail(e.Arg)
		res := r.live(id, e)
		if res == nil {
			return
		}
		if e.Task == 0 {
			r.errorf("a wait on %s (%d) by no task at %d", res.name, id, e.Time)
		}
		if res.waits[e.Task] {
			r.errorf("task %d waits on %s (%d) twice at %d", e.Task, res.name, id, e.Time)
		}
		res.waits[e.Task] = true
		r.waited[id]++
		if res.kind == guest.ResourceTimers {
			// A tick between the sleep's check and its wait can leave 0.
			if deadline, left := guest.TimerWait(detail); deadline != 0 && left != 0 {
				r.deadlines++
			}
		}
	case guest.EvResourceWaitEnd:
		id, why := guest.ResourceDetail(e.Arg)
		res := r.live(id, e)
		if res == nil {
			return
		}
		if why < uint64(guest.WaitTaken) || why > uint64(guest.WaitReplaced) {
			r.errorf("a wait end on %s with reason %d", res.name, why)
		}
		if !res.waits[e.Task] {
			r.errorf("task %d stops waiting on %s (%d) at %d, but was not waiting", e.Task, res.name, id, e.Time)
		}
		delete(res.waits, e.Task)
	case guest.EvResourceDrop:
		if res := r.live(guest.ResourceOf(e.Arg), e); res != nil {
			res.gone = true
		}
	case guest.EvWake:
		id := guest.WakeResource(e.Arg)
		res := r.live(id, e)
		if res == nil {
			return
		}
		r.wakes[id]++
		// A wake through anything but the ready queue ends the task's wait
		// there; the ready queue is where wakes through nothing else go.
		if res.kind != guest.ResourceReadyQueue {
			if !res.waits[e.Task] {
				r.errorf("task %d woken through %s (%d) at %d without waiting on it", e.Task, res.name, id, e.Time)
			}
			delete(res.waits, e.Task)
		}
		src, vector := guest.WakeSource(e.Arg)
		if src == guest.WakeInterrupt && vector == 33 && res.kind != guest.ResourceKeyboard {
			r.errorf("IRQ1's wake of task %d went through %s, not the keyboard", e.Task, res.name)
		}
		if src == guest.WakeInterrupt && vector == 32 && res.kind != guest.ResourceTimers {
			r.errorf("the timer's wake of task %d went through %s, not the timer table", e.Task, res.name)
		}
	}
}

// byKind finds the live resource of that kind and name ("" any name).
func (r *resourceReplay) byKind(kind guest.ResourceKind, name string) (guest.ResourceID, *resource) {
	for id, res := range r.res {
		if res.kind == kind && !res.gone && (name == "" || res.name == name) {
			return id, res
		}
	}
	return 0, nil
}

// traceLog collects every guest event of a subscription, in order.
type traceLog struct {
	mu   sync.Mutex
	evs  []trace.Event
	done chan struct{}
}

func subscribeLog(m *emulator.Machine) (*traceLog, func()) {
	ch, stop := m.SubscribeTrace(1 << 16)
	l := &traceLog{done: make(chan struct{})}
	go func() {
		defer close(l.done)
		for e := range ch {
			if e.Kind.Guest() {
				l.mu.Lock()
				l.evs = append(l.evs, e)
				l.mu.Unlock()
			}
		}
	}()
	return l, func() { stop(); <-l.done }
}

func (l *traceLog) events() []trace.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]trace.Event(nil), l.evs...)
}

// waitForRecords waits until the records seen so far satisfy ok.
func waitForRecords(t *testing.T, m *emulator.Machine, l *traceLog, what string, ok func([]trace.Event) bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		m.FlushTrace()
		if ok(l.events()) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s in the trace within 30 s (%d guest records)\n--- serial ---\n%s", what, len(l.events()), m.Serial())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestResourceRecords(t *testing.T) {
	emutest.ForEachBackend(t, func(t *testing.T, backend string) {
		m := emutest.New(t, emulator.Config{Backend: backend, Cmdline: "scenario=demo"})
		log, stop := subscribeLog(m)
		defer stop()
		if err := m.Start(); err != nil {
			t.Fatal(err)
		}
		emutest.WaitSerial(t, m, `executor: waker scenario=demo started`, 30*time.Second)
		// The producer sends every 50 ms, the worker yields every 100 ms
		// once the TSC rate is known: wait for a few values and a yield.
		waitForRecords(t, m, log, "five values through the channel and a yield", func(evs []trace.Event) bool {
			values, yields := 0, 0
			queues := map[guest.ResourceID]bool{}
			for _, e := range evs {
				switch guest.EventKind(e.Kind) {
				case guest.EvResourceNew:
					if id, kind, _, _ := guest.ResourceNewArg(e.Arg); kind == guest.ResourceReadyQueue {
						queues[id] = true
					}
				case guest.EvResourceState:
					if _, l, c := guest.ResourceStateArg(e.Arg); c == 4 && l > 0 {
						values++
					}
				case guest.EvWake:
					if queues[guest.WakeResource(e.Arg)] {
						yields++
					}
				}
			}
			return values >= 5 && yields > 0
		})

		r := newResourceReplay()
		before := log.events()
		for _, e := range before {
			r.apply(e)
		}
		if _, kbd := r.byKind(guest.ResourceKeyboard, "keyboard"); kbd == nil || kbd.length != 0 {
			t.Fatalf("keyboard queue before the key press: %+v, want announced and empty", kbd)
		}
		r.keyAt = lastTime(before) + 1
		m.PressKey(ps2.KeyQ)
		emutest.WaitScreen(t, m, `q`, 10*time.Second)
		// The key's two scancodes in, and out again.
		waitForRecords(t, m, log, "the keyboard queue back at 0 after the key press", func(evs []trace.Event) bool {
			rose := false
			for _, e := range evs[len(before):] {
				if guest.EventKind(e.Kind) != guest.EvResourceState || guest.ResourceOf(e.Arg) != 2 {
					continue
				}
				_, n, _ := guest.ResourceStateArg(e.Arg)
				if n > 0 {
					rose = true
				} else if rose {
					return true
				}
			}
			return false
		})
		m.FlushTrace()
		all := log.events()
		for _, e := range all[len(before):] {
			r.apply(e)
		}
		for _, msg := range r.errs {
			t.Error(msg)
		}
		for id, res := range r.res {
			t.Logf("resource %d %v %q: %d of %d now (most %d), %d states, %d waits, %d wakes through it, waiting now %v",
				id, res.kind, res.name, res.length, res.capSize, res.maxLen, res.states, r.waited[id], r.wakes[id], res.waits)
		}
		t.Logf("keyboard queue after the key press: %v", r.keyLens)

		t.Run("announced", func(t *testing.T) {
			for _, want := range []struct {
				kind guest.ResourceKind
				name string
				cap  uint32
			}{
				{guest.ResourceTimers, "timers", 64},
				{guest.ResourceKeyboard, "keyboard", 1024},
				{guest.ResourceReadyQueue, "ready-queue", 256},
				{guest.ResourceChannel, "numbers", 4},
			} {
				id, res := r.byKind(want.kind, want.name)
				if res == nil {
					t.Errorf("no live %v resource named %q; have %v", want.kind, want.name, r.res)
					continue
				}
				if res.capSize != want.cap {
					t.Errorf("%s (%d): capacity %d, want %d", want.name, id, res.capSize, want.cap)
				}
			}
		})
		t.Run("channel", func(t *testing.T) {
			id, ch := r.byKind(guest.ResourceChannel, "numbers")
			if ch == nil {
				t.Fatal("no channel")
			}
			if ch.maxLen == 0 || r.wakes[id] == 0 || r.waited[id] == 0 {
				t.Errorf("numbers: most held %d, %d wakes through it, %d waits on it; want all above 0", ch.maxLen, r.wakes[id], r.waited[id])
			}
		})
		t.Run("timers", func(t *testing.T) {
			id, timers := r.byKind(guest.ResourceTimers, "timers")
			if timers == nil {
				t.Fatal("no timer table")
			}
			// The heartbeats, the worker and the producer sleep.
			if r.wakes[id] == 0 || r.deadlines == 0 || timers.maxLen < 3 {
				t.Errorf("timers: %d wakes, %d waits with a deadline, most pending %d; want wakes, deadlines and at least 3 pending", r.wakes[id], r.deadlines, timers.maxLen)
			}
		})
		t.Run("keyboard", func(t *testing.T) {
			id, _ := r.byKind(guest.ResourceKeyboard, "keyboard")
			if r.wakes[id] == 0 {
				t.Errorf("no wake through the keyboard after the key press")
			}
			if len(r.keyLens) < 2 || r.keyLens[0] == 0 || r.keyLens[len(r.keyLens)-1] != 0 {
				t.Errorf("keyboard queue lengths after the key press %v: want a rise, then 0", r.keyLens)
			}
		})
		t.Run("ready queue", func(t *testing.T) {
			// The worker's yield_now wakes through nothing but the queue.
			if id, q := r.byKind(guest.ResourceReadyQueue, "ready-queue"); q == nil || r.wakes[id] == 0 {
				t.Errorf("ready queue %+v: %d wakes through it, want some (the worker's yields)", q, r.wakes[id])
			}
		})
		t.Run("every wake names a resource", func(t *testing.T) {
			wakes := 0
			for _, e := range all {
				if guest.EventKind(e.Kind) == guest.EvWake {
					wakes++
					if guest.WakeResource(e.Arg) == 0 {
						t.Errorf("a wake of task %d at %d names no resource (arg %#x)", e.Task, e.Time, e.Arg)
						break
					}
				}
			}
			if wakes == 0 {
				t.Error("no wakes at all")
			}
		})
		model := m.Trace()
		if model.Dropped != 0 || model.Malformed != 0 || model.SubscriberDrops != 0 {
			t.Errorf("dropped %d, malformed %d, lost by the subscription %d", model.Dropped, model.Malformed, model.SubscriberDrops)
		}
	})
}

func lastTime(evs []trace.Event) int64 {
	if len(evs) == 0 {
		return 0
	}
	return evs[len(evs)-1].Time
}
