package gdbstub

import (
	"encoding/binary"
	"fmt"

	"github.com/pollscope/pollscope/cpu"
)

// Offsets in the FXSAVE image (Intel SDM vol. 1, table 10-2, 64-bit
// format), named as gdb names the registers it shows from them.
const (
	fxFCW   = 0   // fctrl: x87 control word
	fxFSW   = 2   // fstat: x87 status word (TOP in bits 11-13)
	fxFTW   = 4   // abridged tag: bit i set = physical register i in use
	fxFOP   = 6   // fop: last x87 opcode (11 bits)
	fxFIP   = 8   // fioff: last instruction pointer (low half)
	fxFCS   = 12  // fiseg: its selector (the high half in the 64-bit format)
	fxFDP   = 16  // fooff: last operand pointer
	fxFDS   = 20  // foseg: its selector
	fxMXCSR = 24  // SSE control and status
	fxST    = 32  // ST0-ST7, 16 bytes apart, 10 used
	fxXMM   = 160 // XMM0-XMM15, 16 bytes each
)

// x87 tag values in the full tag word gdb shows (two bits per physical
// register).
const (
	tagValid   = 0
	tagZero    = 1
	tagSpecial = 2
	tagEmpty   = 3
)

func x87Registers() []register {
	le := binary.LittleEndian
	var rs []register
	for i := range 8 {
		off := fxST + 16*i
		rs = append(rs, register{name: fmt.Sprintf("st%d", i), bits: 80, feature: featureCore, typ: "i387_ext", part: partFPU,
			get: func(f *regFile, b []byte) { copy(b, f.fpu[off:off+10]) },
			set: func(f *regFile, b []byte) error { copy(f.fpu[off:off+10], b); return nil }})
	}
	// word is a 16-bit field shown as a 32-bit register.
	word := func(name string, off int, mask uint16) {
		rs = append(rs, register{name: name, bits: 32, feature: featureCore, typ: "int", group: "float", part: partFPU,
			get: func(f *regFile, b []byte) { le.PutUint32(b, uint32(le.Uint16(f.fpu[off:])&mask)) },
			set: func(f *regFile, b []byte) error { le.PutUint16(f.fpu[off:], uint16(le.Uint32(b))&mask); return nil }})
	}
	dword := func(name string, off int) {
		rs = append(rs, register{name: name, bits: 32, feature: featureCore, typ: "int", group: "float", part: partFPU,
			get: func(f *regFile, b []byte) { copy(b, f.fpu[off:off+4]) },
			set: func(f *regFile, b []byte) error { copy(f.fpu[off:off+4], b); return nil }})
	}
	word("fctrl", fxFCW, 0xffff)
	word("fstat", fxFSW, 0xffff)
	rs = append(rs, register{name: "ftag", bits: 32, feature: featureCore, typ: "int", group: "float", part: partFPU,
		get: func(f *regFile, b []byte) { le.PutUint32(b, uint32(fullTagWord(&f.fpu))) },
		set: func(f *regFile, b []byte) error { f.fpu[fxFTW] = abridgedTag(uint16(le.Uint32(b))); return nil }})
	word("fiseg", fxFCS, 0xffff)
	dword("fioff", fxFIP)
	word("foseg", fxFDS, 0xffff)
	dword("fooff", fxFDP)
	word("fop", fxFOP, 0x7ff)
	return rs
}

// fullTagWord rebuilds the x87 tag word from FXSAVE's abridged one: a
// register in use is classified from its value, as FSAVE would.
func fullTagWord(fx *cpu.FXSave) uint16 {
	top := int(binary.LittleEndian.Uint16(fx[fxFSW:])>>11) & 7
	var tags uint16
	for phys := range 8 {
		tag := uint16(tagEmpty)
		if fx[fxFTW]&(1<<phys) != 0 {
			st := (phys - top + 8) % 8 // ST(i) is physical register TOP+i
			tag = classifyExtended(fx[fxST+16*st : fxST+16*st+10])
		}
		tags |= tag << (2 * phys)
	}
	return tags
}

// classifyExtended tags an 80-bit extended-precision value: zero, valid
// (a normal number: its integer bit set), or special (NaN, infinity,
// denormal, unnormal).
func classifyExtended(v []byte) uint16 {
	mantissa := binary.LittleEndian.Uint64(v)
	exponent := binary.LittleEndian.Uint16(v[8:]) & 0x7fff
	switch {
	case exponent == 0x7fff:
		return tagSpecial
	case exponent == 0 && mantissa == 0:
		return tagZero
	case exponent == 0:
		return tagSpecial
	case mantissa>>63 == 0:
		return tagSpecial
	}
	return tagValid
}

// abridgedTag keeps of a full tag word only which registers are in use.
func abridgedTag(tags uint16) byte {
	var b byte
	for phys := range 8 {
		if (tags>>(2*phys))&3 != tagEmpty {
			b |= 1 << phys
		}
	}
	return b
}
