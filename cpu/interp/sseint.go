package interp

import (
	"encoding/binary"

	"golang.org/x/arch/x86/x86asm"
)

// Integer SSE2 (and the same operations on MMX registers): the logic,
// add/subtract (wrapping and saturating), compares, min/max/average,
// multiplies, sum of absolute differences, unpack/pack, shuffles, shifts,
// the mask extractions and word insert/extract that C libraries' string
// functions use. A 128-bit memory operand must be 16-byte aligned (#GP);
// an MMX operand is 8 bytes.

// vecFn computes d = d op s over n bytes (8 for MMX, 16 for XMM); imm is
// the instruction's immediate where it has one.
type vecFn func(d, s *xmmReg, n int, imm uint8)

func init() {
	bitwise := func(f func(a, b uint64) uint64) vecFn {
		return func(d, s *xmmReg, n int, _ uint8) {
			d.setLo(f(d.lo(), s.lo()))
			if n == 16 {
				d.setHi(f(d.hi(), s.hi()))
			}
		}
	}
	vec := func(f vecFn, ops ...x86asm.Op) { register(buildVec(f), ops...) }
	vec(bitwise(func(a, b uint64) uint64 { return a & b }), x86asm.PAND, x86asm.ANDPS, x86asm.ANDPD)
	vec(bitwise(func(a, b uint64) uint64 { return ^a & b }), x86asm.PANDN, x86asm.ANDNPS, x86asm.ANDNPD)
	vec(bitwise(func(a, b uint64) uint64 { return a | b }), x86asm.POR, x86asm.ORPS, x86asm.ORPD)
	vec(bitwise(func(a, b uint64) uint64 { return a ^ b }), x86asm.PXOR, x86asm.XORPS, x86asm.XORPD)
	for _, w := range []struct {
		size     int
		add, sub x86asm.Op
	}{{1, x86asm.PADDB, x86asm.PSUBB}, {2, x86asm.PADDW, x86asm.PSUBW}, {4, x86asm.PADDD, x86asm.PSUBD}, {8, x86asm.PADDQ, x86asm.PSUBQ}} {
		vec(laneOp(w.size, func(a, b uint64) uint64 { return a + b }), w.add)
		vec(laneOp(w.size, func(a, b uint64) uint64 { return a - b }), w.sub)
	}
	vec(laneOp(1, satS(1, func(a, b int64) int64 { return a + b })), x86asm.PADDSB)
	vec(laneOp(2, satS(2, func(a, b int64) int64 { return a + b })), x86asm.PADDSW)
	vec(laneOp(1, satS(1, func(a, b int64) int64 { return a - b })), x86asm.PSUBSB)
	vec(laneOp(2, satS(2, func(a, b int64) int64 { return a - b })), x86asm.PSUBSW)
	vec(laneOp(1, satU(1, func(a, b int64) int64 { return a + b })), x86asm.PADDUSB)
	vec(laneOp(2, satU(2, func(a, b int64) int64 { return a + b })), x86asm.PADDUSW)
	vec(laneOp(1, satU(1, func(a, b int64) int64 { return a - b })), x86asm.PSUBUSB)
	vec(laneOp(2, satU(2, func(a, b int64) int64 { return a - b })), x86asm.PSUBUSW)
	for _, w := range []struct {
		size   int
		eq, gt x86asm.Op
	}{{1, x86asm.PCMPEQB, x86asm.PCMPGTB}, {2, x86asm.PCMPEQW, x86asm.PCMPGTW}, {4, x86asm.PCMPEQD, x86asm.PCMPGTD}} {
		size := w.size
		vec(laneOp(size, func(a, b uint64) uint64 { return mask01(a == b) }), w.eq)
		vec(laneOp(size, func(a, b uint64) uint64 {
			return mask01(signExtend(a, uint8(size)) > signExtend(b, uint8(size)))
		}), w.gt)
	}
	vec(laneOp(1, func(a, b uint64) uint64 { return min(a, b) }), x86asm.PMINUB)
	vec(laneOp(1, func(a, b uint64) uint64 { return max(a, b) }), x86asm.PMAXUB)
	vec(laneOp(2, func(a, b uint64) uint64 { return uint64(min(int16(a), int16(b))) }), x86asm.PMINSW)
	vec(laneOp(2, func(a, b uint64) uint64 { return uint64(max(int16(a), int16(b))) }), x86asm.PMAXSW)
	vec(laneOp(1, func(a, b uint64) uint64 { return (a + b + 1) >> 1 }), x86asm.PAVGB)
	vec(laneOp(2, func(a, b uint64) uint64 { return (a + b + 1) >> 1 }), x86asm.PAVGW)
	vec(laneOp(2, func(a, b uint64) uint64 { return a * b }), x86asm.PMULLW)
	vec(laneOp(2, func(a, b uint64) uint64 { return uint64(int64(int16(a))*int64(int16(b))) >> 16 }), x86asm.PMULHW)
	vec(laneOp(2, func(a, b uint64) uint64 { return a * b >> 16 }), x86asm.PMULHUW)
	vec(laneOp(8, func(a, b uint64) uint64 { return (a & 0xffffffff) * (b & 0xffffffff) }), x86asm.PMULUDQ)
	vec(opPMADDWD, x86asm.PMADDWD)
	vec(opPSADBW, x86asm.PSADBW)
	for _, u := range []struct {
		size   int
		lo, hi x86asm.Op
	}{{1, x86asm.PUNPCKLBW, x86asm.PUNPCKHBW}, {2, x86asm.PUNPCKLWD, x86asm.PUNPCKHWD},
		{4, x86asm.PUNPCKLDQ, x86asm.PUNPCKHDQ}, {8, x86asm.PUNPCKLQDQ, x86asm.PUNPCKHQDQ}} {
		vec(unpack(u.size, false), u.lo)
		vec(unpack(u.size, true), u.hi)
	}
	vec(unpack(4, false), x86asm.UNPCKLPS)
	vec(unpack(4, true), x86asm.UNPCKHPS)
	vec(unpack(8, false), x86asm.UNPCKLPD)
	vec(unpack(8, true), x86asm.UNPCKHPD)
	vec(pack(2, true), x86asm.PACKSSWB)
	vec(pack(4, true), x86asm.PACKSSDW)
	vec(pack(2, false), x86asm.PACKUSWB)
	vec(opPSHUFD, x86asm.PSHUFD)
	vec(opPSHUFLW, x86asm.PSHUFLW)
	vec(opPSHUFHW, x86asm.PSHUFHW)
	vec(opPSHUFW, x86asm.PSHUFW)
	vec(opSHUFPS, x86asm.SHUFPS)
	vec(opSHUFPD, x86asm.SHUFPD)
	for _, s := range []struct {
		size int
		kind uint8
		op   x86asm.Op
	}{{2, 0, x86asm.PSRLW}, {4, 0, x86asm.PSRLD}, {8, 0, x86asm.PSRLQ}, {2, 1, x86asm.PSLLW},
		{4, 1, x86asm.PSLLD}, {8, 1, x86asm.PSLLQ}, {2, 2, x86asm.PSRAW}, {4, 2, x86asm.PSRAD}} {
		register(buildVecShift(s.size, s.kind), s.op)
	}
	register(buildVec(opPSRLDQ), x86asm.PSRLDQ)
	register(buildVec(opPSLLDQ), x86asm.PSLLDQ)
	register(fixed(opPMOVMSKB), x86asm.PMOVMSKB)
	register(fixed(opMOVMSKPS), x86asm.MOVMSKPS)
	register(fixed(opMOVMSKPD), x86asm.MOVMSKPD)
	register(fixed(opPEXTRW), x86asm.PEXTRW)
	register(fixed(opPINSRW), x86asm.PINSRW)
	register(fixed(opMOVNTQ), x86asm.MOVNTQ)
}

