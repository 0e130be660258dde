package session

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"sort"
	"sync"

	"github.com/pollscope/pollscope/trace"
)

// Session is a recorded run, opened: its metadata, and the trace model,
// screen and serial output as they were at any time of the run. Opening
// reads and checks the whole file once and builds the model at its end;
// Model(at) rebuilds earlier models on demand from the events up to at.
// Its methods are safe for concurrent use.
type Session struct {
	r      io.ReaderAt
	closer io.Closer
	size   int64
	idx    *scanState

	// mu guards the models; console, the screen and serial views. They
	// are apart so that a viewer's console never waits for a model being
	// rebuilt.
	mu      sync.Mutex
	head    *cursor   // the model at the end, built by Open
	cursors []*cursor // models rebuilt for earlier times
	// checkpoints are models Open kept on its way to the end, by time
	// (checkpoints.go); never fed, only cloned.
	checkpoints []checkpoint
	clock       uint64 // for least-recently-used
	evCache     chunkCache[[]Batch]
	models      chunkReader

	console sync.Mutex
	scCache chunkCache[[]ScreenAt]
	seCache chunkCache[[]SerialWrite]
	// serialTail: the last MaxSerial bytes of the serial chunks before
	// chunk k, for Serial.
	serialTail struct {
		k     int
		bytes []byte
		valid bool
	}
	consoleReader chunkReader

	errMu   sync.Mutex
	readErr error // a chunk that could not be read again after Open
	// How Model got its models: by moving a kept one forward, from a
	// checkpoint, or by rebuilding from the start (for tests and
	// benchmarks).
	moved, resumed, rebuilt int
}

// maxCursors is how many models for earlier times a Session keeps, besides
// the one at the end, so that scrubbing back and forth between them moves
// forward from the nearest instead of from the start.
const maxCursors = 2

// OpenFile opens the session file at path. Close releases it.
func OpenFile(path string) (*Session, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	s, err := Open(f, st.Size())
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	s.closer = f
	return s, nil
}

// Open reads the session of size bytes in r. It checks every chunk and
// builds the model at the end. A file that is cut short or damaged part
// way opens up to its last sound chunk, and Damage says what is wrong; a
// file that is not a session, is in a newer format or has no readable
// metadata is an error.
func Open(r io.ReaderAt, size int64) (*Session, error) {
	s := &Session{r: r, size: size}
	// The scan (read, check, inflate, decode) runs on one goroutine and
	// the trace model is fed on this one, so opening uses two cores.
	type job struct {
		ref     *chunkRef
		batches []Batch
		evs     []trace.Event // the array the batches' events are in
	}
	jobs := make(chan job, 4)
	recycle := make(chan []trace.Event, 8)
	var opts trace.Options
	var scanned *scanState
	var scanErr error
	go func() {
		defer close(jobs)
		scanned, scanErr = scan(r, size, func(st *scanState, ref int, batches []Batch, evs []trace.Event) {
			if ref == 0 {
				opts = st.meta.Trace
			}
			r := st.events[ref]
			jobs <- job{&r, batches, evs}
		}, recycle)
	}()
	var j *joiner
	k := newCheckpointer()
	for jb := range jobs {
		if j == nil {
			s.head = newCursor(opts)
			j = &joiner{cur: s.head, from: noTime, to: math.MaxInt64, after: k.afterBatch}
		}
		j.chunk(jb.ref, jb.batches)
		// The model has taken what it needs: decode the next chunk into
		// this one's event array.
		select {
		case recycle <- jb.evs[:0]:
		default:
		}
	}
	if scanErr != nil {
		return nil, scanErr
	}
	if j != nil {
		j.finish()
	}
	k.finish()
	s.checkpoints = k.list
	s.idx = scanned
	if s.head == nil {
		s.head = newCursor(scanned.meta.Trace)
	}
	s.head.at = math.MaxInt64
	return s, nil
}

// Close closes the file OpenFile opened.
func (s *Session) Close() error {
	if s.closer != nil {
		return s.closer.Close()
	}
	return nil
}

// Meta is the run's metadata.
func (s *Session) Meta() Meta { return s.idx.meta }

// End says how the run ended, if the recording was closed (see Damage).
func (s *Session) End() (End, bool) {
	if s.idx.end == nil {
		return End{}, false
	}
	return *s.idx.end, true
}

