package trace

import (
	"testing"
	"time"

	"github.com/pollscope/pollscope/guest"
)

func TestStatsAddUp(t *testing.T) {
	us := time.Microsecond
	type want struct {
		busy, scheduled, idle, lifetime time.Duration
		state                           TaskState
	}
	tests := []struct {
		name   string
		stream func(s *stream)
		want   want
	}{
		{"two wakes before one poll count one gap from the first", func(s *stream) {
			s.spawn(1, "t").begin(1).after(10 * us).pending(1)
			s.at(20*us).wakeBy(1, guest.WakeUnknown, 0).at(25*us).wakeBy(1, guest.WakeUnknown, 0)
			s.at(40 * us).begin(1).after(10 * us).pending(1)
			s.at(100*us).hostExit(1, "port-io")
		}, want{busy: 20 * us, scheduled: 20 * us, idle: 60 * us, lifetime: 100 * us, state: Idle}},
		{"a wake during the task's own poll is scheduled from the poll's end", func(s *stream) {
			s.spawn(1, "t").begin(1).at(5*us).wakeBy(1, guest.WakeInterrupt, 33).at(10 * us).pending(1)
			s.at(30 * us).begin(1).after(10 * us).pending(1)
		}, want{busy: 20 * us, scheduled: 20 * us, idle: 0, lifetime: 40 * us, state: Idle}},
		{"a finished task's lifetime ends at its Ready poll", func(s *stream) {
			s.spawn(1, "t").at(2*us).begin(1).at(10*us).end(1, true, 0)
			s.at(50*us).wakeBy(1, guest.WakeUnknown, 0).at(90*us).hostExit(1, "port-io")
		}, want{busy: 8 * us, lifetime: 10 * us, idle: 2 * us, state: Done}},
		{"TaskExit after the Ready poll extends the lifetime", func(s *stream) {
			s.spawn(1, "t").begin(1).at(10*us).end(1, true, 0).at(12 * us).exit(1)
		}, want{busy: 10 * us, lifetime: 12 * us, idle: 2 * us, state: Done}},
		{"a poll in progress counts as busy up to End", func(s *stream) {
			s.spawn(1, "t").at(50*us).begin(1).at(80*us).hostExit(1, "port-io")
		}, want{busy: 30 * us, lifetime: 80 * us, idle: 50 * us, state: Running}},
		{"a wait in progress counts as scheduled up to End", func(s *stream) {
			s.spawn(1, "t").begin(1).at(10*us).pending(1).at(20*us).wakeBy(1, guest.WakeUnknown, 0)
			s.at(60*us).hostExit(1, "port-io")
		}, want{busy: 10 * us, scheduled: 40 * us, idle: 10 * us, lifetime: 60 * us, state: Scheduled}},
		{"a task first seen in a wake was spawned then", func(s *stream) {
			s.at(10*us).wakeBy(9, guest.WakeUnknown, 0).at(15 * us).begin(9).at(18 * us).pending(9)
		}, want{busy: 3 * us, scheduled: 5 * us, lifetime: 8 * us, state: Idle}},
		{"exit while woken ends the wait", func(s *stream) {
			s.spawn(1, "t").begin(1).at(10*us).pending(1).at(20*us).wakeBy(1, guest.WakeUnknown, 0).at(30 * us).exit(1)
			s.at(70*us).hostExit(1, "port-io")
		}, want{busy: 10 * us, scheduled: 10 * us, idle: 10 * us, lifetime: 30 * us, state: Done}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &stream{}
			tt.stream(s)
			m := collect(t, Options{}, s.evs)
			task := &m.Tasks[0]
			st := task.Stats
			got := want{st.Busy, st.Scheduled, st.Idle, st.Lifetime, task.State}
			if got != tt.want {
				t.Errorf("busy, scheduled, idle, lifetime, state = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestStatsAccumulate(t *testing.T) {
	m := collect(t, Options{}, heartbeatStream(10, 3).evs)
	st := mustTask(t, m, 3).Stats
	if st.PollTime.Count() != st.Polls || st.WakeLatency.Count() != st.Wakes {
		t.Errorf("%d poll-time samples for %d polls, %d latency samples for %d wakes",
			st.PollTime.Count(), st.Polls, st.WakeLatency.Count(), st.Wakes)
	}
	if st.PollTime.Max() != 5*time.Microsecond || st.PollTime.Min() != 2*time.Microsecond {
		t.Errorf("poll time min %v max %v, want 2µs and 5µs", st.PollTime.Min(), st.PollTime.Max())
	}
	var busy time.Duration
	for _, p := range m.Polls {
		busy += p.Duration()
	}
	if st.Busy != busy || st.LastPoll != m.Polls[len(m.Polls)-1].Start {
		t.Errorf("busy %v, last poll %d; want the polls' sum %v and the last start %d",
			st.Busy, st.LastPoll, busy, m.Polls[len(m.Polls)-1].Start)
	}
}

// The executor's switch cost is the gap between one poll's end and the next
// poll's begin, skipped when an interrupt or a hlt came between.
func TestSwitchCosts(t *testing.T) {
	c := NewCollector(Options{})
	c.Add(
		Event{Time: 0, Kind: kSpawn, Task: 1, Name: "a"},
		Event{Time: 0, Kind: kSpawn, Task: 2, Name: "b"},
		Event{Time: 100, Kind: kPollBegin, Task: 1},
		Event{Time: 200, Kind: kPollEnd, Task: 1},
		Event{Time: 250, Kind: kPollBegin, Task: 2}, // a 50 ns switch
		Event{Time: 300, Kind: kPollEnd, Task: 2},
		Event{Time: 310, Kind: kIrqEnter, Arg: 32},
		Event{Time: 320, Kind: kIrqExit, Arg: 32},
		Event{Time: 400, Kind: kPollBegin, Task: 1}, // an interrupt came between: not a switch
		Event{Time: 500, Kind: kPollEnd, Task: 1},
		Event{Time: 570, Kind: kPollBegin, Task: 2}, // a 70 ns switch
		Event{Time: 600, Kind: kPollEnd, Task: 2},
	)
	h := c.Snapshot().Switches
	if h.Count() != 2 || h.Min() != 50 || h.Max() != 70 {
		t.Fatalf("switches: count %d min %v max %v, want 2 between 50ns and 70ns", h.Count(), h.Min(), h.Max())
	}
}
