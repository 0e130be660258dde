package interp

import (
	"golang.org/x/arch/x86/x86asm"
)

// Decoding: x86asm turns bytes into an Inst once; translate turns the Inst
// into an insn (operand kinds, register slots, address parts, a handler).
// Each instruction group registers a builder per mnemonic that picks the
// handler, specialised where the operand shape allows.

// builder fills in the parts of in specific to one mnemonic and returns its
// handler.
type builder func(in *insn, inst *x86asm.Inst) handler

var builders = map[x86asm.Op]builder{}

// register installs one builder for several mnemonics.
func register(b builder, ops ...x86asm.Op) {
	for _, op := range ops {
		if _, dup := builders[op]; dup {
			panic("interp: two builders for " + op.String())
		}
		builders[op] = b
	}
}

// fixed is a builder that always picks h.
func fixed(h handler) builder {
	return func(*insn, *x86asm.Inst) handler { return h }
}

// ending marks a builder's instructions as ending their block.
func ending(b builder) builder {
	return func(in *insn, inst *x86asm.Inst) handler {
		in.flags |= fEndsBlock
		return b(in, inst)
	}
}

// branching marks a builder's instructions as setting RIP and ending their
// block.
func branching(b builder) builder {
	return func(in *insn, inst *x86asm.Inst) handler {
		in.flags |= fEndsBlock | fSetsRIP
		return b(in, inst)
	}
}

// decodeBlock decodes the block at rip (linear lin, physical phys). A
// fault fetching its first instruction is raised; one fetching a later
// instruction just ends the block before it.
func (c *CPU) decodeBlock(rip, lin, phys uint64) *block {
	b := &block{
		key:   blockKey{phys: phys, rip: rip, mode: c.codeKey()},
		pages: [2]uint64{phys >> 12, tlbNoPage},
		valid: true,
	}
	if phys >= c.ramSize {
		b.pages[0] = tlbNoPage
	}
	insns := make([]insn, 0, 8)
	pc, l, p := rip, lin, phys
	for len(insns) < maxBlockLen {
		inst, err, crossed, ok := c.fetchDecode(l, p, len(insns) == 0)
		if !ok {
			break // the next page cannot be fetched: end before it
		}
		var in insn
		if err != nil {
			in = invalidInsn(pc, c.mode)
		} else {
			in = translate(&inst, pc, c.mode)
		}
		in.idx = uint16(len(insns))
		insns = append(insns, in)
		if crossed != tlbNoPage {
			b.pages[1] = crossed
			break
		}
		if in.flags&fEndsBlock != 0 {
			break
		}
		n := uint64(in.len)
		pc += n
		l += n
		p += n
		if p&pageMask < n {
			break // the next instruction starts on another page
		}
	}
	b.insns = insns
	last := &insns[len(insns)-1]
	b.bytes = last.rip - rip + uint64(last.len)
	return b
}

// fetchDecode decodes the instruction at linear lin (physical phys). It
// reads past the page only when the instruction needs it; crossed is then
// the second page's number. ok is false when the second page faults and
// the instruction is not the block's first.
func (c *CPU) fetchDecode(lin, phys uint64, first bool) (inst x86asm.Inst, err error, crossed uint64, ok bool) {
	crossed = tlbNoPage
	avail := int(pageSize - phys&pageMask)
	if avail >= 15 {
		buf := c.fetchBuf[:15]
		c.physRead(phys, buf)
		inst, err = decode(buf, int(c.mode))
		return inst, err, crossed, true
	}
	buf := c.fetchBuf[:avail]
	c.physRead(phys, buf)
	inst, err = decode(buf, int(c.mode))
	if err == nil && inst.Len <= avail {
		return inst, nil, crossed, true
	}
	// The instruction may continue on the next page.
	next := (lin | pageMask) + 1
	var nextPhys uint64
	if first {
		nextPhys = c.translateData(next&c.linMask, accFetch)
	} else if p, fok := c.tryTranslateFetch(next & c.linMask); fok {
		nextPhys = p
	} else {
		return inst, nil, crossed, false
	}
	buf = c.fetchBuf[:15]
	c.physRead(nextPhys, buf[avail:])
	inst, err = decode(buf, int(c.mode))
	if err == nil && inst.Len > avail {
		crossed = nextPhys >> 12
	}
	return inst, err, crossed, true
}

// decode decodes one instruction, with the aliases x86asm lacks.
func decode(src []byte, mode int) (x86asm.Inst, error) {
	inst, err := x86asm.Decode(src, mode)
	if err = decodeErr(inst, err); err != nil {
		if a, ok := decodeAliases(src, mode); ok {
			return a, nil
		}
	}
	return inst, err
}

