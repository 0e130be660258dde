package gdbstub

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Error replies for the packets whose replies gdb parses as "E NN" only
// (memory and registers); the others carry their text (errorText).
var (
	replyMalformed = []byte("E01") // the packet's arguments do not parse
	replyFault     = []byte("E0e") // EFAULT: memory could not be read or written
	replyInvalid   = []byte("E16") // EINVAL: the target refused the value
)

// handle answers one packet. send is false for the packets that have no
// reply (k).
func (s *session) handle(ctx context.Context, pkt []byte) (reply []byte, send bool) {
	if len(pkt) == 0 {
		return nil, true
	}
	args := string(pkt[1:])
	switch pkt[0] {
	case '?':
		return s.stopReply(s.stop), true
	case 'g':
		return s.readRegisters(), true
	case 'G':
		return s.writeRegisters(args), true
	case 'p':
		return s.readRegister(args), true
	case 'P':
		return s.writeRegister(args), true
	case 'm':
		return s.readMemory(args), true
	case 'M':
		return s.writeMemoryHex(args), true
	case 'X':
		return s.writeMemoryBinary(pkt[1:]), true
	case 'c', 's':
		return s.resumeAt(ctx, args, pkt[0] == 's')
	case 'C', 'S':
		// Continue or step "with a signal": a machine has no signal to
		// deliver, so the signal is dropped, as QEMU does.
		_, addr, _ := strings.Cut(args, ";")
		return s.resumeAt(ctx, addr, pkt[0] == 'S')
	case 'v':
		return s.handleV(ctx, args)
	case 'q':
		return s.handleQuery(args), true
	case 'Q':
		return s.handleSet(args), true
	case 'H':
		// Select the thread for g/m (Hg) or c/s (Hc): there is one.
		return []byte("OK"), true
	case 'T':
		return s.threadAlive(args), true
	case 'Z':
		return s.insertBreakpoint(args), true
	case 'z':
		return s.removeBreakpoint(args), true
	case 'D':
		s.ending = endDetach
		return []byte("OK"), true
	case 'k':
		s.ending = endKill
		return nil, false
	}
	return nil, true // not supported: the empty reply
}

// space is the address space m, M and X use.
func (s *session) space() Space {
	if s.physical {
		return Physical
	}
	return Linear
}

// readRegisters answers g: the whole register file.
func (s *session) readRegisters() []byte {
	f, err := s.snapshot(true)
	if err != nil {
		s.srv.logf("gdb: reading registers: %v", err)
		return replyFault
	}
	return f.appendAll(nil)
}

// snapshot reads the target's registers; the FPU only if asked, and its
// failure only marks its registers unavailable.
func (s *session) snapshot(withFPU bool) (*regFile, error) {
	f := &regFile{fpuErr: errors.New("not read")}
	var err error
	if f.regs, err = s.target.Regs(); err != nil {
		return nil, err
	}
	if f.sregs, err = s.target.SRegs(); err != nil {
		return nil, err
	}
	if withFPU {
		f.fpu, f.fpuErr = s.target.FPU()
	}
	return f, nil
}

// writeBack sends the register groups that changed to the target.
func (s *session) writeBack(old, f *regFile) error {
	if f.regs != old.regs {
		if err := s.target.SetRegs(f.regs); err != nil {
			return err
		}
	}
	if f.sregs != old.sregs {
		if err := s.target.SetSRegs(f.sregs); err != nil {
			return err
		}
	}
	if f.fpuErr == nil && f.fpu != old.fpu {
		return s.target.SetFPU(f.fpu)
	}
	return nil
}

// writeRegisters answers G: the whole register file (or its first part).
func (s *session) writeRegisters(args string) []byte {
	values, err := splitRegisterFile(args)
	if err != nil {
		return replyMalformed
	}
	old, err := s.snapshot(true)
	if err != nil {
		return replyFault
	}
	f := *old
	if err := f.setAll(values); err != nil {
		s.srv.logf("gdb: writing registers: %v", err)
		return replyInvalid
	}
	if err := s.writeBack(old, &f); err != nil {
		s.srv.logf("gdb: writing registers: %v", err)
		return replyInvalid
	}
	return []byte("OK")
}

func parseRegisterNumber(s string) (int, bool) {
	n, err := parseHex(s)
	if err != nil || n >= uint64(len(registers)) {
		return 0, false
	}
	return int(n), true
}

