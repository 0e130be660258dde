package session

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"

	"github.com/pollscope/pollscope/devices/vga"
	"github.com/pollscope/pollscope/trace"
)

// Writer records a session as the run goes. Its record methods (Batch,
// Serial, Screen, Input, Counters) are safe for concurrent use and cheap:
// they encode into memory. Flush compresses what has accumulated into
// checksummed chunks and writes them, so a file cut anywhere reads back up
// to its last whole chunk; call it periodically (and soon after Full
// signals). Close writes the end record. A Writer never closes w.
type Writer struct {
	mu      sync.Mutex // guards everything below up to out
	events  eventChunk
	serial  streamChunk
	screens streamChunk
	inputs  streamChunk
	screen  vga.Screen // the last screen in the open screens chunk
	// counters: the latest the machine reported, and whether they changed
	// since written.
	counters      []Counter
	countersAt    int64
	countersDirty bool
	sealed        []sealedChunk // chunks complete in memory, waiting for Flush
	sealedBytes   int
	free          [][]byte      // raw buffers to reuse
	lastDropped   uint64        // the ring's dropped total in the last batch
	sorted        []trace.Event // Batch's scratch
	closed        bool
	failed        error // the first write error: recording has stopped
	full          chan struct{}

	out     sync.Mutex // serialises writes to w, and guards what follows
	w       io.Writer
	comp    compressor
	written int64 // bytes of whole chunks written to w
}

func byTime(a, b trace.Event) int { return cmp.Compare(a.Time, b.Time) }

// streamChunk is an open chunk of serial, screen or input records.
type streamChunk struct {
	enc
	prev int64 // the running time
}

type sealedChunk struct {
	kind byte
	raw  []byte
}

// maxSealed bounds the sealed chunks waiting for Flush. A record method
// that finds more waiting flushes them itself, so a writer slower than
// the guest slows recording down rather than growing without bound or
// losing data.
const maxSealed = 16 << 20

// NewWriter writes a session's header and metadata to w and returns the
// Writer that records the rest.
func NewWriter(w io.Writer, meta Meta) (*Writer, error) {
	s := &Writer{w: w, full: make(chan struct{}, 1)}
	s.events.names = make(map[string]int)
	if err := s.write(header()); err != nil {
		return nil, fmt.Errorf("writing the session header: %w", err)
	}
	if err := s.writeChunk(kindMeta, encodeMeta(meta)); err != nil {
		return nil, fmt.Errorf("writing the session metadata: %w", err)
	}
	return s, nil
}

// Full is signalled when a chunk is complete in memory and waits for
// Flush.
func (s *Writer) Full() <-chan struct{} { return s.full }

// Batch records one drain of the trace. Give it the events exactly as the
// machine handed them to the trace model; it copies what it needs.
//
// It stores them sorted by time (stably), which changes nothing for the
// model: Collector.Add sorts each batch the same way before applying it.
// Sorted, the times step forward by small amounts (a smaller file) and a
// reader's Add has no sorting left to do. A batch holds at most 2^20
// events (the machine's hold a few thousand); a larger one is recorded as
// several.
func (s *Writer) Batch(b Batch) {
	s.mu.Lock()
	if s.closed || s.failed != nil || len(b.Events) == 0 && b.Malformed == 0 && b.Dropped == s.lastDropped {
		s.mu.Unlock()
		return
	}
	s.lastDropped = b.Dropped
	if !slices.IsSortedFunc(b.Events, byTime) {
		s.sorted = append(s.sorted[:0], b.Events...)
		slices.SortStableFunc(s.sorted, byTime)
		b.Events = s.sorted
	}
	for {
		part := b
		part.Events = b.Events[:min(len(b.Events), maxBatch)]
		s.batch(&part)
		if b.Events = b.Events[len(part.Events):]; len(b.Events) == 0 {
			break
		}
		b.Malformed = 0
	}
	s.unlockAfterRecord()
}

