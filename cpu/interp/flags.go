package interp

// RFLAGS bits.
const (
	flagCF   = 1 << 0
	flagPF   = 1 << 2
	flagAF   = 1 << 4
	flagZF   = 1 << 6
	flagSF   = 1 << 7
	flagTF   = 1 << 8
	flagIF   = 1 << 9
	flagDF   = 1 << 10
	flagOF   = 1 << 11
	flagIOPL = 3 << 12
	flagNT   = 1 << 14
	flagRF   = 1 << 16
	flagVM   = 1 << 17
	flagAC   = 1 << 18
	flagVIF  = 1 << 19
	flagVIP  = 1 << 20
	flagID   = 1 << 21

	// flagsArith are the six status flags the ALU computes, kept lazily.
	flagsArith = flagCF | flagPF | flagAF | flagZF | flagSF | flagOF
	// flagsFixed1 is bit 1, which always reads as 1.
	flagsFixed1 = 1 << 1
	// flagsSettable are the bits software can ever set in RFLAGS here
	// (no virtual-8086 mode, so VM, VIF and VIP stay clear).
	flagsSettable = flagsArith | flagTF | flagIF | flagDF | flagIOPL | flagNT | flagRF | flagAC | flagID
)

// Lazy flags. Most instructions that write the status flags are followed
// by one that reads at most one or two of them (a Jcc, SETcc, ADC), or by
// one that overwrites them all. So an ALU instruction records what it did
// (the operation, operand size, operands and result) and the flags are
// computed only when read. lazyKnown means the six status flags are in
// CPU.rflags.
const (
	lazyKnown uint8 = iota
	lazyAdd         // a + b
	lazyAdc         // a + b + carry
	lazySub         // a - b (SUB, CMP, NEG with a = 0)
	lazySbb         // a - b - carry
	lazyLogic       // AND, OR, XOR, TEST: CF = OF = 0
	lazyInc         // a + 1, CF from carry
	lazyDec         // a - 1, CF from carry
	lazyShl         // a << b (b in 1..31/63, already masked)
	lazyShr         // a >> b
	lazySar         // a >> b arithmetic
)

// lazyFlags is the record an ALU instruction leaves behind.
type lazyFlags struct {
	op    uint8
	size  uint8 // operand size in bytes
	a, b  uint64
	res   uint64 // the result, masked to size
	carry uint64 // ADC/SBB carry in; INC/DEC: the CF they preserve (0 or 1)
}

// sizeMask[n] masks an n-byte value.
var sizeMask = [9]uint64{0, 0xff, 0xffff, 0, 0xffffffff, 0, 0, 0, ^uint64(0)}

// signBit[n] is the sign bit of an n-byte value.
var signBit = [9]uint64{0, 0x80, 0x8000, 0, 0x80000000, 0, 0, 0, 1 << 63}

// parity[b] is PF for a result whose low byte is b: set when the byte has
// an even number of one bits.
var parity = func() (t [256]uint8) {
	for i := range t {
		n := 0
		for b := i; b != 0; b >>= 1 {
			n += b & 1
		}
		if n%2 == 0 {
			t[i] = 1
		}
	}
	return
}()

// setLazy records an ALU result.
func (c *CPU) setLazy(op, size uint8, a, b, res uint64) {
	c.lf.op, c.lf.size, c.lf.a, c.lf.b, c.lf.res = op, size, a, b, res
}

// cf computes the carry flag (0 or 1).
func (c *CPU) cf() uint64 {
	l := &c.lf
	switch l.op {
	case lazyKnown:
		return c.rflags & flagCF
	case lazyAdd:
		return b2u(l.res < l.a&sizeMask[l.size])
	case lazyAdc:
		if l.carry != 0 {
			return b2u(l.res <= l.a&sizeMask[l.size])
		}
		return b2u(l.res < l.a&sizeMask[l.size])
	case lazySub:
		m := sizeMask[l.size]
		return b2u(l.a&m < l.b&m)
	case lazySbb:
		m := sizeMask[l.size]
		if l.carry != 0 {
			return b2u(l.a&m <= l.b&m)
		}
		return b2u(l.a&m < l.b&m)
	case lazyInc, lazyDec:
		return l.carry
	case lazyShl:
		bits := uint64(l.size) * 8
		if l.b > bits {
			return 0
		}
		return (l.a >> (bits - l.b)) & 1
	case lazyShr:
		return (l.a >> (l.b - 1)) & 1
	case lazySar:
		return uint64(signExtend(l.a, l.size)>>(l.b-1)) & 1
	}
	return 0
}

// zf computes the zero flag (0 or 1).
func (c *CPU) zf() uint64 {
	if c.lf.op == lazyKnown {
		return (c.rflags >> 6) & 1
	}
	return b2u(c.lf.res == 0)
}

// sf computes the sign flag (0 or 1).
func (c *CPU) sf() uint64 {
	if c.lf.op == lazyKnown {
		return (c.rflags >> 7) & 1
	}
	return b2u(c.lf.res&signBit[c.lf.size] != 0)
}

