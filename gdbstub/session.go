package gdbstub

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// A session is one gdb connection. Its goroutine owns all protocol state
// and is the only caller of the Target; a reader goroutine turns the
// connection's bytes into events, so that a Ctrl-C or a disconnect is seen
// while the target runs.

// GDB's signal numbers, as stop replies carry them.
const (
	sigINT  = 2
	sigTRAP = 5
	sigSEGV = 11
)

// threadID is the one thread the stub reports: the vCPU.
const threadID = 1

type readResult struct {
	ev  event
	err error
}

// ending is how a session ends.
type ending uint8

const (
	endNone       ending = iota
	endDetach            // D, or gdb went away: the guest runs on
	endKill              // k or vKill: the guest ends
	endDisconnect        // the connection broke or the server stops
)

type session struct {
	srv    *Server
	conn   io.Writer
	target Target
	events <-chan readResult

	noAck bool
	// noAckAfterReply: QStartNoAckMode arrived; no-ack mode starts once
	// its OK is sent.
	noAckAfterReply bool
	gdbSwbreak      bool // gdb understands swbreak: in stop replies
	gdbHwbreak      bool // and hwbreak:
	physical        bool // m/M/X address guest-physical memory
	breaks          []Breakpoint
	last            []byte // the last packet sent, for a '-'
	stop            Stop   // why the target is stopped, for '?'
	resumed         bool   // a Resume has happened (a halt is then SIGINT)
	ending          ending
	commands        []Command
}

// serve runs the session until gdb detaches, kills, disconnects or ctx is
// done, and leaves the target detached or killed.
func (s *session) serve(ctx context.Context) error {
	stop, err := s.target.Halt(ctx)
	if err != nil {
		return fmt.Errorf("stopping the guest for the debugger: %w", err)
	}
	s.stop = stop
	s.commands = s.allCommands()
	for s.ending == endNone {
		select {
		case <-ctx.Done():
			s.ending = endDisconnect
		case r := <-s.events:
			if r.err != nil {
				s.logDisconnect(r.err)
				s.ending = endDisconnect
			} else if err := s.handleEvent(ctx, r.ev); err != nil {
				s.srv.logf("gdb session: %v", err)
				s.ending = endDisconnect
			}
		}
	}
	return s.finish()
}

func (s *session) logDisconnect(err error) {
	what := "gdb disconnected without detaching"
	if !errors.Is(err, io.EOF) {
		what = fmt.Sprintf("gdb connection lost (%v)", err)
	}
	if s.stop.Reason == StopExited {
		s.srv.logf("%s after the guest ended", what)
		return
	}
	s.srv.logf("%s: breakpoints removed, the guest runs on", what)
}

// finish leaves the target as the session's end wants it.
func (s *session) finish() error {
	if s.ending == endKill {
		return s.target.Kill()
	}
	var errs []error
	if len(s.breaks) > 0 {
		errs = append(errs, s.target.SetBreakpoints(nil))
		s.breaks = nil
	}
	if s.stop.Reason != StopExited {
		errs = append(errs, s.target.Detach())
	}
	return errors.Join(errs...)
}

// handleEvent answers one event while the target is stopped.
func (s *session) handleEvent(ctx context.Context, ev event) error {
	switch ev.kind {
	case evAck:
	case evNak:
		if s.last != nil {
			return s.write(s.last)
		}
	case evInterrupt:
		// A Ctrl-C that crossed the stop reply: the target is stopped.
	case evBadChecksum:
		if !s.noAck {
			return s.write([]byte{'-'})
		}
	case evTooLong:
		if err := s.ack(); err != nil {
			return err
		}
		return s.sendError(fmt.Errorf("a packet of %d bytes is longer than the PacketSize of %d", ev.size, s.srv.packetSize()))
	case evPacket:
		if err := s.ack(); err != nil {
			return err
		}
		reply, send := s.handle(ctx, ev.data)
		if send {
			if err := s.send(reply); err != nil {
				return err
			}
		}
		if s.noAckAfterReply {
			s.noAck, s.noAckAfterReply = true, false
		}
	}
	return nil
}

func (s *session) ack() error {
	if s.noAck {
		return nil
	}
	return s.write([]byte{'+'})
}

// send frames data as a packet and sends it.
func (s *session) send(data []byte) error {
	s.last = appendPacket(nil, data)
	return s.write(s.last)
}

func (s *session) sendString(data string) error { return s.send([]byte(data)) }

