package gdbstub

import (
	"context"
	"errors"
	"net"
	"sync"
)

// DefaultPacketSize is the largest packet the stub accepts and offers gdb
// (qSupported's PacketSize): enough for the whole register file and for
// memory in 2 KiB pieces.
const DefaultPacketSize = 4096

// Server serves gdb connections for one Target, one at a time: a second
// debugger that connects while one is attached waits until it leaves, as
// with QEMU.
type Server struct {
	// Target is the machine being debugged.
	Target Target
	// Commands are the machine's monitor commands; one with the name of a
	// built-in command replaces it.
	Commands []Command
	// Logf, when set, receives what the stub has to say that gdb's
	// protocol cannot carry: why a breakpoint was refused, a client that
	// went away, a second debugger kept waiting.
	Logf func(format string, args ...any)
	// PacketSize overrides DefaultPacketSize (at least 512).
	PacketSize int
}

func (s *Server) logf(format string, args ...any) {
	if s.Logf != nil {
		s.Logf(format, args...)
	}
}

func (s *Server) packetSize() int {
	if s.PacketSize >= 512 {
		return s.PacketSize
	}
	return DefaultPacketSize
}

// Serve accepts connections on l until ctx is done or l fails, serving
// them in turn. Once ctx is done it closes l and every connection, ends
// the session in progress (leaving the guest detached), and returns nil.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	stop := context.AfterFunc(ctx, func() { l.Close() })
	defer stop()
	var wg sync.WaitGroup
	defer wg.Wait()
	attached := make(chan struct{}, 1)
	for {
		conn, err := l.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if !s.waitTurn(ctx, attached, conn) {
				conn.Close()
				return
			}
			defer func() { <-attached }()
			if err := s.ServeConn(ctx, conn); err != nil {
				s.logf("gdb session: %v", err)
			}
		}()
	}
}

// waitTurn waits until no other debugger is attached, or ctx is done.
func (s *Server) waitTurn(ctx context.Context, attached chan struct{}, conn net.Conn) bool {
	select {
	case attached <- struct{}{}:
		return true
	default:
	}
	s.logf("a debugger from %v waits: another one is attached", conn.RemoteAddr())
	select {
	case attached <- struct{}{}:
		return true
	case <-ctx.Done():
		return false
	}
}

// ServeConn runs one gdb session on conn: it stops the target, answers
// gdb until it detaches, kills, disconnects or ctx is done, and closes
// conn. Unless gdb killed the guest, the guest is left running without
// breakpoints. No goroutine outlives the call.
func (s *Server) ServeConn(ctx context.Context, conn net.Conn) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Closing the connection is what unblocks the reader, and a writer
	// stuck on a client that does not read.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	events := make(chan readResult)
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		readEvents(ctx, newPacketReader(conn, s.packetSize()), events)
	}()
	sess := &session{srv: s, conn: conn, target: s.Target, events: events}
	err := sess.serve(ctx)
	cancel()
	<-readerDone
	conn.Close()
	if errors.Is(err, net.ErrClosed) {
		err = nil
	}
	return err
}

// readEvents passes the connection's events to the session until the
// connection fails or ctx is done.
func readEvents(ctx context.Context, r *packetReader, out chan<- readResult) {
	for {
		ev, err := r.next()
		if ev.kind == evPacket {
			ev.data = append([]byte(nil), ev.data...)
		}
		select {
		case out <- readResult{ev, err}:
		case <-ctx.Done():
			return
		}
		if err != nil {
			return
		}
	}
}
