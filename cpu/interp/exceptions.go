package interp

// Exceptions and interrupts: raising a fault from inside an instruction,
// and delivering an event through the real-mode IVT, the protected-mode
// IDT or the long-mode IDT (with IST stacks), switching stacks through the
// TSS on a privilege change.

// Exception vectors.
const (
	vecDE = 0  // divide error
	vecDB = 1  // debug
	vecBP = 3  // breakpoint (INT3)
	vecOF = 4  // overflow (INTO)
	vecBR = 5  // BOUND range
	vecUD = 6  // invalid opcode
	vecNM = 7  // device not available
	vecDF = 8  // double fault
	vecTS = 10 // invalid TSS
	vecNP = 11 // segment not present
	vecSS = 12 // stack fault
	vecGP = 13 // general protection
	vecPF = 14 // page fault
	vecMF = 16 // x87 floating point
	vecAC = 17 // alignment check
	vecXM = 19 // SIMD floating point

	// benignEvent marks the delivery of an interrupt (not an exception)
	// for the double-fault rules: a fault while delivering it is simply
	// delivered.
	benignEvent = 256
)

// Event kinds for deliver.
const (
	evExternal  = iota // an interrupt from the PIC
	evException        // a fault or trap the processor raised
	evSoftware         // INT n, INT3, INTO: the gate's DPL must allow the CPL
)

// fault is a guest exception in flight (the panic value).
type fault struct {
	vector uint8
	hasErr bool
	err    uint32
}

// raise aborts the current instruction with an exception.
func (c *CPU) raise(vector uint8, errCode uint32) {
	c.faultBuf = fault{vector: vector, hasErr: hasErrorCode(vector), err: errCode}
	panic(&c.faultBuf)
}

func hasErrorCode(v uint8) bool {
	switch v {
	case vecDF, vecTS, vecNP, vecSS, vecGP, vecPF, vecAC, 21, 29, 30:
		return true
	}
	return false
}

// contributory exceptions turn a second contributory one into #DF.
func contributory(v uint8) bool {
	switch v {
	case vecDE, vecTS, vecNP, vecSS, vecGP:
		return true
	}
	return false
}

// deliverException delivers a recorded fault; a debugger trapping INT3
// sees it first.
func (c *CPU) deliverException(f fault) {
	c.deliver(f.vector, evException, f.hasErr, f.err)
}

// deliver transfers control to the handler of vector. c.rip is the
// return address: the faulting instruction for a fault, the next one for
// a trap or software interrupt.
func (c *CPU) deliver(vector uint8, kind int, hasErr bool, errCode uint32) {
	if kind == evException {
		c.deliveringVector = int(vector)
	} else {
		c.deliveringVector = benignEvent
	}
	c.tfPending = false // the event, not a TF trap, follows the instruction
	switch {
	case c.cr0&cr0PE == 0:
		c.deliverReal(vector)
	case c.efer&eferLMA != 0:
		c.deliverLong(vector, kind, hasErr, errCode)
	default:
		c.deliverProtected(vector, kind, hasErr, errCode)
	}
	c.deliveringVector = -1
	if c.debug.singleStep {
		c.debug.eventStep = true // stop at the handler's first instruction
	}
}

// pushedFlags is the RFLAGS image an event pushes: for a fault (not a
// trap, not an interrupt) RF is set in it, so that IRET resumes the
// faulting instruction without a repeated instruction-breakpoint #DB.
func (c *CPU) pushedFlags(vector uint8, kind int) uint64 {
	f := c.flags()
	if kind == evException {
		switch vector {
		case vecDB, vecBP, vecOF, vecDF:
		default:
			f |= flagRF
		}
	}
	return f
}

// idtError is the error code of a fault caused by IDT entry vector; ext
// says an external event (not INT n) was being delivered.
func idtError(vector uint8, kind int) uint32 {
	e := uint32(vector)<<3 | 2
	if kind != evSoftware {
		e |= 1
	}
	return e
}