func mask01(b bool) uint64 {
	if b {
		return ^uint64(0)
	}
	return 0
}

// lane access: element i of size bytes.
func (r *xmmReg) lane(size, i int) uint64 {
	switch size {
	case 1:
		return uint64(r[i])
	case 2:
		return uint64(binary.LittleEndian.Uint16(r[2*i:]))
	case 4:
		return uint64(binary.LittleEndian.Uint32(r[4*i:]))
	}
	return binary.LittleEndian.Uint64(r[8*i:])
}

func (r *xmmReg) setLane(size, i int, v uint64) {
	switch size {
	case 1:
		r[i] = byte(v)
	case 2:
		binary.LittleEndian.PutUint16(r[2*i:], uint16(v))
	case 4:
		binary.LittleEndian.PutUint32(r[4*i:], uint32(v))
	default:
		binary.LittleEndian.PutUint64(r[8*i:], v)
	}
}

// laneOp applies f to each pair of size-byte lanes.
func laneOp(size int, f func(a, b uint64) uint64) vecFn {
	return func(d, s *xmmReg, n int, _ uint8) {
		for i := 0; i < n/size; i++ {
			d.setLane(size, i, f(d.lane(size, i), s.lane(size, i)))
		}
	}
}

// satS and satU saturate f's result to a signed or unsigned lane.
func satS(size int, f func(a, b int64) int64) func(a, b uint64) uint64 {
	lo, hi := -int64(1)<<(8*size-1), int64(1)<<(8*size-1)-1
	return func(a, b uint64) uint64 {
		return uint64(min(max(f(signExtend(a, uint8(size)), signExtend(b, uint8(size))), lo), hi))
	}
}

