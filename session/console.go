package session

import (
	"bytes"
	"sort"

	"github.com/pollscope/pollscope/devices/vga"
)

// MaxSerial is how much serial output Serial returns: the last MiB, as
// the live machine keeps.
const MaxSerial = 1 << 20

// Screen returns the VGA text screen as it was at machine time at: the
// last snapshot recorded at or before at. ok is false before the first
// (or if none is recorded).
func (s *Session) Screen(at int64) (sc vga.Screen, ok bool) {
	s.console.Lock()
	defer s.console.Unlock()
	k := lastAtOrBefore(s.idx.screens, at)
	if k < 0 {
		return vga.Screen{}, false
	}
	screens, err := s.screenChunk(k)
	if err != nil {
		s.noteReadErr(err)
		return vga.Screen{}, false
	}
	i := sort.Search(len(screens), func(i int) bool { return screens[i].Time > at }) - 1
	if i < 0 {
		return vga.Screen{}, false
	}
	return screens[i].Screen, true
}

// Screens returns the times at which the screen changed, in order (for a
// timeline that marks them).
func (s *Session) Screens() []int64 {
	s.console.Lock()
	defer s.console.Unlock()
	var out []int64
	for k := range s.idx.screens {
		screens, err := s.screenChunk(k)
		if err != nil {
			s.noteReadErr(err)
			break
		}
		for _, sc := range screens {
			out = append(out, sc.Time)
		}
	}
	return out
}

// Serial returns what the guest had sent on COM1 by machine time at: the
// last MaxSerial bytes of it.
func (s *Session) Serial(at int64) string {
	s.console.Lock()
	defer s.console.Unlock()
	k := lastAtOrBefore(s.idx.serial, at)
	if k < 0 {
		return ""
	}
	writes, err := s.serialChunk(k)
	if err != nil {
		return ""
	}
	var part []byte
	for _, w := range writes {
		if w.Time > at {
			break
		}
		part = append(part, w.Data...)
	}
	before, err := s.serialBefore(k, MaxSerial-len(part))
	if err != nil {
		return ""
	}
	out := append(before, part...)
	if len(out) > MaxSerial {
		out = out[len(out)-MaxSerial:]
	}
	return string(out)
}

func (s *Session) serialChunk(k int) ([]SerialWrite, error) {
	ws, err := s.seCache.get(k, func() ([]SerialWrite, error) {
		raw, err := s.consoleReader.read(s, &s.idx.serial[k])
		if err != nil {
			return nil, err
		}
		return decodeSerial(bytes.Clone(raw), nil) // the writes point into it: keep it
	})
	if err != nil {
		s.noteReadErr(err)
	}
	return ws, err
}

// serialBefore returns (a copy of) the last n bytes the serial chunks
// before k hold.
func (s *Session) serialBefore(k, n int) ([]byte, error) {
	if k == 0 || n <= 0 {
		return nil, nil
	}
	if s.serialTail.k == k && s.serialTail.valid {
		b := s.serialTail.bytes
		return append([]byte(nil), b[max(0, len(b)-n):]...), nil
	}
	refs := s.idx.serial
	end := refs[k].bytesBefore
	// The first chunk needed: the last whose bytes reach back MaxSerial.
	j := sort.Search(k, func(j int) bool { return refs[j].bytesBefore+refs[j].bytes > end-MaxSerial }) // refs[j] ends after end-MaxSerial
	var b []byte
	for i := j; i < k; i++ {
		ws, err := s.serialChunk(i)
		if err != nil {
			return nil, err
		}
		for _, w := range ws {
			b = append(b, w.Data...)
		}
	}
	if len(b) > MaxSerial {
		b = b[len(b)-MaxSerial:]
	}
	s.serialTail.k, s.serialTail.bytes, s.serialTail.valid = k, b, true
	return append([]byte(nil), b[max(0, len(b)-n):]...), nil
}

// screenChunk is the k-th screen chunk's snapshots, read once and cached.
// Call it with s.console held.
func (s *Session) screenChunk(k int) ([]ScreenAt, error) {
	return s.scCache.get(k, func() ([]ScreenAt, error) {
		raw, err := s.consoleReader.read(s, &s.idx.screens[k])
		if err != nil {
			return nil, err
		}
		return decodeScreens(raw, nil)
	})
}