// pf computes the parity flag (0 or 1).
func (c *CPU) pf() uint64 {
	if c.lf.op == lazyKnown {
		return (c.rflags >> 2) & 1
	}
	return uint64(parity[uint8(c.lf.res)])
}

// af computes the auxiliary (BCD) carry flag (0 or 1).
func (c *CPU) af() uint64 {
	l := &c.lf
	switch l.op {
	case lazyKnown:
		return (c.rflags >> 4) & 1
	case lazyAdd, lazyAdc, lazySub, lazySbb:
		return ((l.a ^ l.b ^ l.res) >> 4) & 1
	case lazyInc:
		return b2u(l.res&0xf == 0)
	case lazyDec:
		return b2u(l.res&0xf == 0xf)
	case lazyShl, lazyShr, lazySar:
		// Undefined in the SDM; AMD Zen sets it after every shift.
		return 1
	}
	// Logic results leave AF clear (undefined in the SDM; clear on AMD
	// Zen and Intel).
	return 0
}

// of computes the overflow flag (0 or 1).
func (c *CPU) of() uint64 {
	l := &c.lf
	sign := signBit[l.size]
	switch l.op {
	case lazyKnown:
		return (c.rflags >> 11) & 1
	case lazyAdd, lazyAdc:
		return b2u((l.a^l.res)&(l.b^l.res)&sign != 0)
	case lazySub, lazySbb:
		return b2u((l.a^l.b)&(l.a^l.res)&sign != 0)
	case lazyInc:
		return b2u(l.res == sign)
	case lazyDec:
		return b2u(l.res == sign-1)
	case lazyShl:
		// Defined for a count of 1: the top bit changed. AMD processors
		// compute the same expression for larger counts, from the last
		// bit shifted out and the result's top bit.
		return b2u(l.res&sign != 0) ^ c.cf()
	case lazyShr:
		// Count 1: the operand's top bit, which is the result's second
		// bit from the top. AMD Zen computes that for every count.
		return b2u(l.res&(sign>>1) != 0)
	}
	return 0
}

// flags returns RFLAGS with the status flags computed.
func (c *CPU) flags() uint64 {
	if c.lf.op == lazyKnown {
		return c.rflags
	}
	f := c.rflags &^ flagsArith
	f |= c.cf() | c.pf()<<2 | c.af()<<4 | c.zf()<<6 | c.sf()<<7 | c.of()<<11
	return f
}

// materialize computes the status flags into rflags.
func (c *CPU) materialize() {
	if c.lf.op != lazyKnown {
		c.rflags = c.flags()
		c.lf.op = lazyKnown
	}
}

// setStatus replaces the six status flags with those in f.
func (c *CPU) setStatus(f uint64) {
	c.rflags = c.rflags&^flagsArith | f&flagsArith
	c.lf.op = lazyKnown
}

// Condition codes in the encoding order of Jcc/SETcc/CMOVcc.
const (
	ccO = iota
	ccNO
	ccB
	ccAE
	ccE
	ccNE
	ccBE
	ccA
	ccS
	ccNS
	ccP
	ccNP
	ccL
	ccGE
	ccLE
	ccG
)

// cond evaluates a condition code.
func (c *CPU) cond(cc uint8) bool {
	l := &c.lf
	if l.op == lazySub {
		// CMP and SUB: compare the operands directly.
		m := sizeMask[l.size]
		a, b := l.a&m, l.b&m
		switch cc {
		case ccB:
			return a < b
		case ccAE:
			return a >= b
		case ccE:
			return a == b
		case ccNE:
			return a != b
		case ccBE:
			return a <= b
		case ccA:
			return a > b
		case ccL:
			return signExtend(a, l.size) < signExtend(b, l.size)
		case ccGE:
			return signExtend(a, l.size) >= signExtend(b, l.size)
		case ccLE:
			return signExtend(a, l.size) <= signExtend(b, l.size)
		case ccG:
			return signExtend(a, l.size) > signExtend(b, l.size)
		}
	}
	if l.op == lazyLogic {
		z := l.res == 0
		s := l.res&signBit[l.size] != 0
		switch cc {
		case ccE:
			return z
		case ccNE:
			return !z
		case ccS, ccL:
			return s
		case ccNS, ccGE:
			return !s
		case ccLE:
			return z || s
		case ccG:
			return !z && !s
		}
	}
	var r bool
	switch cc >> 1 {
	case 0:
		r = c.of() != 0
	case 1:
		r = c.cf() != 0
	case 2:
		r = c.zf() != 0
	case 3:
		r = c.cf()|c.zf() != 0
	case 4:
		r = c.sf() != 0
	case 5:
		r = c.pf() != 0
	case 6:
		r = c.sf() != c.of()
	case 7:
		r = c.zf() != 0 || c.sf() != c.of()
	}
	return r != (cc&1 != 0)
}

// signExtend sign-extends an n-byte value to 64 bits.
func signExtend(v uint64, size uint8) int64 {
	switch size {
	case 1:
		return int64(int8(v))
	case 2:
		return int64(int16(v))
	case 4:
		return int64(int32(v))
	}
	return int64(v)
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}