// Damage is nil for a whole, finished session. Otherwise it says why the
// session stops where it does (errors.Is: ErrUnfinished, ErrTruncated or
// ErrCorrupt) and everything before is available.
func (s *Session) Damage() error { return s.idx.damage }

// Range is the machine time of the session's first and last record.
func (s *Session) Range() (start, end int64) { return s.idx.start, s.idx.last }

// EventCount is the number of trace events recorded.
func (s *Session) EventCount() int64 { return s.idx.nEvents }

// Size is the file's size; ReadBytes is how much of it was sound.
func (s *Session) Size() (size, sound int64) { return s.size, s.idx.good }

// Inputs returns the host inputs, in order: a copy the caller may change.
func (s *Session) Inputs() []Input {
	out := slices.Clone(s.idx.inputs)
	for i := range out {
		out[i].Serial = slices.Clone(out[i].Serial)
	}
	return out
}

// Counters returns the host's counters as recorded last at or before at
// (nil before the first record).
func (s *Session) Counters(at int64) []Counter {
	cs := s.idx.counters
	i := sort.Search(len(cs), func(i int) bool { return cs[i].Time > at })
	if i == 0 {
		return nil
	}
	return slices.Clone(cs[i-1].Counters)
}

// Err reports a chunk that Open read soundly but a later read could not
// (the file changed or the disk failed): models and console views then
// stop before it.
func (s *Session) Err() error {
	s.errMu.Lock()
	defer s.errMu.Unlock()
	return s.readErr
}

// noteReadErr keeps the first error of a read after Open.
func (s *Session) noteReadErr(err error) {
	s.errMu.Lock()
	defer s.errMu.Unlock()
	if s.readErr == nil {
		s.readErr = err
	}
}

// Model returns the trace model as it was at machine time at: built from
// the recorded events with Time ≤ at, batch by batch in the order the
// machine drained them, so the task table, statistics and lints are what
// the live view showed then (plus the events of the drain in progress at
// at). At or after the end it is the model of the whole run. Moving at
// forward from an earlier call costs the events in between; moving it back
// costs the events from the nearest checkpoint before at (Open keeps one
// about every 250,000 events) or from a model kept for an earlier time.
// The Model is immutable.
func (s *Session) Model(at int64) *trace.Model {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clock++
	if at >= s.idx.last {
		s.head.used = s.clock
		return s.head.c.Snapshot()
	}
	for _, c := range s.cursors {
		if c.at == at {
			c.used = s.clock
			return c.c.Snapshot()
		}
	}
	// Move the kept model nearest before at, unless a checkpoint is
	// nearer; rebuild from the start if none can be moved there.
	byNearest := slices.Clone(s.cursors)
	slices.SortFunc(byNearest, func(a, b *cursor) int { return -cmp.Compare(a.at, b.at) })
	cp := nearestCheckpoint(s.checkpoints, at)
	for _, c := range byNearest {
		if cp != nil && c.at < cp.cur.at {
			break
		}
		if c.at < at && s.advance(c, at) {
			c.used = s.clock
			s.moved++
			return c.c.Snapshot()
		}
	}
	var c *cursor
	if cp != nil {
		c = cp.resume()
		if s.advance(c, at) {
			s.resumed++
		} else {
			c = nil
		}
	}
	if c == nil {
		s.rebuilt++
		c = newCursor(s.idx.meta.Trace)
		s.advance(c, at)
	}
	c.used = s.clock
	if len(s.cursors) < maxCursors {
		s.cursors = append(s.cursors, c)
	} else {
		lru := 0
		for i, k := range s.cursors {
			if k.used < s.cursors[lru].used {
				lru = i
			}
		}
		s.cursors[lru] = c
	}
	return c.c.Snapshot()
}

