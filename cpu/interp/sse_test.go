package interp

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/pollscope/pollscope/cpu/interp/internal/native"
)

// Integer SSE2 and the SSE moves against the host: XMM0 op= XMM1 (or an
// immediate), from random register contents with some equal lanes.
func TestSSEAgainstHost(t *testing.T) {
	r := newNativeRig(t)
	rng := rand.New(rand.NewPCG(8, 9))
	type op struct {
		name string
		code []byte
	}
	var ops []op
	rr := func(name string, pre []byte, opc ...byte) {
		code := append(append([]byte{}, pre...), 0x0f)
		code = append(code, opc...)
		ops = append(ops, op{name, append(code, 0xc1)}) // xmm0, xmm1
	}
	p66 := []byte{0x66}
	for name, opc := range map[string]byte{
		"pand": 0xdb, "pandn": 0xdf, "por": 0xeb, "pxor": 0xef,
		"paddb": 0xfc, "paddw": 0xfd, "paddd": 0xfe, "paddq": 0xd4,
		"psubb": 0xf8, "psubw": 0xf9, "psubd": 0xfa, "psubq": 0xfb,
		"paddsb": 0xec, "paddsw": 0xed, "paddusb": 0xdc, "paddusw": 0xdd,
		"psubsb": 0xe8, "psubsw": 0xe9, "psubusb": 0xd8, "psubusw": 0xd9,
		"pcmpeqb": 0x74, "pcmpeqw": 0x75, "pcmpeqd": 0x76,
		"pcmpgtb": 0x64, "pcmpgtw": 0x65, "pcmpgtd": 0x66,
		"pminub": 0xda, "pmaxub": 0xde, "pminsw": 0xea, "pmaxsw": 0xee,
		"pavgb": 0xe0, "pavgw": 0xe3, "pmullw": 0xd5, "pmulhw": 0xe5, "pmulhuw": 0xe4,
		"pmuludq": 0xf4, "pmaddwd": 0xf5, "psadbw": 0xf6,
		"punpcklbw": 0x60, "punpcklwd": 0x61, "punpckldq": 0x62, "punpcklqdq": 0x6c,
		"punpckhbw": 0x68, "punpckhwd": 0x69, "punpckhdq": 0x6a, "punpckhqdq": 0x6d,
		"packsswb": 0x63, "packssdw": 0x6b, "packuswb": 0x67,
		"psrlw": 0xd1, "psrld": 0xd2, "psrlq": 0xd3, "psllw": 0xf1, "pslld": 0xf2, "psllq": 0xf3,
		"psraw": 0xe1, "psrad": 0xe2, "unpcklpd": 0x14, "unpckhpd": 0x15,
		"andpd": 0x54, "andnpd": 0x55, "orpd": 0x56, "xorpd": 0x57,
		"movdqa": 0x6f, "movapd": 0x28,
	} {
		rr(name, p66, opc)
	}
	for name, opc := range map[string]byte{"andps": 0x54, "andnps": 0x55, "orps": 0x56, "xorps": 0x57,
		"unpcklps": 0x14, "unpckhps": 0x15, "movaps": 0x28, "movups": 0x10, "movhlps": 0x12, "movlhps": 0x16} {
		rr(name, nil, opc)
	}
	rr("movdqu", []byte{0xf3}, 0x6f)
	rr("movq xmm", []byte{0xf3}, 0x7e)
	rr("movss", []byte{0xf3}, 0x10)
	rr("movsd", []byte{0xf2}, 0x10)
	for _, imm := range []byte{0, 0x1b, 0xe4, 0x4e, 0xff} {
		ops = append(ops,
			op{fmt.Sprintf("pshufd %#x", imm), []byte{0x66, 0x0f, 0x70, 0xc1, imm}},
			op{fmt.Sprintf("pshuflw %#x", imm), []byte{0xf2, 0x0f, 0x70, 0xc1, imm}},
			op{fmt.Sprintf("pshufhw %#x", imm), []byte{0xf3, 0x0f, 0x70, 0xc1, imm}},
			op{fmt.Sprintf("shufps %#x", imm), []byte{0x0f, 0xc6, 0xc1, imm}},
			op{fmt.Sprintf("shufpd %#x", imm&3), []byte{0x66, 0x0f, 0xc6, 0xc1, imm & 3}},
		)
	}
	for _, n := range []byte{0, 1, 3, 7, 8, 15, 16, 31, 33, 63, 64, 200} {
		ops = append(ops,
			op{fmt.Sprintf("psrldq %d", n), []byte{0x66, 0x0f, 0x73, 0xd8, n}},
			op{fmt.Sprintf("pslldq %d", n), []byte{0x66, 0x0f, 0x73, 0xf8, n}},
			op{fmt.Sprintf("psrlw %d", n), []byte{0x66, 0x0f, 0x71, 0xd0, n}},
			op{fmt.Sprintf("psraw %d", n), []byte{0x66, 0x0f, 0x71, 0xe0, n}},
			op{fmt.Sprintf("psllw %d", n), []byte{0x66, 0x0f, 0x71, 0xf0, n}},
			op{fmt.Sprintf("psrld %d", n), []byte{0x66, 0x0f, 0x72, 0xd0, n}},
			op{fmt.Sprintf("psrad %d", n), []byte{0x66, 0x0f, 0x72, 0xe0, n}},
			op{fmt.Sprintf("pslld %d", n), []byte{0x66, 0x0f, 0x72, 0xf0, n}},
			op{fmt.Sprintf("psrlq %d", n), []byte{0x66, 0x0f, 0x73, 0xd0, n}},
			op{fmt.Sprintf("psllq %d", n), []byte{0x66, 0x0f, 0x73, 0xf0, n}},
		)
	}
	ops = append(ops,
		op{"pmovmskb", []byte{0x66, 0x0f, 0xd7, 0xc1}},
		op{"movmskps", []byte{0x0f, 0x50, 0xc1}},
		op{"movmskpd", []byte{0x66, 0x0f, 0x50, 0xc1}},
		op{"pextrw 5", []byte{0x66, 0x0f, 0xc5, 0xc1, 5}},
		op{"pinsrw 3", []byte{0x66, 0x0f, 0xc4, 0xc2, 3}},
		op{"movd xmm, eax", []byte{0x66, 0x0f, 0x6e, 0xc0}},
		op{"movq xmm, rax", []byte{0x66, 0x48, 0x0f, 0x6e, 0xc0}},
		op{"movd eax, xmm", []byte{0x66, 0x0f, 0x7e, 0xc8}},
		op{"movq rax, xmm", []byte{0x66, 0x48, 0x0f, 0x7e, 0xc8}},
		op{"movq xmm0, xmm1 (d6)", []byte{0x66, 0x0f, 0xd6, 0xc8}},
	)
	for _, o := range ops {
		t.Run(o.name, func(t *testing.T) {
			r.t = t
			for i := 0; i < 200; i++ {
				var st native.State
				for x := 0; x < 4; x++ {
					for j := range st.XMM[x] {
						st.XMM[x][j] = byte(rng.Uint32())
					}
				}
				if i%4 == 1 {
					copy(st.XMM[1][:8], st.XMM[0][:8]) // some equal lanes
				}
				if i%8 == 2 {
					// Small shift counts in the low quadword.
					st.XMM[1] = [16]byte{byte(i % 70)}
				}
				st.Regs[0], st.Regs[2] = rng.Uint64(), rng.Uint64()
				if !r.check(o.name, o.code, st, statusFlags) {
					return
				}
			}
		})
	}
}
