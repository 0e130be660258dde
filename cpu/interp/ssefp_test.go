package interp

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/pollscope/pollscope/cpu/interp/internal/native"
)

// fpValues are float64 edge cases: signed zeros, infinities, NaNs (quiet
// and signalling, with payloads), denormals, integers near the conversion
// limits.
var fpValues = []float64{0, math.Copysign(0, -1), 1, -1, 0.5, 1.5, 2.5, -2.5, 3, 1e300, -1e300,
	math.Inf(1), math.Inf(-1), math.NaN(), math.Float64frombits(0x7ff0000000000123), math.Float64frombits(0xfff8000000000001),
	5e-324, -5e-324, 2.2250738585072014e-308, 1 << 31, -(1 << 31), 1<<31 - 0.5, 1 << 63, -(1 << 63), 1e10, 3.4e38, 3.5e38, 1e-40}

func TestSSEFloatAgainstHost(t *testing.T) {
	r := newNativeRig(t)
	rng := rand.New(rand.NewPCG(10, 11))
	type op struct {
		name string
		code []byte
	}
	var ops []op
	for name, opc := range map[string]byte{"add": 0x58, "mul": 0x59, "sub": 0x5c, "min": 0x5d, "div": 0x5e, "max": 0x5f, "sqrt": 0x51} {
		for _, p := range []struct {
			suffix string
			pre    []byte
		}{{"ss", []byte{0xf3}}, {"sd", []byte{0xf2}}, {"ps", nil}, {"pd", []byte{0x66}}} {
			ops = append(ops, op{name + p.suffix, append(append([]byte{}, p.pre...), 0x0f, opc, 0xc1)})
		}
	}
	for pred := byte(0); pred < 8; pred++ {
		ops = append(ops,
			op{fmt.Sprintf("cmpss %d", pred), []byte{0xf3, 0x0f, 0xc2, 0xc1, pred}},
			op{fmt.Sprintf("cmpsd %d", pred), []byte{0xf2, 0x0f, 0xc2, 0xc1, pred}},
			op{fmt.Sprintf("cmpps %d", pred), []byte{0x0f, 0xc2, 0xc1, pred}},
			op{fmt.Sprintf("cmppd %d", pred), []byte{0x66, 0x0f, 0xc2, 0xc1, pred}})
	}
	ops = append(ops,
		op{"comiss", []byte{0x0f, 0x2f, 0xc1}}, op{"ucomiss", []byte{0x0f, 0x2e, 0xc1}},
		op{"comisd", []byte{0x66, 0x0f, 0x2f, 0xc1}}, op{"ucomisd", []byte{0x66, 0x0f, 0x2e, 0xc1}},
		op{"cvtsi2sd r32", []byte{0xf2, 0x0f, 0x2a, 0xc0}}, op{"cvtsi2sd r64", []byte{0xf2, 0x48, 0x0f, 0x2a, 0xc0}},
		op{"cvtsi2ss r32", []byte{0xf3, 0x0f, 0x2a, 0xc0}}, op{"cvtsi2ss r64", []byte{0xf3, 0x48, 0x0f, 0x2a, 0xc0}},
		op{"cvtsd2si r32", []byte{0xf2, 0x0f, 0x2d, 0xc1}}, op{"cvtsd2si r64", []byte{0xf2, 0x48, 0x0f, 0x2d, 0xc1}},
		op{"cvttsd2si r32", []byte{0xf2, 0x0f, 0x2c, 0xc1}}, op{"cvttsd2si r64", []byte{0xf2, 0x48, 0x0f, 0x2c, 0xc1}},
		op{"cvtss2si r32", []byte{0xf3, 0x0f, 0x2d, 0xc1}}, op{"cvttss2si r64", []byte{0xf3, 0x48, 0x0f, 0x2c, 0xc1}},
		op{"cvtsd2ss", []byte{0xf2, 0x0f, 0x5a, 0xc1}}, op{"cvtss2sd", []byte{0xf3, 0x0f, 0x5a, 0xc1}},
		op{"cvtdq2pd", []byte{0xf3, 0x0f, 0xe6, 0xc1}}, op{"cvtdq2ps", []byte{0x0f, 0x5b, 0xc1}},
		op{"cvtps2dq", []byte{0x66, 0x0f, 0x5b, 0xc1}}, op{"cvttps2dq", []byte{0xf3, 0x0f, 0x5b, 0xc1}},
		op{"cvtpd2dq", []byte{0xf2, 0x0f, 0xe6, 0xc1}}, op{"cvttpd2dq", []byte{0x66, 0x0f, 0xe6, 0xc1}},
		op{"cvtpd2ps", []byte{0x66, 0x0f, 0x5a, 0xc1}}, op{"cvtps2pd", []byte{0x0f, 0x5a, 0xc1}},
	)
	pick := func() float64 {
		if rng.IntN(3) == 0 {
			return fpValues[rng.IntN(len(fpValues))]
		}
		return (rng.Float64() - 0.5) * math.Pow(10, float64(rng.IntN(40)-20))
	}
	for _, o := range ops {
		t.Run(o.name, func(t *testing.T) {
			r.t = t
			for i := 0; i < 300; i++ {
				var st native.State
				for x := 0; x < 2; x++ {
					var v xmmReg
					if i%2 == 0 {
						setF64(&v, 0, pick())
						setF64(&v, 1, pick())
					} else {
						for l := 0; l < 4; l++ {
							setF32(&v, l, float32(pick()))
						}
					}
					st.XMM[x] = v
				}
				st.Regs[0] = uint64(int64(pick()))
				if !r.check(o.name, o.code, st, statusFlags) {
					return
				}
			}
		})
	}
}