func satU(size int, f func(a, b int64) int64) func(a, b uint64) uint64 {
	hi := int64(1)<<(8*size) - 1
	return func(a, b uint64) uint64 { return uint64(min(max(f(int64(a), int64(b)), 0), hi)) }
}

func opPMADDWD(d, s *xmmReg, n int, _ uint8) {
	var r xmmReg
	for i := 0; i < n/4; i++ {
		p := int64(int16(d.lane(2, 2*i)))*int64(int16(s.lane(2, 2*i))) + int64(int16(d.lane(2, 2*i+1)))*int64(int16(s.lane(2, 2*i+1)))
		r.setLane(4, i, uint64(p))
	}
	copy(d[:n], r[:n])
}

func opPSADBW(d, s *xmmReg, n int, _ uint8) {
	var r xmmReg
	for g := 0; g < n/8; g++ {
		sum := uint64(0)
		for i := 8 * g; i < 8*g+8; i++ {
			a, b := int(d[i]), int(s[i])
			if a > b {
				sum += uint64(a - b)
			} else {
				sum += uint64(b - a)
			}
		}
		r.setLane(8, g, sum)
	}
	copy(d[:n], r[:n])
}

// unpack interleaves the low (or high) halves' lanes: d0 s0 d1 s1 ...
func unpack(size int, high bool) vecFn {
	return func(d, s *xmmReg, n int, _ uint8) {
		var r xmmReg
		half := n / 2 / size
		off := 0
		if high {
			off = half
		}
		for i := 0; i < half; i++ {
			r.setLane(size, 2*i, d.lane(size, off+i))
			r.setLane(size, 2*i+1, s.lane(size, off+i))
		}
		copy(d[:n], r[:n])
	}
}

// pack narrows d's then s's size-byte signed lanes to half size with signed
// (or, for PACKUSWB, unsigned) saturation.
func pack(size int, signed bool) vecFn {
	out := size / 2
	return func(d, s *xmmReg, n int, _ uint8) {
		var r xmmReg
		k := n / size
		for i := 0; i < 2*k; i++ {
			src := d
			j := i
			if i >= k {
				src, j = s, i-k
			}
			v := signExtend(src.lane(size, j), uint8(size))
			var lo, hi int64
			if signed {
				lo, hi = -int64(1)<<(8*out-1), int64(1)<<(8*out-1)-1
			} else {
				lo, hi = 0, int64(1)<<(8*out)-1
			}
			r.setLane(out, i, uint64(min(max(v, lo), hi)))
		}
		copy(d[:n], r[:n])
	}
}

