package interp

import (
	"unsafe"

	"golang.org/x/arch/x86/x86asm"
)

// handler executes one decoded instruction.
type handler func(c *CPU, in *insn)

// Operand kinds of insn.k.
const (
	kNone = iota
	kReg  // general-purpose register: index, or byte offset when size is 1
	kMem  // the instruction's memory operand (EA fields)
	kImm  // in.imm
	kSeg  // segment register number
	kCR   // control register number
	kDR   // debug register number
	kXMM  // XMM register number
	kMMX  // MMX register number
	kST   // x87 stack register ST(i)
)

// Instruction flags.
const (
	// fSetsRIP: the handler sets c.rip itself (branches, and instructions
	// that restart or complete later); otherwise RIP moves to in.next.
	fSetsRIP = 1 << iota
	// fEndsBlock: decoding stops after this instruction.
	fEndsBlock
	// fLock: a valid LOCK prefix.
	fLock
)

// insn is one decoded instruction in the form the handlers use: operand
// kinds and register numbers, the memory operand's address parts (base
// and index register slots, regZero when absent; scale as a shift; the
// displacement, with RIP already added for RIP-relative operands) and the
// immediate.
type insn struct {
	fn    handler
	rip   uint64 // RIP of this instruction
	next  uint64 // RIP of the next one
	disp  uint64
	imm   uint64
	imm2  uint64 // a second immediate: ENTER's level, a far pointer's selector
	amask uint64 // address-size mask
	op    x86asm.Op
	idx   uint16 // position in its block
	size  uint8  // operand size in bytes
	ssize uint8  // source operand size when it differs (MOVZX, MOVSX, ...)
	asize uint8  // address size in bytes
	k     [3]uint8
	r     [3]uint8 // register numbers for the operands of kind kReg, kSeg ...
	base  uint8
	index uint8
	scale uint8
	seg   uint8
	cond  uint8 // condition code for Jcc, SETcc, CMOVcc
	rep   uint8 // 0, prefixREP (F3) or prefixREPNE (F2)
	flags uint8
	len   uint8
}

const (
	prefixREP   = 1
	prefixREPNE = 2
)

// ea computes the linear address of the memory operand.
func (c *CPU) ea(in *insn) uint64 {
	a := (in.disp + c.regs[in.base&31] + c.regs[in.index&31]<<(in.scale&3)) & in.amask
	return (a + c.segBase[in.seg&7]) & c.linMask
}

// eaOffset is the memory operand's effective address without its segment
// (LEA, and the bit offset of BT with a register).
func (c *CPU) eaOffset(in *insn) uint64 {
	return (in.disp + c.regs[in.base&31] + c.regs[in.index&31]<<(in.scale&3)) & in.amask
}

// Register access by operand size. A 1-byte register number is a byte
// offset into regs (AL=0, AH=1, CL=8, ..., SPL=32, R15B=120), so AH..BH
// and the REX byte registers need no special case.

func (c *CPU) reg8(off uint8) *uint8 {
	return &(*[256]uint8)(unsafe.Pointer(&c.regs))[off]
}

func (c *CPU) getReg(r, size uint8) uint64 {
	switch size {
	case 8:
		return c.regs[r&31]
	case 4:
		return c.regs[r&31] & 0xffffffff
	case 2:
		return c.regs[r&31] & 0xffff
	}
	return uint64(*c.reg8(r))
}

// setReg writes a register as an instruction of that operand size does:
// a 32-bit write zero-extends to 64 bits, 8- and 16-bit writes merge.
func (c *CPU) setReg(r, size uint8, v uint64) {
	switch size {
	case 8:
		c.regs[r&31] = v
	case 4:
		c.regs[r&31] = v & 0xffffffff
	case 2:
		c.regs[r&31] = c.regs[r&31]&^0xffff | v&0xffff
	default:
		*c.reg8(r) = uint8(v)
	}
}

// Generic operand access, for the instructions without a specialised
// handler: operand i of kind kReg, kMem or kImm at the instruction's size.

func (c *CPU) opGet(in *insn, i int) uint64 {
	switch in.k[i] {
	case kReg:
		return c.getReg(in.r[i], in.size)
	case kMem:
		return c.readN(c.ea(in), in.size)
	case kImm:
		return in.imm & sizeMask[in.size]
	}
	return 0
}

func (c *CPU) opSet(in *insn, i int, v uint64) {
	switch in.k[i] {
	case kReg:
		c.setReg(in.r[i], in.size, v)
	case kMem:
		c.writeN(c.ea(in), in.size, v)
	}
}

// srcGet reads operand i at the source size in.ssize.
func (c *CPU) srcGet(in *insn, i int) uint64 {
	switch in.k[i] {
	case kReg:
		return c.getReg(in.r[i], in.ssize)
	case kMem:
		return c.readN(c.ea(in), in.ssize)
	case kImm:
		return in.imm & sizeMask[in.ssize]
	}
	return 0
}
