package session

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/pollscope/pollscope/devices/vga"
	"github.com/pollscope/pollscope/trace"
)

// syncBuffer is a bytes.Buffer safe for a Writer's flushes and a test's
// reads at once, readable back like a file.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) ReadAt(p []byte, off int64) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.NewReader(s.b.Bytes()).ReadAt(p, off)
}

func (s *syncBuffer) bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]byte(nil), s.b.Bytes()...)
}

// The machine records from several goroutines (the drainer, the vCPU
// thread, the sampler) while another flushes; everything arrives.
func TestWriterConcurrentRecording(t *testing.T) {
	run := synth(20_000, 11)
	var file syncBuffer
	w, err := NewWriter(&file, testMeta)
	if err != nil {
		t.Fatal(err)
	}
	const writes = 500
	var wg sync.WaitGroup
	wg.Go(func() {
		for _, b := range run.batches {
			w.Batch(b)
		}
	})
	wg.Go(func() {
		for i := range writes {
			w.Serial(int64(i)*1000, []byte("x"))
		}
	})
	wg.Go(func() {
		for i := range writes {
			var sc vga.Screen
			sc.Cells[0][i%vga.Cols].Char = byte(i)
			w.Screen(ScreenAt{Time: int64(i) * 1000, Screen: sc})
		}
	})
	wg.Go(func() {
		for i := range writes {
			w.Input(Input{Time: int64(i) * 1000, Key: uint32(i), Down: i%2 == 0})
		}
	})
	stop := make(chan struct{})
	flushed := make(chan struct{})
	go func() {
		defer close(flushed)
		for {
			select {
			case <-stop:
				return
			case <-w.Full():
			default:
			}
			if err := w.Flush(); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	wg.Wait()
	close(stop)
	<-flushed
	if err := w.Close(testEnd); err != nil {
		t.Fatal(err)
	}
	s := open(t, file.bytes())
	if err := s.Damage(); err != nil {
		t.Fatal(err)
	}
	if s.EventCount() != int64(run.events) || len(s.Inputs()) != writes || len(s.Screens()) != writes || len(s.Serial(math.MaxInt64)) != writes {
		t.Fatalf("%d events (want %d), %d inputs, %d screens, %d serial bytes (want %d each)",
			s.EventCount(), run.events, len(s.Inputs()), len(s.Screens()), len(s.Serial(math.MaxInt64)), writes)
	}
	if d := modelDiff(s.Model(math.MaxInt64), run.collectUpTo(testMeta.Trace, math.MaxInt64)); d != "" {
		t.Fatal(d)
	}
}

// CopyTo makes a finished session of what is recorded so far, while
// recording goes on; after Close it copies the file as it is.
func TestCopyTo(t *testing.T) {
	run := synth(5_000, 12)
	var file syncBuffer
	w, err := NewWriter(&file, testMeta)
	if err != nil {
		t.Fatal(err)
	}
	half := len(run.batches) / 2
	for _, b := range run.batches[:half] {
		w.Batch(b)
	}
	w.Counters(1, []Counter{{"ExitsLost", 3}})
	var snap bytes.Buffer
	saved := End{Time: run.batches[half-1].Flush, Outcome: "running", Message: "saved while the guest ran"}
	if err := w.CopyTo(&snap, &file, saved); err != nil {
		t.Fatal(err)
	}
	for _, b := range run.batches[half:] {
		w.Batch(b)
	}
	if err := w.Close(testEnd); err != nil {
		t.Fatal(err)
	}

	s := open(t, snap.Bytes())
	if err := s.Damage(); err != nil {
		t.Fatalf("the copy is damaged: %v", err)
	}
	if end, _ := s.End(); end != saved {
		t.Fatalf("the copy ends %+v, want %+v", end, saved)
	}
	if got := s.Counters(math.MaxInt64); len(got) != 1 || got[0].Value != 3 {
		t.Fatalf("the copy's counters %+v", got)
	}
	if d := modelDiff(s.Model(math.MaxInt64), collectBatches(testMeta.Trace, run.batches[:half], math.MaxInt64)); d != "" {
		t.Fatalf("the copy's model: %s", d)
	}
	var after bytes.Buffer
	if err := w.CopyTo(&after, &file, End{}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(after.Bytes(), file.bytes()) {
		t.Fatal("a copy after Close is not the file")
	}
	if err := w.CopyTo(&after, nil, End{}); !errors.Is(err, ErrNotReadable) {
		t.Fatalf("CopyTo without a source = %v", err)
	}
}

// A writer whose file fails stops recording and says so.
func TestWriterReportsWriteErrors(t *testing.T) {
	fw := &failingWriter{after: 2}
	w, err := NewWriter(fw, testMeta)
	if err != nil {
		t.Fatal(err)
	}
	w.Batch(synth(100, 1).batches[0])
	err = w.Flush()
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("Flush = %v, want the write error", err)
	}
	w.Serial(5, []byte("ignored"))
	if w.Err() == nil || w.Close(testEnd) == nil {
		t.Fatal("the error did not stick")
	}
	if _, err := NewWriter(&failingWriter{}, testMeta); err == nil {
		t.Fatal("NewWriter on a failing writer succeeded")
	}
}

type failingWriter struct{ after, n int }

func (f *failingWriter) Write(p []byte) (int, error) {
	if f.n++; f.n > f.after {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

// Chunks of kinds a reader does not know: ancillary ones are skipped, any
// other ends the session there.
func TestUnknownChunkKinds(t *testing.T) {
	run := synth(3000, 13)
	base := record(t, run, nil).file
	frame := func(kind byte, raw []byte) []byte {
		var c compressor
		f, err := c.frame(kind, raw)
		if err != nil {
			t.Fatal(err)
		}
		return append([]byte(nil), f...)
	}
	withAncillary := append(append([]byte(nil), base...), frame(0x90, []byte("a newer writer's extra"))...)
	s := open(t, withAncillary)
	if !errors.Is(s.Damage(), ErrUnfinished) || s.idx.unknown != 1 || s.EventCount() != int64(run.events) {
		t.Fatalf("an ancillary chunk: Damage %v, %d skipped, %d events", s.Damage(), s.idx.unknown, s.EventCount())
	}
	withCritical := append(append([]byte(nil), base...), frame(9, []byte("?"))...)
	s = open(t, withCritical)
	if !errors.Is(s.Damage(), ErrCorrupt) || !strings.Contains(s.Damage().Error(), "unknown chunk kind 9") {
		t.Fatalf("an unknown critical chunk: Damage %v", s.Damage())
	}
}

// No length or count in a file makes the reader allocate more than the
// bytes behind it (and the format's small limits) justify.
func TestDamagedLengthsAllocateLittle(t *testing.T) {
	head := record(t, synth(50, 14), nil).file[:]
	meta := chunkOffsetsOf(head)[1] // the end of the meta chunk
	hugeCount := func(kind byte) []byte {
		var e enc
		switch kind {
		case kindMeta:
			e.uvarint(1 << 60)
		case kindEvents:
			e.byte1(0)
			e.varint(0)
			e.uvarint(0)
			e.uvarint(0)
			e.b = binary.LittleEndian.AppendUint32(e.b, math.MaxUint32)
		case kindCounters:
			e.varint(0)
			e.uvarint(1 << 62)
		case kindSerial:
			e.varint(0)
			e.uvarint(1 << 40)
		}
		var c compressor
		f, _ := c.frame(kind, e.b)
		return append(append([]byte(nil), head[:meta]...), f...)
	}
	claims := append(append([]byte(nil), head[:meta]...), kindEvents, 0xff, 0xff, 0x7f, 0) // 8 MiB claimed, nothing there
	for name, file := range map[string][]byte{
		"a chunk claiming 8 MiB":            claims,
		"an events batch of 2^32 events":    hugeCount(kindEvents),
		"2^62 counters":                     hugeCount(kindCounters),
		"a serial write of 2^40 bytes":      hugeCount(kindSerial),
		"a second meta with 2^60 pairs":     hugeCount(kindMeta),
		"a first meta chunk with 2^60 keys": append(header(), hugeCount(kindMeta)[meta:]...),
	} {
		t.Run(name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			s, err := Open(bytes.NewReader(file), int64(len(file)))
			runtime.ReadMemStats(&after)
			if err == nil && s.Damage() == nil {
				t.Fatal("the damage went unnoticed")
			}
			if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
				t.Fatalf("opening a %d-byte file allocated %d bytes", len(file), n)
			}
		})
	}
}

// A batch larger than a batch may be is recorded as several, and the
// parts of a drain split over chunks are joined again.
func TestOversizedBatch(t *testing.T) {
	if testing.Short() {
		t.Skip("a million events")
	}
	evs := make([]trace.Event, maxBatch+1000)
	for i := range evs {
		evs[i] = trace.Event{Time: int64(i), Kind: trace.HostExit, Name: fmt.Sprint("exit", i%3)}
	}
	var buf bytes.Buffer
	w, _ := NewWriter(&buf, testMeta)
	w.Batch(Batch{Flush: int64(len(evs)), Events: evs})
	w.Close(testEnd)
	s := open(t, buf.Bytes())
	if s.Damage() != nil || s.EventCount() != int64(len(evs)) || s.idx.batches != 2 {
		t.Fatalf("damage %v, %d events in %d batches", s.Damage(), s.EventCount(), s.idx.batches)
	}
	if m := s.Model(math.MaxInt64); m.EventCount != uint64(len(evs)) {
		t.Fatalf("the model has %d events", m.EventCount)
	}
}
