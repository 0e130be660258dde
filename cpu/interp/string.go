package interp

import (
	"golang.org/x/arch/x86/x86asm"
)

// String instructions: MOVS, STOS, LODS, CMPS, SCAS, with REP/REPE/REPNE.
// A REP instruction runs a chunk of iterations per execution and then
// restarts itself (RIP stays on it, RCX/RSI/RDI say how far it got), so a
// long copy lets interrupts in between chunks and resumes exactly. Each
// iteration counts as one executed instruction (as QEMU's icount counts
// them), and a chunk never runs past the next event check, so deadlines
// still fall on exact counts. RSI, RDI and RCX are written back after
// every element or page-sized chunk, so a fault in the middle leaves them
// where the hardware would.
//
// Forward REP MOVS and REP STOS with 32- or 64-bit addressing move whole
// page-sized chunks at a time through host memory.

const stringBudget = 64 << 10

func init() {
	register(branching(stringOp(opMOVS)), x86asm.MOVSB, x86asm.MOVSW, x86asm.MOVSD, x86asm.MOVSQ)
	register(branching(stringOp(opSTOS)), x86asm.STOSB, x86asm.STOSW, x86asm.STOSD, x86asm.STOSQ)
	register(branching(stringOp(opLODS)), x86asm.LODSB, x86asm.LODSW, x86asm.LODSD, x86asm.LODSQ)
	register(branching(stringOp(opCMPS)), x86asm.CMPSB, x86asm.CMPSW, x86asm.CMPSD, x86asm.CMPSQ)
	register(branching(stringOp(opSCAS)), x86asm.SCASB, x86asm.SCASW, x86asm.SCASD, x86asm.SCASQ)
}

// stringOp sets a string instruction's element size from its mnemonic and
// its source segment (DS unless overridden).
func stringOp(h handler) builder {
	return func(in *insn, inst *x86asm.Inst) handler {
		switch s := inst.Op.String(); s[len(s)-1] {
		case 'B':
			in.size = 1
		case 'W':
			in.size = 2
		case 'D':
			in.size = 4
		case 'Q':
			in.size = 8
		}
		in.seg = segDS
		for _, a := range inst.Args {
			if m, ok := a.(x86asm.Mem); ok && (m.Base == x86asm.RSI || m.Base == x86asm.ESI || m.Base == x86asm.SI) && m.Segment != 0 {
				in.seg = segNumOf(m.Segment)
			}
		}
		return h
	}
}

// String operand addresses.
func (c *CPU) strSrc(in *insn) uint64 {
	return (c.regs[6]&in.amask + c.segBase[in.seg&7]) & c.linMask
}

func (c *CPU) strDst(in *insn) uint64 {
	return (c.regs[7]&in.amask + c.segBase[segES]) & c.linMask
}

// strStep is the signed element step in the current direction.
func (c *CPU) strStep(in *insn) uint64 {
	if c.rflags&flagDF != 0 {
		return -uint64(in.size)
	}
	return uint64(in.size)
}

// repCount returns the remaining REP count (1 without REP).
func (c *CPU) repCount(in *insn) uint64 {
	if in.rep == 0 {
		return 1
	}
	return c.regs[1] & in.amask
}

// repBudget is how many bytes this execution of a string instruction may
// move: up to stringBudget, and no more iterations than remain before the
// next event check.
func (c *CPU) repBudget(in *insn) uint64 {
	left := c.nextCheck - (c.icount + uint64(in.idx))
	if c.nextCheck <= c.icount+uint64(in.idx) {
		left = 1
	}
	return min(stringBudget, max(left, 1)*uint64(in.size))
}

// countIterations adds the iterations beyond the first to the instruction
// count (the execution itself counts as one).
func (c *CPU) countIterations(in *insn, bytes uint64) {
	if n := bytes / uint64(in.size); n > 1 {
		c.icount += n - 1
	}
}

// repDone finishes a REP instruction's execution: rcx elements remain.
func (c *CPU) repDone(in *insn, rcx uint64) {
	if in.rep == 0 {
		c.rip = in.next
		return
	}
	c.setAddrReg(1, in.asize, rcx)
	if rcx == 0 {
		c.rip = in.next
	} else {
		c.rip = in.rip
	}
}

func opMOVS(c *CPU, in *insn) {
	n := c.repCount(in)
	if n == 0 {
		c.rip = in.next
		return
	}
	size := uint64(in.size)
	step := c.strStep(in)
	done, budget := uint64(0), c.repBudget(in)
	defer func() { c.countIterations(in, done) }()
	for n > 0 && done < budget {
		src, dst := c.strSrc(in), c.strDst(in)
		if in.rep != 0 && step == size && in.asize >= 4 && n > 1 {
			if k := c.bulkMove(src, dst, min(n, (budget-done)/size), size); k > 0 {
				c.setAddrReg(6, in.asize, c.regs[6]+k*size)
				c.setAddrReg(7, in.asize, c.regs[7]+k*size)
				n -= k
				done += k * size
				c.setAddrReg(1, in.asize, n)
				continue
			}
		}
		v := c.readN(src, in.size)
		c.writeN(dst, in.size, v)
		c.setAddrReg(6, in.asize, c.regs[6]+step)
		c.setAddrReg(7, in.asize, c.regs[7]+step)
		n--
		done += size
		if in.rep != 0 {
			c.setAddrReg(1, in.asize, n)
		}
	}
	c.repDone(in, n)
}

