package trace

import (
	"slices"
	"testing"
	"time"

	"github.com/pollscope/pollscope/guest"
)

func TestOutOfOrderEvents(t *testing.T) {
	us := int64(time.Microsecond)
	t.Run("a batch is sorted by time before it is applied", func(t *testing.T) {
		evs := []Event{
			{Time: 20 * us, Kind: kPollEnd, Task: 1},
			{Time: 10 * us, Kind: kPollBegin, Task: 1},
			{Time: 15 * us, Kind: HostExit, Name: "port-io"},
		}
		orig := slices.Clone(evs)
		m := collect(t, Options{}, evs)
		if len(m.Polls) != 1 || m.Polls[0].Start != 10*us || m.Polls[0].End != 20*us || m.Unmatched != 0 {
			t.Errorf("polls %+v, unmatched %d; want one poll [10µs, 20µs]", m.Polls, m.Unmatched)
		}
		if !slices.Equal(evs, orig) {
			t.Errorf("Add reordered the caller's slice")
		}
	})
	t.Run("a host event older than the last guest event is kept at its time", func(t *testing.T) {
		c := NewCollector(Options{})
		c.Add(Event{Time: 10 * us, Kind: HostExit, Name: "a"}, Event{Time: 50 * us, Kind: kIdleEnter})
		before := c.Snapshot()
		c.Add(Event{Time: 30 * us, Kind: HostInject, Arg: 33}, Event{Time: 60 * us, Kind: kIdleExit})
		c.Add(Event{Time: 5 * us, Kind: HostIRQRaise, Arg: 1})
		m := c.Snapshot()
		checkModel(t, m)
		var times []int64
		for _, e := range m.Host {
			times = append(times, e.Time/us)
		}
		if !slices.Equal(times, []int64{5, 10, 30}) || m.Start != 5*us {
			t.Errorf("host event times %v µs, start %d; want [5 10 30], 5µs", times, m.Start)
		}
		if len(before.Host) != 1 || before.Host[0].Name != "a" {
			t.Errorf("the earlier snapshot's host events changed: %+v", before.Host)
		}
		if len(m.Idle) != 1 || m.Idle[0] != (Span{50 * us, 60 * us}) {
			t.Errorf("idle = %+v, want [50µs, 60µs]", m.Idle)
		}
	})
	t.Run("a guest event older than the last guest event is applied at that time", func(t *testing.T) {
		c := NewCollector(Options{})
		c.Add(Event{Time: 100 * us, Kind: kPollBegin, Task: 1})
		c.Add(Event{Time: 90 * us, Kind: kWake, Task: 1, Arg: uint64(guest.WakeTask) << 56}, Event{Time: 95 * us, Kind: kPollEnd, Task: 1})
		m := c.Snapshot()
		checkModel(t, m)
		if len(m.Polls) != 1 || m.Polls[0].End != 100*us || m.Wakes[0].Time != 100*us {
			t.Errorf("polls %+v, wakes %+v; want both late events at 100µs", m.Polls, m.Wakes)
		}
	})
	t.Run("times are clamped to [0, 2^62]", func(t *testing.T) {
		m := collect(t, Options{}, []Event{
			{Time: -5, Kind: HostExit}, {Time: 1<<63 - 1, Kind: HostExit},
		})
		if m.Start != 0 || m.End != maxTime {
			t.Errorf("start %d end %d, want 0 and 2^62", m.Start, m.End)
		}
	})
}

