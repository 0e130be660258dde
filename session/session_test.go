package session

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/pollscope/pollscope/devices/vga"
	"github.com/pollscope/pollscope/trace"
)

var testEnd = End{Outcome: "exit", Status: 1, Message: "guest exited through isa-debug-exit with value 0 (status 1)"}

func TestRoundTrip(t *testing.T) {
	run := synth(30_000, 1)
	end := testEnd
	end.Time = run.end
	rec := record(t, run, &end)
	s := open(t, rec.file)

	if err := s.Damage(); err != nil {
		t.Errorf("Damage = %v, want nil for a closed session", err)
	}
	if got := s.Meta(); !reflect.DeepEqual(got.Config, testMeta.Config) || got.Version != testMeta.Version ||
		!got.Started.Equal(testMeta.Started) || got.Trace != testMeta.Trace {
		t.Errorf("Meta = %+v, want %+v", got, testMeta)
	}
	if got, ok := s.End(); !ok || got != end {
		t.Errorf("End = %+v, %v; want %+v", got, ok, end)
	}
	if got := s.EventCount(); got != int64(run.events) {
		t.Errorf("EventCount = %d, want %d", got, run.events)
	}
	first := int64(math.MaxInt64)
	for _, e := range run.batches[0].Events {
		first = min(first, e.Time)
	}
	if start, last := s.Range(); start != first || last != run.end {
		t.Errorf("Range = %d..%d, want %d..%d", start, last, first, run.end)
	}
	if got := s.Inputs(); !reflect.DeepEqual(got, rec.inputs) {
		t.Errorf("Inputs = %+v, want %+v", got, rec.inputs)
	}
	if d := modelDiff(s.Model(math.MaxInt64), run.collectUpTo(testMeta.Trace, math.MaxInt64)); d != "" {
		t.Errorf("the model at the end differs from the events': %s", d)
	}
	if m := s.Model(run.end); len(m.Tasks) != len(synthTasks) || len(m.Polls) == 0 || len(m.Wakes) == 0 || m.Dropped == 0 {
		t.Errorf("the model at the end has %d tasks, %d polls, %d wakes, %d dropped: the run has more", len(m.Tasks), len(m.Polls), len(m.Wakes), m.Dropped)
	}

	// The console at each recorded time and just before it.
	for i, want := range rec.screens {
		got, ok := s.Screen(want.Time)
		if !ok || got != want.Screen {
			t.Fatalf("Screen(%d) is not screen %d", want.Time, i)
		}
		got, ok = s.Screen(want.Time - 1)
		if i == 0 && ok || i > 0 && got != rec.screens[i-1].Screen {
			t.Fatalf("Screen(%d), just before screen %d, is not the one before", want.Time-1, i)
		}
	}
	var text strings.Builder
	for _, w := range rec.serial {
		before := text.String()
		if got := s.Serial(w.Time - 1); got != before {
			t.Fatalf("Serial(%d) = %d bytes, want %d", w.Time-1, len(got), len(before))
		}
		text.Write(w.Data)
		if got := s.Serial(w.Time); got != text.String() {
			t.Fatalf("Serial(%d) = %d bytes, want %d", w.Time, len(got), text.Len())
		}
	}
	if got := s.Counters(run.end); len(got) != 2 || got[0].Name != "HostEventsLost" {
		t.Errorf("Counters at the end = %+v", got)
	}
	if got := s.Counters(-1); got != nil {
		t.Errorf("Counters before the first record = %+v, want none", got)
	}
}

// Model(T) is the model of the events up to T, whatever the calls before
// it: forward (moving a kept model), backward (rebuilding), repeated; also
// when the model evicts (a small MaxEvents), which a moved model does at
// the same events as a rebuilt one.
func TestModelAtTimes(t *testing.T) {
	for _, o := range []trace.Options{testMeta.Trace, {MaxEvents: 3000, MaxTasks: 4}} {
		t.Run(fmt.Sprintf("max-events-%d", o.MaxEvents), func(t *testing.T) { modelAtTimes(t, o) })
	}
}

