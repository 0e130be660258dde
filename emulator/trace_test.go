package emulator_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/pollscope/pollscope/devices/ps2"
	"github.com/pollscope/pollscope/emulator"
	"github.com/pollscope/pollscope/emulator/emutest"
	"github.com/pollscope/pollscope/guest"
	"github.com/pollscope/pollscope/trace"
)

// demoTasks are the named tasks of the demo scenario.
var demoTasks = []string{"example", "keyboard", "heartbeat-1s", "heartbeat-250ms", "worker", "producer", "consumer"}

// runScenario boots the demo kernel with cmdline, lets it run for d and
// returns the drained trace.
func runScenario(t *testing.T, backend, cmdline string, d time.Duration) (*emulator.Machine, *trace.Model) {
	t.Helper()
	m := emutest.Boot(t, onBackend(backend, emulator.Config{Cmdline: cmdline}))
	emutest.WaitSerial(t, m, `executor: \w+ scenario=\w+ started`, 20*time.Second)
	time.Sleep(d)
	m.FlushTrace()
	return m, m.Trace()
}

func taskByName(model *trace.Model, name string) *trace.Task {
	for i := range model.Tasks {
		if model.Tasks[i].Name == name {
			return &model.Tasks[i]
		}
	}
	return nil
}

// A key press travels, in order: the line raised at the 8042, the vector
// injected, IRQ 1's handler in the guest, the keyboard task woken by that
// interrupt, the task polled, the character on the screen.
func TestKeyPressCausality(t *testing.T) {
	emutest.ForEachBackend(t, func(t *testing.T, backend string) {
		m, _ := runScenario(t, backend, "", 300*time.Millisecond)
		checkKeyCausality(t, m, ps2.KeyQ, "q")
	})
}

// checkKeyCausality presses key on m, whose guest runs a keyboard task,
// waits for echo on the screen and checks the chain from the host's key
// event to the keyboard task's poll.
func checkKeyCausality(t *testing.T, m *emulator.Machine, key ps2.Key, echo string) {
	t.Helper()
	pressed := time.Now()
	m.PressKey(key)
	emutest.WaitScreen(t, m, echo, 10*time.Second)
	time.Sleep(50 * time.Millisecond)
	m.FlushTrace()
	model := m.Trace()
	kbd := taskByName(model, "keyboard")
	if kbd == nil {
		t.Fatalf("no keyboard task in %+v", model.Tasks)
	}
	var keyAt int64 = -1
	for _, e := range model.Host {
		if e.Kind == trace.HostKeyEvent && e.Arg == uint64(key) {
			keyAt = e.Time
			break
		}
	}
	if keyAt < 0 {
		t.Fatalf("no host key event for %v (pressed %v ago)", key, time.Since(pressed))
	}
	raise := firstHost(model, trace.HostIRQRaise, 1, keyAt)
	inject := firstHost(model, trace.HostInject, 33, raise)
	if raise < 0 || inject < 0 {
		t.Fatalf("after the key at %d: IRQ 1 raised at %d, vector 33 injected at %d", keyAt, raise, inject)
	}
	var irq *trace.IRQSpan
	for i := range model.IRQs {
		if s := &model.IRQs[i]; s.Vector == 33 && s.Start >= inject {
			irq = s
			break
		}
	}
	if irq == nil {
		t.Fatalf("no IRQ 1 handler span after the injection at %d", inject)
	}
	wake := -1
	for i, w := range model.Wakes {
		if w.Task == kbd.ID && w.Time >= irq.Start && w.Time <= irq.End {
			wake = i
			break
		}
	}
	if wake < 0 {
		t.Fatalf("the keyboard task was not woken inside the IRQ 1 handler %+v", *irq)
	}
	if w := model.Wakes[wake]; w.Source != guest.WakeInterrupt || w.SourceID != 33 {
		t.Fatalf("the keyboard task's wake came from %v %d, want interrupt 33", w.Source, w.SourceID)
	}
	p := model.WakePoll(wake)
	if p < 0 {
		t.Fatal("the wake caused no poll")
	}
	if poll := model.Polls[p]; poll.Task != kbd.ID || poll.Start < model.Wakes[wake].Time {
		t.Fatalf("the wake's poll %+v is not the keyboard task's, after the wake", poll)
	}
	t.Logf("key→raise %v, raise→inject %v, inject→handler %v, handler→wake %v, wake→poll %v",
		time.Duration(raise-keyAt), time.Duration(inject-raise), time.Duration(irq.Start-inject),
		time.Duration(model.Wakes[wake].Time-irq.Start), time.Duration(model.Polls[p].Start-model.Wakes[wake].Time))
}

// firstHost is the time of the first host event of kind with arg at or after
// from, or -1.
func firstHost(model *trace.Model, kind trace.Kind, arg uint64, from int64) int64 {
	if from < 0 {
		return -1
	}
	for _, e := range model.Host {
		if e.Kind == kind && e.Arg == arg && e.Time >= from {
			return e.Time
		}
	}
	return -1
}

