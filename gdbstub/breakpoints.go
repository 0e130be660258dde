package gdbstub

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/pollscope/pollscope/cpu"
)

// gdb inserts its breakpoints with Z packets just before it resumes the
// target and removes them with z packets when the target stops. The
// session keeps the set and gives the target the whole of it each time.

// parseBreakpoint parses "TYPE,ADDR,KIND" (Z and z packets).
func parseBreakpoint(args string) (Breakpoint, error) {
	typ, rest, ok := strings.Cut(args, ",")
	if !ok || len(typ) != 1 || typ[0] < '0' || typ[0] > '4' {
		return Breakpoint{}, errMalformed
	}
	if strings.Contains(rest, ";") {
		return Breakpoint{}, errMalformed // conditions and commands: not offered
	}
	addr, length, err := parseAddrLen(rest)
	if err != nil {
		return Breakpoint{}, err
	}
	bp := Breakpoint{Kind: BreakpointKind(typ[0] - '0'), Addr: addr, Len: length}
	if bp.Kind.IsWatchpoint() && (length == 0 || addr+length < addr) {
		return Breakpoint{}, errMalformed
	}
	return bp, nil
}

// insertBreakpoint answers Z.
func (s *session) insertBreakpoint(args string) []byte {
	bp, err := parseBreakpoint(args)
	if err != nil {
		return replyMalformed
	}
	if slices.Contains(s.breaks, bp) {
		return []byte("OK")
	}
	next := append(slices.Clone(s.breaks), bp)
	if err := s.target.SetBreakpoints(next); err != nil {
		return s.breakpointError(bp, err)
	}
	s.breaks = next
	return []byte("OK")
}

// breakpointError is the reply to a Z the target refused. gdb shows the
// text after "E.CODE." for hardware breakpoints; for the others it says
// that it could not insert the breakpoint, and the stub's log says why.
// A read watchpoint the target cannot do gets the empty reply: gdb then
// watches accesses instead and checks the value itself. A software
// breakpoint never does, since gdb would then write INT3 into guest
// memory on its own.
func (s *session) breakpointError(bp Breakpoint, err error) []byte {
	s.srv.logf("gdb: cannot insert a %v at %#x: %v", bp.Kind, bp.Addr, err)
	if bp.Kind == ReadWatchpoint && errors.Is(err, cpu.ErrDebugUnsupported) {
		return nil
	}
	return []byte(errorText(fmt.Errorf("%02x.%w", uint8(bp.Kind), err)))
}

// removeBreakpoint answers z.
func (s *session) removeBreakpoint(args string) []byte {
	bp, err := parseBreakpoint(args)
	if err != nil {
		return replyMalformed
	}
	i := slices.Index(s.breaks, bp)
	if i < 0 {
		return []byte("OK")
	}
	next := slices.Delete(slices.Clone(s.breaks), i, i+1)
	if err := s.target.SetBreakpoints(next); err != nil {
		s.srv.logf("gdb: cannot remove a %v at %#x: %v", bp.Kind, bp.Addr, err)
		return []byte(errorText(err))
	}
	s.breaks = next
	return []byte("OK")
}
