package interp

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"

	"github.com/pollscope/pollscope/cpu/interp/internal/native"
)

// x87 sequences against the host: each loads from a buffer RDI points at
// (a host buffer natively, guest memory here), computes, and stores
// results and the status word back; the buffers must agree. Precision
// control is set to double (FCW 0x27f) first, so the host rounds to 53
// bits as this CPU's float64 arithmetic does, and stored status words
// keep only the condition codes (this CPU does not set the exception
// flags).
func TestX87AgainstHost(t *testing.T) {
	r := newNativeRig(t)
	rng := rand.New(rand.NewPCG(12, 13))
	// Common prologue: fninit; mov word [rdi+56], 0x27f; fldcw [rdi+56].
	pro := []byte{0xdb, 0xe3, 0x66, 0xc7, 0x47, 0x38, 0x7f, 0x02, 0xd9, 0x6f, 0x38}
	seqs := []struct {
		name string
		code []byte
	}{
		{"fld fld faddp fstp", []byte{0xdd, 0x07, 0xdd, 0x47, 0x08, 0xde, 0xc1, 0xdd, 0x5f, 0x10}},
		{"fsubp", []byte{0xdd, 0x07, 0xdd, 0x47, 0x08, 0xde, 0xe9, 0xdd, 0x5f, 0x10}},
		{"fsubrp", []byte{0xdd, 0x07, 0xdd, 0x47, 0x08, 0xde, 0xe1, 0xdd, 0x5f, 0x10}},
		{"fmul m64", []byte{0xdd, 0x07, 0xdc, 0x4f, 0x08, 0xdd, 0x5f, 0x10}},
		{"fdiv m64", []byte{0xdd, 0x07, 0xdc, 0x77, 0x08, 0xdd, 0x5f, 0x10}},
		{"fdivr st(1)", []byte{0xdd, 0x07, 0xdd, 0x47, 0x08, 0xd8, 0xf9, 0xdd, 0x5f, 0x10, 0xdd, 0x5f, 0x18}},
		{"fild fistp", []byte{0xdf, 0x6f, 0x20, 0xdf, 0x7f, 0x28}},
		{"fild m32 fadd m32", []byte{0xdb, 0x47, 0x20, 0xd8, 0x47, 0x24, 0xd9, 0x5f, 0x10}},
		{"fsqrt fchs fabs", []byte{0xdd, 0x07, 0xd9, 0xe1, 0xd9, 0xfa, 0xd9, 0xe0, 0xdd, 0x5f, 0x10}},
		{"frndint", []byte{0xdd, 0x07, 0xd9, 0xfc, 0xdd, 0x5f, 0x10}},
		{"fcom fnstsw", []byte{0xdd, 0x07, 0xdc, 0x57, 0x08, 0xdd, 0x7f, 0x30, 0x66, 0x81, 0x67, 0x30, 0x00, 0x47, 0xdd, 0x5f, 0x10}},
		{"fucomip", []byte{0xdd, 0x47, 0x08, 0xdd, 0x07, 0xdf, 0xe9, 0x9f, 0x88, 0x67, 0x30, 0xdd, 0x5f, 0x10}},
		{"fxam", []byte{0xdd, 0x07, 0xd9, 0xe5, 0xdd, 0x7f, 0x30, 0x66, 0x81, 0x67, 0x30, 0x00, 0x47, 0xdd, 0x5f, 0x10}},
		{"fld1 fldz fxch fstp m80", []byte{0xd9, 0xe8, 0xd9, 0xee, 0xd9, 0xc9, 0xdb, 0x7f, 0x10, 0xdd, 0x5f, 0x20}},
		{"fld m80 fstp m64", []byte{0xdb, 0x6f, 0x40, 0xdd, 0x5f, 0x10}},
		{"fist rounding", []byte{0xdd, 0x07, 0xdb, 0x57, 0x28, 0xdd, 0x5f, 0x10}},
	}
	pick := func() float64 {
		if rng.IntN(3) == 0 {
			return fpValues[rng.IntN(len(fpValues))]
		}
		return (rng.Float64() - 0.5) * math.Pow(10, float64(rng.IntN(30)-15))
	}
	for _, s := range seqs {
		t.Run(s.name, func(t *testing.T) {
			r.t = t
			code := append(append([]byte{}, pro...), s.code...)
			for i := 0; i < 200; i++ {
				var buf [96]byte
				binary.LittleEndian.PutUint64(buf[0:], math.Float64bits(pick()))
				binary.LittleEndian.PutUint64(buf[8:], math.Float64bits(pick()))
				binary.LittleEndian.PutUint64(buf[32:], rng.Uint64()>>uint(rng.IntN(64)))
				x80 := to80(pick())
				copy(buf[64:74], x80[:])
				host := buf
				var st native.State
				st.Regs[7] = uint64(uintptr(unsafe.Pointer(&host[0])))
				if err := native.Run(code, &st); err != nil {
					t.Fatal(err)
				}
				copy(r.ram[dataAddr:], buf[:])
				var ist native.State
				ist.Regs[7] = dataAddr
				got, _ := r.interp(code, ist)
				if got.Regs[7] != dataAddr || r.c.rip != codeAddr+uint64(len(code))+1 {
					t.Fatalf("%s stopped at %#x", s.name, r.c.rip)
				}
				if string(r.ram[dataAddr:dataAddr+96]) != string(host[:]) {
					t.Fatalf("%s from %x:\n host %x\n cpu  %x", s.name, buf[:48], host[:64], r.ram[dataAddr:dataAddr+64])
				}
			}
		})
	}
}

// The transcendental instructions give float64-accurate results: checked
// against Go's math here, not against the host's 64-bit-significand ones.
func TestX87Transcendentals(t *testing.T) {
	r := newNativeRig(t)
	// fninit; fld qword [rdi]; fsin; fstp qword [rdi+8];
	// fld qword [rdi]; fld1; fpatan; fstp qword [rdi+16];
	// fld qword [rdi]; f2xm1; fstp qword [rdi+24]; hlt
	code := []byte{0xdb, 0xe3, 0xdd, 0x07, 0xd9, 0xfe, 0xdd, 0x5f, 0x08,
		0xdd, 0x07, 0xd9, 0xe8, 0xd9, 0xf3, 0xdd, 0x5f, 0x10,
		0xdd, 0x07, 0xd9, 0xf0, 0xdd, 0x5f, 0x18}
	for _, x := range []float64{0, 0.5, -0.25, 1, 0.999} {
		binary.LittleEndian.PutUint64(r.ram[dataAddr:], math.Float64bits(x))
		var st native.State
		st.Regs[7] = dataAddr
		r.interp(code, st)
		get := func(off int) float64 { return math.Float64frombits(binary.LittleEndian.Uint64(r.ram[dataAddr+off:])) }
		if got := get(8); got != math.Sin(x) {
			t.Errorf("fsin(%v) = %v", x, got)
		}
		if got := get(16); got != math.Atan2(x, 1) {
			t.Errorf("fpatan(%v, 1) = %v", x, got)
		}
		if got, want := get(24), math.Expm1(x*math.Ln2); math.Abs(got-want) > 1e-15 {
			t.Errorf("f2xm1(%v) = %v, want %v", x, got, want)
		}
	}
}
