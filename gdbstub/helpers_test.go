package gdbstub

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// hangGuard bounds how long a test waits for the stub or gdb before it
// fails instead of hanging: not a timing assertion, a deadlock detector.
const hangGuard = 30 * time.Second

// servedSession is one ServeConn running for a test.
type servedSession struct {
	addr string
	done chan error
	// log collects the server's Logf lines.
	mu  sync.Mutex
	log []string
}

func (s *servedSession) logf(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = append(s.log, fmt.Sprintf(format, args...))
}

func (s *servedSession) logText() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.log, "\n")
}

// wait waits for the session to end.
func (s *servedSession) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-s.done:
		return err
	case <-time.After(hangGuard):
		t.Fatal("the stub's session did not end")
		return nil
	}
}

// serveOne accepts one connection on a loopback port and serves it with
// srv, the connection wrapped by wrap if given.
func serveOne(t *testing.T, srv *Server, wrap func(net.Conn) net.Conn) *servedSession {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &servedSession{addr: l.Addr().String(), done: make(chan error, 1)}
	srv.Logf = s.logf
	go func() {
		defer l.Close()
		conn, err := l.Accept()
		if err != nil {
			s.done <- err
			return
		}
		if wrap != nil {
			conn = wrap(conn)
		}
		s.done <- srv.ServeConn(ctx, conn)
	}()
	t.Cleanup(func() {
		cancel()
		l.Close()
	})
	return s
}

// rspClient plays gdb's side of the protocol by hand.
type rspClient struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
}

func dialStub(t *testing.T, addr string) *rspClient {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &rspClient{t: t, conn: conn, r: bufio.NewReader(conn)}
}

func (c *rspClient) raw(s string) {
	c.t.Helper()
	if _, err := io.WriteString(c.conn, s); err != nil {
		c.t.Fatalf("writing %q: %v", s, err)
	}
}

// packet sends data framed with a correct checksum.
func (c *rspClient) packet(data string) { c.t.Helper(); c.raw(frame(data)) }

// frame frames data as gdb does, escaping nothing: the escapes of an X
// packet's data are the caller's.
func frame(data string) string {
	var sum byte
	for i := range len(data) {
		sum += data[i]
	}
	return fmt.Sprintf("$%s#%02x", data, sum)
}

// token reads the stub's next '+', '-' or whole packet.
func (c *rspClient) token() string {
	c.t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(hangGuard))
	tok, err := readToken(c.r)
	if err != nil {
		c.t.Fatalf("reading from the stub: %v", err)
	}
	return tok
}

// expect reads tokens and checks them.
func (c *rspClient) expect(want ...string) {
	c.t.Helper()
	for _, w := range want {
		if got := c.token(); got != w {
			c.t.Fatalf("stub sent %q, want %q", got, w)
		}
	}
}

// call sends a packet, expects the ack, and returns the reply's data.
func (c *rspClient) call(data string) string {
	c.t.Helper()
	c.packet(data)
	c.expect("+")
	reply := c.token()
	c.raw("+")
	return unframe(c.t, reply)
}

func unframe(t *testing.T, pkt string) string {
	t.Helper()
	if len(pkt) < 4 || pkt[0] != '$' || pkt[len(pkt)-3] != '#' {
		t.Fatalf("%q is not a packet", pkt)
	}
	return pkt[1 : len(pkt)-3]
}

// readToken reads one '+', '-', 0x03 or "$...#cc" from a stream, skipping
// nothing: the stub and gdb send no noise.
func readToken(r *bufio.Reader) (string, error) {
	b, err := r.ReadByte()
	if err != nil {
		return "", err
	}
	if b != '$' {
		return string(b), nil
	}
	body, err := r.ReadString('#')
	if err != nil {
		return "", err
	}
	var sum [2]byte
	if _, err := io.ReadFull(r, sum[:]); err != nil {
		return "", err
	}
	return "$" + body + string(sum[:]), nil
}
