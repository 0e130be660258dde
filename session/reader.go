package session

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"slices"
	"sort"

	"github.com/pollscope/pollscope/trace"
)

// chunkRef is where a chunk is and what its contents span, learnt when
// the file was opened (every chunk is decoded once then).
type chunkRef struct {
	off      int64 // the chunk's first byte (its kind)
	n        int   // payload length
	min, max int64 // earliest and latest time in it (events and drain times)
	records  int   // events, serial writes, screens or inputs
	// Events chunks: the global number of the first batch that starts or
	// goes on in it, and whether its first batch goes on from the
	// previous chunk.
	firstBatch int
	continued  bool
	// Serial chunks: the serial bytes before this chunk and in it.
	bytesBefore, bytes int64
}

// scanState is what opening a file learns.
type scanState struct {
	meta     Meta
	version  uint16 // the file's format version
	end      *End
	damage   error
	good     int64 // bytes of the file that were read and found sound
	events   []chunkRef
	serial   []chunkRef
	screens  []chunkRef
	inputs   []Input
	counters []countersAt
	nEvents  int64
	batches  int // logical batches (a batch split over chunks counts once)
	start    int64
	last     int64
	haveTime bool
	unknown  int // ancillary chunks of kinds this reader does not know
	contLen  int // events so far in a batch that goes on into the next chunk
	// recycle holds event arrays the sink is done with, for the next
	// events chunk to decode into (nil: allocate).
	recycle chan []trace.Event
}

type countersAt struct {
	Time     int64
	Counters []Counter
}

func (s *scanState) noteTime(lo, hi int64) {
	if !s.haveTime {
		s.start, s.last, s.haveTime = lo, hi, true
		return
	}
	s.start, s.last = min(s.start, lo), max(s.last, hi)
}

// eventSink receives each events chunk's batches as the file is opened,
// in file order, with what the scan knows so far (the metadata is always
// known by then); evs is the array their events are in. They stay valid
// until the sink sends evs back on the scan's recycle channel.
type eventSink func(s *scanState, ref int, batches []Batch, evs []trace.Event)

// scan reads and checks every chunk from the header on, builds the index,
// and hands the event batches to sink. A bad header or metadata chunk is an
// error; a bad chunk later ends the scan there and is kept in damage.
func scan(r io.ReaderAt, size int64, sink eventSink, recycle chan []trace.Event) (*scanState, error) {
	h := make([]byte, headerSize)
	n, _ := r.ReadAt(h, 0)
	if n == 0 {
		return nil, fmt.Errorf("%w: the file is empty", ErrNotSession)
	}
	version, err := checkHeader(h[:n])
	if err != nil {
		return nil, err
	}
	s := &scanState{good: headerSize, recycle: recycle, version: version}
	var payload []byte
	var inf inflater
	cont := false // the last events chunk ended inside a batch
	for off := int64(headerSize); off < size; {
		kind, body, err := readChunk(r, size, off, &payload)
		if err != nil {
			s.damage = err
			break
		}
		ref := chunkRef{off: off, n: len(body)}
		next := off + chunkHeaderSize + int64(len(body)) + chunkTrailerSize
		if off == headerSize && kind != kindMeta {
			return nil, fmt.Errorf("%w: the first chunk is %s, not the metadata", ErrCorrupt, kindName(kind))
		}
		if kind&ancillaryBit != 0 && kindNames[kind] == "" {
			s.unknown++
			off, s.good = next, next
			continue
		}
		raw, err := inf.inflate(body)
		if err != nil {
			s.damage = chunkError(ErrCorrupt, kind, off, err)
			break
		}
		if err := s.take(kind, raw, &ref, &cont, sink); err != nil {
			if kind == kindMeta && off == headerSize {
				return nil, chunkError(ErrCorrupt, kind, off, err)
			}
			s.damage = chunkError(ErrCorrupt, kind, off, err)
			break
		}
		off, s.good = next, next
		if kind == kindEnd && off < size {
			s.damage = fmt.Errorf("%w: %d bytes follow the end record at offset %d", ErrCorrupt, size-off, ref.off)
			break
		}
	}
	if s.good == headerSize {
		if s.damage == nil {
			s.damage = fmt.Errorf("%w: the file ends after its header", ErrTruncated)
		}
		return nil, fmt.Errorf("no metadata: %w", s.damage)
	}
	if s.damage == nil && s.end == nil {
		s.damage = fmt.Errorf("%w: the file has no end record (the recording was not closed: was pollscope killed?)", ErrUnfinished)
	}
	return s, nil
}

func chunkError(base error, kind byte, off int64, err error) error {
	return fmt.Errorf("%w: the %s chunk at offset %d: %v", base, kindName(kind), off, err)
}

// readChunk reads and checks the frame of the chunk at off: its length
// against the limits and the file, then its checksum. buf is reused.
func readChunk(r io.ReaderAt, size, off int64, buf *[]byte) (kind byte, body []byte, err error) {
	if size-off < chunkHeaderSize {
		return 0, nil, fmt.Errorf("%w: the file ends inside a chunk header at offset %d", ErrTruncated, off)
	}
	var h [chunkHeaderSize]byte
	if _, err := r.ReadAt(h[:], off); err != nil {
		return 0, nil, fmt.Errorf("reading the chunk at offset %d: %w", off, err)
	}
	kind, n := h[0], binary.LittleEndian.Uint32(h[1:])
	if n > maxPayload {
		return kind, nil, fmt.Errorf("%w: the chunk at offset %d claims %d bytes (the format allows %d)", ErrCorrupt, off, n, maxPayload)
	}
	if need := int64(n) + chunkTrailerSize; size-off-chunkHeaderSize < need {
		return kind, nil, fmt.Errorf("%w: the file ends inside the %s chunk at offset %d (%d of its %d bytes are there)",
			ErrTruncated, kindName(kind), off, size-off, chunkHeaderSize+need)
	}
	b := slices.Grow((*buf)[:0], int(n)+chunkTrailerSize)[:int(n)+chunkTrailerSize]
	*buf = b
	if _, err := r.ReadAt(b, off+chunkHeaderSize); err != nil {
		return kind, nil, fmt.Errorf("reading the chunk at offset %d: %w", off, err)
	}
	crc := crc32.Update(crc32.Checksum(h[:], castagnoli), castagnoli, b[:n])
	if got := binary.LittleEndian.Uint32(b[n:]); got != crc {
		return kind, nil, fmt.Errorf("%w: the %s chunk at offset %d fails its checksum", ErrCorrupt, kindName(kind), off)
	}
	return kind, b[:n], nil
}