func (s *session) write(b []byte) error {
	_, err := s.conn.Write(b)
	return err
}

// sendError sends an error with its text (E.text), which gdb shows for
// the packets that allow it; the text is kept to characters the framing
// does not reserve.
func (s *session) sendError(err error) error {
	s.srv.logf("gdb: %v", err)
	return s.sendString(errorText(err))
}

func errorText(err error) string {
	msg := strings.Map(func(r rune) rune {
		switch {
		case r == '#' || r == '$' || r == '}' || r == '*':
			return '_'
		case r < 0x20 || r > 0x7e:
			return ' '
		}
		return r
	}, err.Error())
	return "E." + msg
}

// console sends text to gdb's console as O packets, in pieces that fit.
func (s *session) console(text string) error {
	chunk := (s.srv.packetSize() - 1) / 2
	for len(text) > 0 {
		n := min(chunk, len(text))
		if err := s.send(appendHexBytes([]byte{'O'}, []byte(text[:n]))); err != nil {
			return err
		}
		text = text[n:]
	}
	return nil
}

// resume runs the target until it stops and returns the stop reply. While
// it runs, a Ctrl-C from gdb stops it; a disconnect or ctx's end stops it
// and ends the session.
func (s *session) resume(ctx context.Context, step bool) ([]byte, bool) {
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan resumeResult, 1)
	go func() {
		st, err := s.target.Resume(runCtx, step)
		done <- resumeResult{st, err}
	}()
	s.resumed = true
	for {
		select {
		case r := <-done:
			if r.err != nil {
				s.srv.logf("gdb: %v", r.err)
				return []byte(errorText(r.err)), true
			}
			s.stop = r.stop
			if r.stop.Message != "" {
				if err := s.console(r.stop.Message + "\n"); err != nil {
					s.ending = endDisconnect
					return nil, false
				}
			}
			return s.stopReply(r.stop), true
		case r := <-s.events:
			if r.err != nil {
				s.logDisconnect(r.err)
				cancel()
				s.afterRun(<-done)
				s.ending = endDisconnect
				return nil, false
			}
			if err := s.eventWhileRunning(r.ev, cancel); err != nil {
				cancel()
				s.afterRun(<-done)
				s.ending = endDisconnect
				return nil, false
			}
		case <-ctx.Done():
			s.afterRun(<-done)
			s.ending = endDisconnect
			return nil, false
		}
	}
}

// resumeResult is what a Resume returned.
type resumeResult struct {
	stop Stop
	err  error
}

// afterRun records where a Resume cut short by the session's end stopped.
func (s *session) afterRun(r resumeResult) {
	if r.err == nil {
		s.stop = r.stop
	}
}

// eventWhileRunning handles what gdb sends while the target runs: in
// all-stop mode that is a Ctrl-C, acks, or a retransmission request.
func (s *session) eventWhileRunning(ev event, interrupt func()) error {
	switch ev.kind {
	case evInterrupt:
		interrupt()
	case evNak:
		if s.last != nil {
			return s.write(s.last)
		}
	case evBadChecksum:
		if !s.noAck {
			return s.write([]byte{'-'})
		}
	case evPacket, evTooLong:
		if err := s.ack(); err != nil {
			return err
		}
		s.srv.logf("gdb: ignoring a packet sent while the guest runs (only Ctrl-C is expected then)")
	}
	return nil
}

// stopReply is the T (or W) packet for a stop.
func (s *session) stopReply(st Stop) []byte {
	var reason string
	signal := sigTRAP
	switch st.Reason {
	case StopExited:
		return fmt.Appendf(nil, "W%02x", st.ExitCode)
	case StopHalted:
		if s.resumed {
			signal = sigINT
		}
	case StopSoftwareBreakpoint:
		if s.gdbSwbreak {
			reason = "swbreak:;"
		}
	case StopHardwareBreakpoint:
		if s.gdbHwbreak {
			reason = "hwbreak:;"
		}
	case StopWatchpoint:
		name := "watch"
		switch st.Watch.Kind {
		case ReadWatchpoint:
			name = "rwatch"
		case AccessWatchpoint:
			name = "awatch"
		}
		reason = fmt.Sprintf("%s:%x;", name, st.Addr)
	case StopFault:
		signal = sigSEGV
	}
	return fmt.Appendf(nil, "T%02x%sthread:%x;", signal, reason, threadID)
}
