package session

import (
	"bytes"
	"fmt"
	"hash/crc32"
	"reflect"
	"testing"
	"time"

	"github.com/pollscope/pollscope/devices/vga"
	"github.com/pollscope/pollscope/trace"
)

var testMeta = Meta{
	Version: "pollscope test",
	Started: time.Unix(1700000000, 123),
	Trace:   trace.Options{LongPoll: 5 * time.Millisecond},
	Config:  []Field{{"kernel", "the embedded demo kernel"}, {"cmdline", "hz=1000"}, {"backend", "kvm"}},
}

// record writes run, with a serial line and a screen every tenth drain
// and a key press every 25th, through a Writer that flushes every fifth
// drain, as the machine does. It returns the file and what it recorded
// besides the events.
type recorded struct {
	file    []byte
	serial  []SerialWrite
	screens []ScreenAt
	inputs  []Input
}

func record(t testing.TB, run *synthRun, end *End) *recorded {
	t.Helper()
	return recordWith(t, testMeta, run, end)
}

func recordWith(t testing.TB, meta Meta, run *synthRun, end *End) *recorded {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, meta)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorded{}
	var sc vga.Screen
	for i, b := range run.batches {
		w.Batch(b)
		if i%10 == 0 {
			s := SerialWrite{Time: b.Flush, Data: fmt.Appendf(nil, "drain %d\n", i)}
			w.Serial(s.Time, s.Data)
			rec.serial = append(rec.serial, s)
			sc.Cells[i/10%vga.Rows][i%vga.Cols] = vga.Cell{Char: byte('A' + i%26), Attr: 0x07}
			sc.CursorRow, sc.CursorCol, sc.CursorVisible = i/10%vga.Rows, i%vga.Cols, true
			w.Screen(ScreenAt{Time: b.Flush, Screen: sc})
			rec.screens = append(rec.screens, ScreenAt{Time: b.Flush, Screen: sc})
		}
		if i%25 == 0 {
			in := Input{Time: b.Flush + 1, Key: uint32(i%50 + 1), Down: i%50 == 0}
			if i%100 == 75 {
				in = Input{Time: b.Flush + 1, Serial: fmt.Appendf(nil, "typed %d\n", i)}
			}
			w.Input(in)
			rec.inputs = append(rec.inputs, in)
		}
		if i%25 == 24 { // 250 ms of drains
			w.Counters(b.Flush, []Counter{{"HostEventsLost", uint64(i / 100)}, {"ExitsLost", 0}})
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if end != nil {
		if err := w.Close(*end); err != nil {
			t.Fatal(err)
		}
	} else if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	rec.file = buf.Bytes()
	return rec
}

func open(t testing.TB, file []byte) *Session {
	t.Helper()
	s, err := Open(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

// modelDiff names the first exported field in which two models differ, or
// returns "" when they are deeply equal (unexported indexes included).
func modelDiff(got, want *trace.Model) string {
	if reflect.DeepEqual(got, want) {
		return ""
	}
	gv, wv := reflect.ValueOf(got).Elem(), reflect.ValueOf(want).Elem()
	for i := range gv.NumField() {
		f := gv.Type().Field(i)
		if !f.IsExported() {
			continue
		}
		g, w := gv.Field(i).Interface(), wv.Field(i).Interface()
		if !reflect.DeepEqual(g, w) {
			if gv.Field(i).Kind() == reflect.Slice {
				return fmt.Sprintf("%s: %d items, want %d; first difference %s", f.Name, gv.Field(i).Len(), wv.Field(i).Len(), firstDiff(gv.Field(i), wv.Field(i)))
			}
			return fmt.Sprintf("%s: %+v, want %+v", f.Name, g, w)
		}
	}
	return "unexported indexes differ"
}

func firstDiff(a, b reflect.Value) string {
	for i := range min(a.Len(), b.Len()) {
		if !reflect.DeepEqual(a.Index(i).Interface(), b.Index(i).Interface()) {
			return fmt.Sprintf("at %d: %+v, want %+v", i, a.Index(i).Interface(), b.Index(i).Interface())
		}
	}
	return "in length"
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

func crcOf(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }
