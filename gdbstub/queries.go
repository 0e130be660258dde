package gdbstub

import (
	"context"
	"fmt"
	"strings"
)

// handleQuery answers the q packets: what the stub supports, the thread
// list, the target description and monitor commands.
func (s *session) handleQuery(args string) []byte {
	name, rest, _ := strings.Cut(args, ":")
	switch {
	case name == "Supported":
		return s.supported(rest)
	case name == "Attached":
		// 1: attached to a running guest, so gdb's quit detaches rather
		// than kills.
		return []byte("1")
	case name == "C":
		return fmt.Appendf(nil, "QC%x", threadID)
	case name == "fThreadInfo":
		return fmt.Appendf(nil, "m%x", threadID)
	case name == "sThreadInfo":
		return []byte("l")
	case name == "Symbol":
		return []byte("OK") // no symbols wanted
	case name == "Xfer":
		return s.transfer(rest)
	case strings.HasPrefix(args, "Rcmd,"):
		return s.monitor(strings.TrimPrefix(args, "Rcmd,"))
	case name == "qemu.PhyMemMode":
		if s.physical {
			return []byte("1")
		}
		return []byte("0")
	}
	return nil
}

// supported answers qSupported, noting what gdb says it understands.
func (s *session) supported(features string) []byte {
	for _, f := range strings.Split(features, ";") {
		switch f {
		case "swbreak+":
			s.gdbSwbreak = true
		case "hwbreak+":
			s.gdbHwbreak = true
		}
	}
	return fmt.Appendf(nil, "PacketSize=%x;qXfer:features:read+;swbreak+;hwbreak+;vContSupported+;QStartNoAckMode+", s.srv.packetSize())
}

// transfer answers qXfer:features:read:ANNEX:OFFSET,LENGTH with a piece of
// the target description: 'm' and data when more follows, 'l' and data
// for the last piece. The data is escaped binary and the piece's escaped
// length is kept within LENGTH.
func (s *session) transfer(args string) []byte {
	object, rest, _ := strings.Cut(args, ":")
	op, rest, _ := strings.Cut(rest, ":")
	annex, window, ok := strings.Cut(rest, ":")
	if object != "features" || op != "read" {
		return nil
	}
	offset, length, err := parseAddrLen(window)
	if !ok || err != nil {
		return replyMalformed
	}
	if annex != "target.xml" {
		return []byte("E00")
	}
	doc := targetXML
	if offset >= uint64(len(doc)) {
		return []byte("l")
	}
	length = min(length, uint64(s.srv.packetSize()-1))
	end, size := offset, uint64(0)
	for end < uint64(len(doc)) && size+uint64(escapedLen(doc[end])) <= length {
		size += uint64(escapedLen(doc[end]))
		end++
	}
	kind := byte('m')
	if end == uint64(len(doc)) {
		kind = 'l'
	}
	// appendPacket escapes the data when the reply is framed.
	return append([]byte{kind}, doc[offset:end]...)
}

// handleSet answers the Q packets.
func (s *session) handleSet(args string) []byte {
	switch {
	case args == "StartNoAckMode":
		// The OK still travels in ack mode; gdb acks it, then neither
		// side acks any more.
		s.noAckAfterReply = true
		return []byte("OK")
	case strings.HasPrefix(args, "qemu.PhyMemMode:"):
		// QEMU's switch between linear and physical addresses for m/M.
		switch strings.TrimPrefix(args, "qemu.PhyMemMode:") {
		case "0":
			s.physical = false
		case "1":
			s.physical = true
		default:
			return replyMalformed
		}
		return []byte("OK")
	}
	return nil
}

// handleV answers the v packets: vCont, vKill and vMustReplyEmpty (which
// the empty reply answers).
func (s *session) handleV(ctx context.Context, args string) ([]byte, bool) {
	switch {
	case args == "Cont?":
		// gdb uses vCont only if c, C, s and S are all offered.
		return []byte("vCont;c;C;s;S"), true
	case strings.HasPrefix(args, "Cont;"):
		step, ok := vContStep(strings.TrimPrefix(args, "Cont;"))
		if !ok {
			return replyMalformed, true
		}
		return s.resumeAt(ctx, "", step)
	case strings.HasPrefix(args, "Kill"):
		s.ending = endKill
		return []byte("OK"), true
	}
	return nil, true
}

// vContStep picks, from vCont's "ACTION[:THREAD];..." list, the first
// action that applies to the one thread, and reports whether it steps.
func vContStep(actions string) (step bool, ok bool) {
	for _, a := range strings.Split(actions, ";") {
		action, thread, hasThread := strings.Cut(a, ":")
		if hasThread {
			id, ok := parseThreadID(thread)
			if !ok {
				return false, false
			}
			if id != threadID && id != -1 && id != 0 {
				continue
			}
		}
		switch {
		case action == "c" || strings.HasPrefix(action, "C"):
			return false, true
		case action == "s" || strings.HasPrefix(action, "S"):
			return true, true
		default:
			return false, false // t, r: not offered
		}
	}
	return false, false
}