// bulkMove copies up to n elements forward from src to dst within one page
// on each side, through host memory, and returns how many it moved (0:
// use the element loop, e.g. for overlapping forward copies, which x86
// defines element by element).
func (c *CPU) bulkMove(src, dst, n, size uint64) uint64 {
	room := min(pageSize-src&pageMask, pageSize-dst&pageMask)
	k := min(n, room/size)
	if k == 0 {
		return 0
	}
	bytes := int(k * size)
	s := c.span(src, bytes, accRead)
	d := c.span(dst, bytes, accWrite)
	if s == nil || d == nil {
		return 0
	}
	sp, dp := uintptrOf(s), uintptrOf(d)
	if dp > sp && dp < sp+uintptr(bytes) {
		return 0 // overlapping forward copy
	}
	copy(d, s)
	return k
}

func opSTOS(c *CPU, in *insn) {
	n := c.repCount(in)
	if n == 0 {
		c.rip = in.next
		return
	}
	size := uint64(in.size)
	step := c.strStep(in)
	v := c.getReg(0, in.size)
	done, budget := uint64(0), c.repBudget(in)
	defer func() { c.countIterations(in, done) }()
	for n > 0 && done < budget {
		dst := c.strDst(in)
		if in.rep != 0 && step == size && in.asize >= 4 && n > 1 {
			if k := c.bulkFill(dst, min(n, (budget-done)/size), size, v); k > 0 {
				c.setAddrReg(7, in.asize, c.regs[7]+k*size)
				n -= k
				done += k * size
				c.setAddrReg(1, in.asize, n)
				continue
			}
		}
		c.writeN(dst, in.size, v)
		c.setAddrReg(7, in.asize, c.regs[7]+step)
		n--
		done += size
		if in.rep != 0 {
			c.setAddrReg(1, in.asize, n)
		}
	}
	c.repDone(in, n)
}

// bulkFill stores v into up to n elements forward from dst within a page.
func (c *CPU) bulkFill(dst, n, size, v uint64) uint64 {
	k := min(n, (pageSize-dst&pageMask)/size)
	if k == 0 {
		return 0
	}
	d := c.span(dst, int(k*size), accWrite)
	if d == nil {
		return 0
	}
	switch size {
	case 1:
		b := byte(v)
		for i := range d {
			d[i] = b
		}
	default:
		var pat [8]byte
		for i := range pat {
			pat[i] = byte(v >> (8 * (uint64(i) % size)))
		}
		for i := 0; i < len(d); i += 8 {
			copy(d[i:], pat[:])
		}
	}
	return k
}

func opLODS(c *CPU, in *insn) {
	n := c.repCount(in)
	if n == 0 {
		c.rip = in.next
		return
	}
	step := c.strStep(in)
	done, budget := uint64(0), c.repBudget(in)
	defer func() { c.countIterations(in, done) }()
	for n > 0 && done < budget {
		v := c.readN(c.strSrc(in), in.size)
		c.setReg(0, in.size, v)
		c.setAddrReg(6, in.asize, c.regs[6]+step)
		n--
		done += uint64(in.size)
		if in.rep != 0 {
			c.setAddrReg(1, in.asize, n)
		}
	}
	c.repDone(in, n)
}

// repStops reports whether REPE/REPNE ends after a comparison.
func (c *CPU) repStops(in *insn) bool {
	zf := c.lf.res == 0
	if in.rep == prefixREP {
		return !zf // REPE: stop on a difference
	}
	return zf // REPNE: stop on equality
}

func opCMPS(c *CPU, in *insn) {
	n := c.repCount(in)
	if n == 0 {
		c.rip = in.next
		return
	}
	step := c.strStep(in)
	done, budget := uint64(0), c.repBudget(in)
	defer func() { c.countIterations(in, done) }()
	for n > 0 && done < budget {
		a := c.readN(c.strSrc(in), in.size)
		b := c.readN(c.strDst(in), in.size)
		c.setLazy(lazySub, in.size, a, b, (a-b)&sizeMask[in.size])
		c.setAddrReg(6, in.asize, c.regs[6]+step)
		c.setAddrReg(7, in.asize, c.regs[7]+step)
		n--
		done += uint64(in.size)
		if in.rep == 0 {
			break
		}
		c.setAddrReg(1, in.asize, n)
		if c.repStops(in) {
			c.rip = in.next
			return
		}
	}
	c.repDone(in, n)
}

func opSCAS(c *CPU, in *insn) {
	n := c.repCount(in)
	if n == 0 {
		c.rip = in.next
		return
	}
	step := c.strStep(in)
	a := c.getReg(0, in.size)
	done, budget := uint64(0), c.repBudget(in)
	defer func() { c.countIterations(in, done) }()
	for n > 0 && done < budget {
		b := c.readN(c.strDst(in), in.size)
		c.setLazy(lazySub, in.size, a, b, (a-b)&sizeMask[in.size])
		c.setAddrReg(7, in.asize, c.regs[7]+step)
		n--
		done += uint64(in.size)
		if in.rep == 0 {
			break
		}
		c.setAddrReg(1, in.asize, n)
		if c.repStops(in) {
			c.rip = in.next
			return
		}
	}
	c.repDone(in, n)
}
