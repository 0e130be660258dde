package session

import (
	"fmt"
	"os"
)

// PeekFile reads only what opens the session file at path: its header
// and its metadata, the first chunk. It gives the errors OpenFile gives
// for a file that is not a session, is in a newer format or has no sound
// metadata, in a few reads, so that a viewer can say so before it opens
// a window and reads the rest.
func PeekFile(path string) (Meta, error) {
	f, err := os.Open(path)
	if err != nil {
		return Meta{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return Meta{}, err
	}
	h := make([]byte, headerSize)
	n, _ := f.ReadAt(h, 0)
	if n == 0 {
		return Meta{}, fmt.Errorf("%s: %w: the file is empty", path, ErrNotSession)
	}
	if _, err := checkHeader(h[:n]); err != nil {
		return Meta{}, fmt.Errorf("%s: %w", path, err)
	}
	var payload []byte
	kind, body, err := readChunk(f, st.Size(), headerSize, &payload)
	if err != nil {
		return Meta{}, fmt.Errorf("%s: no metadata: %w", path, err)
	}
	if kind != kindMeta {
		return Meta{}, fmt.Errorf("%s: %w: the first chunk is %s, not the metadata", path, ErrCorrupt, kindName(kind))
	}
	var inf inflater
	raw, err := inf.inflate(body)
	if err == nil {
		var m Meta
		if m, err = decodeMeta(raw); err == nil {
			return m, nil
		}
	}
	return Meta{}, fmt.Errorf("%s: %w", path, chunkError(ErrCorrupt, kind, headerSize, err))
}
