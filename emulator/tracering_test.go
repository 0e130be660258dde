package emulator

import (
	"encoding/binary"
	"testing"

	"github.com/pollscope/pollscope/guest"
	"github.com/pollscope/pollscope/trace"
)

// guestRing plays the guest's side of the ring in a test.
type guestRing struct {
	ram  []byte
	base uint64
	cap  uint64
}

func newGuestRing(ram []byte, base, capacity uint64) *guestRing {
	le := binary.LittleEndian
	h := ram[base:]
	le.PutUint32(h, guest.TraceMagic)
	le.PutUint16(h[4:], guest.TraceVersion)
	le.PutUint16(h[6:], guest.TraceRecordSize)
	le.PutUint32(h[8:], uint32(capacity))
	return &guestRing{ram, base, capacity}
}

// write follows the ABI's writer protocol; it reports false when full.
func (g *guestRing) write(kind guest.EventKind, task uint32, arg uint64) bool {
	le := binary.LittleEndian
	h := g.ram[g.base:]
	w, r := le.Uint64(h[guest.HdrWriteSeq:]), le.Uint64(h[guest.HdrReadSeq:])
	if w-r >= g.cap {
		le.PutUint64(h[guest.HdrDropped:], le.Uint64(h[guest.HdrDropped:])+1)
		return false
	}
	le.PutUint64(h[guest.HdrWriteSeq:], w+1)
	rec := g.ram[g.base+64+(w%g.cap)*32:]
	le.PutUint64(rec, 1000+w)
	le.PutUint64(rec[8:], arg)
	le.PutUint32(rec[16:], task)
	le.PutUint16(rec[20:], uint16(kind))
	le.PutUint32(rec[24:], uint32(w+1))
	return true
}

func TestTraceRingDrainsInOrderAndFreesSlots(t *testing.T) {
	ram := make([]byte, 1<<16)
	g := newGuestRing(ram, 0x1000, 8)
	r, err := newTraceRing(ram, 0x1000)
	if err != nil {
		t.Fatal(err)
	}
	var got []uint32
	for round := 0; round < 3; round++ {
		for i := 0; i < 8; i++ {
			if !g.write(guest.EvPollBegin, uint32(round*8+i), 0) {
				t.Fatalf("round %d: ring full after %d records", round, i)
			}
		}
		if g.write(guest.EvPollBegin, 99, 0) {
			t.Fatal("a ninth record fitted in an 8-record ring")
		}
		tasks := drainTasks(r, ram, 100)
		if n := len(tasks); n != 8 {
			t.Fatalf("round %d: drained %d, want 8", round, n)
		}
		got = append(got, tasks...)
	}
	for i, task := range got {
		if task != uint32(i) {
			t.Fatalf("record %d has task %d: out of order or lost (%v)", i, task, got)
		}
	}
	if d := r.dropped(ram); d != 3 {
		t.Fatalf("dropped = %d, want 3", d)
	}
}

func TestTraceRingStopsAtUncommittedRecord(t *testing.T) {
	ram := make([]byte, 1<<16)
	g := newGuestRing(ram, 0x1000, 8)
	r, _ := newTraceRing(ram, 0x1000)
	g.write(guest.EvPollBegin, 1, 0)
	g.write(guest.EvPollBegin, 2, 0)
	// Claim a third slot without committing it, as a task interrupted
	// between its claim and its commit would leave it.
	binary.LittleEndian.PutUint64(ram[0x1000+guest.HdrWriteSeq:], 3)
	if n := len(drainTasks(r, ram, 100)); n != 2 {
		t.Fatalf("drained %d, want the 2 committed records", n)
	}
	if rs := binary.LittleEndian.Uint64(ram[0x1000+guest.HdrReadSeq:]); rs != 2 {
		t.Fatalf("read_seq = %d, want 2", rs)
	}
}

func TestTraceRingRejectsBadHeaders(t *testing.T) {
	ram := make([]byte, 1<<16)
	newGuestRing(ram, 0x1000, 8)
	newGuestRing(ram, 0x2000, 1<<12) // 4096 records: past the end of ram
	cases := map[string]uint64{
		"unaligned":      0x1008,
		"outside RAM":    1 << 20,
		"no magic":       0x3000,
		"ring past RAM":  0x2000,
		"header at edge": 1<<16 - 32,
	}
	for name, addr := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := newTraceRing(ram, addr); err == nil {
				t.Fatalf("header at %#x accepted", addr)
			}
		})
	}
}

// A claimed slot whose writer never commits holds up the records behind it
// for a while, then is skipped as malformed so tracing goes on.
func TestTraceRingSkipsAbandonedSlot(t *testing.T) {
	ram := make([]byte, 1<<16)
	g := newGuestRing(ram, 0x1000, 8)
	r, _ := newTraceRing(ram, 0x1000)
	// Claim slot 0 without committing it, then write two records.
	binary.LittleEndian.PutUint64(ram[0x1000+guest.HdrWriteSeq:], 1)
	g.write(guest.EvPollBegin, 7, 0)
	g.write(guest.EvPollEnd, 7, 0)
	for pass := 0; pass < maxStuckPasses; pass++ {
		if n := len(drainTasks(r, ram, 100)); n != 0 {
			t.Fatalf("pass %d drained %d records past an uncommitted one", pass, n)
		}
	}
	got := drainTasks(r, ram, 100)
	if len(got) != 2 || r.malformed != 1 {
		t.Fatalf("after the wait: drained %v, malformed %d; want both records and one skipped slot", got, r.malformed)
	}
}

// FuzzTraceRing drains arbitrary guest memory: no panic, no more records
// than the ring holds, and read_seq never passes write_seq.
func FuzzTraceRing(f *testing.F) {
	ram := make([]byte, 4096)
	g := newGuestRing(ram, 0, 16)
	g.write(guest.EvWake, 3, 2<<56|33)
	f.Add(append([]byte(nil), ram[:64+16*32]...))
	f.Fuzz(func(t *testing.T, mem []byte) {
		ram := make([]byte, 64+16*32)
		copy(ram, mem)
		newGuestRing(ram, 0, 16) // a valid header over arbitrary state
		r, err := newTraceRing(ram, 0)
		if err != nil {
			t.Fatal(err)
		}
		evs := r.drain(ram, 1000, identityTime, nil)
		for _, e := range evs {
			if !e.Kind.Guest() {
				t.Fatalf("invalid kind %d emitted", e.Kind)
			}
		}
		if n := len(evs); n > 16 {
			t.Fatalf("drained %d records from a 16-record ring", n)
		}
	})
}

// BenchmarkTraceRingDrain measures how fast the host empties a full ring:
// the ceiling on the event rate it can drain without drops.
func BenchmarkTraceRingDrain(b *testing.B) {
	const capacity = 1 << 16
	ram := make([]byte, 64+capacity*32+4096)
	g := newGuestRing(ram, 0, capacity)
	r, err := newTraceRing(ram, 0)
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	var evs []trace.Event
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		for g.write(guest.EvPollBegin, 1, 0) {
		}
		b.StartTimer()
		evs = r.drain(ram, capacity, identityTime, evs[:0])
		n += len(evs)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
}

// identityTime leaves a record's TSC as its time.
func identityTime(tsc uint64) int64 { return int64(tsc) }

// drainTasks drains the ring and returns the records' task ids.
func drainTasks(r *traceRing, ram []byte, max int) []uint32 {
	var tasks []uint32
	for _, e := range r.drain(ram, max, identityTime, nil) {
		tasks = append(tasks, e.Task)
	}
	return tasks
}
