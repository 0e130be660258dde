package gdbstub

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// A transcript is a packet exchange recorded between the real gdb and the
// stub serving a fakeTarget (TestGDB with -record writes them), one token
// per line in the order they crossed the connection:
//
//	> $qSupported:...#cc     from gdb
//	< +                      from the stub
//
// Bytes outside printable ASCII, and the backslash, are written \xNN.
// TestTranscripts replays gdb's side against a fresh stub and fake and
// checks that the stub says exactly what it said then.

const (
	fromGDB  = '>'
	fromStub = '<'
)

type transcriptLine struct {
	from  byte
	token string
}

func encodeToken(tok string) string {
	var b strings.Builder
	for i := range len(tok) {
		c := tok[i]
		if c < 0x20 || c > 0x7e || c == '\\' {
			fmt.Fprintf(&b, `\x%02x`, c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func decodeToken(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		if i+4 > len(s) || s[i+1] != 'x' {
			return "", fmt.Errorf("a bad escape in %q", s)
		}
		v, err := strconv.ParseUint(s[i+2:i+4], 16, 8)
		if err != nil {
			return "", fmt.Errorf("a bad escape in %q", s)
		}
		b.WriteByte(byte(v))
		i += 3
	}
	return b.String(), nil
}

func writeTranscript(path, scenario string, lines []transcriptLine) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Recorded from GNU gdb against the stub serving the %q fake target\n", scenario)
	fmt.Fprintf(&b, "# (go test ./gdbstub -run TestGDB -record). '>' is gdb, '<' the stub.\n")
	for _, l := range lines {
		fmt.Fprintf(&b, "%c %s\n", l.from, encodeToken(l.token))
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

func readTranscript(path string) ([]transcriptLine, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var lines []transcriptLine
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		text := sc.Text()
		if text == "" || text[0] == '#' {
			continue
		}
		if len(text) < 3 || (text[0] != fromGDB && text[0] != fromStub) || text[1] != ' ' {
			return nil, fmt.Errorf("%s:%d: not a transcript line", path, n)
		}
		tok, err := decodeToken(text[2:])
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v", path, n, err)
		}
		lines = append(lines, transcriptLine{text[0], tok})
	}
	return lines, sc.Err()
}

// recorder tokenises both directions of a connection into one ordered
// transcript.
type recorder struct {
	mu    sync.Mutex
	lines []transcriptLine
	in    tokenizer // from gdb
	out   tokenizer // from the stub
}

func (r *recorder) wrap(c net.Conn) net.Conn { return &recordingConn{Conn: c, rec: r} }

func (r *recorder) add(from byte, t *tokenizer, b []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, tok := range t.feed(b) {
		r.lines = append(r.lines, transcriptLine{from, tok})
	}
}

func (r *recorder) transcript() []transcriptLine {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]transcriptLine(nil), r.lines...)
}

type recordingConn struct {
	net.Conn
	rec *recorder
}

func (c *recordingConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.rec.add(fromGDB, &c.rec.in, b[:n])
	return n, err
}

func (c *recordingConn) Write(b []byte) (int, error) {
	c.rec.add(fromStub, &c.rec.out, b)
	return c.Conn.Write(b)
}

// tokenizer cuts a byte stream into '+', '-', 0x03 and whole packets.
type tokenizer struct {
	partial []byte // a packet in progress
	trailer int    // checksum digits still to come
}

func (t *tokenizer) feed(b []byte) []string {
	var toks []string
	for _, c := range b {
		switch {
		case t.partial == nil && c == '$':
			t.partial = []byte{c}
		case t.partial == nil:
			toks = append(toks, string(c))
		case t.trailer > 0:
			t.partial = append(t.partial, c)
			if t.trailer--; t.trailer == 0 {
				toks = append(toks, string(t.partial))
				t.partial = nil
			}
		default:
			t.partial = append(t.partial, c)
			if c == '#' {
				t.trailer = 2
			}
		}
	}
	return toks
}

// replay plays gdb's side of a transcript against a stub serving f.
func replay(t *testing.T, f *fakeTarget, lines []transcriptLine) {
	t.Helper()
	s := serveOne(t, &Server{Target: f}, nil)
	c := dialStub(t, s.addr)
	for i, l := range lines {
		if l.from == fromGDB {
			c.raw(l.token)
			continue
		}
		if got := c.token(); got != l.token {
			t.Fatalf("token %d: the stub sent %q, the transcript has %q", i, got, l.token)
		}
	}
	c.conn.Close()
	if err := s.wait(t); err != nil {
		t.Errorf("session: %v", err)
	}
}

// TestTranscripts replays every recorded exchange.
func TestTranscripts(t *testing.T) {
	paths, err := filepath.Glob("testdata/*.rsp")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no transcripts in testdata (%v): record them with go test -run TestGDB -record", err)
	}
	for _, path := range paths {
		name := strings.TrimSuffix(filepath.Base(path), ".rsp")
		t.Run(name, func(t *testing.T) {
			sc, ok := scenarioByName(name)
			if !ok {
				t.Fatalf("%s: no scenario of that name in gdb_test.go", path)
			}
			lines, err := readTranscript(path)
			if err != nil {
				t.Fatal(err)
			}
			f := sc.target()
			replay(t, f, lines)
			if sc.check != nil {
				sc.check(t, f)
			}
		})
	}
}