func modelAtTimes(t *testing.T, o trace.Options) {
	run := synth(20_000, 2)
	meta := testMeta
	meta.Trace = o
	s := open(t, recordWith(t, meta, run, &testEnd).file)
	start, last := s.Range()
	rng := rand.New(rand.NewPCG(3, 4))
	times := []int64{start - 1, start, last / 2, last/2 + 1, last / 3, last - 1, last, last + 1, last / 2}
	for range 25 {
		times = append(times, start+rng.Int64N(last-start))
	}
	// The drain race: times just around a batch boundary, where a few host
	// events of the next drain are older than the last guest event of
	// this one.
	for _, b := range run.batches[10:13] {
		for _, e := range b.Events[:3] {
			times = append(times, e.Time-1, e.Time, e.Time+1)
		}
	}
	for _, at := range times {
		want := run.collectUpTo(o, at)
		if d := modelDiff(s.Model(at), want); d != "" {
			t.Fatalf("Model(%d): %s", at, d)
		}
	}
	if s.moved == 0 || s.rebuilt == 0 {
		t.Fatalf("%d models moved and %d rebuilt: the test should see both", s.moved, s.rebuilt)
	}
	if m := s.Model(last); o.MaxEvents > 0 && o.MaxEvents < run.events && m.Evicted == 0 {
		t.Fatalf("the model evicted nothing with MaxEvents %d", o.MaxEvents)
	}
}

// A drain too big for one chunk is split and joined again.
func TestHugeBatch(t *testing.T) {
	run := synth(600_000, 5)
	// Fold the run's drains into three, the middle one holding most.
	var big Batch
	for _, b := range run.batches[1 : len(run.batches)-1] {
		big.Events = append(big.Events, b.Events...)
		big.Flush, big.Dropped = b.Flush, b.Dropped
	}
	run.batches = []Batch{run.batches[0], big, run.batches[len(run.batches)-1]}
	rec := record(t, run, &testEnd)
	s := open(t, rec.file)
	split := 0
	for _, ref := range s.idx.events {
		if ref.continued {
			split++
		}
	}
	if split == 0 {
		t.Fatalf("a drain of %d events fits in one events chunk: it was not split", len(big.Events))
	}
	for _, at := range []int64{math.MaxInt64, big.Events[len(big.Events)/2].Time, big.Events[len(big.Events)/5].Time} {
		if d := modelDiff(s.Model(at), run.collectUpTo(testMeta.Trace, at)); d != "" {
			t.Fatalf("Model(%d): %s", at, d)
		}
	}
}