// readRegister answers p: one register by number.
func (s *session) readRegister(args string) []byte {
	n, ok := parseRegisterNumber(args)
	if !ok {
		return replyMalformed
	}
	f, err := s.snapshot(registers[n].part == partFPU)
	if err != nil {
		return replyFault
	}
	return f.appendRegister(nil, n)
}

// writeRegister answers P: one register, "N=VALUE".
func (s *session) writeRegister(args string) []byte {
	num, value, ok := strings.Cut(args, "=")
	n, okN := parseRegisterNumber(num)
	b, err := decodeHexBytes(value)
	if !ok || !okN || err != nil || len(b) != registers[n].size() {
		return replyMalformed
	}
	old, err := s.snapshot(registers[n].part == partFPU)
	if err != nil {
		return replyFault
	}
	f := *old
	if err := f.setRegister(n, b); err != nil {
		s.srv.logf("gdb: writing %s: %v", registers[n].name, err)
		return replyInvalid
	}
	if err := s.writeBack(old, &f); err != nil {
		s.srv.logf("gdb: writing %s: %v", registers[n].name, err)
		return replyInvalid
	}
	return []byte("OK")
}

// readMemory answers m: "ADDR,LEN". A reply may be shorter than asked:
// gdb then asks again for the rest, and an unreadable start is an error.
func (s *session) readMemory(args string) []byte {
	addr, length, err := parseAddrLen(args)
	if err != nil {
		return replyMalformed
	}
	length = min(length, uint64(s.srv.packetSize()/2))
	buf := make([]byte, length)
	n, err := s.target.ReadMemory(s.space(), addr, buf)
	if n == 0 && length > 0 {
		if err != nil {
			s.srv.logf("gdb: reading %d bytes at %s %#x: %v", length, s.space(), addr, err)
		}
		return replyFault
	}
	return appendHexBytes(nil, buf[:n])
}

// writeMemoryHex answers M: "ADDR,LEN:HEX".
func (s *session) writeMemoryHex(args string) []byte {
	where, value, ok := strings.Cut(args, ":")
	if !ok {
		return replyMalformed
	}
	data, err := decodeHexBytes(value)
	if err != nil {
		return replyMalformed
	}
	return s.writeMemory(where, data)
}

// writeMemoryBinary answers X: "ADDR,LEN:" and LEN escaped bytes. An X
// with no data is gdb asking whether X works.
func (s *session) writeMemoryBinary(args []byte) []byte {
	colon := strings.IndexByte(string(args), ':')
	if colon < 0 {
		return replyMalformed
	}
	data, err := unescape(args[colon+1:])
	if err != nil {
		return replyMalformed
	}
	return s.writeMemory(string(args[:colon]), data)
}

func (s *session) writeMemory(where string, data []byte) []byte {
	addr, length, err := parseAddrLen(where)
	if err != nil || length != uint64(len(data)) {
		return replyMalformed
	}
	if len(data) == 0 {
		return []byte("OK")
	}
	n, err := s.target.WriteMemory(s.space(), addr, data)
	if n != len(data) {
		s.srv.logf("gdb: writing %d bytes at %s %#x: wrote %d: %v", len(data), s.space(), addr, n, err)
		return replyFault
	}
	return []byte("OK")
}

// resumeAt answers c and s, which may name the address to resume at.
func (s *session) resumeAt(ctx context.Context, addr string, step bool) ([]byte, bool) {
	if s.stop.Reason == StopExited {
		return s.stopReply(s.stop), true
	}
	if addr != "" {
		pc, err := parseHex(addr)
		if err != nil {
			return replyMalformed, true
		}
		r, err := s.target.Regs()
		if err == nil {
			r.RIP = pc
			err = s.target.SetRegs(r)
		}
		if err != nil {
			return []byte(errorText(fmt.Errorf("setting RIP to %#x: %w", pc, err))), true
		}
	}
	return s.resume(ctx, step)
}

// threadAlive answers T: is thread N alive?
func (s *session) threadAlive(args string) []byte {
	if id, ok := parseThreadID(args); ok && (id == threadID || id <= 0) {
		return []byte("OK")
	}
	return []byte("E01")
}

// parseThreadID parses a thread-id: "N", "-1" (all), "0" (any), or the
// multiprocess "pP.N".
func parseThreadID(s string) (int64, bool) {
	if strings.HasPrefix(s, "p") {
		_, tid, ok := strings.Cut(s[1:], ".")
		if !ok {
			return 0, false
		}
		s = tid
	}
	if s == "-1" {
		return -1, true
	}
	n, err := strconv.ParseInt(s, 16, 64)
	return n, err == nil
}
