package gdbstub

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// readAll turns a byte stream into its events.
func readAll(stream string, limit int) ([]event, error) {
	r := newPacketReader(strings.NewReader(stream), limit)
	var evs []event
	for {
		ev, err := r.next()
		if err != nil {
			return evs, err
		}
		if ev.kind == evPacket {
			ev.data = append([]byte(nil), ev.data...)
		}
		evs = append(evs, ev)
	}
}

func TestPacketReader(t *testing.T) {
	cases := []struct {
		name   string
		stream string
		want   []event
		err    error // what ends the stream
	}{
		{"a packet", "$qC#b4", []event{{kind: evPacket, data: []byte("qC")}}, io.EOF},
		{"upper-case checksum digits", "$m0,1#FA", []event{{kind: evPacket, data: []byte("m0,1")}}, io.EOF},
		{"acks, a NAK and Ctrl-C", "+-\x03", []event{{kind: evAck}, {kind: evNak}, {kind: evInterrupt}}, io.EOF},
		{"noise is skipped", "\r\nxyz$qC#b4", []event{{kind: evPacket, data: []byte("qC")}}, io.EOF},
		{"a wrong checksum", "$qC#b5", []event{{kind: evBadChecksum}}, io.EOF},
		{"a checksum that is not hex", "$qC#g4", []event{{kind: evBadChecksum}}, io.EOF},
		{"an empty packet", "$#00", []event{{kind: evPacket, data: []byte{}}}, io.EOF},
		{"a '$' restarts a cut packet", "$m10$qC#b4", []event{{kind: evPacket, data: []byte("qC")}}, io.EOF},
		{"escapes are left for the command", frame("X0,1:}]"), []event{{kind: evPacket, data: []byte("X0,1:}]")}}, io.EOF},
		{"longer than the limit", "$" + strings.Repeat("a", 20) + "#" + checksumHex(strings.Repeat("a", 20)) + "$qC#b4",
			[]event{{kind: evTooLong, size: 20}, {kind: evPacket, data: []byte("qC")}}, io.EOF},
		{"too long and a wrong checksum", "$" + strings.Repeat("a", 20) + "#00", []event{{kind: evBadChecksum}}, io.EOF},
		{"the end mid-packet", "$m1000,", nil, io.EOF},
		{"the end mid-checksum", "$qC#b", nil, io.EOF},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := readAll(c.stream, 16)
			if !errors.Is(err, c.err) {
				t.Errorf("stream ended with %v, want %v", err, c.err)
			}
			if len(got) != len(c.want) {
				t.Fatalf("events %+v, want %+v", got, c.want)
			}
			for i := range got {
				if got[i].kind != c.want[i].kind || !bytes.Equal(got[i].data, c.want[i].data) || got[i].size != c.want[i].size {
					t.Errorf("event %d = %+v, want %+v", i, got[i], c.want[i])
				}
			}
		})
	}
}

func checksumHex(s string) string {
	p := frame(s)
	return p[len(p)-2:]
}

func TestAppendPacketEscapes(t *testing.T) {
	cases := []struct{ data, want string }{
		{"OK", "$OK#9a"},
		{"", "$#00"},
		{"a#b", "$a}\x03b#" + checksumHex("a}\x03b")},
		{"$}*", "$}\x04}]}\x0a#" + checksumHex("}\x04}]}\x0a")},
	}
	for _, c := range cases {
		if got := string(appendPacket(nil, []byte(c.data))); got != c.want {
			t.Errorf("appendPacket(%q) = %q, want %q", c.data, got, c.want)
		}
	}
}

func TestUnescape(t *testing.T) {
	got, err := unescape([]byte("a}\x03b}]"))
	if err != nil || string(got) != "a#b}" {
		t.Errorf("unescape = %q, %v", got, err)
	}
	if _, err := unescape([]byte("ab}")); err == nil {
		t.Error("a trailing escape was accepted")
	}
}

// FuzzPacketReader feeds the framing arbitrary bytes: it never panics,
// never returns a packet past its limit, and every packet it returns has
// the checksum the stream gave it.
func FuzzPacketReader(f *testing.F) {
	for _, seed := range []string{"$qC#b4", "+-\x03", "$m10$qC#b4", "$X0,1:}]#00", "$#00", "$qC#zz", "$" + strings.Repeat("a", 40) + "#00"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, stream []byte) {
		const limit = 32
		r := newPacketReader(bytes.NewReader(stream), limit)
		for {
			ev, err := r.next()
			if err != nil {
				if err != io.EOF {
					t.Fatalf("error %v from a bytes.Reader", err)
				}
				return
			}
			if ev.kind == evPacket && len(ev.data) > limit {
				t.Fatalf("a %d-byte packet past the %d-byte limit", len(ev.data), limit)
			}
			if ev.kind == evPacket && !bytes.Contains(stream, []byte(frame(string(ev.data)))) {
				t.Fatalf("packet %q is not in the stream with its checksum", ev.data)
			}
		}
	})
}

// FuzzPacketRoundTrip: whatever the stub sends, framed and escaped, reads
// back as the same bytes.
func FuzzPacketRoundTrip(f *testing.F) {
	f.Add([]byte("T05thread:1;"))
	f.Add([]byte("<?xml}#$*"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := newPacketReader(bytes.NewReader(appendPacket(nil, data)), len(data)*2+1)
		ev, err := r.next()
		if err != nil || ev.kind != evPacket {
			t.Fatalf("reading the framed %q: %+v, %v", data, ev, err)
		}
		got, err := unescape(ev.data)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("round trip of %q gave %q (%v)", data, got, err)
		}
	})
}

// FuzzSession hands the session arbitrary packets against the fake
// target: no panic, and a reply to every one but k.
func FuzzSession(f *testing.F) {
	for _, seed := range []string{"g", "G00", "p10", "P10=00", "m1000,10", "M1000,1:00", "X1000,1:a", "Z0,1011,1", "z2,2000,4",
		"vCont;s:1;c", "c", "s", "qRcmd,782f3469203078313030", "qXfer:features:read:target.xml:0,40", "qSupported:swbreak+",
		"Qqemu.PhyMemMode:1", "QStartNoAckMode", "H g0", "T1", "?", "D", "vKill;1"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, pkt []byte) {
		target := newFakeTarget(counterProgram)
		target.budget = 1000
		s := &session{srv: &Server{}, conn: io.Discard, target: target}
		s.commands = s.allCommands()
		_, send := s.handle(t.Context(), pkt)
		if !send && !(len(pkt) > 0 && pkt[0] == 'k') {
			t.Fatalf("no reply to %q", pkt)
		}
	})
}
