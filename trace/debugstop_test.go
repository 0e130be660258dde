package trace

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/pollscope/pollscope/guest"
)

// The reasons of the machine's debugger (gdbstub.StopReason's numbers).
const (
	reasonHalted     = 1
	reasonStep       = 2
	reasonBreakpoint = 3
)

func (s *stream) debugStop(reason uint8) *stream { return s.add(HostDebugStop, 0, uint64(reason), "") }
func (s *stream) debugResume() *stream           { return s.add(HostDebugResume, 0, 0, "") }
func (s *stream) debugStep() *stream             { return s.add(HostDebugResume, 0, DebugResumeStep, "") }

// heldAtBreakpoint is a task polled for 20 µs of its own time, with the
// vCPU stopped at a breakpoint for stop in the middle of the poll; a
// second task waits in the ready queue across the stop.
func heldAtBreakpoint(stop time.Duration, withStop bool) *stream {
	us := time.Microsecond
	s := &stream{}
	s.executor(true).spawn(1, "held").spawn(2, "waiting")
	s.at(10 * us).begin(1)
	s.at(15*us).wakeBy(2, guest.WakeTask, 1).at(20 * us)
	if withStop {
		s.debugStop(reasonBreakpoint)
	}
	s.after(stop)
	if withStop {
		s.debugResume()
	}
	s.after(10 * us).pending(1)
	return s.after(5*us).pollOnce(2, 2*us)
}

// A poll held at a breakpoint keeps its own duration: the stop is left out
// of it, of the task's busy time, of the waiting task's latency and
// scheduled time, and of both lifetimes, and no long-poll lint fires. The
// same stream without the stop events is a long poll, as it would be
// without the subtraction.
func TestDebugStopLeftOutOfPoll(t *testing.T) {
	us := time.Microsecond
	const stop = 10 * time.Second
	m := collect(t, Options{}, heldAtBreakpoint(stop, true).evs)
	if len(m.DebugStops) != 1 {
		t.Fatalf("debug stops %+v, want one", m.DebugStops)
	}
	ds := m.DebugStops[0]
	if ds.Start != int64(20*us) || ds.Duration() != stop || ds.Reason != reasonBreakpoint || ds.Steps != 0 {
		t.Errorf("debug stop %+v, want [20µs, +%v] at a breakpoint", ds, stop)
	}
	p := m.PollsIn(1, 0, m.End)
	if len(p) != 1 || p[0].Duration() != 20*us || p[0].Stopped != stop {
		t.Fatalf("task 1's polls %+v, want one of 20 µs with %v stopped", p, stop)
	}
	held := mustTask(t, m, 1).Stats
	if held.Busy != 20*us || held.PollTime.Max() != 20*us {
		t.Errorf("held task busy %v, longest poll %v, want 20 µs", held.Busy, held.PollTime.Max())
	}
	if want := time.Duration(m.End) - stop; held.Lifetime != want || held.Idle != want-20*us {
		t.Errorf("held task lifetime %v, idle %v, want %v and %v (the run less the stop)", held.Lifetime, held.Idle, want, want-20*us)
	}
	waiting := mustTask(t, m, 2).Stats
	// Woken at 15 µs, polled 5 µs after the poll's end (at 30 µs + stop):
	// 20 µs in the queue once the stop is left out.
	if waiting.WakeLatency.Max() != 20*us || waiting.Scheduled != 20*us {
		t.Errorf("waiting task latency %v, scheduled %v, want 20 µs", waiting.WakeLatency.Max(), waiting.Scheduled)
	}
	if got := lintsOf(m, 0); len(got) != 0 {
		t.Errorf("lints %v, want none: the poll ran 20 µs", got)
	}
	if got := m.StoppedTotal(); got != stop {
		t.Errorf("StoppedTotal %v, want %v", got, stop)
	}

	control := collect(t, Options{}, heldAtBreakpoint(stop, false).evs)
	if got := lintsOf(control, 1); !slices.Equal(got, []LintKind{LintLongPoll}) {
		t.Errorf("without the stop events the same poll has lints %v, want a long poll", got)
	}
}

