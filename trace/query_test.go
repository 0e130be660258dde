package trace

import (
	"testing"
	"time"
)

func TestPollsIn(t *testing.T) {
	us := int64(time.Microsecond)
	// Task 1 polls [10,20], [30,30] (zero length), [40,50]; task 2 polls
	// [20,25] in between.
	s := &stream{}
	s.at(10 * time.Microsecond).begin(1).at(20 * time.Microsecond).pending(1)
	s.begin(2).at(25 * time.Microsecond).pending(2)
	s.at(30 * time.Microsecond).begin(1).pending(1)
	s.at(40 * time.Microsecond).begin(1).at(50 * time.Microsecond).pending(1)
	s.at(60 * time.Microsecond).begin(1) // still open: not listed
	m := collect(t, Options{}, s.evs)

	tests := []struct {
		name     string
		task     uint32
		from, to int64
		want     []int64 // starts, µs
	}{
		{"all", 1, 0, 100 * us, []int64{10, 30, 40}},
		{"none before the first", 1, 0, 10 * us, nil},
		{"a range inside a poll", 1, 12 * us, 13 * us, []int64{10}},
		{"a poll ending at from is excluded", 1, 20 * us, 29 * us, nil},
		{"a zero-length poll at from is included", 1, 30 * us, 31 * us, []int64{30}},
		{"a poll starting at to is excluded", 1, 21 * us, 40 * us, []int64{30}},
		{"other tasks' polls are not listed", 2, 0, 100 * us, []int64{20}},
		{"an unknown task has none", 9, 0, 100 * us, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []int64
			for _, p := range m.PollsIn(tt.task, tt.from, tt.to) {
				if p.Task != tt.task {
					t.Errorf("poll of task %d listed for task %d", p.Task, tt.task)
				}
				got = append(got, p.Start/us)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("starts = %v µs, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("starts = %v µs, want %v", got, tt.want)
				}
			}
		})
	}
	if len(m.OpenPolls) != 1 || m.OpenPolls[0].Task != 1 || m.OpenPolls[0].End != m.End {
		t.Errorf("open polls = %+v, want task 1's, ending at End", m.OpenPolls)
	}
}

func TestTaskLookup(t *testing.T) {
	m := collect(t, Options{}, demoStream(4).evs)
	for _, id := range []uint32{1, 3, 4, 6} {
		if task, ok := m.Task(id); !ok || task.ID != id {
			t.Errorf("Task(%d) = %+v, %v", id, task, ok)
		}
	}
	if _, ok := m.Task(2); ok {
		t.Errorf("Task(2) found, want not found")
	}
}

func TestWakePollOutOfRange(t *testing.T) {
	m := collect(t, Options{}, keyboardStream().evs)
	for _, i := range []int{-1, len(m.Wakes)} {
		if got := m.WakePoll(i); got != -1 {
			t.Errorf("WakePoll(%d) = %d, want -1", i, got)
		}
	}
}