func TestRepairs(t *testing.T) {
	us := int64(time.Microsecond)
	at := func(n int64, k Kind, task uint32, arg uint64) Event {
		return Event{Time: n * us, Kind: k, Task: task, Arg: arg}
	}
	tests := []struct {
		name      string
		evs       []Event
		unmatched uint64
		check     func(t *testing.T, m *Model)
	}{
		{"a lost PollEnd: the next PollBegin ends the poll", []Event{
			at(1, kPollBegin, 1, 0), at(5, kPollBegin, 2, 0), at(6, kPollEnd, 2, 0),
		}, 1, func(t *testing.T, m *Model) {
			if len(m.Polls) != 2 || m.Polls[0].End != 5*us {
				t.Errorf("polls = %+v, want task 1's ending at 5µs", m.Polls)
			}
		}},
		{"a lost PollEnd: IdleEnter ends the poll", []Event{
			at(1, kPollBegin, 1, 0), at(5, kIdleEnter, 0, 0),
		}, 1, func(t *testing.T, m *Model) {
			if len(m.Polls) != 1 || len(m.OpenPolls) != 0 {
				t.Errorf("polls = %+v, open %+v; want one ended poll", m.Polls, m.OpenPolls)
			}
		}},
		{"a lost IrqExit: IdleEnter ends the handler", []Event{
			at(1, kIrqEnter, 0, 32), at(2, kIdleEnter, 0, 0),
		}, 1, func(t *testing.T, m *Model) {
			if len(m.IRQs) != 1 || m.IRQs[0].End != 2*us {
				t.Errorf("irqs = %+v, want one ending at 2µs", m.IRQs)
			}
		}},
		{"nested handlers are listed by start", []Event{
			at(1, kIrqEnter, 0, 32), at(2, kIrqEnter, 0, 33), at(3, kIrqExit, 0, 33), at(4, kIrqExit, 0, 32),
		}, 0, func(t *testing.T, m *Model) {
			want := []IRQSpan{{32, 1 * us, 4 * us}, {33, 2 * us, 3 * us}}
			if !slices.Equal(m.IRQs, want) {
				t.Errorf("irqs = %+v, want %+v", m.IRQs, want)
			}
		}},
		{"a lost IdleExit: PollBegin ends the hlt", []Event{
			at(1, kIdleEnter, 0, 0), at(3, kPollBegin, 1, 0),
		}, 1, func(t *testing.T, m *Model) {
			if len(m.Idle) != 1 || m.Idle[0].End != 3*us {
				t.Errorf("idle = %+v, want one ending at 3µs", m.Idle)
			}
		}},
		{"skipped: PollEnd with no poll, IrqExit and IdleExit with nothing open", []Event{
			at(1, kPollEnd, 1, 0), at(2, kIrqExit, 0, 32), at(3, kIdleExit, 0, 0),
		}, 3, nil},
		{"skipped: task events for task 0 and unknown kinds", []Event{
			at(1, kPollBegin, 0, 0), at(2, kWake, 0, 0), at(3, kSpawn, 0, 0), at(4, Kind(17), 1, 0), at(5, Kind(99), 0, 0),
		}, 5, func(t *testing.T, m *Model) {
			if len(m.Tasks) != 0 || len(m.Polls) != 0 || len(m.Wakes) != 0 {
				t.Errorf("tasks %+v, polls %+v, wakes %+v; want none", m.Tasks, m.Polls, m.Wakes)
			}
		}},
		{"TaskExit inside a poll ends the poll", []Event{
			at(1, kPollBegin, 1, 0), at(4, kTaskExit, 1, 0),
		}, 1, func(t *testing.T, m *Model) {
			if len(m.Polls) != 1 || m.Polls[0].End != 4*us || m.Tasks[0].State != Done || m.Tasks[0].Exited != 4*us {
				t.Errorf("polls %+v, task %+v; want the poll ended and the task done at 4µs", m.Polls, m.Tasks[0])
			}
		}},
		{"an outer IrqExit ends the handlers nested in it", []Event{
			at(1, kIrqEnter, 0, 32), at(2, kIrqEnter, 0, 33), at(3, kIrqExit, 0, 32),
		}, 1, func(t *testing.T, m *Model) {
			want := []IRQSpan{{32, 1 * us, 3 * us}, {33, 2 * us, 3 * us}}
			if !slices.Equal(m.IRQs, want) || len(m.OpenIRQs) != 0 {
				t.Errorf("irqs = %+v, open %+v; want %+v", m.IRQs, m.OpenIRQs, want)
			}
		}},
		{"handlers nested deeper than 16 lost their IrqExit", func() []Event {
			var evs []Event
			for i := range 17 {
				evs = append(evs, at(int64(i), kIrqEnter, 0, 32))
			}
			return evs
		}(), 1, func(t *testing.T, m *Model) {
			if len(m.IRQs) != 16 || len(m.OpenIRQs) != 1 {
				t.Errorf("%d ended and %d open handlers, want 16 and 1", len(m.IRQs), len(m.OpenIRQs))
			}
		}},
		{"a PollBegin of a finished task is skipped", []Event{
			at(1, kPollBegin, 1, 0), at(2, kPollEnd, 1, 1), at(3, kPollBegin, 1, 0),
		}, 1, func(t *testing.T, m *Model) {
			if len(m.Polls) != 1 || len(m.OpenPolls) != 0 {
				t.Errorf("polls %+v, open %+v; want the one before it finished", m.Polls, m.OpenPolls)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := collect(t, Options{}, tt.evs)
			if m.Unmatched != tt.unmatched {
				t.Errorf("unmatched = %d, want %d", m.Unmatched, tt.unmatched)
			}
			if tt.check != nil {
				tt.check(t, m)
			}
		})
	}
}

func TestRespawnedTaskStartsANewLife(t *testing.T) {
	s := &stream{}
	s.executor(true).spawn(1, "old").begin(1).after(time.Microsecond).pending(1)
	s.after(time.Microsecond).wakeBy(1, guest.WakeUnknown, 0).after(time.Microsecond).exit(1)
	s.after(time.Microsecond).spawn(1, "new").after(time.Microsecond).begin(1).after(time.Microsecond).pending(1)
	m := collect(t, Options{}, s.evs)
	task := mustTask(t, m, 1)
	if task.Name != "new" || task.Stats.Polls != 1 || task.Stats.Wakes != 0 || task.Exited != 0 {
		t.Errorf("task = %+v, want the new life: 1 poll, no wake, alive", task)
	}
	if m.WakePoll(0) != -1 || m.Polls[1].Wake != -1 {
		t.Errorf("the old life's wake links to poll %d, new poll's wake %d; want no link across lives",
			m.WakePoll(0), m.Polls[1].Wake)
	}
}