// decodeAliases handles encodings the processor executes but x86asm does
// not decode: group 2 with ModRM.reg 6 (an undocumented SAL, executed as
// SHL), group 3 with reg 1 (an alias of TEST r/m, imm), and the reserved-
// NOP space 0F 19-0F 1E (hint NOPs: ENDBR64 is F3 0F 1E FA, a NOP without
// CET). It returns the instruction decoded as its documented twin, or
// false.
func decodeAliases(src []byte, mode int) (x86asm.Inst, bool) {
	i := 0
	for i < len(src) && i < 14 {
		b := src[i]
		switch {
		case b == 0x66 || b == 0x67 || b == 0xf0 || b == 0xf2 || b == 0xf3 ||
			b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e || b == 0x64 || b == 0x65:
			i++
			continue
		case mode == 64 && b&0xf0 == 0x40:
			i++
			continue
		}
		break
	}
	if i+2 < len(src) && src[i] == 0x0f && src[i+1] >= 0x19 && src[i+1] <= 0x1e {
		buf := make([]byte, len(src))
		copy(buf, src)
		buf[i+1] = 0x1f
		buf[i+2] &^= 0x38 // x86asm knows NOP /0 only
		inst, err := x86asm.Decode(buf, mode)
		if err != nil || inst.Op != x86asm.NOP {
			return x86asm.Inst{}, false
		}
		return inst, true
	}
	if i+1 >= len(src) {
		return x86asm.Inst{}, false
	}
	op, reg := src[i], src[i+1]>>3&7
	var fixed byte
	switch {
	case (op == 0xc0 || op == 0xc1 || op >= 0xd0 && op <= 0xd3) && reg == 6:
		fixed = src[i+1]&^0x38 | 4<<3
	case (op == 0xf6 || op == 0xf7) && reg == 1:
		fixed = src[i+1] &^ 0x38
	default:
		return x86asm.Inst{}, false
	}
	buf := make([]byte, len(src))
	copy(buf, src)
	buf[i+1] = fixed
	inst, err := x86asm.Decode(buf, mode)
	if err != nil || inst.Op == 0 {
		return x86asm.Inst{}, false
	}
	return inst, true
}

// decodeErr turns x86asm's way of reporting a bare prefix (an Inst with no
// mnemonic) into an error.
func decodeErr(inst x86asm.Inst, err error) error {
	if err == nil && inst.Op == 0 {
		return x86asm.ErrUnrecognized
	}
	return err
}

// tryTranslateFetch translates for a fetch without raising a fault.
func (c *CPU) tryTranslateFetch(lin uint64) (phys uint64, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			if _, isFault := r.(*fault); !isFault {
				panic(r)
			}
			ok = false
		}
	}()
	savedCR2 := c.cr2
	defer func() { c.cr2 = savedCR2 }()
	return c.translateData(lin, accFetch), true
}

// invalidInsn is what undecodable bytes become: #UD.
func invalidInsn(rip uint64, mode uint8) insn {
	in := insn{rip: rip, next: rip + 1, len: 1, fn: opInvalid, flags: fEndsBlock | fSetsRIP}
	in.base, in.index = regZero, regZero
	return in
}

