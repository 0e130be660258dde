package interp

// Specialised 64- and 32-bit register forms of the commonest ALU
// instructions (ADD, SUB, AND, OR, XOR, CMP, TEST with a register,
// immediate or memory source): no size switches on their path. The
// generic forms in alu.go handle every other size and operation.

// fastALU holds the specialised handlers by size (8, 4) and form.
type fastForms struct{ rr, ri, rm handler }

var fastALU = map[string][2]fastForms{
	"Add":  {{opAddRR64, opAddRI64, opAddRM64}, {opAddRR32, opAddRI32, opAddRM32}},
	"Sub":  {{opSubRR64, opSubRI64, opSubRM64}, {opSubRR32, opSubRI32, opSubRM32}},
	"And":  {{opAndRR64, opAndRI64, opAndRM64}, {opAndRR32, opAndRI32, opAndRM32}},
	"Or":   {{opOrRR64, opOrRI64, opOrRM64}, {opOrRR32, opOrRI32, opOrRM32}},
	"Xor":  {{opXorRR64, opXorRI64, opXorRM64}, {opXorRR32, opXorRI32, opXorRM32}},
	"Cmp":  {{opCmpRR64, opCmpRI64, opCmpRM64}, {opCmpRR32, opCmpRI32, opCmpRM32}},
	"Test": {{opTestRR64, opTestRI64, opTestRM64}, {opTestRR32, opTestRI32, opTestRM32}},
}

func opAddRR64(c *CPU, in *insn) {
	a, b := c.regs[in.r[0]&31], c.regs[in.r[1]&31]
	r := a + b
	c.regs[in.r[0]&31] = r
	c.setLazy(lazyAdd, 8, a, b, r)
}

func opAddRI64(c *CPU, in *insn) {
	a, b := c.regs[in.r[0]&31], in.imm
	r := a + b
	c.regs[in.r[0]&31] = r
	c.setLazy(lazyAdd, 8, a, b, r)
}

func opAddRM64(c *CPU, in *insn) {
	a, b := c.regs[in.r[0]&31], c.read64(c.ea(in))
	r := a + b
	c.regs[in.r[0]&31] = r
	c.setLazy(lazyAdd, 8, a, b, r)
}

func opAddRR32(c *CPU, in *insn) {
	a, b := c.regs[in.r[0]&31]&0xffffffff, c.regs[in.r[1]&31]&0xffffffff
	r := (a + b) & 0xffffffff
	c.regs[in.r[0]&31] = r
	c.setLazy(lazyAdd, 4, a, b, r)
}

func opAddRI32(c *CPU, in *insn) {
	a, b := c.regs[in.r[0]&31]&0xffffffff, in.imm
	r := (a + b) & 0xffffffff
	c.regs[in.r[0]&31] = r
	c.setLazy(lazyAdd, 4, a, b, r)
}

func opAddRM32(c *CPU, in *insn) {
	a, b := c.regs[in.r[0]&31]&0xffffffff, uint64(c.read32(c.ea(in)))
	r := (a + b) & 0xffffffff
	c.regs[in.r[0]&31] = r
	c.setLazy(lazyAdd, 4, a, b, r)
}

func opSubRR64(c *CPU, in *insn) {
	a, b := c.regs[in.r[0]&31], c.regs[in.r[1]&31]
	r := a - b
	c.regs[in.r[0]&31] = r
	c.setLazy(lazySub, 8, a, b, r)
}

func opSubRI64(c *CPU, in *insn) {
	a, b := c.regs[in.r[0]&31], in.imm
	r := a - b
	c.regs[in.r[0]&31] = r
	c.setLazy(lazySub, 8, a, b, r)
}

func opSubRM64(c *CPU, in *insn) {
	a, b := c.regs[in.r[0]&31], c.read64(c.ea(in))
	r := a - b
	c.regs[in.r[0]&31] = r
	c.setLazy(lazySub, 8, a, b, r)
}

func opSubRR32(c *CPU, in *insn) {
	a, b := c.regs[in.r[0]&31]&0xffffffff, c.regs[in.r[1]&31]&0xffffffff
	r := (a - b) & 0xffffffff
	c.regs[in.r[0]&31] = r
	c.setLazy(lazySub, 4, a, b, r)
}