// The simple executor busy-polls (polls without wakes, never idle); the
// waker executor sleeps in hlt until there is work. (A tick that wakes
// nothing does not end an idle period, so the demo's idle periods are
// about as many as its tasks' wake-ups: some 20 a second.)
func TestSimpleAndWakerExecutors(t *testing.T) {
	emutest.ForEachBackend(t, func(t *testing.T, backend string) {
		busy, simple := runScenario(t, backend, "executor=simple", time.Second)
		// The busy-polling guest takes a whole host core: stop it before the
		// second guest runs.
		busy.Close()
		if simple.Executor != "simple" {
			t.Fatalf("executor = %q, want simple", simple.Executor)
		}
		if n := len(simple.Idle) + len(simple.OpenIdle); n != 0 {
			t.Errorf("the simple executor idled %d times", n)
		}
		if len(simple.Wakes) != 0 {
			t.Errorf("the simple executor recorded %d wakes", len(simple.Wakes))
		}
		if len(simple.Polls) < 1000 {
			t.Errorf("the simple executor polled only %d times in a second", len(simple.Polls))
		}

		_, waker := runScenario(t, backend, "", time.Second)
		if waker.Executor != "waker" {
			t.Fatalf("executor = %q, want waker", waker.Executor)
		}
		t.Logf("the waker executor idled %d times in a second", len(waker.Idle))
		if len(waker.Idle) < 10 {
			t.Errorf("the waker executor idled only %d times in a second", len(waker.Idle))
		}
		var idle int64
		for _, s := range waker.Idle {
			idle += s.End - s.Start
		}
		if span := waker.End - waker.Start; idle < span/2 {
			t.Errorf("the waker executor spent %v of %v in hlt", time.Duration(idle), time.Duration(span))
		}
		linked := 0
		for _, p := range waker.Polls {
			if p.Wake >= 0 {
				linked++
			}
		}
		if linked < len(waker.Polls)/2 {
			t.Errorf("only %d of %d polls are linked to the wake that caused them", linked, len(waker.Polls))
		}
	})
}

// Every demo task appears with its name; each task's busy, scheduled and
// idle time add up to its lifetime; the demo raises no lint.
func TestDemoTraceTasksStatsAndLints(t *testing.T) {
	emutest.ForEachBackend(t, func(t *testing.T, backend string) {
		m, model := runScenario(t, backend, "", 1500*time.Millisecond)
		for _, name := range demoTasks {
			if taskByName(model, name) == nil {
				t.Errorf("task %q missing", name)
			}
		}
		for _, task := range model.Tasks {
			s := task.Stats
			if s.Busy+s.Scheduled+s.Idle != s.Lifetime {
				t.Errorf("task %s: busy %v + scheduled %v + idle %v != lifetime %v", task.Label(), s.Busy, s.Scheduled, s.Idle, s.Lifetime)
			}
		}
		if hb := taskByName(model, "heartbeat-250ms"); hb != nil && (hb.Stats.Polls < 4 || hb.Stats.Wakes < 3) {
			t.Errorf("heartbeat-250ms: %d polls, %d wakes in 1.5 s", hb.Stats.Polls, hb.Stats.Wakes)
		}
		for _, l := range model.Lints {
			if !hostMadeLint(t, backend, l) {
				t.Errorf("the demo raised a lint: %s", l.Message)
			}
		}
		if model.Dropped != 0 || model.Malformed != 0 {
			t.Errorf("dropped %d, malformed %d", model.Dropped, model.Malformed)
		}
		if c := m.HostCounters(); c != (emulator.HostCounters{}) {
			t.Errorf("the host lost events: %+v", c)
		}
	})
}

// The lints fire on the purpose-built scenarios.
func TestLintScenarios(t *testing.T) {
	emutest.ForEachBackend(t, func(t *testing.T, backend string) {
		cases := []struct {
			scenario string
			task     string
			lint     trace.LintKind
		}{
			{"lostwaker", "lost-waker", trace.LintLostWaker},
			{"longpoll", "long-poll", trace.LintLongPoll},
		}
		for _, c := range cases {
			t.Run(c.scenario, func(t *testing.T) {
				_, model := runScenario(t, backend, "scenario="+c.scenario, 500*time.Millisecond)
				task := taskByName(model, c.task)
				if task == nil {
					t.Fatalf("no task %q", c.task)
				}
				for _, l := range model.Lints {
					if l.Kind == c.lint && l.Task == task.ID {
						t.Logf("lint: %s", l.Message)
						return
					}
				}
				t.Fatalf("no %v lint on %q; lints: %+v", c.lint, c.task, model.Lints)
			})
		}
	})
}

// The Perfetto export parses and has a track per task, the interrupt and
// idle tracks, poll slices, counters and matched flow arrows.
func TestPerfettoExport(t *testing.T) {
	emutest.ForEachBackend(t, func(t *testing.T, backend string) {
		m, _ := runScenario(t, backend, "", time.Second)
		var buf bytes.Buffer
		if err := m.WritePerfetto(&buf); err != nil {
			t.Fatal(err)
		}
		var doc struct {
			TraceEvents []map[string]any `json:"traceEvents"`
		}
		if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
			t.Fatalf("the export is not JSON: %v", err)
		}
		threads := map[string]bool{}
		phases := map[string]int{}
		flowOut, flowIn := map[any]int{}, map[any]int{}
		for _, e := range doc.TraceEvents {
			phases[e["ph"].(string)]++
			if e["name"] == "thread_name" {
				threads[e["args"].(map[string]any)["name"].(string)] = true
			}
			if e["flow_out"] == true {
				flowOut[e["bind_id"]]++
			}
			if e["flow_in"] == true {
				flowIn[e["bind_id"]]++
			}
		}
		for _, name := range []string{"keyboard (task 2)", "interrupts", "idle (hlt)"} {
			if !threads[name] {
				t.Errorf("no %q track; tracks: %v", name, threads)
			}
		}
		if phases["X"] < 100 || phases["C"] == 0 {
			t.Errorf("phases %v: want many X slices and some C counters", phases)
		}
		if len(flowOut) < 10 {
			t.Errorf("only %d flows", len(flowOut))
		}
		for id, n := range flowOut {
			if n != 1 || flowIn[id] != 1 {
				t.Errorf("flow %v: %d out, %d in", id, n, flowIn[id])
			}
		}
	})
}