// The statistics a stop spans, case by case.
func TestDebugStopStats(t *testing.T) {
	us := time.Microsecond
	tests := []struct {
		name   string
		stream func(s *stream)
		// the task's busy, scheduled and idle time and its lifetime
		busy, scheduled, idle, lifetime time.Duration
		stops                           []DebugStop
	}{
		{"a stop while the task waits for a wake is left out of its idle time", func(s *stream) {
			s.spawn(1, "t").begin(1).at(10 * us).pending(1)
			s.at(20*us).debugStop(reasonHalted).at(1020*us).debugResume().at(1030*us).hostExit(1, "hlt")
		}, 10 * us, 0, 20 * us, 30 * us, []DebugStop{{Start: int64(20 * us), End: int64(1020 * us), Reason: reasonHalted}}},
		{"single steps inside a poll are one stop, and not the poll's time", func(s *stream) {
			s.spawn(1, "t").begin(1).at(10 * us).debugStop(reasonBreakpoint)
			s.at(20 * us).debugStep().at(21 * us).debugStop(reasonStep)
			s.at(30 * us).debugStep().at(31 * us).debugStop(reasonStep)
			s.at(500 * us).debugResume().at(505 * us).pending(1)
		}, 15 * us, 0, 0, 15 * us, []DebugStop{{Start: int64(10 * us), End: int64(500 * us), Reason: reasonBreakpoint, Steps: 2}}},
		{"a poll that begins while stepping counts from the last resume", func(s *stream) {
			s.spawn(1, "t").at(10 * us).debugStop(reasonBreakpoint)
			s.at(20 * us).debugStep().at(21 * us).begin(1).at(22 * us).debugStop(reasonStep)
			s.at(100 * us).debugResume().at(103 * us).pending(1)
		}, 3 * us, 0, 10 * us, 13 * us, []DebugStop{{Start: int64(10 * us), End: int64(100 * us), Reason: reasonBreakpoint, Steps: 1}}},
		{"a wait in the ready queue across a stop", func(s *stream) {
			s.spawn(1, "t").begin(1).at(10*us).pending(1).at(20*us).wakeBy(1, guest.WakeInterrupt, 33)
			s.at(30 * us).debugStop(reasonHalted).at(2030 * us).debugResume().at(2040 * us).begin(1).at(2041 * us).pending(1)
		}, 11 * us, 20 * us, 10 * us, 41 * us, []DebugStop{{Start: int64(30 * us), End: int64(2030 * us), Reason: reasonHalted}}},
		{"a stop still open counts up to the end, and a running poll does not grow in it", func(s *stream) {
			s.spawn(1, "t").begin(1).at(10*us).debugStop(reasonBreakpoint).at(5000*us).hostKey(30, "A")
		}, 10 * us, 0, 0, 10 * us, nil},
		{"a resume that comes after the events it let happen ends the stop at the last of them", func(s *stream) {
			// Its resume lands in a later batch than the poll's end (the
			// stream is sorted by time, so its time is put later here).
			s.spawn(1, "t").begin(1).at(10 * us).debugStop(reasonHalted)
			s.at(1000*us).pending(1).at(990*us).debugResume().at(1010*us).hostExit(1, "hlt")
		}, 10 * us, 0, 10 * us, 20 * us, []DebugStop{{Start: int64(10 * us), End: int64(1000 * us), Reason: reasonHalted}}},
		{"a stop is not taken to begin before the guest event before it", func(s *stream) {
			// The host's clock puts the stop 2 µs before the guest's last
			// record: the stop starts at that record.
			s.spawn(1, "t").begin(1).at(10*us).mark(1, 7).at(8 * us).debugStop(reasonHalted)
			s.at(100 * us).debugResume().at(105 * us).pending(1)
		}, 15 * us, 0, 0, 15 * us, []DebugStop{{Start: int64(10 * us), End: int64(100 * us), Reason: reasonHalted}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &stream{}
			tt.stream(s)
			c := NewCollector(Options{})
			// One batch per event, so that the collector sees them in the
			// stream's order, late ones included.
			for _, e := range s.evs {
				c.Add(e)
			}
			m := c.Snapshot()
			checkModel(t, m)
			st := mustTask(t, m, 1).Stats
			if st.Busy != tt.busy || st.Scheduled != tt.scheduled || st.Idle != tt.idle || st.Lifetime != tt.lifetime {
				t.Errorf("busy %v scheduled %v idle %v lifetime %v, want %v %v %v %v",
					st.Busy, st.Scheduled, st.Idle, st.Lifetime, tt.busy, tt.scheduled, tt.idle, tt.lifetime)
			}
			if !slices.Equal(m.DebugStops, tt.stops) {
				t.Errorf("debug stops %+v, want %+v", m.DebugStops, tt.stops)
			}
			if m.Unmatched != 0 {
				t.Errorf("%d events unmatched", m.Unmatched)
			}
		})
	}
}