func TestDamage(t *testing.T) {
	run := synth(20_000, 6)
	whole := record(t, run, &testEnd).file
	chunkStarts := chunkOffsets(t, whole)
	mid := chunkStarts[len(chunkStarts)/2]

	t.Run("unfinished", func(t *testing.T) {
		s := open(t, record(t, run, nil).file)
		if !errors.Is(s.Damage(), ErrUnfinished) {
			t.Fatalf("Damage = %v, want ErrUnfinished", s.Damage())
		}
		if d := modelDiff(s.Model(math.MaxInt64), run.collectUpTo(testMeta.Trace, math.MaxInt64)); d != "" {
			t.Fatalf("an unfinished session's model: %s", d)
		}
	})
	t.Run("cut-inside-a-chunk", func(t *testing.T) {
		s := open(t, whole[:mid+20])
		if !errors.Is(s.Damage(), ErrTruncated) || !strings.Contains(s.Damage().Error(), "ends inside") {
			t.Fatalf("Damage = %v, want ErrTruncated", s.Damage())
		}
		if size, sound := s.Size(); sound != mid || size != mid+20 {
			t.Fatalf("Size = %d, %d sound; want %d, %d", size, sound, mid+20, mid)
		}
		checkPrefix(t, s, whole[:mid])
	})
	t.Run("cut-between-chunks", func(t *testing.T) {
		s := open(t, whole[:mid])
		if !errors.Is(s.Damage(), ErrUnfinished) {
			t.Fatalf("Damage = %v, want ErrUnfinished", s.Damage())
		}
	})
	t.Run("cut-at-every-byte-of-a-chunk", func(t *testing.T) {
		next := chunkStarts[len(chunkStarts)/2+1]
		for cut := mid + 1; cut < next; cut += max(1, (next-mid)/40) {
			s := open(t, whole[:cut])
			if !errors.Is(s.Damage(), ErrTruncated) {
				t.Fatalf("cut at %d: Damage = %v, want ErrTruncated", cut, s.Damage())
			}
		}
	})
	t.Run("flipped-byte", func(t *testing.T) {
		bad := append([]byte(nil), whole...)
		bad[mid+chunkHeaderSize+3] ^= 0x40
		s := open(t, bad)
		if !errors.Is(s.Damage(), ErrCorrupt) || !strings.Contains(s.Damage().Error(), "checksum") {
			t.Fatalf("Damage = %v, want a checksum failure", s.Damage())
		}
		checkPrefix(t, s, whole[:mid])
	})
	t.Run("length-past-the-limit", func(t *testing.T) {
		bad := append([]byte(nil), whole...)
		bad[mid+4] = 0x7f // the top byte of the payload length
		s := open(t, bad)
		if !errors.Is(s.Damage(), ErrCorrupt) || !strings.Contains(s.Damage().Error(), "claims") {
			t.Fatalf("Damage = %v, want a refused length", s.Damage())
		}
	})
	t.Run("data-after-the-end", func(t *testing.T) {
		s := open(t, append(append([]byte(nil), whole...), 1, 2, 3))
		if !errors.Is(s.Damage(), ErrCorrupt) || !strings.Contains(s.Damage().Error(), "follow the end") {
			t.Fatalf("Damage = %v, want trailing data reported", s.Damage())
		}
	})

	errCases := []struct {
		name string
		file []byte
		is   error
		says []string
	}{
		{"empty", nil, ErrNotSession, []string{"empty"}},
		{"not-a-session", []byte(`{"traceEvents": []}`), ErrNotSession, []string{"signature"}},
		{"cut-in-the-header", whole[:10], ErrTruncated, []string{"header"}},
		{"header-only", whole[:headerSize], ErrTruncated, []string{"no metadata"}},
		{"future-version", withVersion(whole, FormatVersion+1), ErrFutureVersion, []string{"version 4", "versions 1 to 3", "newer pollscope"}},
		{"damaged-header", flip(whole, 9), ErrCorrupt, []string{"header"}},
		{"damaged-metadata", flip(whole, headerSize+chunkHeaderSize+1), ErrCorrupt, []string{"no metadata", "checksum"}},
	}
	for _, c := range errCases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Open(bytesReader(c.file), int64(len(c.file)))
			if !errors.Is(err, c.is) {
				t.Fatalf("Open = %v, want %v", err, c.is)
			}
			for _, s := range c.says {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("the error %q does not say %q", err, s)
				}
			}
		})
	}
}

// checkPrefix checks that s holds what the whole chunks of prefix hold.
func checkPrefix(t *testing.T, s *Session, prefix []byte) {
	t.Helper()
	want := open(t, prefix)
	if d := modelDiff(s.Model(math.MaxInt64), want.Model(math.MaxInt64)); d != "" {
		t.Fatalf("the damaged session's model is not its sound part's: %s", d)
	}
	if s.EventCount() == 0 || s.EventCount() != want.EventCount() {
		t.Fatalf("the damaged session has %d events, its sound part %d", s.EventCount(), want.EventCount())
	}
}

func withVersion(file []byte, v uint16) []byte {
	h := header()
	h[8], h[9] = byte(v), byte(v>>8)
	h = h[:12]
	out := append(append([]byte(nil), h...), 0, 0, 0, 0)
	crc := crcOf(out[:12])
	out[12], out[13], out[14], out[15] = byte(crc), byte(crc>>8), byte(crc>>16), byte(crc>>24)
	return append(out, file[headerSize:]...)
}

