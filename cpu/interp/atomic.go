package interp

import (
	"encoding/binary"

	"golang.org/x/arch/x86/x86asm"
)

// The atomic read-modify-write instructions: CMPXCHG, XADD, CMPXCHG8B and
// CMPXCHG16B. With one vCPU, executing an instruction is already atomic
// with respect to the guest; what matters is that each writes memory even
// when the comparison fails (so it needs write permission, as on
// hardware) and updates exactly the registers the SDM names.

func init() {
	register(fixed(opCMPXCHG), x86asm.CMPXCHG)
	register(fixed(opXADD), x86asm.XADD)
	register(fixed(opCMPXCHG8B), x86asm.CMPXCHG8B)
	register(fixed(opCMPXCHG16B), x86asm.CMPXCHG16B)
}

func opCMPXCHG(c *CPU, in *insn) {
	size := in.size
	acc := c.getReg(0, size)
	src := c.getReg(in.r[1], size)
	if in.k[0] == kReg {
		dst := c.getReg(in.r[0], size)
		c.aluSub(size, acc, dst)
		if acc == dst {
			c.setReg(in.r[0], size, src)
		} else {
			c.setReg(0, size, dst)
		}
		return
	}
	addr := c.ea(in)
	var dst uint64
	if p := c.rmwPtr(addr, size); p != nil {
		dst = ldN(p, size)
		if acc == dst {
			stN(p, size, src)
		}
	} else {
		dst = c.readN(addr, size)
		if acc == dst {
			c.writeN(addr, size, src)
		} else {
			c.writeN(addr, size, dst)
		}
	}
	c.aluSub(size, acc, dst)
	if acc != dst {
		c.setReg(0, size, dst)
	}
}

func opXADD(c *CPU, in *insn) {
	size := in.size
	src := c.getReg(in.r[1], size)
	if in.k[0] == kReg {
		dst := c.getReg(in.r[0], size)
		sum := c.aluAdd(size, dst, src)
		c.setReg(in.r[1], size, dst)
		c.setReg(in.r[0], size, sum)
		return
	}
	addr := c.ea(in)
	var dst uint64
	if p := c.rmwPtr(addr, size); p != nil {
		dst = ldN(p, size)
		stN(p, size, (dst+src)&sizeMask[size])
	} else {
		dst = c.readN(addr, size)
		c.writeN(addr, size, (dst+src)&sizeMask[size])
	}
	c.aluAdd(size, dst, src)
	c.setReg(in.r[1], size, dst)
}

// setZF sets or clears ZF alone.
func (c *CPU) setZF(z bool) {
	c.materialize()
	if z {
		c.rflags |= flagZF
	} else {
		c.rflags &^= flagZF
	}
}

func opCMPXCHG8B(c *CPU, in *insn) {
	if in.k[0] != kMem {
		c.raise(vecUD, 0)
	}
	addr := c.ea(in)
	want := c.regs[2]<<32 | c.regs[0]&0xffffffff
	repl := c.regs[1]<<32 | c.regs[3]&0xffffffff
	var old uint64
	if p := c.rmwPtr(addr, 8); p != nil {
		old = ldN(p, 8)
		if old == want {
			stN(p, 8, repl)
		}
	} else {
		old = c.readN(addr, 8)
		if old == want {
			c.writeN(addr, 8, repl)
		} else {
			c.writeN(addr, 8, old)
		}
	}
	c.setZF(old == want)
	if old != want {
		c.regs[0], c.regs[2] = old&0xffffffff, old>>32
	}
}

func opCMPXCHG16B(c *CPU, in *insn) {
	if in.k[0] != kMem {
		c.raise(vecUD, 0)
	}
	addr := c.ea(in)
	if addr&15 != 0 {
		c.raise(vecGP, 0)
	}
	var buf [16]byte
	c.readBytes(addr, buf[:])
	lo, hi := binary.LittleEndian.Uint64(buf[:]), binary.LittleEndian.Uint64(buf[8:])
	eq := lo == c.regs[0] && hi == c.regs[2]
	if eq {
		binary.LittleEndian.PutUint64(buf[:], c.regs[3])
		binary.LittleEndian.PutUint64(buf[8:], c.regs[1])
	}
	c.writeBytes(addr, buf[:])
	c.setZF(eq)
	if !eq {
		c.regs[0], c.regs[2] = lo, hi
	}
}