// A stop in progress is in OpenDebugStops and its lane, holds the
// watermark back, and the open poll says how long it has been stopped.
func TestDebugStopOpen(t *testing.T) {
	us := time.Microsecond
	s := &stream{}
	s.spawn(1, "t").begin(1).at(10*us).debugStop(reasonBreakpoint).at(5000*us).hostKey(30, "A")
	m := collect(t, Options{}, s.evs)
	if len(m.OpenDebugStops) != 1 || m.OpenDebugStops[0] != (DebugStop{Start: int64(10 * us), End: m.End, Reason: reasonBreakpoint}) {
		t.Fatalf("open debug stops %+v", m.OpenDebugStops)
	}
	l := m.DebugStopLane()
	if l.Len() != 1 || l.Flag(0)&SpanOpen == 0 || l.Start(0) != int64(10*us) || l.End(0) != m.End {
		t.Errorf("debug stop lane: %d spans, first [%d, %d] flag %d", l.Len(), l.Start(0), l.End(0), l.Flag(0))
	}
	if len(m.OpenPolls) != 1 || m.OpenPolls[0].Stopped != 4990*us || m.OpenPolls[0].Duration() != 10*us {
		t.Errorf("open poll %+v, want 10 µs run, 4990 µs stopped", m.OpenPolls)
	}
	if m.Final > int64(10*us) {
		t.Errorf("Final %d past the open stop's start", m.Final)
	}
	if got, ok := m.DebugStopAt(int64(3000 * us)); !ok || got.Start != int64(10*us) {
		t.Errorf("DebugStopAt(3 ms) = %+v, %v", got, ok)
	}
}

// Stop and resume events that do not pair up are counted and skipped.
func TestDebugStopUnmatched(t *testing.T) {
	us := time.Microsecond
	s := &stream{}
	s.spawn(1, "t").at(1 * us).debugResume().at(2 * us).debugStop(reasonHalted).at(3 * us).debugStop(reasonHalted)
	s.at(4 * us).debugResume().at(5 * us).debugResume()
	m := collect(t, Options{}, s.evs)
	if m.Unmatched != 3 {
		t.Errorf("unmatched %d, want 3 (a resume before any stop, a second stop, a second resume)", m.Unmatched)
	}
	if len(m.DebugStops) != 1 || m.DebugStops[0].Start != int64(2*us) || m.DebugStops[0].End != int64(4*us) {
		t.Errorf("debug stops %+v, want [2 µs, 4 µs]", m.DebugStops)
	}
}

func TestStoppedIn(t *testing.T) {
	us := int64(time.Microsecond)
	s := &stream{}
	s.spawn(1, "t").at(10 * time.Microsecond).debugStop(reasonHalted).at(20 * time.Microsecond).debugResume()
	s.at(40 * time.Microsecond).debugStop(reasonHalted).at(50 * time.Microsecond).debugResume()
	s.at(60*time.Microsecond).debugStop(reasonHalted).at(70*time.Microsecond).hostExit(1, "hlt")
	m := collect(t, Options{}, s.evs)
	for _, c := range []struct {
		from, to int64
		want     time.Duration
	}{
		{0, 10 * us, 0},
		{0, 100 * us, 30 * time.Microsecond}, // the open stop runs to End (70 µs)
		{15 * us, 45 * us, 10 * time.Microsecond},
		{12 * us, 18 * us, 6 * time.Microsecond},
		{20 * us, 40 * us, 0},
		{45 * us, 65 * us, 10 * time.Microsecond},
		{30 * us, 30 * us, 0},
	} {
		if got := m.StoppedIn(c.from, c.to); got != c.want {
			t.Errorf("StoppedIn(%d µs, %d µs) = %v, want %v", c.from/us, c.to/us, got, c.want)
		}
	}
}

