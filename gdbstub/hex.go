package gdbstub

import (
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
)

// The protocol writes numbers (addresses, lengths, register numbers) in
// hex without a prefix, and binary values (register contents, memory) as
// two hex digits per byte in target byte order.

func hexDigit(b byte) (byte, bool) {
	switch {
	case b >= '0' && b <= '9':
		return b - '0', true
	case b >= 'a' && b <= 'f':
		return b - 'a' + 10, true
	case b >= 'A' && b <= 'F':
		return b - 'A' + 10, true
	}
	return 0, false
}

var errMalformed = errors.New("malformed packet")

// parseHex parses a hex number of at most 64 bits.
func parseHex(s string) (uint64, error) {
	if s == "" || len(s) > 16 {
		return 0, errMalformed
	}
	v, err := strconv.ParseUint(s, 16, 64)
	if err != nil {
		return 0, errMalformed
	}
	return v, nil
}

// parseAddrLen parses "ADDR,LEN".
func parseAddrLen(s string) (addr, length uint64, err error) {
	a, l, ok := strings.Cut(s, ",")
	if !ok {
		return 0, 0, errMalformed
	}
	if addr, err = parseHex(a); err != nil {
		return 0, 0, err
	}
	if length, err = parseHex(l); err != nil {
		return 0, 0, err
	}
	return addr, length, nil
}

// decodeHexBytes decodes two hex digits per byte.
func decodeHexBytes(s string) ([]byte, error) {
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, errMalformed
	}
	return b, nil
}

// appendHexBytes appends b as two lower-case hex digits per byte.
func appendHexBytes(dst, b []byte) []byte { return hex.AppendEncode(dst, b) }
