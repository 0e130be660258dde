package interp

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/pollscope/pollscope/cpu"
	"github.com/pollscope/pollscope/cpu/interp/internal/native"
)

// Tests against the host CPU: each case runs the same instruction bytes
// natively (internal/native) and on the software CPU from the same
// registers and flags, and compares every general register, the status
// flags and XMM0-7 afterwards. The host is an AMD Zen processor; where
// the SDM leaves a flag undefined, the software CPU is expected to do what
// this host does.

// nativeRig runs instructions on one reused software CPU in 64-bit mode.
type nativeRig struct {
	t   *testing.T
	c   *CPU
	ram []byte
}

func newNativeRig(t *testing.T) *nativeRig {
	c, ram := newTestCPU(t, modeLong, nil)
	return &nativeRig{t: t, c: c, ram: ram}
}

// interp runs code (then HLT) on the software CPU from st.
func (r *nativeRig) interp(code []byte, st native.State) (native.State, cpu.Exit) {
	c := r.c
	copy(r.ram[codeAddr:], code)
	r.ram[codeAddr+len(code)] = 0xf4
	c.InvalidateCode(codeAddr, uint64(len(code)+1))
	regs := cpu.Regs{
		RAX: st.Regs[0], RCX: st.Regs[1], RDX: st.Regs[2], RBX: st.Regs[3], RSP: stackTop,
		RBP: st.Regs[5], RSI: st.Regs[6], RDI: st.Regs[7], R8: st.Regs[8], R9: st.Regs[9],
		R10: st.Regs[10], R11: st.Regs[11], R12: st.Regs[12], R13: st.Regs[13], R14: st.Regs[14],
		R15: st.Regs[15], RIP: codeAddr, RFLAGS: st.Flags&0x8d5 | 2,
	}
	if err := c.SetRegs(regs); err != nil {
		r.t.Fatal(err)
	}
	for i := range st.XMM {
		c.xmm[i] = st.XMM[i]
	}
	e := runToHalt(r.t, c)
	g, _ := c.Regs()
	out := st
	out.Regs = [16]uint64{g.RAX, g.RCX, g.RDX, g.RBX, 0, g.RBP, g.RSI, g.RDI, g.R8, g.R9, g.R10, g.R11, g.R12, g.R13, g.R14, g.R15}
	out.Flags = g.RFLAGS
	for i := range out.XMM {
		out.XMM[i] = c.xmm[i]
	}
	return out, e
}

// check runs code both ways and reports differences in the registers and
// in the flags selected by flagMask.
func (r *nativeRig) check(name string, code []byte, st native.State, flagMask uint64) bool {
	r.t.Helper()
	want := st
	if err := native.Run(code, &want); err != nil {
		r.t.Fatal(err)
	}
	got, e := r.interp(code, st)
	if e.Kind != cpu.ExitHLT || r.c.rip != codeAddr+uint64(len(code))+1 {
		r.t.Errorf("%s %x: stopped with %v at %#x (a fault?)", name, code, e.Kind, r.c.rip)
		return false
	}
	ok := true
	for i := range want.Regs {
		if i != 4 && want.Regs[i] != got.Regs[i] {
			r.t.Errorf("%s %x from %s: reg %d = %#x, host has %#x", name, code, descr(st), i, got.Regs[i], want.Regs[i])
			ok = false
		}
	}
	if (want.Flags^got.Flags)&flagMask != 0 {
		r.t.Errorf("%s %x from %s: flags %s, host has %s", name, code, descr(st), flagString(got.Flags&flagMask), flagString(want.Flags&flagMask))
		ok = false
	}
	for i := range want.XMM {
		if want.XMM[i] != got.XMM[i] {
			r.t.Errorf("%s %x from %s: xmm%d = %x, host has %x", name, code, descr(st), i, got.XMM[i], want.XMM[i])
			ok = false
		}
	}
	return ok
}

func descr(st native.State) string {
	return fmt.Sprintf("rax=%#x rcx=%#x rdx=%#x flags=%s", st.Regs[0], st.Regs[1], st.Regs[2], flagString(st.Flags))
}

func flagString(f uint64) string {
	s := ""
	for _, b := range []struct {
		bit  uint64
		name string
	}{{flagOF, "O"}, {flagDF, "D"}, {flagSF, "S"}, {flagZF, "Z"}, {flagAF, "A"}, {flagPF, "P"}, {flagCF, "C"}} {
		if f&b.bit != 0 {
			s += b.name
		} else {
			s += "-"
		}
	}
	return s
}

// Operand values: edges of every size, then seeded random ones.
func testValues(n int, seed uint64) []uint64 {
	v := []uint64{0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000,
		0x7fffffff, 0x80000000, 0xffffffff, 0x100000000, 1<<63 - 1, 1 << 63, ^uint64(0), 0x0f0f0f0f0f0f0f0f}
	rng := rand.New(rand.NewPCG(seed, 0x706f6c6c))
	for len(v) < n {
		x := rng.Uint64()
		switch rng.IntN(4) {
		case 0:
			x &= 0xff
		case 1:
			x &= 0xffff
		case 2:
			x &= 0xffffffff
		}
		v = append(v, x)
	}
	return v
}

// sizePrefix returns the operand-size prefix bytes and REX.W for size, with
// REX.R/REX.B for registers 8-15.
func encode(opcode []byte, size int, reg, rm int, forceREX bool) []byte {
	var b []byte
	if size == 2 {
		b = append(b, 0x66)
	}
	rex := byte(0)
	if size == 8 {
		rex |= 8
	}
	if reg >= 8 {
		rex |= 4
	}
	if rm >= 8 {
		rex |= 1
	}
	if rex != 0 || forceREX {
		b = append(b, 0x40|rex)
	}
	b = append(b, opcode...)
	return append(b, 0xc0|byte(reg&7)<<3|byte(rm&7))
}

// byteForm picks the 8-bit opcode (opc8) or the full one.
func byteForm(size int, opc8, opc byte) byte {
	if size == 1 {
		return opc8
	}
	return opc
}

const statusFlags = flagCF | flagPF | flagAF | flagZF | flagSF | flagOF
