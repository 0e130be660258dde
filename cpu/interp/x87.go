package interp

import (
	"encoding/binary"

	"golang.org/x/arch/x86/x86asm"
)

// The x87 FPU, minimally: its state (saved and restored by FXSAVE and
// FXRSTOR, aliased by the MMX registers) and the control instructions a
// kernel's FPU set-up and a C library's start-up use: FNINIT, FNCLEX,
// FNSTCW, FLDCW, FNSTSW, FWAIT, EMMS. x87 arithmetic is not implemented:
// it raises #UD and is named in the log (see Unimplemented).

// x87 is the FPU state.
type x87 struct {
	fcw, fsw uint16
	ftw      uint8 // abridged tag word (FXSAVE format): bit i set = ST(i) valid
	fop      uint16
	fip, fdp uint64
	st       [8][16]byte // physical registers R0-R7, 80 bits each (MMX: low 64)
}

func (f *x87) reset() {
	*f = x87{fcw: 0x037f}
}

func init() {
	register(fpuOp(opFNINIT), x86asm.FNINIT)
	register(fpuOp(opFNCLEX), x86asm.FNCLEX)
	register(fpuOp(opFNSTCW), x86asm.FNSTCW)
	register(fpuOp(opFLDCW), x86asm.FLDCW)
	register(fpuOp(opFNSTSW), x86asm.FNSTSW)
	register(fpuOp(opEMMS), x86asm.EMMS)
}

// fpuOp wraps an x87 instruction with the CR0.EM/TS checks (#NM).
func fpuOp(h handler) builder {
	return fixed(func(c *CPU, in *insn) {
		if c.cr0&(cr0EM|cr0TS) != 0 {
			c.raise(vecNM, 0)
		}
		h(c, in)
	})
}

func opFNINIT(c *CPU, in *insn) {
	st := c.fpu.st
	c.fpu.reset()
	c.fpu.st = st // FNINIT leaves the register contents
}

func opFNCLEX(c *CPU, in *insn) { c.fpu.fsw &^= 0x80ff }

func opFNSTCW(c *CPU, in *insn) { c.write16(c.ea(in), c.fpu.fcw) }

func opFLDCW(c *CPU, in *insn) { c.fpu.fcw = c.read16(c.ea(in)) | 0x40 }

func opFNSTSW(c *CPU, in *insn) {
	if in.k[0] == kMem {
		c.write16(c.ea(in), c.fpu.fsw)
		return
	}
	c.setReg(0, 2, uint64(c.fpu.fsw))
}

// EMMS marks every x87 register empty after MMX use.
func opEMMS(c *CPU, in *insn) { c.fpu.ftw = 0 }

// mmxEnter is what any MMX instruction does to the x87 state: TOP = 0 and
// every register valid.
func (c *CPU) mmxEnter() {
	if c.cr0&cr0EM != 0 {
		c.raise(vecUD, 0)
	}
	if c.cr0&cr0TS != 0 {
		c.raise(vecNM, 0)
	}
	c.fpu.fsw &^= 0x3800
	c.fpu.ftw = 0xff
}

func (c *CPU) mmx(i uint8) uint64 { return binary.LittleEndian.Uint64(c.fpu.st[i&7][:8]) }

func (c *CPU) setMMX(i uint8, v uint64) {
	r := &c.fpu.st[i&7]
	binary.LittleEndian.PutUint64(r[:8], v)
	r[8], r[9] = 0xff, 0xff // exponent all ones, as after an MMX write
}
