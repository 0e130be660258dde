package interp

// Segmentation: the descriptor caches, loading them from the GDT or LDT
// with the checks a kernel relies on, and the derived state (code size,
// linear-address bases) that the hot paths read.
//
// Deviation: segment limits are kept but not checked on data accesses
// (flat-memory kernels never rely on them), and the expand-down and
// read-only distinctions are not enforced on access.

// segment is a segment register with its hidden descriptor cache.
type segment struct {
	sel      uint16
	base     uint64
	limit    uint32 // in bytes (G already applied)
	typ      uint8  // descriptor type field
	s        bool   // code or data (not system)
	dpl      uint8
	present  bool
	db       bool
	l        bool
	g        bool
	avl      bool
	unusable bool
}

// parseDescriptor decodes an 8-byte segment descriptor (and, for a
// system descriptor in long mode, the high half of a 16-byte one).
func parseDescriptor(sel uint16, lo, hi uint64) segment {
	s := segment{
		sel:     sel,
		base:    (lo>>16)&0xffffff | (lo>>56)<<24,
		limit:   uint32(lo&0xffff | (lo>>32)&0xf0000),
		typ:     uint8(lo>>40) & 0xf,
		s:       lo>>44&1 != 0,
		dpl:     uint8(lo>>45) & 3,
		present: lo>>47&1 != 0,
		avl:     lo>>52&1 != 0,
		l:       lo>>53&1 != 0,
		db:      lo>>54&1 != 0,
		g:       lo>>55&1 != 0,
	}
	if s.g {
		s.limit = s.limit<<12 | 0xfff
	}
	if !s.s {
		s.base |= (hi & 0xffffffff) << 32
	}
	return s
}

// descriptorAddr returns the linear address of sel's descriptor, or false
// when it lies outside the GDT or LDT.
func (c *CPU) descriptorAddr(sel uint16) (uint64, bool) {
	base, limit := c.gdtr.Base, uint64(c.gdtr.Limit)
	if sel&4 != 0 {
		ldt := &c.seg[segLDTR]
		if ldt.unusable || ldt.sel&^3 == 0 {
			return 0, false
		}
		base, limit = ldt.base, uint64(ldt.limit)
	}
	idx := uint64(sel &^ 7)
	if idx+7 > limit {
		return 0, false
	}
	return base + idx, true
}

// fetchDescriptor reads sel's descriptor (16 bytes for system descriptors
// in long mode) without loading it.
func (c *CPU) fetchDescriptor(sel uint16) (segment, bool) {
	addr, ok := c.descriptorAddr(sel)
	if !ok {
		return segment{}, false
	}
	lo := c.sysRead(addr, 8)
	var hi uint64
	if lo>>44&1 == 0 && c.efer&eferLMA != 0 {
		if _, ok2 := c.descriptorAddr(sel + 8); !ok2 {
			return segment{}, false
		}
		hi = c.sysRead(addr+8, 8)
	}
	return parseDescriptor(sel, lo, hi), true
}

// markAccessed sets the accessed bit of sel's code or data descriptor.
func (c *CPU) markAccessed(s *segment) {
	if s.typ&1 != 0 {
		return
	}
	s.typ |= 1
	if addr, ok := c.descriptorAddr(s.sel); ok {
		b := c.sysRead(addr+5, 1)
		c.sysWrite(addr+5, 1, b|1)
	}
}

// loadRealSeg loads a segment register the real-mode way: base =
// selector * 16, attributes unchanged.
func (c *CPU) loadRealSeg(n int, sel uint16) {
	s := &c.seg[n]
	s.sel = sel
	s.base = uint64(sel) << 4
	s.unusable = false
	if n == segCS {
		c.code.flushJumpCache()
	}
}

// loadDataSeg loads DS, ES, FS or GS (MOV, POP, LDS ...) with the
// protected-mode checks. A null selector makes the register unusable; on
// this (AMD-like) processor a null load leaves the hidden base, which
// matters for FS and GS in 64-bit mode.
func (c *CPU) loadDataSeg(n int, sel uint16) {
	if c.cr0&cr0PE == 0 || c.rflags&flagVM != 0 {
		c.loadRealSeg(n, sel)
		c.modeChanged()
		return
	}
	if sel&^3 == 0 {
		s := &c.seg[n]
		s.sel = sel
		s.unusable = true
		s.present = false
		c.modeChanged()
		return
	}
	s, ok := c.fetchDescriptor(sel)
	if !ok {
		c.raise(vecGP, uint32(sel&^3))
	}
	rpl := uint8(sel & 3)
	code := s.typ&8 != 0
	if !s.s || (code && s.typ&2 == 0) {
		c.raise(vecGP, uint32(sel&^3)) // system segment, or execute-only code
	}
	conforming := code && s.typ&4 != 0
	if !conforming && (rpl > s.dpl || c.cpl > s.dpl) {
		c.raise(vecGP, uint32(sel&^3))
	}
	if !s.present {
		c.raise(vecNP, uint32(sel&^3))
	}
	c.markAccessed(&s)
	c.seg[n] = s
	c.modeChanged()
}