// batch encodes one sorted batch of at most maxBatch events (mu held).
func (s *Writer) batch(b *Batch) {
	c := &s.events
	flagsAt, countAt := c.beginBatch(b)
	n := 0
	for i := range b.Events {
		if len(c.b) >= maxRaw/2 { // a huge drain: go on in the next chunk
			c.endBatch(flagsAt, countAt, n, true)
			s.sealEvents()
			flagsAt, countAt = c.beginBatch(&Batch{Flush: b.Flush, Dropped: b.Dropped})
			n = 0
		}
		c.event(&b.Events[i])
		n++
	}
	c.endBatch(flagsAt, countAt, n, false)
	if len(c.b) >= chunkTarget {
		s.sealEvents()
	}
}

// Serial records bytes the guest sent on its serial port at time t.
func (s *Writer) Serial(t int64, p []byte) {
	if len(p) == 0 {
		return
	}
	s.mu.Lock()
	if s.closed || s.failed != nil {
		s.mu.Unlock()
		return
	}
	encodeSerial(&s.serial.enc, &s.serial.prev, SerialWrite{Time: clampTime(t), Data: p})
	if len(s.serial.b) >= chunkTarget {
		s.seal(kindSerial, &s.serial)
	}
	s.unlockAfterRecord()
}

// Screen records the VGA text screen as it is from sc.Time on. The caller
// records a screen when it changed.
func (s *Writer) Screen(sc ScreenAt) {
	s.mu.Lock()
	if s.closed || s.failed != nil {
		s.mu.Unlock()
		return
	}
	sc.Time = clampTime(sc.Time)
	encodeScreen(&s.screens.enc, &s.screens.prev, &s.screen, sc)
	if len(s.screens.b) >= chunkTarget {
		s.seal(kindScreen, &s.screens)
		s.screen = vga.Screen{}
	}
	s.unlockAfterRecord()
}

// Input records a host input the machine applied.
func (s *Writer) Input(in Input) {
	s.mu.Lock()
	if s.closed || s.failed != nil {
		s.mu.Unlock()
		return
	}
	in.Time = clampTime(in.Time)
	encodeInput(&s.inputs.enc, &s.inputs.prev, in)
	if len(s.inputs.b) >= chunkTarget {
		s.seal(kindInput, &s.inputs)
	}
	s.unlockAfterRecord()
}

// Counters records the host's counters as of time t. They are written at
// the next Flush if they differ from the last written.
func (s *Writer) Counters(t int64, cs []Counter) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.failed != nil || equalCounters(cs, s.counters) {
		return
	}
	s.counters = append(s.counters[:0], cs...)
	s.countersAt, s.countersDirty = clampTime(t), true
}

func equalCounters(a, b []Counter) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// unlockAfterRecord releases mu and, if too much waits for Flush, flushes.
func (s *Writer) unlockAfterRecord() {
	over := s.sealedBytes > maxSealed
	s.mu.Unlock()
	if over {
		s.Flush()
	}
}

func (s *Writer) sealEvents() {
	s.sealRaw(kindEvents, &s.events.enc)
	s.events.reset()
}

func (s *Writer) seal(kind byte, c *streamChunk) {
	s.sealRaw(kind, &c.enc)
	c.prev = 0
}

// sealRaw moves an open chunk's bytes to the sealed list (mu held).
func (s *Writer) sealRaw(kind byte, e *enc) {
	if len(e.b) == 0 {
		return
	}
	s.sealed = append(s.sealed, sealedChunk{kind: kind, raw: e.b})
	s.sealedBytes += len(e.b)
	e.b = nil
	if n := len(s.free); n > 0 {
		e.b, s.free = s.free[n-1][:0], s.free[:n-1]
	}
	select {
	case s.full <- struct{}{}:
	default:
	}
}

// sealOpen seals every open chunk (mu held).
func (s *Writer) sealOpen() {
	s.sealEvents()
	s.seal(kindSerial, &s.serial)
	s.seal(kindScreen, &s.screens)
	s.screen = vga.Screen{}
	s.seal(kindInput, &s.inputs)
	if s.countersDirty {
		s.sealed = append(s.sealed, sealedChunk{kind: kindCounters, raw: encodeCounters(s.countersAt, s.counters)})
		s.countersDirty = false
	}
}

// Flush writes everything recorded so far as chunks. It returns the first
// write error; after one, the Writer records nothing more.
func (s *Writer) Flush() error {
	s.out.Lock()
	defer s.out.Unlock()
	return s.flushLocked()
}

