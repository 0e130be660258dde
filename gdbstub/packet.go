package gdbstub

import (
	"bufio"
	"fmt"
	"io"
)

// The remote serial protocol's framing. gdb sends each command as
// `$data#cc`, cc being the modulo-256 sum of data's bytes in two hex
// digits, and answers each of the stub's packets with `+` (received) or
// `-` (send it again), until both sides agree on no-ack mode. A lone 0x03
// byte outside a packet is gdb's Ctrl-C. Binary data inside a packet
// escapes `#`, `$`, `}` and `*` as `}` followed by the byte XOR 0x20; gdb
// reads a `*` in the stub's packets as run-length encoding, so the stub
// never sends a bare one.

const (
	interruptByte = 0x03
	escapeByte    = '}'
	escapeXOR     = 0x20
)

// eventKind is what arrived from gdb.
type eventKind uint8

const (
	evPacket      eventKind = iota // a packet with a good checksum
	evBadChecksum                  // a packet whose checksum is wrong or not hex
	evTooLong                      // a packet longer than the limit, dropped
	evAck                          // '+'
	evNak                          // '-'
	evInterrupt                    // 0x03
)

// event is one thing gdb sent.
type event struct {
	kind eventKind
	data []byte // evPacket: the packet's data, escapes left in place
	size int    // evTooLong: the packet's length
}

// packetReader splits the byte stream from gdb into events. It never holds
// more than limit bytes of one packet: a longer one is read to its end and
// reported as evTooLong, so a client cannot make the stub grow without
// bound.
type packetReader struct {
	r     *bufio.Reader
	limit int
	buf   []byte
}

func newPacketReader(r io.Reader, limit int) *packetReader {
	return &packetReader{r: bufio.NewReader(r), limit: limit}
}

// next returns the next event, or the reader's error (io.EOF when gdb
// closed the connection, mid-packet or not).
func (p *packetReader) next() (event, error) {
	for {
		b, err := p.r.ReadByte()
		if err != nil {
			return event{}, err
		}
		switch b {
		case '+':
			return event{kind: evAck}, nil
		case '-':
			return event{kind: evNak}, nil
		case interruptByte:
			return event{kind: evInterrupt}, nil
		case '$':
			return p.packet()
		}
		// Anything else between packets is line noise: skip it.
	}
}

// packet reads the rest of a packet after its '$'.
func (p *packetReader) packet() (event, error) {
	p.buf = p.buf[:0]
	var sum byte
	size := 0
	for {
		b, err := p.r.ReadByte()
		if err != nil {
			return event{}, err
		}
		switch b {
		case '$':
			// A '$' never appears unescaped inside a packet: the one
			// before was cut short. Start again with this one.
			p.buf, sum, size = p.buf[:0], 0, 0
			continue
		case '#':
			return p.trailer(sum, size)
		}
		sum += b
		size++
		if size <= p.limit {
			p.buf = append(p.buf, b)
		}
	}
}

// trailer reads the two checksum digits after '#'.
func (p *packetReader) trailer(sum byte, size int) (event, error) {
	var digits [2]byte
	if _, err := io.ReadFull(p.r, digits[:]); err != nil {
		if err == io.ErrUnexpectedEOF {
			err = io.EOF
		}
		return event{}, err
	}
	hi, ok1 := hexDigit(digits[0])
	lo, ok2 := hexDigit(digits[1])
	if !ok1 || !ok2 || hi<<4|lo != sum {
		return event{kind: evBadChecksum}, nil
	}
	if size > p.limit {
		return event{kind: evTooLong, size: size}, nil
	}
	return event{kind: evPacket, data: p.buf}, nil
}

// appendPacket frames data as a packet, escaping the bytes the framing
// reserves.
func appendPacket(dst, data []byte) []byte {
	dst = append(dst, '$')
	var sum byte
	for _, b := range data {
		if b == '#' || b == '$' || b == escapeByte || b == '*' {
			dst = append(dst, escapeByte)
			sum += escapeByte
			b ^= escapeXOR
		}
		dst = append(dst, b)
		sum += b
	}
	return fmt.Appendf(dst, "#%02x", sum)
}

// escapedLen is how many bytes b takes inside a packet.
func escapedLen(b byte) int {
	if b == '#' || b == '$' || b == escapeByte || b == '*' {
		return 2
	}
	return 1
}

// unescape undoes the binary escapes of an X packet's data in place.
func unescape(data []byte) ([]byte, error) {
	out := data[:0]
	for i := 0; i < len(data); i++ {
		b := data[i]
		if b == escapeByte {
			i++
			if i == len(data) {
				return nil, fmt.Errorf("binary data ends in an escape")
			}
			b = data[i] ^ escapeXOR
		}
		out = append(out, b)
	}
	return out, nil
}