// translate turns a decoded instruction at rip into an insn.
func translate(inst *x86asm.Inst, rip uint64, mode uint8) insn {
	in := insn{
		rip:   rip,
		next:  rip + uint64(inst.Len),
		len:   uint8(inst.Len),
		op:    inst.Op,
		asize: uint8(inst.AddrSize / 8),
		base:  regZero,
		index: regZero,
		seg:   segDS,
	}
	if mode != 64 {
		in.next &= 0xffffffff
		if mode == 16 {
			in.next &= 0xffff
		}
	}
	in.amask = sizeMask[in.asize]
	for _, p := range inst.Prefix {
		if p == 0 {
			break
		}
		if p&x86asm.PrefixInvalid != 0 {
			return invalidInsn(rip, mode)
		}
		if p&(x86asm.PrefixImplicit|x86asm.PrefixIgnored) != 0 {
			continue
		}
		switch p & 0xff {
		case 0xf3:
			in.rep = prefixREP
		case 0xf2:
			in.rep = prefixREPNE
		case 0xf0:
			in.flags |= fLock
		case 0xc4, 0xc5, 0x62:
			// VEX and EVEX encodings: no AVX here.
			return invalidInsn(rip, mode)
		}
	}
	in.size = uint8(inst.DataSize / 8)
	sized := false
	nimm := 0
	for i, a := range inst.Args[:3] {
		if a == nil {
			break
		}
		switch a := a.(type) {
		case x86asm.Reg:
			kind, num, size := regInfo(a)
			in.k[i], in.r[i] = kind, num
			if kind == kReg && i == 0 {
				in.size, sized = size, true
			}
			if kind == kReg && i == 1 {
				in.ssize = size
			}
		case x86asm.Mem:
			in.k[i] = kMem
			fillMem(&in, a, mode)
			if i == 0 && inst.MemBytes > 0 && inst.MemBytes <= 8 {
				in.size, sized = uint8(inst.MemBytes), true
			}
			if i == 1 {
				in.ssize = uint8(inst.MemBytes)
			}
		case x86asm.Imm:
			in.k[i] = kImm
			if nimm == 0 {
				in.imm = uint64(a)
			} else {
				in.imm2 = uint64(a)
			}
			nimm++
		case x86asm.Rel:
			in.k[i] = kImm
			in.imm = in.next + uint64(int64(a))
		}
	}
	if !sized && in.k[0] == kMem && inst.MemBytes > 0 && inst.MemBytes <= 8 {
		in.size = uint8(inst.MemBytes)
	}
	if in.size == 0 {
		in.size = 4
	}
	b := builders[inst.Op]
	if b == nil {
		in.fn = opUnimplemented
		in.flags |= fEndsBlock | fSetsRIP
		return in
	}
	in.fn = b(&in, inst)
	if in.fn == nil {
		in.fn = opInvalid
		in.flags |= fEndsBlock | fSetsRIP
	}
	return in
}

// fillMem sets the address parts of a memory operand.
func fillMem(in *insn, m x86asm.Mem, mode uint8) {
	in.disp = uint64(m.Disp)
	switch m.Base {
	case 0:
	case x86asm.RIP, x86asm.EIP, x86asm.IP:
		in.disp += in.next
	default:
		_, num, _ := regInfo(m.Base)
		in.base = num
	}
	if m.Index != 0 && m.Scale != 0 {
		_, num, _ := regInfo(m.Index)
		in.index = num
		switch m.Scale {
		case 2:
			in.scale = 1
		case 4:
			in.scale = 2
		case 8:
			in.scale = 3
		}
	}
	if m.Segment != 0 {
		in.seg = segNumOf(m.Segment)
	} else if b := m.Base; b == x86asm.RSP || b == x86asm.ESP || b == x86asm.SP ||
		b == x86asm.RBP || b == x86asm.EBP || b == x86asm.BP {
		in.seg = segSS
	}
}

// regInfo classifies an x86asm register: its kind, number (a byte offset
// for 8-bit GPRs) and size in bytes.
func regInfo(r x86asm.Reg) (kind, num, size uint8) {
	switch {
	case r >= x86asm.AL && r <= x86asm.BL:
		return kReg, uint8(r-x86asm.AL) * 8, 1
	case r >= x86asm.AH && r <= x86asm.BH:
		return kReg, uint8(r-x86asm.AH)*8 + 1, 1
	case r >= x86asm.SPB && r <= x86asm.R15B:
		return kReg, uint8(r-x86asm.SPB+4) * 8, 1
	case r >= x86asm.AX && r <= x86asm.R15W:
		return kReg, uint8(r - x86asm.AX), 2
	case r >= x86asm.EAX && r <= x86asm.R15L:
		return kReg, uint8(r - x86asm.EAX), 4
	case r >= x86asm.RAX && r <= x86asm.R15:
		return kReg, uint8(r - x86asm.RAX), 8
	case r >= x86asm.ES && r <= x86asm.GS:
		return kSeg, uint8(r - x86asm.ES), 2
	case r >= x86asm.CR0 && r <= x86asm.CR15:
		return kCR, uint8(r - x86asm.CR0), 8
	case r >= x86asm.DR0 && r <= x86asm.DR7:
		return kDR, uint8(r - x86asm.DR0), 8
	case r >= x86asm.X0 && r <= x86asm.X15:
		return kXMM, uint8(r - x86asm.X0), 16
	case r >= x86asm.M0 && r <= x86asm.M7:
		return kMMX, uint8(r - x86asm.M0), 8
	case r >= x86asm.F0 && r <= x86asm.F7:
		return kST, uint8(r - x86asm.F0), 10
	}
	return kNone, 0, 0
}

// segNum is a segment register's number.
func segNumOf(r x86asm.Reg) uint8 { return uint8(r - x86asm.ES) }
