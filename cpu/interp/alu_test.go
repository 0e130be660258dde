package interp

import (
	"fmt"
	"testing"

	"github.com/pollscope/pollscope/cpu/interp/internal/native"
)

var sizes = []int{1, 2, 4, 8}

// The two-operand ALU group in its register-register form, every size,
// with CF both ways (ADC/SBB read it).
func TestALUAgainstHost(t *testing.T) {
	r := newNativeRig(t)
	names := []string{"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"}
	vals := testValues(40, 1)
	for op, name := range names {
		for _, size := range sizes {
			t.Run(fmt.Sprintf("%s/%d", name, size*8), func(t *testing.T) {
				r.t = t
				code := encode([]byte{byteForm(size, byte(op*8), byte(op*8+1))}, size, 1, 0, false) // op rax, rcx
				for _, a := range vals {
					for _, b := range vals[:20] {
						for _, cf := range []uint64{0, flagCF} {
							var st native.State
							st.Regs[0], st.Regs[1], st.Flags = a, b, cf
							if !r.check(name, code, st, statusFlags) {
								return
							}
						}
					}
				}
			})
		}
	}
}

// TEST, INC, DEC, NEG, NOT, and the immediate forms.
func TestUnaryAndImmediateAgainstHost(t *testing.T) {
	r := newNativeRig(t)
	vals := testValues(60, 2)
	type form struct {
		name string
		code func(size int) []byte
	}
	forms := []form{
		{"test", func(s int) []byte { return encode([]byte{byteForm(s, 0x84, 0x85)}, s, 1, 0, false) }},
		{"inc", func(s int) []byte { return encode([]byte{byteForm(s, 0xfe, 0xff)}, s, 0, 0, false) }},
		{"dec", func(s int) []byte { return encode([]byte{byteForm(s, 0xfe, 0xff)}, s, 1, 0, false) }},
		{"neg", func(s int) []byte { return encode([]byte{byteForm(s, 0xf6, 0xf7)}, s, 3, 0, false) }},
		{"not", func(s int) []byte { return encode([]byte{byteForm(s, 0xf6, 0xf7)}, s, 2, 0, false) }},
		{"add imm8", func(s int) []byte { return append(encode([]byte{byteForm(s, 0x80, 0x83)}, s, 0, 0, false), 0x81) }},
		{"sub imm8", func(s int) []byte { return append(encode([]byte{byteForm(s, 0x80, 0x83)}, s, 5, 0, false), 0x7f) }},
		{"cmp imm8", func(s int) []byte { return append(encode([]byte{byteForm(s, 0x80, 0x83)}, s, 7, 0, false), 0xff) }},
		{"xor ah, cl", func(s int) []byte { return []byte{0x30, 0xcc} }},
		{"add r9b, dil", func(s int) []byte { return []byte{0x41, 0x00, 0xf9} }},
	}
	for _, f := range forms {
		for _, size := range sizes {
			t.Run(fmt.Sprintf("%s/%d", f.name, size*8), func(t *testing.T) {
				r.t = t
				code := f.code(size)
				for _, a := range vals {
					for _, cf := range []uint64{0, flagCF} {
						var st native.State
						st.Regs[0], st.Regs[1], st.Regs[7], st.Regs[9], st.Flags = a, a*0x9e3779b97f4a7c15, ^a, a>>3, cf
						if !r.check(f.name, code, st, statusFlags) {
							return
						}
					}
				}
			})
		}
	}
}

// Shifts and rotates by CL, every count from 0 to 70 and every size, CF
// both ways (RCL/RCR rotate through it).
func TestShiftsAgainstHost(t *testing.T) {
	r := newNativeRig(t)
	names := []string{"rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar"}
	vals := testValues(24, 3)
	for ext, name := range names {
		for _, size := range sizes {
			t.Run(fmt.Sprintf("%s/%d", name, size*8), func(t *testing.T) {
				r.t = t
				code := encode([]byte{byteForm(size, 0xd2, 0xd3)}, size, ext, 0, false) // op rax, cl
				for _, a := range vals {
					for n := uint64(0); n <= 70; n++ {
						for _, f := range []uint64{0, flagCF | flagOF | flagZF} {
							var st native.State
							st.Regs[0], st.Regs[1], st.Flags = a, n, f
							if !r.check(name, code, st, statusFlags) {
								return
							}
						}
					}
				}
			})
		}
	}
}