func opPSHUFD(d, s *xmmReg, n int, imm uint8) {
	var r xmmReg
	for i := 0; i < 4; i++ {
		r.setLane(4, i, s.lane(4, int(imm>>(2*i)&3)))
	}
	*d = r
}

func opPSHUFLW(d, s *xmmReg, n int, imm uint8) {
	r := *s
	for i := 0; i < 4; i++ {
		r.setLane(2, i, s.lane(2, int(imm>>(2*i)&3)))
	}
	*d = r
}

func opPSHUFHW(d, s *xmmReg, n int, imm uint8) {
	r := *s
	for i := 0; i < 4; i++ {
		r.setLane(2, 4+i, s.lane(2, 4+int(imm>>(2*i)&3)))
	}
	*d = r
}

func opPSHUFW(d, s *xmmReg, n int, imm uint8) {
	var r xmmReg
	for i := 0; i < 4; i++ {
		r.setLane(2, i, s.lane(2, int(imm>>(2*i)&3)))
	}
	copy(d[:8], r[:8])
}

func opSHUFPS(d, s *xmmReg, n int, imm uint8) {
	var r xmmReg
	r.setLane(4, 0, d.lane(4, int(imm&3)))
	r.setLane(4, 1, d.lane(4, int(imm>>2&3)))
	r.setLane(4, 2, s.lane(4, int(imm>>4&3)))
	r.setLane(4, 3, s.lane(4, int(imm>>6&3)))
	*d = r
}

func opSHUFPD(d, s *xmmReg, n int, imm uint8) {
	var r xmmReg
	r.setLane(8, 0, d.lane(8, int(imm&1)))
	r.setLane(8, 1, s.lane(8, int(imm>>1&1)))
	*d = r
}

// PSRLDQ/PSLLDQ shift the whole register by imm bytes (16 or more: zero).
func opPSRLDQ(d, s *xmmReg, n int, imm uint8) {
	var r xmmReg
	if imm < 16 {
		copy(r[:], d[imm:])
	}
	*d = r
}

func opPSLLDQ(d, s *xmmReg, n int, imm uint8) {
	var r xmmReg
	if imm < 16 {
		copy(r[imm:], d[:16-imm])
	}
	*d = r
}

// buildVec makes the handler of a two-operand vector instruction on XMM
// (66-prefixed or SSE) or MMX registers, with the immediate where there is
// one. PSRLDQ and PSLLDQ have the register as destination and the count as
// their only other operand.
func buildVec(f vecFn) builder {
	return func(in *insn, inst *x86asm.Inst) handler {
		switch {
		case in.k[0] == kXMM && (in.k[1] == kXMM || in.k[1] == kMem || in.k[1] == kImm):
			in.ssize = 16
		case in.k[0] == kMMX && (in.k[1] == kMMX || in.k[1] == kMem || in.k[1] == kImm):
			in.ssize = 8
		default:
			return nil
		}
		in.imm &= 0xff
		return func(c *CPU, in *insn) { c.vecOp(in, f) }
	}
}

// vecSource reads the second operand of a vector instruction.
func (c *CPU) vecSource(in *insn) xmmReg {
	switch in.k[1] {
	case kXMM:
		return c.xmm[in.r[1]&15]
	case kMMX:
		var v xmmReg
		v.setLo(c.mmx(in.r[1]))
		return v
	case kMem:
		if in.ssize == 16 {
			return c.loadVec(in, true)
		}
		var v xmmReg
		v.setLo(c.read64(c.ea(in)))
		return v
	}
	return xmmReg{}
}

func (c *CPU) vecOp(in *insn, f vecFn) {
	if in.ssize == 16 {
		c.sseCheck()
		s := c.vecSource(in)
		f(&c.xmm[in.r[0]&15], &s, 16, uint8(in.imm))
		return
	}
	c.mmxEnter()
	s := c.vecSource(in)
	var d xmmReg
	d.setLo(c.mmx(in.r[0]))
	f(&d, &s, 8, uint8(in.imm))
	c.setMMX(in.r[0], d.lo())
}