// deliverReal uses the real-mode interrupt vector table.
func (c *CPU) deliverReal(vector uint8) {
	entry := c.idtr.Base + uint64(vector)*4
	if uint64(vector)*4+3 > uint64(c.idtr.Limit) {
		c.raise(vecGP, 0)
	}
	v := c.sysRead(entry, 4)
	flags := c.flags()
	sp := c.regs[4]
	push := func(x uint16) {
		sp = (sp - 2) & 0xffff
		c.sysWrite(c.seg[segSS].base+sp, 2, uint64(x))
	}
	push(uint16(flags))
	push(c.seg[segCS].sel)
	push(uint16(c.rip))
	c.regs[4] = c.regs[4]&^0xffff | sp
	c.rflags &^= flagIF | flagTF | flagAC | flagRF
	c.loadRealSeg(segCS, uint16(v>>16))
	c.rip = v & 0xffff
	c.modeChanged()
}

// deliverLong uses a 64-bit IDT gate: always a 64-bit handler, stack from
// the IST or, on a privilege change, from the TSS; SS:RSP always pushed.
func (c *CPU) deliverLong(vector uint8, kind int, hasErr bool, errCode uint32) {
	off := uint64(vector) * 16
	if off+15 > uint64(c.idtr.Limit) {
		c.raise(vecGP, idtError(vector, kind))
	}
	lo := c.sysRead(c.idtr.Base+off, 8)
	hi := c.sysRead(c.idtr.Base+off+8, 8)
	typ := uint8(lo>>40) & 0xf
	dpl := uint8(lo>>45) & 3
	if typ != 0xe && typ != 0xf {
		c.raise(vecGP, idtError(vector, kind))
	}
	if kind == evSoftware && dpl < c.cpl {
		c.raise(vecGP, idtError(vector, kind))
	}
	if lo>>47&1 == 0 {
		c.raise(vecNP, idtError(vector, kind))
	}
	sel := uint16(lo >> 16)
	target := lo&0xffff | (lo>>48)<<16 | hi<<32
	ist := uint8(lo>>32) & 7
	cs := c.gateCodeSegment(sel, kind)
	if !cs.l || cs.db {
		c.raise(vecGP, uint32(sel&^3))
	}
	newCPL := c.cpl
	if cs.typ&4 == 0 { // non-conforming: runs at its DPL
		newCPL = cs.dpl
	}
	rsp := c.regs[4]
	switch {
	case ist != 0:
		rsp = c.tssRead64(36 + 8*uint64(ist-1))
	case newCPL < c.cpl:
		rsp = c.tssRead64(4 + 8*uint64(newCPL))
	}
	rsp &^= 15
	oldSS := uint64(c.seg[segSS].sel)
	frame := [6]uint64{c.rip, uint64(c.seg[segCS].sel), c.pushedFlags(vector, kind), c.regs[4], oldSS}
	n := 5
	if hasErr {
		copy(frame[1:], frame[:5])
		frame[0] = uint64(errCode)
		n = 6
	}
	if !canonical(rsp-uint64(n)*8) || !canonical(target) {
		c.raise(vecGP, 0)
	}
	// The frame is written with supervisor privilege (the handler's
	// stack; a DPL 3 handler is not supported).
	for i := 0; i < n; i++ {
		c.sysWrite(rsp-uint64(n-i)*8, 8, frame[i])
	}
	// Commit.
	if newCPL < c.cpl {
		c.seg[segSS] = segment{sel: uint16(newCPL), unusable: true, dpl: newCPL, db: false}
	}
	cs.sel = sel&^3 | uint16(newCPL)
	c.seg[segCS] = cs
	c.cpl = newCPL
	c.regs[4] = rsp - uint64(n)*8
	c.rip = target
	c.rflags &^= flagTF | flagNT | flagRF | flagVM
	if typ == 0xe {
		c.rflags &^= flagIF
	}
	c.modeChanged()
}

