package emulator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/pollscope/pollscope/emulator"
	"github.com/pollscope/pollscope/emulator/emutest"
	"github.com/pollscope/pollscope/gdbstub"
	"github.com/pollscope/pollscope/trace"
)

// The trace model names the debugger's stop reasons by gdbstub's numbers.
func TestDebugStopReasonNumbers(t *testing.T) {
	for r, want := range map[gdbstub.StopReason]string{
		gdbstub.StopHalted: "halted", gdbstub.StopStep: "step", gdbstub.StopSoftwareBreakpoint: "breakpoint",
		gdbstub.StopHardwareBreakpoint: "hardware breakpoint", gdbstub.StopWatchpoint: "watchpoint",
		gdbstub.StopTrap: "trap", gdbstub.StopFault: "fault", gdbstub.StopExited: "exited",
	} {
		if got := trace.DebugStopReasonName(uint8(r)); got != want {
			t.Errorf("reason %d is %q in the trace, want %q", r, got, want)
		}
	}
}

// holdInLongPoll boots the demo's long-poll scenario and stops the vCPU
// with Halt while a poll of the long-poll task runs (its first, or the one
// that busy-waits 50 ms), found in the trace as it comes; it looks again if
// the poll ends before the vCPU stands still, on a new machine once the
// task is done.
func holdInLongPoll(t *testing.T, cfg emulator.Config) (*emulator.Machine, uint32) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for attempt := 1; attempt <= 3; attempt++ {
		m := emutest.Boot(t, cfg)
		emutest.WaitSerial(t, m, `executor: \w+ scenario=longpoll started`, 20*time.Second)
		d := m.Debugger()
		for ctx.Err() == nil {
			m.FlushTrace()
			model := m.Trace()
			lp := taskByName(model, "long-poll")
			if lp == nil || lp.State == trace.Done {
				if lp != nil {
					break // its long poll is over: another machine
				}
				time.Sleep(time.Millisecond)
				continue
			}
			if len(model.OpenPolls) == 0 || model.OpenPolls[0].Task != lp.ID {
				time.Sleep(time.Millisecond)
				continue
			}
			if _, err := d.Halt(ctx); err != nil {
				t.Fatal(err)
			}
			m.FlushTrace()
			if after := m.Trace(); len(after.OpenPolls) > 0 && after.OpenPolls[0].Task == lp.ID && after.OpenPolls[0].Start == model.OpenPolls[0].Start {
				return m, lp.ID
			}
			if err := d.Detach(); err != nil { // stopped after it: look again
				t.Fatal(err)
			}
		}
		t.Logf("attempt %d: the long poll ended before the vCPU stood still", attempt)
		m.Close()
	}
	t.Fatal("could not stop the vCPU inside the long poll in 3 boots")
	return nil, 0
}

// A real machine stopped by Debugger().Halt in the middle of a poll and
// held there: the stop is a span of its own in the trace, the poll's
// duration and every statistic leave it out, and no long-poll lint fires
// (the limit is 1 s, the task's longest poll runs 50 ms, the stop lasts
// 2.5 s).
//
// On KVM, whose guest TSC runs on while the vCPU is stopped, and on the
// software CPU in real-time mode, whose TSC is the host's clock.
func TestDebuggerStopLeftOutOfTrace(t *testing.T) {
	for _, backend := range []string{emulator.BackendKVM, emulator.BackendTCG} {
		t.Run(backend, func(t *testing.T) {
			if err := emulator.BackendAvailable(backend); err != nil {
				t.Skipf("skipping: %v", err)
			}
			stopLeftOutOfTrace(t, backend)
		})
	}
}

func stopLeftOutOfTrace(t *testing.T, backend string) {
	const hold = 2500 * time.Millisecond
	cfg := emulator.Config{Backend: backend, Cmdline: "scenario=longpoll", Trace: trace.Options{LongPoll: time.Second}}
	m, lpID := holdInLongPoll(t, cfg)
	time.Sleep(hold)
	if err := m.Debugger().Detach(); err != nil {
		t.Fatal(err)
	}
	var model *trace.Model
	deadline := time.Now().Add(20 * time.Second)
	for {
		m.FlushTrace()
		model = m.Trace()
		if lp, _ := model.Task(lpID); lp.State == trace.Done {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the long-poll task did not finish after the debugger let the guest go")
		}
		time.Sleep(20 * time.Millisecond)
	}

	var held trace.DebugStop
	for _, s := range model.DebugStops {
		if s.Duration() > held.Duration() {
			held = s
		}
	}
	if held.Duration() < hold || held.Reason != uint8(gdbstub.StopHalted) {
		t.Fatalf("the longest debug stop is %+v (%v), want one of at least %v, halted", held, held.Duration(), hold)
	}
	var poll trace.PollSpan
	for _, p := range model.PollsIn(lpID, held.Start, held.End) {
		if p.Start < held.Start && p.End > held.End {
			poll = p
		}
	}
	if poll.End == 0 {
		t.Fatalf("no poll of the long-poll task spans the stop %+v: %+v", held, model.PollsIn(lpID, 0, model.End))
	}
	if poll.Stopped != held.Duration() || poll.Duration() != time.Duration(poll.End-poll.Start)-held.Duration() {
		t.Errorf("the held poll %+v: stopped %v, duration %v; want the stop's %v left out", poll, poll.Stopped, poll.Duration(), held.Duration())
	}
	for _, l := range model.Lints {
		if l.Kind == trace.LintLongPoll {
			t.Errorf("a long-poll lint fired: %s", l.Message)
		}
	}
	for _, task := range model.Tasks {
		s := task.Stats
		if s.PollTime.Max() >= hold || s.WakeLatency.Max() >= hold {
			t.Errorf("task %s: longest poll %v, longest wake latency %v: the stop is in them", task.Label(), s.PollTime.Max(), s.WakeLatency.Max())
		}
		end := model.End
		if task.State == trace.Done {
			end = task.Exited
		}
		if want := time.Duration(end-task.Spawned) - model.StoppedIn(task.Spawned, end); s.Lifetime != want {
			t.Errorf("task %s: lifetime %v, want %v (its life less the stops)", task.Label(), s.Lifetime, want)
		}
		if s.Busy+s.Scheduled+s.Idle != s.Lifetime {
			t.Errorf("task %s: busy %v + scheduled %v + idle %v != lifetime %v", task.Label(), s.Busy, s.Scheduled, s.Idle, s.Lifetime)
		}
	}
	var buf bytes.Buffer
	if err := model.WritePerfetto(&buf); err != nil {
		t.Fatal(err)
	}
	var export struct {
		TraceEvents []struct {
			Name, Ph string
			Dur      float64
			Args     map[string]any
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &export); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range export.TraceEvents {
		if e.Ph == "X" && e.Name == "stopped in the debugger" && e.Dur*1e3 >= float64(hold) && e.Args["reason"] == "halted" {
			found = true
		}
	}
	if !found {
		t.Errorf("no %v slice \"stopped in the debugger\" in the Perfetto export", hold)
	}
	t.Logf("held %v in a poll of %v (%v of it stopped); %d debug stops", held.Duration(), time.Duration(poll.End-poll.Start), poll.Stopped, len(model.DebugStops))
}
