package session

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// FormatVersion is the session format this package writes, and the newest
// it reads. docs/session-format.md describes it; bump it for any change an
// older reader would misread (a new critical chunk kind, a changed record).
// Version 2 gave the resource records (guest kinds 12-16) and the
// debugger's host kinds codes of their own and writes packed arguments as
// their fields. Version 3 adds serial inputs (an input record whose kind
// byte is 2); its events are version 2's. It reads versions 1 and 2 too.
const FormatVersion = 3

// OldestFormatVersion is the oldest session format this package reads.
const OldestFormatVersion = 1

// magic opens every session file. Like PNG's signature, its first byte is
// not ASCII and it holds a CR-LF pair, so a file mangled by a text-mode
// transfer is recognised as such.
var magic = [8]byte{0x89, 'P', 'S', 'E', 'S', 'S', '\r', '\n'}

// headerSize is the file header's size: magic, version (uint16), flags
// (uint16, zero) and the CRC-32C of those 12 bytes. Its layout is the same
// in every version, so any reader can tell which version a file has.
const headerSize = 16

// chunkHeaderSize and chunkTrailerSize frame a chunk: kind (1 byte) and
// payload length (uint32) before it, CRC-32C after.
const (
	chunkHeaderSize  = 5
	chunkTrailerSize = 4
)

// Size limits. Readers refuse anything larger, so a damaged length field
// never makes them allocate more than this.
const (
	maxPayload = 8 << 20 // a chunk's compressed payload
	maxRaw     = 4 << 20 // a chunk's decompressed contents
	// chunkTarget is the decompressed size at which a writer closes a
	// chunk and starts the next: big enough to compress well, small
	// enough that reading any part of a session reads little else.
	chunkTarget = 256 << 10
	maxName     = 1 << 12 // a string in a record (task, key or exit name)
	maxBatch    = 1 << 20 // events in one drained batch
)

// Chunk kinds. A kind with ancillaryBit set is optional: a reader that
// does not know it skips it. An unknown kind without it is an error (a
// writer that adds such a kind bumps FormatVersion).
const (
	kindMeta     = 1 // the run's metadata; the first chunk, exactly once
	kindEvents   = 2 // trace event batches, as the machine drained them
	kindSerial   = 3 // serial (COM1) output with its times
	kindScreen   = 4 // VGA text screen snapshots
	kindInput    = 5 // host inputs (keys) with their times and instruction counts
	kindCounters = 6 // the host's counters at a time
	kindEnd      = 7 // how the run ended; the last chunk of a finished file

	ancillaryBit = 0x80
)

var kindNames = map[byte]string{kindMeta: "meta", kindEvents: "events", kindSerial: "serial",
	kindScreen: "screen", kindInput: "input", kindCounters: "counters", kindEnd: "end"}

func kindName(k byte) string {
	if n, ok := kindNames[k]; ok {
		return n
	}
	return fmt.Sprintf("kind %d", k)
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Errors a reader reports. They are wrapped with where and what; test
// with errors.Is.
var (
	// ErrNotSession: the file does not start with a session header.
	ErrNotSession = errors.New("not a pollscope session file")
	// ErrFutureVersion: the file was written in a newer format.
	ErrFutureVersion = errors.New("session format too new")
	// ErrTruncated: the file ends inside a chunk (a run killed while
	// writing, a partial copy); what comes before is readable.
	ErrTruncated = errors.New("session file truncated")
	// ErrCorrupt: a chunk fails its checksum or does not decode.
	ErrCorrupt = errors.New("session file corrupt")
	// ErrUnfinished: every chunk is sound but the run's end record is
	// missing (the recording was not closed: the process was killed).
	ErrUnfinished = errors.New("session recording unfinished")
)

func header() []byte {
	h := make([]byte, headerSize)
	copy(h, magic[:])
	binary.LittleEndian.PutUint16(h[8:], FormatVersion)
	binary.LittleEndian.PutUint32(h[12:], crc32.Checksum(h[:12], castagnoli))
	return h
}

// checkHeader validates a file's first headerSize bytes and returns the
// file's format version.
func checkHeader(h []byte) (uint16, error) {
	if len(h) < len(magic) || !bytes.Equal(h[:len(magic)], magic[:]) {
		n := min(len(h), len(magic))
		return 0, fmt.Errorf("%w: it starts with %q, not the session signature", ErrNotSession, h[:n])
	}
	if len(h) < headerSize {
		return 0, fmt.Errorf("%w: the file ends inside its %d-byte header", ErrTruncated, headerSize)
	}
	if got, want := binary.LittleEndian.Uint32(h[12:]), crc32.Checksum(h[:12], castagnoli); got != want {
		return 0, fmt.Errorf("%w: the file header fails its checksum", ErrCorrupt)
	}
	v := binary.LittleEndian.Uint16(h[8:])
	switch {
	case v > FormatVersion:
		return 0, fmt.Errorf("%w: the file is in session format version %d and this pollscope reads versions %d to %d: open it with a newer pollscope",
			ErrFutureVersion, v, OldestFormatVersion, FormatVersion)
	case v == 0:
		return 0, fmt.Errorf("%w: the header names format version 0, which does not exist", ErrCorrupt)
	}
	if f := binary.LittleEndian.Uint16(h[10:]); f != 0 {
		return 0, fmt.Errorf("%w: the header has flags %#x, which version %d does not define", ErrCorrupt, f, v)
	}
	return v, nil
}

// compressor compresses chunk contents; one per writer, reused.
type compressor struct {
	fw  *flate.Writer
	out bytes.Buffer
}

// frame compresses raw and returns the whole chunk: header, payload, CRC.
// The result is valid until the next call.
func (c *compressor) frame(kind byte, raw []byte) ([]byte, error) {
	c.out.Reset()
	c.out.Write(make([]byte, chunkHeaderSize))
	if c.fw == nil {
		fw, err := flate.NewWriter(&c.out, flate.DefaultCompression)
		if err != nil {
			return nil, err
		}
		c.fw = fw
	} else {
		c.fw.Reset(&c.out)
	}
	if _, err := c.fw.Write(raw); err != nil {
		return nil, err
	}
	if err := c.fw.Close(); err != nil {
		return nil, err
	}
	b := c.out.Bytes()
	n := len(b) - chunkHeaderSize
	if n > maxPayload {
		return nil, fmt.Errorf("a %s chunk compresses to %d bytes, more than the format's %d", kindName(kind), n, maxPayload)
	}
	b[0] = kind
	binary.LittleEndian.PutUint32(b[1:], uint32(n))
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli)), nil
}

// inflater decompresses chunk payloads, reusing its decoder and buffer.
type inflater struct {
	src bytes.Reader
	fr  io.ReadCloser
	out bytes.Buffer
}

// inflate decompresses payload, refusing contents larger than maxRaw. The
// result is valid until the next call.
func (f *inflater) inflate(payload []byte) ([]byte, error) {
	f.src.Reset(payload)
	if f.fr == nil {
		f.fr = flate.NewReader(&f.src)
	} else if err := f.fr.(flate.Resetter).Reset(&f.src, nil); err != nil {
		return nil, err
	}
	f.out.Reset()
	n, err := f.out.ReadFrom(io.LimitReader(f.fr, maxRaw+1))
	if err != nil {
		return nil, fmt.Errorf("its payload does not decompress: %w", err)
	}
	if n > maxRaw {
		return nil, fmt.Errorf("its payload decompresses to more than the format's %d bytes", maxRaw)
	}
	return f.out.Bytes(), nil
}