// deliverProtected uses a 32-bit (or 16-bit) protected-mode IDT gate.
func (c *CPU) deliverProtected(vector uint8, kind int, hasErr bool, errCode uint32) {
	off := uint64(vector) * 8
	if off+7 > uint64(c.idtr.Limit) {
		c.raise(vecGP, idtError(vector, kind))
	}
	lo := c.sysRead(c.idtr.Base+off, 8)
	typ := uint8(lo>>40) & 0xf
	dpl := uint8(lo>>45) & 3
	gate32 := typ == 0xe || typ == 0xf
	if !gate32 && typ != 0x6 && typ != 0x7 {
		if typ == 0x5 {
			c.logf("interp: task gate at vector %d: task switches are not emulated", vector)
		}
		c.raise(vecGP, idtError(vector, kind))
	}
	if kind == evSoftware && dpl < c.cpl {
		c.raise(vecGP, idtError(vector, kind))
	}
	if lo>>47&1 == 0 {
		c.raise(vecNP, idtError(vector, kind))
	}
	sel := uint16(lo >> 16)
	target := lo&0xffff | (lo>>48)<<16
	if !gate32 {
		target &= 0xffff
	}
	cs := c.gateCodeSegment(sel, kind)
	newCPL := c.cpl
	if cs.typ&4 == 0 {
		newCPL = cs.dpl
	}
	word := uint64(2)
	if gate32 {
		word = 4
	}
	var frame []uint64
	ss, esp := c.seg[segSS], c.regs[4]
	if newCPL < c.cpl {
		// Inner stack from the 32-bit TSS: ESPn at 4+8n, SSn at 8+8n.
		newESP := c.tssRead(4+8*uint64(newCPL), 4)
		newSSSel := uint16(c.tssRead(8+8*uint64(newCPL), 2))
		newSS := c.stackSegmentFor(newSSSel, newCPL, vecTS)
		frame = append(frame, uint64(c.seg[segSS].sel), c.regs[4])
		ss, esp = newSS, newESP
	}
	frame = append(frame, c.pushedFlags(vector, kind), uint64(c.seg[segCS].sel), c.rip)
	if hasErr {
		frame = append(frame, uint64(errCode))
	}
	spMask := uint64(0xffff)
	if ss.db {
		spMask = 0xffffffff
	}
	sp := esp
	for _, v := range frame {
		sp = (sp - word) & spMask
		c.sysWrite((ss.base+sp)&0xffffffff, int(word), v)
	}
	if newCPL < c.cpl {
		c.seg[segSS] = ss
	}
	c.regs[4] = c.regs[4]&^spMask | sp
	cs.sel = sel&^3 | uint16(newCPL)
	c.seg[segCS] = cs
	c.cpl = newCPL
	c.rip = target
	c.rflags &^= flagTF | flagNT | flagRF | flagVM
	if typ&1 == 0 { // interrupt gate
		c.rflags &^= flagIF
	}
	c.modeChanged()
}

// gateCodeSegment loads and checks the code segment an interrupt gate
// names.
func (c *CPU) gateCodeSegment(sel uint16, kind int) segment {
	ext := uint32(0)
	if kind != evSoftware {
		ext = 1
	}
	if sel&^3 == 0 {
		c.raise(vecGP, ext)
	}
	s, ok := c.fetchDescriptor(sel)
	if !ok {
		c.raise(vecGP, uint32(sel&^3)|ext)
	}
	if !s.s || s.typ&8 == 0 || s.dpl > c.cpl {
		c.raise(vecGP, uint32(sel&^3)|ext)
	}
	if !s.present {
		c.raise(vecNP, uint32(sel&^3)|ext)
	}
	return s
}

// tssRead64 reads a 64-bit TSS field (RSPn, ISTn).
func (c *CPU) tssRead64(off uint64) uint64 {
	return c.tssRead(off, 8)
}

func (c *CPU) tssRead(off uint64, size int) uint64 {
	tr := &c.seg[segTR]
	if tr.unusable || off+uint64(size)-1 > uint64(tr.limit) {
		c.raise(vecTS, uint32(tr.sel&^3))
	}
	return c.sysRead(tr.base+off, size)
}
