package interp

import (
	"encoding/binary"

	"github.com/pollscope/pollscope/cpu"
	"golang.org/x/arch/x86/x86asm"
)

// Port I/O leaves Run as ExitPortIO, exactly as on KVM: an OUT has
// happened when the exit is reported; an IN (or INS) completes on the next
// Run with the data the machine put in Exit.Data, and until then RIP still
// points at it. A REP INS/OUTS moves up to a page of elements per exit
// (Count > 1) and restarts itself until RCX is 0.
//
// Deviation: at CPL > IOPL the TSS I/O permission bitmap is not consulted;
// the access raises #GP.

// pendingIO is an IN or INS waiting for its data.
type pendingIO struct {
	active bool
	str    bool   // INS: the data goes to memory
	reg    uint8  // IN: destination register
	size   uint8  // element size
	count  int    // elements
	next   uint64 // RIP once complete (INS: RIP if RCX is still non-zero)
	in     *insn  // INS: the instruction, for its address size
}

func init() {
	register(branching(buildIn), x86asm.IN)
	register(ending(buildOut), x86asm.OUT)
	register(branching(stringOp(opINS)), x86asm.INSB, x86asm.INSW, x86asm.INSD)
	register(branching(stringOp(opOUTS)), x86asm.OUTSB, x86asm.OUTSW, x86asm.OUTSD)
}

func buildIn(in *insn, inst *x86asm.Inst) handler {
	if in.k[1] == kImm {
		in.imm &= 0xff
	}
	return opIn
}

func buildOut(in *insn, inst *x86asm.Inst) handler {
	in.size = in.ssize // the data register's size
	if in.k[0] == kImm {
		in.imm &= 0xff
	}
	return opOut
}

// requireIOPL raises #GP unless CPL <= IOPL in protected mode: the check
// of IN, OUT, INS, OUTS, CLI and STI (no I/O permission bitmap is
// consulted; the TSS's has none).
func (c *CPU) requireIOPL() {
	if c.cr0&cr0PE != 0 && uint64(c.cpl) > (c.rflags>>12)&3 {
		c.raise(vecGP, 0)
	}
}

func (c *CPU) ioPort(in *insn, i int) uint16 {
	if in.k[i] == kImm {
		return uint16(in.imm)
	}
	return uint16(c.regs[2])
}

func (c *CPU) ioExit(port uint16, write bool, size uint8, count int) {
	c.exit = cpu.Exit{Kind: cpu.ExitPortIO, Port: port, Write: write, Size: int(size), Count: count,
		Data: c.ioBuf[:int(size)*count]}
	c.exitReady = true
	c.stop = true
}

func opIn(c *CPU, in *insn) {
	c.requireIOPL()
	port := c.ioPort(in, 1)
	c.pendingIO = pendingIO{active: true, reg: in.r[0], size: in.size, count: 1, next: in.next}
	c.rip = in.rip
	c.ioExit(port, false, in.size, 1)
}

func opOut(c *CPU, in *insn) {
	c.requireIOPL()
	port := c.ioPort(in, 0)
	v := c.getReg(in.r[1], in.size)
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], v)
	copy(c.ioBuf[:], b[:in.size])
	c.ioExit(port, true, in.size, 1)
}

// stringCount is how many elements a string I/O instruction moves in one
// exit: all RCX of them (or 1 without REP), at most a page's worth, only
// within the current page, and one at a time going backwards.
func (c *CPU) stringCount(in *insn, lin uint64) int {
	if in.rep == 0 {
		return 1
	}
	rcx := c.regs[1] & in.amask
	if rcx == 0 {
		return 0
	}
	if c.rflags&flagDF != 0 {
		return 1
	}
	room := (pageSize - lin&pageMask) / uint64(in.size)
	if room == 0 {
		return 1
	}
	return int(min(rcx, room, uint64(len(c.ioBuf))/uint64(in.size)))
}

func opINS(c *CPU, in *insn) {
	c.requireIOPL()
	dst := (c.regs[7]&in.amask + c.segBase[segES]) & c.linMask
	n := c.stringCount(in, dst)
	if n == 0 {
		c.rip = in.next
		return
	}
	// Check the destination now, so the completion cannot fault.
	c.checkRange(dst, n*int(in.size), accWrite)
	c.pendingIO = pendingIO{active: true, str: true, size: in.size, count: n, next: in.next, in: in}
	c.rip = in.rip
	c.ioExit(uint16(c.regs[2]), false, in.size, n)
}

func opOUTS(c *CPU, in *insn) {
	c.requireIOPL()
	src := (c.regs[6]&in.amask + c.segBase[in.seg&7]) & c.linMask
	n := c.stringCount(in, src)
	if n == 0 {
		c.rip = in.next
		return
	}
	bytes := n * int(in.size)
	c.readBytes(src, c.ioBuf[:bytes])
	c.advanceString(in, 6, n)
	c.finishStringIO(in, n)
	c.ioExit(uint16(c.regs[2]), true, in.size, n)
}

// advanceString moves RSI (reg 6) or RDI (7) past n elements.
func (c *CPU) advanceString(in *insn, reg int, n int) {
	step := uint64(n) * uint64(in.size)
	v := c.regs[reg]
	if c.rflags&flagDF != 0 {
		v -= step
	} else {
		v += step
	}
	c.setAddrReg(reg, in.asize, v)
}

// setAddrReg writes an address register at the address size.
func (c *CPU) setAddrReg(reg int, asize uint8, v uint64) {
	switch asize {
	case 8:
		c.regs[reg] = v
	case 4:
		c.regs[reg] = v & 0xffffffff
	default:
		c.regs[reg] = c.regs[reg]&^0xffff | v&0xffff
	}
}

// finishStringIO counts n elements off RCX and leaves RIP at the
// instruction while more remain.
func (c *CPU) finishStringIO(in *insn, n int) {
	if in.rep == 0 {
		c.rip = in.next
		return
	}
	rcx := (c.regs[1] & in.amask) - uint64(n)
	c.setAddrReg(1, in.asize, rcx)
	if rcx == 0 {
		c.rip = in.next
	} else {
		c.rip = in.rip
	}
}

// completeIO finishes an IN or INS with the data the machine supplied.
func (c *CPU) completeIO() {
	p := c.pendingIO
	c.pendingIO = pendingIO{}
	if !p.str {
		var b [8]byte
		copy(b[:], c.ioBuf[:p.size])
		c.setReg(p.reg, p.size, binary.LittleEndian.Uint64(b[:]))
		c.rip = p.next
		return
	}
	in := p.in
	dst := (c.regs[7]&in.amask + c.segBase[segES]) & c.linMask
	c.writeBytes(dst, c.ioBuf[:p.count*int(p.size)])
	c.advanceString(in, 7, p.count)
	c.finishStringIO(in, p.count)
}
