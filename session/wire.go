package session

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// enc appends the format's primitives to a byte slice: unsigned LEB128
// varints, zig-zag signed varints and length-prefixed strings.
type enc struct{ b []byte }

func (e *enc) uvarint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }
func (e *enc) varint(v int64)   { e.b = binary.AppendVarint(e.b, v) }
func (e *enc) byte1(v byte)     { e.b = append(e.b, v) }
func (e *enc) raw(p []byte)     { e.b = append(e.b, p...) }

func (e *enc) str(s string) {
	e.uvarint(uint64(len(s)))
	e.b = append(e.b, s...)
}

// errShort is a record that ends before its fields do.
var errShort = errors.New("a record ends before its fields do")

// dec reads what enc writes, trusting nothing: every read is checked
// against what is left, and the first failure sticks (later reads return
// zero values), so a decoder can read a whole record and check err once.
type dec struct {
	b   []byte
	err error
}

func (d *dec) fail(err error) {
	if d.err == nil {
		d.err = err
	}
	d.b = nil
}

func (d *dec) failf(format string, args ...any) { d.fail(fmt.Errorf(format, args...)) }

func (d *dec) more() bool { return d.err == nil && len(d.b) > 0 }

func (d *dec) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail(errShort)
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *dec) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail(errShort)
		return 0
	}
	d.b = d.b[n:]
	return v
}

// count reads a count of items that each take at least minSize bytes, and
// refuses one that the bytes left cannot hold: no loop or allocation ever
// trusts a count the data does not back.
func (d *dec) count(minSize int) int {
	n := d.uvarint()
	if d.err == nil && n > uint64(len(d.b)/minSize) {
		d.failf("a count of %d items does not fit in the %d bytes left", n, len(d.b))
		return 0
	}
	return int(n)
}

// small reads an unsigned varint that must be at most limit.
func (d *dec) small(limit uint64, what string) uint64 {
	v := d.uvarint()
	if v > limit {
		d.failf("%s %d is out of range (at most %d)", what, v, limit)
		return 0
	}
	return v
}

func (d *dec) byte1() byte {
	if d.err != nil {
		return 0
	}
	if len(d.b) < 1 {
		d.fail(errShort)
		return 0
	}
	v := d.b[0]
	d.b = d.b[1:]
	return v
}

// bytes returns the next n bytes (a view into the record, not a copy).
func (d *dec) bytes(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > len(d.b) {
		d.fail(errShort)
		return nil
	}
	v := d.b[:n:n]
	d.b = d.b[n:]
	return v
}

// str reads a length-prefixed string of at most limit bytes.
func (d *dec) str(limit int) string {
	n := d.small(uint64(limit), "a string's length")
	return string(d.bytes(int(n)))
}

// maxTime bounds the times a session holds (as the trace model does):
// larger magnitudes mean a corrupt record, and keeping them below 2^62
// means a sum of two never overflows.
const maxTime = int64(1) << 62

// timeAt adds a delta to a running time and refuses a result out of range.
func (d *dec) timeAt(prev int64) int64 {
	delta := d.varint()
	if d.err != nil {
		return prev
	}
	if delta > maxTime || delta < -maxTime {
		d.failf("a time step of %d ns is out of range", delta)
		return prev
	}
	t := prev + delta
	if t > maxTime || t < -maxTime {
		d.failf("a time of %d ns is out of range", t)
		return prev
	}
	return t
}

// clampTime keeps a writer's time within what the reader accepts.
func clampTime(t int64) int64 { return min(max(t, -maxTime), maxTime) }
