package interp

import (
	"fmt"
	"testing"

	"github.com/pollscope/pollscope/cpu/interp/internal/native"
)

// Bit tests and scans, BSWAP, POPCNT and LZCNT against the host. TZCNT is
// not compared: the host has BMI1 and runs it as TZCNT, while this CPU
// (without BMI1 in CPUID) runs it as BSF, as such processors do.
func TestBitsAgainstHost(t *testing.T) {
	r := newNativeRig(t)
	vals := testValues(48, 6)
	type form struct {
		name  string
		code  func(size int) []byte
		sizes []int
	}
	wide := []int{2, 4, 8}
	forms := []form{
		{"bt", func(s int) []byte { return encode([]byte{0x0f, 0xa3}, s, 1, 0, false) }, wide},
		{"bts", func(s int) []byte { return encode([]byte{0x0f, 0xab}, s, 1, 0, false) }, wide},
		{"btr", func(s int) []byte { return encode([]byte{0x0f, 0xb3}, s, 1, 0, false) }, wide},
		{"btc", func(s int) []byte { return encode([]byte{0x0f, 0xbb}, s, 1, 0, false) }, wide},
		{"bt imm", func(s int) []byte { return append(encode([]byte{0x0f, 0xba}, s, 4, 0, false), 0x25) }, wide},
		{"btc imm", func(s int) []byte { return append(encode([]byte{0x0f, 0xba}, s, 7, 0, false), 0x41) }, wide},
		{"bsf", func(s int) []byte { return encode([]byte{0x0f, 0xbc}, s, 0, 1, false) }, wide},
		{"bsr", func(s int) []byte { return encode([]byte{0x0f, 0xbd}, s, 0, 1, false) }, wide},
		{"popcnt", func(s int) []byte { return append([]byte{0xf3}, encode([]byte{0x0f, 0xb8}, s, 0, 1, false)...) }, wide},
		{"lzcnt", func(s int) []byte { return append([]byte{0xf3}, encode([]byte{0x0f, 0xbd}, s, 0, 1, false)...) }, wide},
		{"bswap", func(s int) []byte { return encode([]byte{0x0f}, s, 1, 0, false)[:0] }, nil},
	}
	for _, f := range forms {
		for _, size := range f.sizes {
			t.Run(fmt.Sprintf("%s/%d", f.name, size*8), func(t *testing.T) {
				r.t = t
				code := f.code(size)
				if f.name == "popcnt" || f.name == "lzcnt" {
					// The F3 prefix goes before the operand-size prefix
					// and REX; encode put 66 first, so rebuild.
					code = append([]byte{}, code...)
					if size == 2 {
						code[0], code[1] = 0x66, 0xf3
					}
				}
				for _, a := range vals {
					for _, b := range vals[:24] {
						for _, fl := range []uint64{0, statusFlags} {
							var st native.State
							st.Regs[0], st.Regs[1], st.Flags = a, b, fl
							if !r.check(f.name, code, st, statusFlags) {
								return
							}
						}
					}
				}
			})
		}
	}
	for _, size := range []int{4, 8} {
		t.Run(fmt.Sprintf("bswap/%d", size*8), func(t *testing.T) {
			r.t = t
			code := []byte{0x0f, 0xc9} // bswap ecx
			if size == 8 {
				code = []byte{0x48, 0x0f, 0xc9}
			}
			for _, a := range vals {
				var st native.State
				st.Regs[1] = a
				r.check("bswap", code, st, statusFlags)
			}
		})
	}
}

// MOVZX, MOVSX, MOVSXD, CMOVcc and SETcc under every flag combination,
// CBW/CWDE/CDQE/CWD/CDQ/CQO, LAHF/SAHF, CMC, XADD and CMPXCHG.
func TestMovesAndConditionsAgainstHost(t *testing.T) {
	r := newNativeRig(t)
	vals := testValues(24, 7)
	var cases []struct {
		name string
		code []byte
	}
	add := func(name string, code ...byte) {
		cases = append(cases, struct {
			name string
			code []byte
		}{name, code})
	}
	add("movzx r32, r8", 0x0f, 0xb6, 0xc1)
	add("movzx r64, r16", 0x48, 0x0f, 0xb7, 0xc1)
	add("movsx r32, r8", 0x0f, 0xbe, 0xc1)
	add("movsx r16, r8", 0x66, 0x0f, 0xbe, 0xc1)
	add("movsx r64, r16", 0x48, 0x0f, 0xbf, 0xc1)
	add("movsxd", 0x48, 0x63, 0xc1)
	add("movzx ax, ch", 0x66, 0x0f, 0xb6, 0xc5)
	for cc := byte(0); cc < 16; cc++ {
		add(fmt.Sprintf("cmov%x r32", cc), 0x0f, 0x40+cc, 0xc1)
		add(fmt.Sprintf("cmov%x r64", cc), 0x48, 0x0f, 0x40+cc, 0xc1)
		add(fmt.Sprintf("set%x", cc), 0x0f, 0x90+cc, 0xc0)
	}
	add("cbw", 0x66, 0x98)
	add("cwde", 0x98)
	add("cdqe", 0x48, 0x98)
	add("cwd", 0x66, 0x99)
	add("cdq", 0x99)
	add("cqo", 0x48, 0x99)
	add("lahf", 0x9f)
	add("sahf", 0x9e)
	add("cmc", 0xf5)
	add("clc", 0xf8)
	add("stc", 0xf9)
	add("xadd r32", 0x0f, 0xc1, 0xc8)
	add("xadd r8", 0x0f, 0xc0, 0xc8)
	add("cmpxchg r64", 0x48, 0x0f, 0xb1, 0xca)
	add("cmpxchg r32", 0x0f, 0xb1, 0xca)
	add("cmpxchg r8", 0x0f, 0xb0, 0xca)
	add("xchg r32", 0x87, 0xca)
	add("xchg ah, dl", 0x86, 0xe2)
	add("lea 32 of 64", 0x8d, 0x44, 0x8a, 0x7f)
	add("lea 16", 0x66, 0x8d, 0x04, 0x11)
	for _, cs := range cases {
		t.Run(cs.name, func(t *testing.T) {
			r.t = t
			for _, a := range vals {
				for f := uint64(0); f < 64; f++ {
					// Spread six bits over CF, PF, AF, ZF, SF, OF.
					fl := f&1 | (f>>1&1)<<2 | (f>>2&1)<<4 | (f>>3&1)<<6 | (f>>4&1)<<7 | (f>>5&1)<<11
					var st native.State
					st.Regs[0], st.Regs[1], st.Regs[2], st.Flags = a, a*3+1, ^a, fl
					if !r.check(cs.name, cs.code, st, statusFlags) {
						return
					}
				}
			}
		})
	}
}