// buildVecShift: PSRLx/PSLLx/PSRAx by an immediate or by the low 64 bits
// of a register or memory operand; a count past the lane width gives 0
// (logical) or the sign (arithmetic) in every bit.
func buildVecShift(size int, kind uint8) builder {
	shift := func(d, s *xmmReg, n int, imm uint8) {
		count := s.lo()
		for i := 0; i < n/size; i++ {
			v := d.lane(size, i)
			bits := uint64(size) * 8
			switch kind {
			case 0:
				if count >= bits {
					v = 0
				} else {
					v >>= count
				}
			case 1:
				if count >= bits {
					v = 0
				} else {
					v <<= count
				}
			default:
				v = uint64(signExtend(v, uint8(size)) >> min(count, bits-1))
			}
			d.setLane(size, i, v)
		}
	}
	return func(in *insn, inst *x86asm.Inst) handler {
		b := buildVec(shift)
		if in.k[1] == kImm {
			// The count is the immediate: present it as the source.
			in.imm &= 0xff
			count := in.imm
			h := b(in, inst)
			if h == nil {
				return nil
			}
			return func(c *CPU, in *insn) {
				var s xmmReg
				s.setLo(count)
				if in.ssize == 16 {
					c.sseCheck()
					shift(&c.xmm[in.r[0]&15], &s, 16, 0)
					return
				}
				c.mmxEnter()
				var d xmmReg
				d.setLo(c.mmx(in.r[0]))
				shift(&d, &s, 8, 0)
				c.setMMX(in.r[0], d.lo())
			}
		}
		return b(in, inst)
	}
}

// vecMaskSource reads the XMM or MMX source of a mask extraction.
func (c *CPU) vecReg(kind, r uint8) (xmmReg, int) {
	if kind == kMMX {
		c.mmxEnter()
		var v xmmReg
		v.setLo(c.mmx(r))
		return v, 8
	}
	c.sseCheck()
	return c.xmm[r&15], 16
}

func opPMOVMSKB(c *CPU, in *insn) {
	v, n := c.vecReg(in.k[1], in.r[1])
	m := uint64(0)
	for i := 0; i < n; i++ {
		m |= uint64(v[i]>>7) << i
	}
	c.setReg(in.r[0], in.size, m)
}

func opMOVMSKPS(c *CPU, in *insn) {
	v, _ := c.vecReg(kXMM, in.r[1])
	m := uint64(0)
	for i := 0; i < 4; i++ {
		m |= uint64(v[4*i+3]>>7) << i
	}
	c.setReg(in.r[0], in.size, m)
}

func opMOVMSKPD(c *CPU, in *insn) {
	v, _ := c.vecReg(kXMM, in.r[1])
	c.setReg(in.r[0], in.size, uint64(v[7]>>7)|uint64(v[15]>>7)<<1)
}

func opPEXTRW(c *CPU, in *insn) {
	v, n := c.vecReg(in.k[1], in.r[1])
	c.setReg(in.r[0], in.size, v.lane(2, int(in.imm)&(n/2-1)))
}

func opPINSRW(c *CPU, in *insn) {
	var w uint64
	if in.k[1] == kMem {
		w = uint64(c.read16(c.ea(in)))
	} else {
		w = c.regs[in.r[1]&31] & 0xffff
	}
	if in.k[0] == kMMX {
		c.mmxEnter()
		var d xmmReg
		d.setLo(c.mmx(in.r[0]))
		d.setLane(2, int(in.imm)&3, w)
		c.setMMX(in.r[0], d.lo())
		return
	}
	c.sseCheck()
	c.xmm[in.r[0]&15].setLane(2, int(in.imm)&7, w)
}

func opMOVNTQ(c *CPU, in *insn) {
	c.mmxEnter()
	c.write64(c.ea(in), c.mmx(in.r[1]))
}
