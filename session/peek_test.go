package session

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// PeekFile reads a session's metadata, and refuses what OpenFile refuses
// before reading further.
func TestPeekFile(t *testing.T) {
	dir := t.TempDir()
	whole := record(t, synth(3000, 4), &testEnd).file
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	m, err := PeekFile(write("ok.pollscope", whole))
	if err != nil || m.Version != testMeta.Version || m.Trace != testMeta.Trace {
		t.Fatalf("PeekFile: %+v, %v", m, err)
	}
	// Cut after the metadata: the peek does not look further.
	if _, err := PeekFile(write("cut.pollscope", whole[:chunkOffsets(t, whole)[1]+3])); err != nil {
		t.Errorf("a file cut after its metadata: %v", err)
	}
	for _, c := range []struct {
		name string
		file []byte
		want error
	}{
		{"empty", nil, ErrNotSession},
		{"not a session", []byte("{\"traceEvents\": []}"), ErrNotSession},
		{"future version", withVersion(whole, FormatVersion+1), ErrFutureVersion},
		{"header only", whole[:headerSize], ErrTruncated},
		{"damaged metadata", flip(whole, headerSize+chunkHeaderSize+2), ErrCorrupt},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := PeekFile(write(c.name, c.file)); !errors.Is(err, c.want) {
				t.Errorf("error %v, want %v", err, c.want)
			}
		})
	}
	if _, err := PeekFile(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a missing file: %v", err)
	}
}