func flip(file []byte, at int) []byte {
	out := append([]byte(nil), file...)
	out[at] ^= 0x01
	return out
}

// chunkOffsets lists where each chunk of a sound file starts.
func chunkOffsets(t *testing.T, file []byte) []int64 {
	var offs []int64
	for off := int64(headerSize); off < int64(len(file)); {
		offs = append(offs, off)
		n := int64(file[off+1]) | int64(file[off+2])<<8 | int64(file[off+3])<<16 | int64(file[off+4])<<24
		off += chunkHeaderSize + n + chunkTrailerSize
	}
	if len(offs) < 6 {
		t.Fatalf("the test session has only %d chunks", len(offs))
	}
	return offs
}

func TestScreenBeforeAnyIsBlank(t *testing.T) {
	s := open(t, record(t, synth(2000, 7), &testEnd).file)
	if sc, ok := s.Screen(-1); ok || sc != (vga.Screen{}) {
		t.Fatal("a screen before the first snapshot")
	}
	if got := s.Serial(-1); got != "" {
		t.Fatalf("Serial before the first write = %q", got)
	}
}

// A kept model is not moved across the drain race: from a time between a
// late host event and the guest events of the drain before it, moving
// forward would add those guest events after the late drain's, so the
// model is rebuilt, and still equals the events'.
func TestModelAcrossTheDrainRace(t *testing.T) {
	run := synth(20_000, 8)
	s := open(t, record(t, run, &testEnd).file)
	var at1, at2 int64 = -1, -1
	for k := 1; k < len(run.batches) && at1 < 0; k++ {
		prevMax := int64(math.MinInt64)
		for _, e := range run.batches[k-1].Events {
			prevMax = max(prevMax, e.Time)
		}
		for _, e := range run.batches[k].Events {
			if e.Time < prevMax {
				at1, at2 = e.Time, prevMax
				break
			}
		}
	}
	if at1 < 0 {
		t.Fatal("the synthetic run has no drain race")
	}
	for _, at := range []int64{at1, at2} {
		if d := modelDiff(s.Model(at), run.collectUpTo(testMeta.Trace, at)); d != "" {
			t.Fatalf("Model(%d): %s", at, d)
		}
	}
	if s.rebuilt != 2 || s.moved != 0 {
		t.Fatalf("%d models rebuilt and %d moved; want the second rebuilt too", s.rebuilt, s.moved)
	}
	// Forward from a clean time is a move.
	if d := modelDiff(s.Model(at2+int64(synthDrain)), run.collectUpTo(testMeta.Trace, at2+int64(synthDrain))); d != "" {
		t.Fatal(d)
	}
	if s.moved != 1 {
		t.Fatalf("moving forward from %d rebuilt the model", at2)
	}
}

// A file that changes under an open session (another process rewrote it,
// the disk failed): the models and console stop where it fails, and Err
// says why.
func TestChunkDamagedAfterOpen(t *testing.T) {
	run := synth(20_000, 15)
	file := record(t, run, &testEnd).file
	s := open(t, file)
	if s.Err() != nil {
		t.Fatal(s.Err())
	}
	for _, ref := range s.idx.events[len(s.idx.events)/2:] {
		file[ref.off+chunkHeaderSize+1] ^= 0xff
	}
	for _, ref := range s.idx.screens {
		file[ref.off+chunkHeaderSize+1] ^= 0xff
	}
	_, last := s.Range()
	m := s.Model(last - 1)
	if !errors.Is(s.Err(), ErrCorrupt) {
		t.Fatalf("Err = %v, want the chunk that no longer reads", s.Err())
	}
	if m.EventCount == 0 || m.EventCount >= uint64(run.events) {
		t.Fatalf("the model has %d of %d events: it should stop at the damage", m.EventCount, run.events)
	}
	if _, ok := s.Screen(last); ok {
		t.Fatal("a screen from a chunk that no longer reads")
	}
	if m := s.Model(math.MaxInt64); m.EventCount != uint64(run.events) {
		t.Fatal("the model built at Open was lost")
	}
}