// take decodes one chunk's contents into the index.
func (s *scanState) take(kind byte, raw []byte, ref *chunkRef, cont *bool, sink eventSink) error {
	switch kind {
	case kindMeta:
		if ref.off != headerSize {
			return errors.New("a second metadata chunk")
		}
		m, err := decodeMeta(raw)
		s.meta = m
		return err
	case kindEvents:
		var evs []trace.Event
		select {
		case evs = <-s.recycle:
		default:
		}
		evs, batches, err := decodeEvents(s.version, raw, evs[:0], nil)
		if err != nil {
			return err
		}
		if len(batches) == 0 {
			return errors.New("an events chunk with no batch")
		}
		ref.firstBatch, ref.continued = s.batches, *cont
		if *cont {
			ref.firstBatch-- // its first batch is the previous chunk's last
		}
		ref.min, ref.max = batches[0].Flush, batches[0].Flush
		for _, b := range batches {
			ref.min, ref.max = min(ref.min, b.Flush), max(ref.max, b.Flush)
			for _, e := range b.Events {
				ref.min, ref.max = min(ref.min, e.Time), max(ref.max, e.Time)
			}
		}
		for i, b := range batches {
			if !(i == 0 && *cont) {
				s.batches++
				s.contLen = 0
			}
			if s.contLen += len(b.Events); s.contLen > maxBatch {
				return fmt.Errorf("a batch split over chunks grows past %d events", maxBatch)
			}
			*cont = b.continues
		}
		ref.records = len(evs)
		s.nEvents += int64(len(evs))
		s.noteTime(ref.min, ref.max)
		s.events = append(s.events, *ref)
		if sink != nil {
			sink(s, len(s.events)-1, batches, evs)
		}
	case kindSerial:
		ws, err := decodeSerial(raw, nil)
		if err != nil {
			return err
		}
		if err := s.ordered(s.serial, len(ws), func(i int) int64 { return ws[i].Time }); err != nil {
			return err
		}
		ref.min, ref.max, ref.records = ws[0].Time, ws[len(ws)-1].Time, len(ws)
		if n := len(s.serial); n > 0 {
			ref.bytesBefore = s.serial[n-1].bytesBefore + s.serial[n-1].bytes
		}
		for _, w := range ws {
			ref.bytes += int64(len(w.Data))
		}
		s.noteTime(ref.min, ref.max)
		s.serial = append(s.serial, *ref)
	case kindScreen:
		ss, err := decodeScreens(raw, nil)
		if err != nil {
			return err
		}
		if err := s.ordered(s.screens, len(ss), func(i int) int64 { return ss[i].Time }); err != nil {
			return err
		}
		ref.min, ref.max, ref.records = ss[0].Time, ss[len(ss)-1].Time, len(ss)
		s.noteTime(ref.min, ref.max)
		s.screens = append(s.screens, *ref)
	case kindInput:
		in, err := decodeInputs(s.version, raw, nil)
		if err != nil {
			return err
		}
		if len(in) == 0 {
			return errors.New("an input chunk with no input")
		}
		for i := range in {
			if i > 0 && in[i].Time < in[i-1].Time || i == 0 && len(s.inputs) > 0 && in[0].Time < s.inputs[len(s.inputs)-1].Time {
				return errors.New("input times go backwards")
			}
		}
		s.noteTime(in[0].Time, in[len(in)-1].Time)
		s.inputs = append(s.inputs, in...)
	case kindCounters:
		t, cs, err := decodeCounters(raw)
		if err != nil {
			return err
		}
		if n := len(s.counters); n > 0 && t < s.counters[n-1].Time {
			return errors.New("counter times go backwards")
		}
		s.noteTime(t, t)
		s.counters = append(s.counters, countersAt{t, cs})
	case kindEnd:
		end, err := decodeEnd(raw)
		if err != nil {
			return err
		}
		s.noteTime(end.Time, end.Time)
		s.end = &end
	default:
		return fmt.Errorf("unknown chunk kind %d (a file of format version %d has none such)", kind, s.version)
	}
	return nil
}

// ordered checks that a stream chunk has records (n of them, their times
// given by at), in time order, after the stream's previous chunk.
func (s *scanState) ordered(prev []chunkRef, n int, at func(int) int64) error {
	if n == 0 {
		return errors.New("a chunk with no record")
	}
	if len(prev) > 0 && at(0) < prev[len(prev)-1].max {
		return errors.New("record times go backwards from the previous chunk")
	}
	for i := 1; i < n; i++ {
		if at(i) < at(i-1) {
			return errors.New("record times go backwards")
		}
	}
	return nil
}

// lastAtOrBefore returns the index of the last chunk whose first record is
// at or before t (chunks sorted by min), or -1.
func lastAtOrBefore(refs []chunkRef, t int64) int {
	return sort.Search(len(refs), func(i int) bool { return refs[i].min > t }) - 1
}
