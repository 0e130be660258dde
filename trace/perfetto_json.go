package trace

import (
	"bufio"
	"strconv"
	"unicode/utf8"
)

// chromeWriter streams Chrome Trace Event Format events through a
// bufio.Writer, one event at a time, reusing one buffer.
type chromeWriter struct {
	w *bufio.Writer
	b []byte
	n int // events written
}

// arg is one entry of an event's "args": a string if isStr, else a number.
type arg struct {
	key   string
	str   string
	num   float64
	isStr bool
}

func strArg(k, v string) arg         { return arg{key: k, str: v, isStr: true} }
func numArg(k string, v float64) arg { return arg{key: k, num: v} }

// flow says how a slice takes part in a flow arrow.
type flow uint8

const (
	noFlow  flow = iota
	flowOut      // the arrow starts at this slice
	flowIn       // the arrow ends at this slice
)

// chromeEvent is one trace event. Times are ns; dur < 0 means none.
type chromeEvent struct {
	ph       byte
	name     string
	cat      string
	pid, tid int
	ts, dur  int64
	scope    byte // instant events: 't', 'p' or 'g'
	flow     flow
	bindID   uint64
	args     []arg
	metadata bool // 'M' events carry no ts
}

func (cw *chromeWriter) write(e *chromeEvent) {
	b := cw.b[:0]
	if cw.n > 0 {
		b = append(b, ",\n"...)
	}
	b = append(b, `{"ph":"`...)
	b = append(b, e.ph)
	b = append(b, `","name":`...)
	b = appendJSONString(b, e.name)
	if e.cat != "" {
		b = append(b, `,"cat":`...)
		b = appendJSONString(b, e.cat)
	}
	b = append(b, `,"pid":`...)
	b = strconv.AppendInt(b, int64(e.pid), 10)
	b = append(b, `,"tid":`...)
	b = strconv.AppendInt(b, int64(e.tid), 10)
	if !e.metadata {
		b = append(b, `,"ts":`...)
		b = appendMicros(b, e.ts)
	}
	if e.dur >= 0 {
		b = append(b, `,"dur":`...)
		b = appendMicros(b, e.dur)
	}
	if e.scope != 0 {
		b = append(b, `,"s":"`...)
		b = append(b, e.scope, '"')
	}
	switch e.flow {
	case flowOut:
		b = append(b, `,"flow_out":true`...)
	case flowIn:
		b = append(b, `,"flow_in":true`...)
	}
	if e.flow != noFlow {
		b = append(b, `,"bind_id":"0x`...)
		b = strconv.AppendUint(b, e.bindID, 16)
		b = append(b, '"')
	}
	if len(e.args) > 0 {
		b = append(b, `,"args":{`...)
		for i, a := range e.args {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, a.key)
			b = append(b, ':')
			if a.isStr {
				b = appendJSONString(b, a.str)
			} else {
				b = strconv.AppendFloat(b, a.num, 'f', -1, 64)
			}
		}
		b = append(b, '}')
	}
	b = append(b, '}')
	cw.w.Write(b) // a bufio.Writer keeps its first error; Flush reports it
	cw.b = b
	cw.n++
}

// appendMicros appends ns as microseconds with exactly three decimals, so
// readers that parse the number as text (Perfetto does) get the exact ns.
func appendMicros(b []byte, ns int64) []byte {
	if ns < 0 {
		b = append(b, '-')
		ns = -ns
	}
	b = strconv.AppendInt(b, ns/1000, 10)
	f := ns % 1000
	return append(b, '.', byte('0'+f/100), byte('0'+f/10%10), byte('0'+f%10))
}

// appendJSONString appends s as a JSON string. It avoids \u escapes (some
// trace importers reject them): other control characters become spaces and
// invalid UTF-8 becomes U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\t':
				b = append(b, '\\', 't')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c < 0x20 || c == 0x7f:
				b = append(b, ' ')
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = utf8.AppendRune(b, utf8.RuneError)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
