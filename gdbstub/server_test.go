package gdbstub

import (
	"context"
	"net"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

// A client that goes away mid-packet, or while the guest runs, ends the
// session cleanly: breakpoints removed, the guest running on, nothing left
// behind.
func TestDisconnect(t *testing.T) {
	cases := []struct {
		name    string
		program []byte
		run     func(c *rspClient, f *fakeTarget)
	}{
		{"mid-packet", counterProgram, func(c *rspClient, f *fakeTarget) {
			c.call("Z0,1011,1")
			c.raw("$m1000,")
		}},
		{"mid-checksum", counterProgram, func(c *rspClient, f *fakeTarget) {
			c.call("Z1,1011,1")
			c.raw("$qC#c")
		}},
		{"while the guest runs", spinProgram, func(c *rspClient, f *fakeTarget) {
			c.call("Z4,2000,4")
			c.packet("c")
			c.expect("+")
			<-f.running
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := resources(t)
			f, s, c := startFake(t, tc.program)
			tc.run(c, f)
			c.conn.Close()
			if err := s.wait(t); err != nil {
				t.Errorf("session: %v", err)
			}
			if !f.detached || len(f.breaks) != 0 {
				t.Errorf("detached %v, breakpoints %v: want the guest detached without any", f.detached, f.breaks)
			}
			if !strings.Contains(s.logText(), "disconnected without detaching") {
				t.Errorf("log: %q", s.logText())
			}
			waitReleased(t, before)
		})
	}
}

// released is the goroutines and open file descriptors of the process,
// to compare before and after a session.
type released struct{ goroutines, fds int }

func resources(t *testing.T) released {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return released{runtime.NumGoroutine(), len(fds)}
}

// waitReleased waits for the goroutines and descriptors to come back to
// what they were (the listener's goroutine and the client's socket close
// just after the session ends). The collector is off meanwhile: a socket
// left open would otherwise be closed by its finalizer and pass.
func waitReleased(t *testing.T, before released) {
	t.Helper()
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	deadline := time.Now().Add(hangGuard)
	for now := resources(t); now.goroutines > before.goroutines || now.fds > before.fds; now = resources(t) {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%+v left, %+v before:\n%s", now, before, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(time.Millisecond)
	}
}

// Serve takes one debugger at a time: a second waits until the first
// leaves. On ctx's end it returns, leaving the guest detached and no
// goroutine behind.
func TestServe(t *testing.T) {
	before := resources(t)
	f := newFakeTarget(counterProgram)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &servedSession{}
	srv := &Server{Target: f, Logf: s.logf}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, l) }()

	first := dialStub(t, l.Addr().String())
	first.call("qC") // the first session has started
	second := dialStub(t, l.Addr().String())
	second.packet("qC")
	waitLog(t, s, "waits: another one is attached")
	if got := first.call("D"); got != "OK" {
		t.Fatalf("D = %q", got)
	}
	second.expect("+", "$QC1#c5")
	second.raw("+")
	second.conn.Close()
	third := dialStub(t, l.Addr().String())
	third.packet("qC")
	waitLog(t, s, "disconnected without detaching")
	cancel() // the third waits for its turn, or has it: either way it ends
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("Serve = %v", err)
		}
	case <-time.After(hangGuard):
		t.Fatal("Serve did not return after ctx's end")
	}
	want := []string{"halt", "detach", "halt", "detach"}
	if len(f.calls) == 6 {
		want = append(want, "halt", "detach") // the third got its turn first
	}
	if strings.Join(f.calls, " ") != strings.Join(want, " ") {
		t.Errorf("target calls %v, want %v", f.calls, want)
	}
	for _, c := range []*rspClient{first, second, third} {
		c.conn.Close()
	}
	waitReleased(t, before)
}

// waitLog waits for the server to log a line containing text.
func waitLog(t *testing.T, s *servedSession, text string) {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	for !strings.Contains(s.logText(), text) {
		if time.Now().After(deadline) {
			t.Fatalf("the server never logged %q; it logged:\n%s", text, s.logText())
		}
		time.Sleep(time.Millisecond)
	}
}