func opSubRI32(c *CPU, in *insn) {
	a, b := c.regs[in.r[0]&31]&0xffffffff, in.imm
	r := (a - b) & 0xffffffff
	c.regs[in.r[0]&31] = r
	c.setLazy(lazySub, 4, a, b, r)
}

func opSubRM32(c *CPU, in *insn) {
	a, b := c.regs[in.r[0]&31]&0xffffffff, uint64(c.read32(c.ea(in)))
	r := (a - b) & 0xffffffff
	c.regs[in.r[0]&31] = r
	c.setLazy(lazySub, 4, a, b, r)
}

func opAndRR64(c *CPU, in *insn) {
	a, b := c.regs[in.r[0]&31], c.regs[in.r[1]&31]
	r := a & b
	c.regs[in.r[0]&31] = r
	c.setLazy(lazyLogic, 8, a, b, r)
}

func opAndRI64(c *CPU, in *insn) {
	a, b := c.regs[in.r[0]&31], in.imm
	r := a & b
	c.regs[in.r[0]&31] = r
	c.setLazy(lazyLogic, 8, a, b, r)
}

func opAndRM64(c *CPU, in *insn) {
	a, b := c.regs[in.r[0]&31], c.read64(c.ea(in))
	r := a & b
	c.regs[in.r[0]&31] = r
	c.setLazy(lazyLogic, 8, a, b, r)
}

func opAndRR32(c *CPU, in *insn) {
	a, b := c.regs[in.r[0]&31]&0xffffffff, c.regs[in.r[1]&31]&0xffffffff
	r := a & b
	c.regs[in.r[0]&31] = r
	c.setLazy(lazyLogic, 4, a, b, r)
}

func opAndRI32(c *CPU, in *insn) {
	a, b := c.regs[in.r[0]&31]&0xffffffff, in.imm
	r := a & b
	c.regs[in.r[0]&31] = r
	c.setLazy(lazyLogic, 4, a, b, r)
}

func opAndRM32(c *CPU, in *insn) {
	a, b := c.regs[in.r[0]&31]&0xffffffff, uint64(c.read32(c.ea(in)))
	r := a & b
	c.regs[in.r[0]&31] = r
	c.setLazy(lazyLogic, 4, a, b, r)
}

func opOrRR64(c *CPU, in *insn) {
	a, b := c.regs[in.r[0]&31], c.regs[in.r[1]&31]
	r := a | b
	c.regs[in.r[0]&31] = r
	c.setLazy(lazyLogic, 8, a, b, r)
}

func opOrRI64(c *CPU, in *insn) {
	a, b := c.regs[in.r[0]&31], in.imm
	r := a | b
	c.regs[in.r[0]&31] = r
	c.setLazy(lazyLogic, 8, a, b, r)
}

func opOrRM64(c *CPU, in *insn) {
	a, b := c.regs[in.r[0]&31], c.read64(c.ea(in))
	r := a | b
	c.regs[in.r[0]&31] = r
	c.setLazy(lazyLogic, 8, a, b, r)
}

func opOrRR32(c *CPU, in *insn) {
	a, b := c.regs[in.r[0]&31]&0xffffffff, c.regs[in.r[1]&31]&0xffffffff
	r := a | b
	c.regs[in.r[0]&31] = r
	c.setLazy(lazyLogic, 4, a, b, r)
}

func opOrRI32(c *CPU, in *insn) {
	a, b := c.regs[in.r[0]&31]&0xffffffff, in.imm
	r := a | b
	c.regs[in.r[0]&31] = r
	c.setLazy(lazyLogic, 4, a, b, r)
}

func opOrRM32(c *CPU, in *insn) {
	a, b := c.regs[in.r[0]&31]&0xffffffff, uint64(c.read32(c.ea(in)))
	r := a | b
	c.regs[in.r[0]&31] = r
	c.setLazy(lazyLogic, 4, a, b, r)
}

func opXorRR64(c *CPU, in *insn) {
	a, b := c.regs[in.r[0]&31], c.regs[in.r[1]&31]
	r := a ^ b
	c.regs[in.r[0]&31] = r
	c.setLazy(lazyLogic, 8, a, b, r)
}