// advance moves c forward to at (see cursor). It returns false, with c
// unchanged, when c cannot be moved there exactly.
func (s *Session) advance(c *cursor, at int64) bool {
	need := s.chunksFor(c.at, at)
	j := &joiner{cur: c, from: c.at, to: at}
	var err error
	if len(need) <= pipelineMin {
		for _, k := range need {
			var batches []Batch
			if batches, err = s.eventChunk(k); err != nil {
				break
			}
			if j.chunk(&s.idx.events[k], batches); j.conflict {
				return false
			}
		}
	} else {
		err = s.pipeline(need, func(k int, batches []Batch) bool {
			j.chunk(&s.idx.events[k], batches)
			return !j.conflict
		})
	}
	if err != nil {
		s.noteReadErr(err)
	}
	if j.finish(); j.conflict {
		return false
	}
	c.at = at
	return true
}

// chunksFor lists the events chunks holding something in (from, to], and
// those that go on with a batch of one listed.
func (s *Session) chunksFor(from, to int64) []int {
	var need []int
	for k := range s.idx.events {
		ref := &s.idx.events[k]
		joins := ref.continued && len(need) > 0 && need[len(need)-1] == k-1
		if joins || ref.max > from && ref.min <= to {
			need = append(need, k)
		}
	}
	return need
}

// pipelineMin is how many chunks a model must read before reading and
// decoding them on a goroutine of their own, beside the one feeding the
// model, is worth it.
const pipelineMin = 3

// pipeline reads and decodes the events chunks need on a goroutine of its
// own and hands them, in order, to take (on this one) until it returns
// false. It returns the first read error.
func (s *Session) pipeline(need []int, take func(k int, batches []Batch) bool) error {
	type job struct {
		k       int
		batches []Batch
		evs     []trace.Event
	}
	jobs := make(chan job, 4)
	recycle := make(chan []trace.Event, 8)
	stop := make(chan struct{})
	var readErr error
	go func() {
		defer close(jobs)
		var inf inflater
		var payload []byte
		for _, k := range need {
			ref := &s.idx.events[k]
			kind, body, err := readChunk(s.r, s.size, ref.off, &payload)
			var raw []byte
			if err == nil {
				raw, err = inf.inflate(body)
			}
			var evs []trace.Event
			select {
			case evs = <-recycle:
			default:
			}
			var batches []Batch
			if err == nil {
				evs, batches, err = decodeEvents(s.idx.version, raw, evs[:0], nil)
			}
			if err != nil {
				readErr = chunkError(ErrCorrupt, kind, ref.off, fmt.Errorf("read again after opening: %w", err))
				return
			}
			select {
			case jobs <- job{k, batches, evs}:
			case <-stop:
				return
			}
		}
	}()
	for jb := range jobs {
		if !take(jb.k, jb.batches) {
			close(stop)
			for range jobs { // let the reader finish
			}
			return nil
		}
		select {
		case recycle <- jb.evs[:0]:
		default:
		}
	}
	return readErr
}

// eventChunk returns the decoded batches of events chunk k (mu held).
func (s *Session) eventChunk(k int) ([]Batch, error) {
	return s.evCache.get(k, func() ([]Batch, error) {
		raw, err := s.models.read(s, &s.idx.events[k])
		if err != nil {
			return nil, err
		}
		_, batches, err := decodeEvents(s.idx.version, raw, nil, nil)
		return batches, err
	})
}

// chunkReader reads chunks again after Open, reusing its buffers.
type chunkReader struct {
	inf     inflater
	payload []byte
}

// read reads a chunk again and returns its decompressed contents, valid
// until the next call.
func (c *chunkReader) read(s *Session, ref *chunkRef) ([]byte, error) {
	kind, body, err := readChunk(s.r, s.size, ref.off, &c.payload)
	if err == nil {
		var raw []byte
		if raw, err = c.inf.inflate(body); err == nil {
			return raw, nil
		}
	}
	return nil, chunkError(ErrCorrupt, kind, ref.off, fmt.Errorf("read again after opening: %w", err))
}

// chunkCache keeps the last few decoded chunks of one kind.
type chunkCache[T any] struct {
	keys [3]int
	vals [3]T
	n    int
	next int
}

func (c *chunkCache[T]) get(k int, load func() (T, error)) (T, error) {
	for i := range c.n {
		if c.keys[i] == k {
			return c.vals[i], nil
		}
	}
	v, err := load()
	if err != nil {
		return v, err
	}
	i := c.next
	c.keys[i], c.vals[i] = k, v
	c.next = (c.next + 1) % len(c.keys)
	c.n = min(c.n+1, len(c.keys))
	return v, nil
}
