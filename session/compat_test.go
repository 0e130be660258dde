package session

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"os"
	"testing"

	"github.com/pollscope/pollscope/guest"
	"github.com/pollscope/pollscope/trace"
)

// Files in format version 1 (what pollscope wrote before the resource
// records had codes of their own) still open, and give the model the same
// events give.

// encodeEventV1 is format version 1's event encoder, as pollscope wrote
// it: for making version 1 files in tests.
func encodeEventV1(e *enc, prev *int64, names map[string]int, ev *trace.Event) {
	var code byte
	switch {
	case ev.Kind >= 1 && ev.Kind < v1HostCodeBase:
		code = byte(ev.Kind)
	case ev.Kind >= hostKindBase && ev.Kind <= hostKindBase+3:
		code = byte(ev.Kind-hostKindBase) + v1HostCodeBase
	}
	var mask byte
	if ev.Task != 0 {
		mask |= hasTask
	}
	if ev.Arg != 0 {
		mask |= hasArg
	}
	if ev.Queue != 0 {
		mask |= hasQueue
	}
	if ev.Name != "" {
		mask |= v1HasName
	}
	e.byte1(code<<v1CodeShift | mask)
	if code == 0 {
		e.uvarint(uint64(ev.Kind))
	}
	e.varint(ev.Time - *prev)
	*prev = ev.Time
	if mask&hasTask != 0 {
		e.uvarint(uint64(ev.Task))
	}
	if mask&hasArg != 0 {
		e.uvarint(bits.RotateLeft64(ev.Arg, v1ArgRotation(ev.Kind)))
	}
	if mask&hasQueue != 0 {
		e.uvarint(uint64(ev.Queue))
	}
	if mask&v1HasName != 0 {
		if i, ok := names[ev.Name]; ok {
			e.uvarint(uint64(i))
		} else {
			e.uvarint(uint64(len(names)))
			e.str(ev.Name)
			names[ev.Name] = len(names)
		}
	}
}

// asVersion1 rewrites a file of this version as version 1 would have
// written it: the header's version, every events chunk's events
// re-encoded, and the serial inputs (version 3's) left out.
func asVersion1(t testing.TB, file []byte) []byte {
	t.Helper()
	out := withVersion(file[:headerSize], 1)
	var comp compressor
	for _, off := range chunkOffsetsOf(file) {
		kind, raw := unframe(file, off)
		if kind == kindEvents {
			_, batches, err := decodeEvents(2, raw, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			var e eventChunk
			e.names = map[string]int{}
			for i := range batches {
				b := &batches[i]
				flagsAt, countAt := e.beginBatch(b)
				for j := range b.Events {
					encodeEventV1(&e.enc, &e.prev, e.names, &b.Events[j])
				}
				e.endBatch(flagsAt, countAt, len(b.Events), b.continues)
			}
			raw = e.b
		}
		if kind == kindInput {
			ins, err := decodeInputs(FormatVersion, raw, nil)
			if err != nil {
				t.Fatal(err)
			}
			var e enc
			var prev int64
			for _, in := range ins {
				if len(in.Serial) == 0 {
					encodeInput(&e, &prev, in)
				}
			}
			if raw = e.b; len(raw) == 0 {
				continue
			}
		}
		chunk, err := comp.frame(kind, raw)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, chunk...)
	}
	return out
}

// eventBytes is the size of a file's events chunks.
func eventBytes(file []byte) int {
	n := 0
	for _, off := range chunkOffsetsOf(file) {
		if file[off] == kindEvents {
			n += chunkHeaderSize + int(binary.LittleEndian.Uint32(file[off+1:])) + chunkTrailerSize
		}
	}
	return n
}

func TestVersion1FilesOpen(t *testing.T) {
	run := synth(30_000, 3)
	v2 := record(t, run, &testEnd).file
	v1 := asVersion1(t, v2)
	if bytes.Equal(v1, v2) || eventBytes(v1) <= eventBytes(v2) {
		t.Fatalf("the version 1 copy's events take %d bytes, the version 2 file's %d: version 2 should be smaller", eventBytes(v1), eventBytes(v2))
	}
	e1, e2 := eventBytes(v1), eventBytes(v2)
	t.Logf("%d events: version 1 %d bytes (events %d), version 2 %d bytes (events %d, %.0f%%)", run.events, len(v1), e1, len(v2), e2, 100*float64(e2)/float64(e1))
	s := open(t, v1)
	if s.idx.version != 1 || s.Damage() != nil {
		t.Fatalf("version %d, damage %v", s.idx.version, s.Damage())
	}
	for _, at := range []int64{run.end / 3, run.end / 2, run.end + 1} {
		if d := modelDiff(s.Model(at), run.collectUpTo(testMeta.Trace, at)); d != "" {
			t.Errorf("the version 1 file's model at %d: %s", at, d)
		}
	}
}

// A file the version 1 writer made of a real demo run, with the resource
// records it wrote under the escape code, opens with its resources.
func TestVersion1DemoRecording(t *testing.T) {
	file, err := os.ReadFile("testdata/v1-demo.pss")
	if err != nil {
		t.Fatal(err)
	}
	s := open(t, file)
	if s.idx.version != 1 || s.Damage() != nil {
		t.Fatalf("version %d, damage %v", s.idx.version, s.Damage())
	}
	m := s.Model(1 << 62)
	names := map[string]trace.ResourceKind{}
	for _, r := range m.Resources {
		names[r.Name] = r.Kind
	}
	want := map[string]trace.ResourceKind{"timers": guest.ResourceTimers, "keyboard": guest.ResourceKeyboard,
		"ready-queue": guest.ResourceReadyQueue, "numbers": guest.ResourceChannel}
	for n, k := range want {
		if names[n] != k {
			t.Errorf("resource %q is %v, want %v (resources %+v)", n, names[n], k, m.Resources)
		}
	}
	if len(m.Waits) == 0 || m.Malformed != 0 || m.Unmatched != 0 {
		t.Errorf("%d waits, %d malformed, %d unmatched", len(m.Waits), m.Malformed, m.Unmatched)
	}
	// Written again in version 2, it gives the same model.
	var all []Batch
	for k := range s.idx.events {
		b, err := s.eventChunk(k)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	var buf bytes.Buffer
	w, err := NewWriter(&buf, s.Meta())
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range all {
		w.Batch(b)
	}
	if err := w.Close(End{Time: 1, Outcome: "exit"}); err != nil {
		t.Fatal(err)
	}
	s2 := open(t, buf.Bytes())
	if d := modelDiff(s2.Model(1<<62), m); d != "" {
		t.Errorf("written again in version 2: %s", d)
	}
	t.Logf("the demo run's events: %d bytes in version 1, %d in version 2", eventBytes(file), eventBytes(buf.Bytes()))
}