func opXorRI64(c *CPU, in *insn) {
	a, b := c.regs[in.r[0]&31], in.imm
	r := a ^ b
	c.regs[in.r[0]&31] = r
	c.setLazy(lazyLogic, 8, a, b, r)
}

func opXorRM64(c *CPU, in *insn) {
	a, b := c.regs[in.r[0]&31], c.read64(c.ea(in))
	r := a ^ b
	c.regs[in.r[0]&31] = r
	c.setLazy(lazyLogic, 8, a, b, r)
}

func opXorRR32(c *CPU, in *insn) {
	a, b := c.regs[in.r[0]&31]&0xffffffff, c.regs[in.r[1]&31]&0xffffffff
	r := a ^ b
	c.regs[in.r[0]&31] = r
	c.setLazy(lazyLogic, 4, a, b, r)
}

func opXorRI32(c *CPU, in *insn) {
	a, b := c.regs[in.r[0]&31]&0xffffffff, in.imm
	r := a ^ b
	c.regs[in.r[0]&31] = r
	c.setLazy(lazyLogic, 4, a, b, r)
}

func opXorRM32(c *CPU, in *insn) {
	a, b := c.regs[in.r[0]&31]&0xffffffff, uint64(c.read32(c.ea(in)))
	r := a ^ b
	c.regs[in.r[0]&31] = r
	c.setLazy(lazyLogic, 4, a, b, r)
}

func opCmpRR64(c *CPU, in *insn) {
	a, b := c.regs[in.r[0]&31], c.regs[in.r[1]&31]
	r := a - b
	c.setLazy(lazySub, 8, a, b, r)
}

func opCmpRI64(c *CPU, in *insn) {
	a, b := c.regs[in.r[0]&31], in.imm
	r := a - b
	c.setLazy(lazySub, 8, a, b, r)
}

func opCmpRM64(c *CPU, in *insn) {
	a, b := c.regs[in.r[0]&31], c.read64(c.ea(in))
	r := a - b
	c.setLazy(lazySub, 8, a, b, r)
}

func opCmpRR32(c *CPU, in *insn) {
	a, b := c.regs[in.r[0]&31]&0xffffffff, c.regs[in.r[1]&31]&0xffffffff
	r := (a - b) & 0xffffffff
	c.setLazy(lazySub, 4, a, b, r)
}

func opCmpRI32(c *CPU, in *insn) {
	a, b := c.regs[in.r[0]&31]&0xffffffff, in.imm
	r := (a - b) & 0xffffffff
	c.setLazy(lazySub, 4, a, b, r)
}

func opCmpRM32(c *CPU, in *insn) {
	a, b := c.regs[in.r[0]&31]&0xffffffff, uint64(c.read32(c.ea(in)))
	r := (a - b) & 0xffffffff
	c.setLazy(lazySub, 4, a, b, r)
}

func opTestRR64(c *CPU, in *insn) {
	a, b := c.regs[in.r[0]&31], c.regs[in.r[1]&31]
	r := a & b
	c.setLazy(lazyLogic, 8, a, b, r)
}

func opTestRI64(c *CPU, in *insn) {
	a, b := c.regs[in.r[0]&31], in.imm
	r := a & b
	c.setLazy(lazyLogic, 8, a, b, r)
}

func opTestRM64(c *CPU, in *insn) {
	a, b := c.regs[in.r[0]&31], c.read64(c.ea(in))
	r := a & b
	c.setLazy(lazyLogic, 8, a, b, r)
}

func opTestRR32(c *CPU, in *insn) {
	a, b := c.regs[in.r[0]&31]&0xffffffff, c.regs[in.r[1]&31]&0xffffffff
	r := a & b
	c.setLazy(lazyLogic, 4, a, b, r)
}

func opTestRI32(c *CPU, in *insn) {
	a, b := c.regs[in.r[0]&31]&0xffffffff, in.imm
	r := a & b
	c.setLazy(lazyLogic, 4, a, b, r)
}

func opTestRM32(c *CPU, in *insn) {
	a, b := c.regs[in.r[0]&31]&0xffffffff, uint64(c.read32(c.ea(in)))
	r := a & b
	c.setLazy(lazyLogic, 4, a, b, r)
}