// SHLD and SHRD by CL.
func TestDoubleShiftsAgainstHost(t *testing.T) {
	r := newNativeRig(t)
	vals := testValues(16, 4)
	for _, op := range []struct {
		name string
		opc  byte
	}{{"shld", 0xa5}, {"shrd", 0xad}} {
		for _, size := range []int{2, 4, 8} {
			t.Run(fmt.Sprintf("%s/%d", op.name, size*8), func(t *testing.T) {
				r.t = t
				code := encode([]byte{0x0f, op.opc}, size, 2, 0, false) // op rax, rdx, cl
				for _, a := range vals {
					for _, b := range vals {
						for n := uint64(0); n < 66; n += 3 {
							var st native.State
							st.Regs[0], st.Regs[2], st.Regs[1] = a, b, n
							if !r.check(op.name, code, st, statusFlags) {
								return
							}
						}
					}
				}
			})
		}
	}
}

// MUL, IMUL (all forms), DIV and IDIV with divisors and dividends that do
// not fault.
func TestMulDivAgainstHost(t *testing.T) {
	r := newNativeRig(t)
	vals := testValues(40, 5)
	for _, size := range sizes {
		forms := []struct {
			name string
			code []byte
		}{
			{"mul", encode([]byte{byteForm(size, 0xf6, 0xf7)}, size, 4, 1, false)},
			{"imul1", encode([]byte{byteForm(size, 0xf6, 0xf7)}, size, 5, 1, false)},
		}
		if size > 1 {
			forms = append(forms,
				struct {
					name string
					code []byte
				}{"imul2", encode([]byte{0x0f, 0xaf}, size, 0, 1, false)},
				struct {
					name string
					code []byte
				}{"imul3", append(encode([]byte{0x6b}, size, 0, 1, false), 0x85)})
		}
		for _, f := range forms {
			t.Run(fmt.Sprintf("%s/%d", f.name, size*8), func(t *testing.T) {
				r.t = t
				for _, a := range vals {
					for _, b := range vals {
						var st native.State
						st.Regs[0], st.Regs[1], st.Regs[2] = a, b, a^b
						if !r.check(f.name, f.code, st, flagCF|flagOF|flagZF|flagSF|flagPF|flagAF) {
							return
						}
					}
				}
			})
		}
		for _, f := range []struct {
			name   string
			ext    int
			signed bool
		}{{"div", 6, false}, {"idiv", 7, true}} {
			t.Run(fmt.Sprintf("%s/%d", f.name, size*8), func(t *testing.T) {
				r.t = t
				code := encode([]byte{byteForm(size, 0xf6, 0xf7)}, size, f.ext, 1, false)
				for _, a := range vals {
					for _, d := range vals {
						var st native.State
						st.Regs[0], st.Regs[1] = a, d
						st.Regs[2] = 0
						if f.signed && signExtend(a, uint8(size)) < 0 {
							st.Regs[2] = ^uint64(0)
						}
						if !divides(a, st.Regs[2], d, size, f.signed) {
							continue
						}
						if !r.check(f.name, code, st, statusFlags) {
							return
						}
					}
				}
			})
		}
	}
}

// divides says whether a division would not fault (#DE) on the host.
func divides(lo, hi, d uint64, size int, signed bool) bool {
	m := sizeMask[size]
	d &= m
	if d == 0 {
		return false
	}
	if !signed {
		if size == 1 {
			return (lo&0xffff)/d <= 0xff
		}
		return hi&m == 0 // the dividend fits in the low half
	}
	sd := signExtend(d, uint8(size))
	var n int64
	if size == 1 {
		n = int64(int16(lo))
	} else {
		n = signExtend(lo, uint8(size))
	}
	if sd == -1 && n == -1<<(size*8-1) {
		return false
	}
	q := n / sd
	return q == signExtend(uint64(q), uint8(size))
}
