package trace

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pollscope/pollscope/guest"
)

// demoStream is the demo kernel's ordinary day: a keyboard task waiting on
// IRQ1, two heartbeats sleeping on the timer, and a worker that yields once
// after each timer wake (half its wakes are its own: not above the share).
func demoStream(rounds int) *stream {
	s := &stream{}
	s.executor(true).spawn(1, "keyboard").spawn(3, "heartbeat-a").spawn(4, "heartbeat-b").spawn(6, "worker")
	for _, id := range []uint32{1, 3, 4, 6} {
		s.after(time.Microsecond).pollOnce(id, 2*time.Microsecond)
	}
	for r := range rounds {
		s.after(time.Microsecond).sleep(300 * time.Microsecond)
		switch r % 4 {
		case 0:
			s.interrupt(keyboardVector, 1).after(time.Microsecond).pollOnce(1, 3*time.Microsecond)
		case 1, 2:
			id := uint32(3 + r%4 - 1)
			s.interrupt(timerVector, id).after(time.Microsecond).pollOnce(id, 3*time.Microsecond)
		case 3:
			s.interrupt(timerVector, 6).after(time.Microsecond)
			s.begin(6).after(time.Microsecond).wakeBy(6, guest.WakeTask, 6).after(time.Microsecond).end(6, false, 0)
			s.after(time.Microsecond).pollOnce(6, 2*time.Microsecond)
		}
	}
	return s.after(time.Microsecond).idleEnter()
}

func TestLintsFire(t *testing.T) {
	tests := []struct {
		name    string
		stream  func() *stream
		task    uint32
		want    LintKind
		message string
	}{
		{"lost waker: Pending with no live waker and no wake since", func() *stream {
			s := &stream{}
			s.executor(true).spawn(5, "lost-waker").after(time.Microsecond).begin(5).after(time.Microsecond).end(5, false, 0)
			return s.after(time.Microsecond).idleEnter().after(time.Second).hostExit(7, "hlt")
		}, 5, LintLostWaker, `task 5 "lost-waker" returned Pending without keeping its waker: nothing can wake it`},
		{"long poll: one poll above the threshold", func() *stream {
			s := &stream{}
			s.executor(true).spawn(7, "cruncher").begin(7).after(25 * time.Millisecond).pending(7)
			return s
		}, 7, LintLongPoll, `task 7 "cruncher" was polled for 25ms (limit 10ms)`},
		{"self-wake share: a task that only yields", func() *stream { return yieldStream(25) },
			2, LintSelfWakeShare, `task 2 "spinner" woke itself for 20 of its 20 wakes`},
		{"missed wakeup: hlt with a non-empty ready queue", func() *stream {
			s := &stream{}
			s.executor(true).spawn(1, "keyboard").queue(2).idleEnter()
			return s
		}, 0, LintMissedWakeup, "the executor entered hlt with 2 task(s) in its ready queue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := collect(t, Options{}, tt.stream().evs)
			if len(m.Lints) != 1 {
				t.Fatalf("lints = %+v, want one %v", m.Lints, tt.want)
			}
			l := m.Lints[0]
			if l.Kind != tt.want || l.Task != tt.task || !strings.Contains(l.Message, tt.message) {
				t.Errorf("lint = %v for task %d: %q; want %v for task %d containing %q",
					l.Kind, l.Task, l.Message, tt.want, tt.task, tt.message)
			}
		})
	}
}

func TestLintsFireOncePerTask(t *testing.T) {
	s := &stream{}
	s.executor(true).spawn(7, "cruncher")
	for range 3 {
		s.begin(7).after(20 * time.Millisecond).pending(7)
		s.queue(1).idleEnter().queue(0).after(time.Millisecond).idleExit()
	}
	m := collect(t, Options{}, s.evs)
	if got := lintsOf(m, 0); !slices.Equal(got, []LintKind{LintLongPoll, LintMissedWakeup}) {
		t.Errorf("lints = %v, want one long-poll and one missed-wakeup", got)
	}
}

func TestLintsStaySilent(t *testing.T) {
	tests := []struct {
		name   string
		stream *stream
	}{
		{"the demo: keyboard, heartbeats, a worker yielding half its wakes", demoStream(200)},
		{"lost waker cleared: a wake came after the Pending poll", func() *stream {
			s := &stream{}
			s.executor(true).spawn(5, "x").begin(5).after(time.Microsecond).end(5, false, 0)
			return s.after(time.Millisecond).wakeBy(5, guest.WakeUnknown, 0)
		}()},
		{"lost waker: a wake during the poll itself (yield_now)", yieldStream(5)},
		{"lost waker: the task finished", func() *stream {
			s := &stream{}
			s.executor(true).spawn(5, "x").begin(5).after(time.Microsecond).end(5, true, 0)
			return s
		}()},
		{"lost waker: the simple executor polls without wakes", simpleStream(3)},
		{"long poll: exactly at the threshold", func() *stream {
			s := &stream{}
			s.executor(true).spawn(7, "x").begin(7).after(10 * time.Millisecond).pending(7)
			return s
		}()},
		{"self-wake share: all self-wakes but fewer than 20 wakes", yieldStream(19)},
		{"missed wakeup: hlt with an empty queue", keyboardStream()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := collect(t, Options{}, tt.stream.evs)
			if len(m.Lints) != 0 {
				t.Errorf("lints = %+v, want none", m.Lints)
			}
		})
	}
}

func TestLintThresholdsFromOptions(t *testing.T) {
	s := &stream{}
	s.executor(true).spawn(7, "x").begin(7).after(2 * time.Millisecond).pending(7)
	m := collect(t, Options{LongPoll: time.Millisecond}, s.evs)
	if got := lintsOf(m, 7); !slices.Equal(got, []LintKind{LintLongPoll}) {
		t.Errorf("with LongPoll 1ms, a 2ms poll: lints %v, want long-poll", got)
	}
	m = collect(t, Options{SelfWakeShare: 0.4}, demoStream(200).evs)
	if got := lintsOf(m, 0); !slices.Equal(got, []LintKind{LintSelfWakeShare}) || m.Lints[0].Task != 6 {
		t.Errorf("with share 0.4, the demo's worker yielding half its wakes: lints %+v, want self-wake-share for task 6", m.Lints)
	}
}

// A poll that runs long and completes its task is still a long poll.
func TestLongPollThatCompletes(t *testing.T) {
	c := NewCollector(Options{LongPoll: time.Millisecond})
	c.Add(
		Event{Time: 0, Kind: kSpawn, Task: 1, Name: "blocker"},
		Event{Time: 10, Kind: kPollBegin, Task: 1},
		Event{Time: 10 + int64(5*time.Millisecond), Kind: kPollEnd, Task: 1, Arg: 1},
	)
	m := c.Snapshot()
	if len(m.Lints) != 1 || m.Lints[0].Kind != LintLongPoll || m.Lints[0].Task != 1 {
		t.Fatalf("lints = %+v, want one long-poll lint on task 1", m.Lints)
	}
}