// loadSS loads the stack segment (MOV SS, POP SS, LSS).
func (c *CPU) loadSS(sel uint16) {
	if c.cr0&cr0PE == 0 || c.rflags&flagVM != 0 {
		c.loadRealSeg(segSS, sel)
		c.modeChanged()
		return
	}
	if sel&^3 == 0 {
		if c.mode == 64 && c.cpl < 3 && uint8(sel&3) == c.cpl {
			c.seg[segSS] = segment{sel: sel, unusable: true, dpl: c.cpl}
			c.modeChanged()
			return
		}
		c.raise(vecGP, 0)
	}
	c.seg[segSS] = c.stackSegmentFor(sel, c.cpl, vecGP)
	c.modeChanged()
}

// stackSegmentFor loads and checks a stack segment for privilege cpl;
// failures raise vector (#GP for loads, #TS during a stack switch).
func (c *CPU) stackSegmentFor(sel uint16, cpl uint8, vector uint8) segment {
	if sel&^3 == 0 {
		c.raise(vector, 0)
	}
	s, ok := c.fetchDescriptor(sel)
	if !ok || uint8(sel&3) != cpl || !s.s || s.typ&8 != 0 || s.typ&2 == 0 || s.dpl != cpl {
		c.raise(vector, uint32(sel&^3))
	}
	if !s.present {
		c.raise(vecSS, uint32(sel&^3))
	}
	c.markAccessed(&s)
	return s
}

// codeSegmentFor loads and checks the target of a far JMP or CALL, or of
// a far RET/IRET (ret: the selector's RPL becomes the CPL and may be
// outer).
func (c *CPU) codeSegmentFor(sel uint16, ret bool) segment {
	if sel&^3 == 0 {
		c.raise(vecGP, 0)
	}
	s, ok := c.fetchDescriptor(sel)
	if !ok {
		c.raise(vecGP, uint32(sel&^3))
	}
	rpl := uint8(sel & 3)
	if !s.s {
		c.logf("interp: far transfer through system descriptor %#x (type %d): call gates and task switches are not emulated", sel, s.typ)
		c.raise(vecGP, uint32(sel&^3))
	}
	if s.typ&8 == 0 {
		c.raise(vecGP, uint32(sel&^3))
	}
	conforming := s.typ&4 != 0
	switch {
	case ret && rpl < c.cpl:
		c.raise(vecGP, uint32(sel&^3))
	case ret && conforming && s.dpl > rpl:
		c.raise(vecGP, uint32(sel&^3))
	case ret && !conforming && s.dpl != rpl:
		c.raise(vecGP, uint32(sel&^3))
	case !ret && conforming && s.dpl > c.cpl:
		c.raise(vecGP, uint32(sel&^3))
	case !ret && !conforming && (rpl > c.cpl || s.dpl != c.cpl):
		c.raise(vecGP, uint32(sel&^3))
	}
	if c.efer&eferLMA != 0 && s.l && s.db {
		c.raise(vecGP, uint32(sel&^3))
	}
	if !s.present {
		c.raise(vecNP, uint32(sel&^3))
	}
	c.markAccessed(&s)
	return s
}

// setCS installs a checked code segment at privilege cpl.
func (c *CPU) setCS(s segment, cpl uint8) {
	s.sel = s.sel&^3 | uint16(cpl)
	if c.seg[segCS].base != s.base {
		c.code.flushJumpCache()
	}
	c.seg[segCS] = s
	c.cpl = cpl
	c.modeChanged()
}

// nullOuterDataSegs is what a return to an outer privilege level does to
// DS, ES, FS and GS: a segment the new CPL may not use becomes null.
func (c *CPU) nullOuterDataSegs() {
	for _, n := range []int{segES, segDS, segFS, segGS} {
		s := &c.seg[n]
		if s.unusable {
			continue
		}
		conformingCode := s.typ&8 != 0 && s.typ&4 != 0
		if !conformingCode && s.dpl < c.cpl {
			s.sel = 0
			s.unusable = true
		}
	}
	c.modeChanged()
}

// modeChanged recomputes what derives from CR0, EFER, CS and the segment
// registers: the code size, the segment bases the address path adds, the
// linear-address width, and the privilege class of the hot TLBs.
func (c *CPU) modeChanged() {
	long := c.efer&eferLMA != 0
	switch {
	case c.cr0&cr0PE == 0:
		c.mode = 16
		c.cpl = 0
	case long && c.seg[segCS].l:
		c.mode = 64
	case c.seg[segCS].db:
		c.mode = 32
	default:
		c.mode = 16
	}
	if long {
		c.linMask = ^uint64(0)
	} else {
		c.linMask = 0xffffffff
	}
	for i := segES; i <= segGS; i++ {
		if c.mode == 64 && i < segFS {
			c.segBase[i] = 0
		} else {
			c.segBase[i] = c.seg[i].base
		}
	}
	c.selectTLBs()
	c.computeCodeKey()
}
