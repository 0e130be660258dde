package session

import (
	"bytes"
	"encoding/binary"
	"math"
	"testing"
)

// exercise uses everything a session offers, at a few times.
func exercise(s *Session) {
	start, last := s.Range()
	for _, at := range []int64{start - 1, start + (last-start)/3, last - (last-start)/4, start + (last-start)/3 + 1, math.MaxInt64} {
		m := s.Model(at)
		for i := range m.Wakes {
			m.WakePoll(i)
		}
		s.Screen(at)
		s.Serial(at)
		s.Counters(at)
	}
	s.Screens()
	s.Inputs()
	s.End()
}

func fuzzSeed(t testing.TB) []byte {
	return record(t, synth(120, 9), &testEnd).file
}

// FuzzOpen opens arbitrary bytes as a session file. Most mutations fail a
// checksum; FuzzChunkContents reaches the decoders behind it.
func FuzzOpen(f *testing.F) {
	whole := fuzzSeed(f)
	f.Add(whole)
	f.Add(whole[:len(whole)/2])
	f.Add(whole[:headerSize+7])
	f.Add(withVersion(whole, 7))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Open(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		exercise(s)
	})
}

// FuzzChunkContents frames arbitrary chunk contents soundly (compressed,
// with correct checksums) after a valid header and metadata, so that
// every decoder and the model rebuilding see the fuzzer's bytes. The data
// is a list of chunks: a kind byte, a 2-byte length, the contents; a
// first byte 0xff makes it a file in format version 1.
func FuzzChunkContents(f *testing.F) {
	for _, file := range [][]byte{fuzzSeed(f), asVersion1(f, fuzzSeed(f))} {
		var seed []byte
		if file[8] == 1 {
			seed = append(seed, 0xff)
		}
		for off := chunkOffsetsOf(file)[1:]; len(off) > 0; off = off[1:] {
			kind, raw := unframe(file, off[0])
			if len(raw) > 1<<16-1 {
				continue
			}
			seed = append(seed, kind)
			seed = binary.LittleEndian.AppendUint16(seed, uint16(len(raw)))
			seed = append(seed, raw...)
		}
		f.Add(seed)
	}
	// One compressor for every run: a new one costs more than a run.
	var c compressor
	metaChunk, err := c.frame(kindMeta, encodeMeta(testMeta))
	if err != nil {
		f.Fatal(err)
	}
	prefix := append(header(), metaChunk...)
	prefixV1 := append(withVersion(header(), 1), metaChunk...)
	f.Fuzz(func(t *testing.T, data []byte) {
		file := append([]byte(nil), prefix...)
		if len(data) > 0 && data[0] == 0xff {
			file, data = append([]byte(nil), prefixV1...), data[1:]
		}
		for len(data) >= 3 {
			kind, n := data[0], int(binary.LittleEndian.Uint16(data[1:]))
			data = data[3:]
			n = min(n, len(data))
			frame, err := c.frame(kind, data[:n])
			if err != nil {
				t.Fatal(err)
			}
			file = append(file, frame...)
			data = data[n:]
		}
		s, err := Open(bytes.NewReader(file), int64(len(file)))
		if err != nil {
			t.Fatalf("a file with a sound header and metadata does not open: %v", err)
		}
		exercise(s)
	})
}

func chunkOffsetsOf(file []byte) []int64 {
	var offs []int64
	for off := int64(headerSize); off+chunkHeaderSize <= int64(len(file)); {
		offs = append(offs, off)
		off += chunkHeaderSize + int64(binary.LittleEndian.Uint32(file[off+1:])) + chunkTrailerSize
	}
	return offs
}

func unframe(file []byte, off int64) (byte, []byte) {
	n := binary.LittleEndian.Uint32(file[off+1:])
	var f inflater
	raw, err := f.inflate(file[off+chunkHeaderSize : off+chunkHeaderSize+int64(n)])
	if err != nil {
		panic(err)
	}
	return file[off], append([]byte(nil), raw...)
}