func (s *Writer) flushLocked() error {
	s.mu.Lock()
	if s.failed != nil {
		s.mu.Unlock()
		return s.failed
	}
	s.sealOpen()
	chunks := s.sealed
	s.sealed, s.sealedBytes = nil, 0
	s.mu.Unlock()

	var err error
	for _, c := range chunks {
		if err = s.writeChunk(c.kind, c.raw); err != nil {
			break
		}
	}
	s.mu.Lock()
	for _, c := range chunks {
		if c.kind != kindCounters && cap(c.raw) <= 2*chunkTarget && len(s.free) < 8 {
			s.free = append(s.free, c.raw[:0])
		}
	}
	if err != nil && s.failed == nil {
		s.failed = fmt.Errorf("writing the session: %w", err)
	}
	err = s.failed
	s.mu.Unlock()
	return err
}

// writeChunk compresses and writes one chunk (out held, or during
// NewWriter).
func (s *Writer) writeChunk(kind byte, raw []byte) error {
	frame, err := s.comp.frame(kind, raw)
	if err != nil {
		return err
	}
	return s.write(frame)
}

func (s *Writer) write(p []byte) error {
	n, err := s.w.Write(p)
	if err == nil && n != len(p) {
		err = io.ErrShortWrite
	}
	if err != nil {
		return err
	}
	s.written += int64(n)
	return nil
}

// Close flushes what is recorded and writes the end record, which marks
// the session as finished. Later record calls do nothing; Close again
// returns the first error.
func (s *Writer) Close(end End) error {
	s.out.Lock()
	defer s.out.Unlock()
	s.mu.Lock()
	if s.closed {
		err := s.failed
		s.mu.Unlock()
		return err
	}
	s.mu.Unlock()
	err := s.flushLocked()
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	if err != nil {
		return err
	}
	if err := s.writeChunk(kindEnd, encodeEnd(end)); err != nil {
		s.mu.Lock()
		s.failed = fmt.Errorf("writing the session's end: %w", err)
		s.mu.Unlock()
		return s.failed
	}
	return nil
}

// Err returns the first write error, or nil.
func (s *Writer) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failed
}

// ErrNotReadable: CopyTo was given nothing to read the session back from.
var ErrNotReadable = errors.New("the session is recorded to a writer that cannot be read back")

// CopyTo writes a finished session of everything recorded so far to dst:
// it flushes, copies the whole chunks written so far from src (what this
// Writer writes to, read back: the file it records to), and ends the copy
// with the latest counters and end. Recording goes on. After Close it
// copies the finished session as it is; after a write error stopped the
// recording, it copies what was written before it.
func (s *Writer) CopyTo(dst io.Writer, src io.ReaderAt, end End) error {
	if src == nil {
		return ErrNotReadable
	}
	s.out.Lock()
	defer s.out.Unlock()
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if !closed {
		// After a write error stopped the recording, the whole chunks
		// written before it still make a sound session: the copy ends
		// there.
		if err := s.flushLocked(); err != nil && s.written == 0 {
			return err
		}
	}
	if _, err := io.Copy(dst, io.NewSectionReader(src, 0, s.written)); err != nil {
		return fmt.Errorf("copying the session so far: %w", err)
	}
	if closed { // the copy is whole: it has its end already
		return nil
	}
	var c compressor
	s.mu.Lock()
	counters := encodeCounters(s.countersAt, s.counters)
	haveCounters := len(s.counters) > 0
	s.mu.Unlock()
	for _, ch := range []sealedChunk{{kindCounters, counters}, {kindEnd, encodeEnd(end)}} {
		if ch.kind == kindCounters && !haveCounters {
			continue
		}
		frame, err := c.frame(ch.kind, ch.raw)
		if err == nil {
			_, err = dst.Write(frame)
		}
		if err != nil {
			return fmt.Errorf("writing the copy's end: %w", err)
		}
	}
	return nil
}

// Written is how many bytes of whole chunks have been written so far.
func (s *Writer) Written() int64 {
	s.out.Lock()
	defer s.out.Unlock()
	return s.written
}