// The switch from one poll to the next leaves a stop between them out.
func TestDebugStopLeftOutOfSwitch(t *testing.T) {
	c := NewCollector(Options{})
	c.Add(
		Event{Time: 0, Kind: kSpawn, Task: 1, Name: "a"},
		Event{Time: 0, Kind: kSpawn, Task: 2, Name: "b"},
		Event{Time: 100, Kind: kPollBegin, Task: 1},
		Event{Time: 200, Kind: kPollEnd, Task: 1},
		Event{Time: 210, Kind: HostDebugStop, Arg: reasonHalted},
		Event{Time: 5210, Kind: HostDebugResume},
		Event{Time: 5250, Kind: kPollBegin, Task: 2}, // 50 ns of switch, 5 µs stopped
		Event{Time: 5300, Kind: kPollEnd, Task: 2},
	)
	h := c.Snapshot().Switches
	if h.Count() != 1 || h.Max() != 50 {
		t.Fatalf("switches: count %d max %v, want one of 50ns", h.Count(), h.Max())
	}
}

// Eviction drops old stops with the rest; the statistics keep them left
// out.
func TestDebugStopEviction(t *testing.T) {
	us := time.Microsecond
	s := &stream{}
	s.executor(true).spawn(1, "t")
	for range 40 {
		s.after(us).begin(1).after(us).debugStop(reasonBreakpoint).after(time.Millisecond).debugResume().after(us).pending(1)
	}
	m := collect(t, Options{MaxEvents: 30}, s.evs)
	if m.Evicted == 0 || len(m.DebugStops) >= 40 {
		t.Fatalf("evicted %d, %d stops kept: the test wants eviction", m.Evicted, len(m.DebugStops))
	}
	st := mustTask(t, m, 1).Stats
	if st.Busy != 80*us || st.PollTime.Max() != 2*us {
		t.Errorf("busy %v, longest poll %v, want 80 µs and 2 µs", st.Busy, st.PollTime.Max())
	}
}

func TestWritePerfettoDebugStops(t *testing.T) {
	m := collect(t, Options{}, heldAtBreakpoint(time.Second, true).evs)
	tr, _ := exportJSON(t, m)
	var stops, polls int
	for _, e := range tr.TraceEvents {
		switch {
		case e.Ph == "X" && e.Name == "stopped in the debugger":
			stops++
			if e.Pid != hostPID || e.Tid != stopTID || e.ns(e.Dur) != int64(time.Second) || e.Args["reason"] != "breakpoint" {
				t.Errorf("stop slice %+v", e)
			}
		case e.Ph == "X" && e.Cat == "poll" && e.Name == "held":
			polls++
			if fmt.Sprint(e.Args["stopped_us"]) != "1000000" || fmt.Sprint(e.Args["run_us"]) != "20" {
				t.Errorf("held poll args %v, want stopped_us 1e6 and run_us 20", e.Args)
			}
		case e.Ph == "X" && e.Cat == "poll" && e.Name == "waiting":
			if fmt.Sprint(e.Args["wake_latency_us"]) != "20" {
				t.Errorf("waiting poll's wake latency %v µs, want 20 (the stop left out)", e.Args["wake_latency_us"])
			}
		case e.Ph == "M" && e.Tid == stopTID && e.Pid == hostPID && e.Name == "thread_name":
			if e.Args["name"] != "stopped in the debugger" {
				t.Errorf("stop track named %v", e.Args["name"])
			}
		}
	}
	if stops != 1 || polls != 1 {
		t.Errorf("%d stop slices and %d held polls, want one each", stops, polls)
	}
}

func TestDebugStopReasonName(t *testing.T) {
	for r, want := range map[uint8]string{1: "halted", 3: "breakpoint", 5: "watchpoint", 0: "reason 0", 99: "reason 99"} {
		if got := DebugStopReasonName(r); got != want {
			t.Errorf("DebugStopReasonName(%d) = %q, want %q", r, got, want)
		}
	}
}
