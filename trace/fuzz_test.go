package trace

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"testing"
	"time"
)

// fuzzKinds are the kinds a fuzz record can have: all guest and host kinds
// and a few that are neither.
var fuzzKinds = []Kind{kSpawn, kPollBegin, kPollEnd, kWake, kIrqEnter, kIrqExit, kIdleEnter, kIdleExit,
	kExecStart, kMark, kTaskExit, kResNew, kResState, kResWait, kResWaitEnd, kResDrop,
	HostIRQRaise, HostInject, HostExit, HostKeyEvent, HostDebugStop, HostDebugResume, 0, 17, 99, 106}

const fuzzRecord = 8

// decodeFuzz turns fuzz bytes into batches of events: 8 bytes a record
// (kind, task, time step, argument bytes, queue, batch end).
func decodeFuzz(data []byte) [][]Event {
	var batches [][]Event
	var batch []Event
	var now int64
	for ; len(data) >= fuzzRecord; data = data[fuzzRecord:] {
		r := data[:fuzzRecord]
		e := Event{Kind: fuzzKinds[int(r[0])%len(fuzzKinds)], Task: uint32(r[1] % 12), Queue: uint16(r[5] % 4)}
		now += int64(int8(r[2])) * int64(time.Microsecond) // may go back
		e.Time = now
		switch r[6] {
		case 255:
			e.Time = math.MaxInt64
		case 254:
			e.Time = math.MinInt64
		}
		raw := uint64(r[3]) | uint64(r[4])<<8 | uint64(r[6])<<16
		switch e.Kind {
		case kPollEnd:
			e.Arg = uint64(r[3]&1) | uint64(r[4]%3)<<32
		case kWake:
			e.Arg = uint64(r[3]%4)<<56 | uint64(r[4]%12) | uint64(r[6]%6)<<32
		case kResNew, kResState, kResWait, kResWaitEnd, kResDrop:
			e.Arg = fuzzResourceArg(e.Kind, r)
		case kIrqEnter, kIrqExit:
			e.Arg = uint64(30 + r[3]%5)
		case kExecStart:
			e.Arg = uint64(r[3] % 3)
		default:
			e.Arg = raw
		}
		if e.Kind == kSpawn || e.Kind == HostExit || e.Kind == kResNew {
			e.Name = string(r[3:5])
		}
		batch = append(batch, e)
		if r[7]%8 == 0 {
			batches, batch = append(batches, batch), nil
		}
	}
	return append(batches, batch)
}

// fuzzResourceArg makes a resource record's argument from a fuzz record:
// ids 0-5 (0 is none), every resource kind and one that is none, small
// lengths and capacities, timer details, every wait-end reason and one
// more.
func fuzzResourceArg(k Kind, r []byte) uint64 {
	id := uint64(r[3]%6) << 48
	switch k {
	case kResNew:
		return id | uint64(r[4]%6)<<40 | 2<<32
	case kResState:
		return id | uint64(r[4]%8)<<24 | uint64(r[6]%10)
	case kResWait:
		return id | uint64(r[4]%40)<<32 | uint64(r[6])
	case kResWaitEnd:
		return id | uint64(r[4]%5)
	}
	return id
}

// encodeFuzz is decodeFuzz's rough inverse, for seeds.
func encodeFuzz(evs []Event) []byte {
	var out []byte
	var now int64
	for i, e := range evs {
		k := 0
		for j, fk := range fuzzKinds {
			if fk == e.Kind {
				k = j
			}
		}
		step := max(min((e.Time-now)/int64(time.Microsecond), 127), -128)
		now += step * int64(time.Microsecond)
		a3, a4 := byte(e.Arg), byte(e.Arg>>8)
		switch e.Kind {
		case kPollEnd:
			a3, a4 = byte(e.Arg&1), byte(e.Arg>>32)
		case kWake:
			a3, a4 = byte(e.Arg>>56), byte(e.Arg)
		case kResNew, kResState, kResWait, kResWaitEnd, kResDrop:
			a3, a4 = byte(e.Arg>>48), byte(e.Arg>>24)
		case kIrqEnter, kIrqExit:
			a3 = byte(e.Arg - 30)
		}
		out = append(out, byte(k), byte(e.Task), byte(int8(step)), a3, a4, byte(e.Queue), 0, byte(i%5))
	}
	return out
}

func FuzzCollector(f *testing.F) {
	for _, s := range []*stream{keyboardStream(), yieldStream(25), heartbeatStream(6, 3, 4), simpleStream(4), demoStream(8), heldAtBreakpoint(100*time.Microsecond, true), resourceStream()} {
		f.Add(encodeFuzz(s.evs))
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		const maxEvents, maxTasks = 40, 6
		o := Options{MaxEvents: maxEvents, MaxTasks: maxTasks, LongPoll: time.Microsecond, MaxResources: 3}
		c := NewCollector(o)
		// A clone taken after the first batch, and a collector without
		// clones (it evicts by copying; c and the clone reslice): all
		// three must agree, and snapshots must never change.
		var clone *Collector
		plain := NewCollector(o)
		var firstShared, firstPlain *Model
		var m *Model
		for i, batch := range decodeFuzz(data) {
			c.Add(batch...)
			plain.Add(batch...)
			if clone != nil {
				clone.Add(batch...)
			}
			if i == 0 {
				clone = c.Clone()
				firstShared, firstPlain = c.Snapshot(), plain.Snapshot()
			}
			m = c.Snapshot()
			if pm := plain.Snapshot(); !reflect.DeepEqual(m, pm) || !reflect.DeepEqual(clone.Snapshot(), pm) {
				t.Fatalf("after batch %d a collector with clones and its clone differ from one without", i)
			}
			checkModel(t, m)
			if n := stored(m); n > maxEvents {
				t.Fatalf("%d items stored, cap %d", n, maxEvents)
			}
			if len(m.Tasks) > maxTasks {
				t.Fatalf("%d tasks, cap %d", len(m.Tasks), maxTasks)
			}
			for _, task := range m.Tasks {
				if task.Stats.Idle < 0 || task.Stats.Busy < 0 || task.Stats.Scheduled < 0 {
					t.Fatalf("task %d has negative times: %+v", task.ID, task.Stats)
				}
			}
			for i := range m.Wakes {
				m.WakePoll(i)
			}
			for _, task := range m.Tasks {
				m.PollsIn(task.ID, m.Start, m.End+1)
			}
			for _, r := range m.Resources {
				m.RecentWaits(r.Key, 3)
				m.ResourceFill(r.Key).ValueAt(m.End)
			}
		}
		if !reflect.DeepEqual(firstShared, firstPlain) {
			t.Fatalf("the first batch's snapshot changed as the collector with clones went on")
		}
		var buf bytes.Buffer
		if err := m.WritePerfetto(&buf); err != nil {
			t.Fatalf("WritePerfetto: %v", err)
		}
		if !json.Valid(buf.Bytes()) {
			t.Fatalf("WritePerfetto wrote invalid JSON:\n%s", buf.Bytes())
		}
	})
}
