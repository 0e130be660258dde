package interp

import (
	"encoding/binary"
	"unsafe"
)

// Guest memory access by linear address. The fast paths hit the software
// TLB and read or write the host page directly (x86 is little-endian like
// the host, and unaligned accesses are fine on both); everything else goes
// through accessSlow: TLB misses, accesses that cross a page, addresses
// outside RAM, watched pages and writes to pages holding decoded code.

func (c *CPU) read8(lin uint64) uint8 {
	e := &c.tlbR[(lin>>12)&tlbMask]
	if e.tag == lin>>12 {
		return *(*uint8)(unsafe.Add(e.host, lin&pageMask))
	}
	return uint8(c.readSlow(lin, 1))
}

func (c *CPU) read16(lin uint64) uint16 {
	e := &c.tlbR[(lin>>12)&tlbMask]
	if e.tag == lin>>12 && lin&pageMask <= pageSize-2 {
		return *(*uint16)(unsafe.Add(e.host, lin&pageMask))
	}
	return uint16(c.readSlow(lin, 2))
}

func (c *CPU) read32(lin uint64) uint32 {
	e := &c.tlbR[(lin>>12)&tlbMask]
	if e.tag == lin>>12 && lin&pageMask <= pageSize-4 {
		return *(*uint32)(unsafe.Add(e.host, lin&pageMask))
	}
	return uint32(c.readSlow(lin, 4))
}

func (c *CPU) read64(lin uint64) uint64 {
	e := &c.tlbR[(lin>>12)&tlbMask]
	if e.tag == lin>>12 && lin&pageMask <= pageSize-8 {
		return *(*uint64)(unsafe.Add(e.host, lin&pageMask))
	}
	return c.readSlow(lin, 8)
}

// readN reads a 1-, 2-, 4- or 8-byte value.
func (c *CPU) readN(lin uint64, size uint8) uint64 {
	switch size {
	case 8:
		return c.read64(lin)
	case 4:
		return uint64(c.read32(lin))
	case 2:
		return uint64(c.read16(lin))
	}
	return uint64(c.read8(lin))
}

func (c *CPU) write8(lin uint64, v uint8) {
	e := &c.tlbW[(lin>>12)&tlbMask]
	if e.tag == lin>>12 {
		*(*uint8)(unsafe.Add(e.host, lin&pageMask)) = v
		return
	}
	c.writeSlow(lin, 1, uint64(v))
}

func (c *CPU) write16(lin uint64, v uint16) {
	e := &c.tlbW[(lin>>12)&tlbMask]
	if e.tag == lin>>12 && lin&pageMask <= pageSize-2 {
		*(*uint16)(unsafe.Add(e.host, lin&pageMask)) = v
		return
	}
	c.writeSlow(lin, 2, uint64(v))
}

func (c *CPU) write32(lin uint64, v uint32) {
	e := &c.tlbW[(lin>>12)&tlbMask]
	if e.tag == lin>>12 && lin&pageMask <= pageSize-4 {
		*(*uint32)(unsafe.Add(e.host, lin&pageMask)) = v
		return
	}
	c.writeSlow(lin, 4, uint64(v))
}

func (c *CPU) write64(lin uint64, v uint64) {
	e := &c.tlbW[(lin>>12)&tlbMask]
	if e.tag == lin>>12 && lin&pageMask <= pageSize-8 {
		*(*uint64)(unsafe.Add(e.host, lin&pageMask)) = v
		return
	}
	c.writeSlow(lin, 8, v)
}

// writeN writes a 1-, 2-, 4- or 8-byte value.
func (c *CPU) writeN(lin uint64, size uint8, v uint64) {
	switch size {
	case 8:
		c.write64(lin, v)
	case 4:
		c.write32(lin, uint32(v))
	case 2:
		c.write16(lin, uint16(v))
	default:
		c.write8(lin, uint8(v))
	}
}

// rmwPtr returns a host pointer through which an instruction can read and
// then write size bytes at lin (a read-modify-write: ADD to memory, XCHG,
// CMPXCHG ...), after the write's permission checks, or nil when the
// access must go through readN/writeN (it crosses a page or leaves RAM).
// Translating for the write first makes the instruction fault before it
// changes anything.
func (c *CPU) rmwPtr(lin uint64, size uint8) unsafe.Pointer {
	e := &c.tlbW[(lin>>12)&tlbMask]
	if e.tag == lin>>12 && lin&pageMask <= pageSize-uint64(size) {
		return unsafe.Add(e.host, lin&pageMask)
	}
	return c.rmwSlow(lin, size)
}

func (c *CPU) rmwSlow(lin uint64, size uint8) unsafe.Pointer {
	if lin&pageMask > pageSize-uint64(size) {
		// Check both pages for writing before anything happens.
		c.translateData(lin, accWrite)
		c.translateData((lin|pageMask)+1, accWrite)
		return nil
	}
	phys := c.translateData(lin, accWrite)
	c.watchAccess(lin, int(size), accWrite)
	if phys+uint64(size) > c.ramSize {
		return nil
	}
	c.noteCodeWrite(phys, uint64(size))
	return unsafe.Add(c.ramBase, phys)
}

func ldN(p unsafe.Pointer, size uint8) uint64 {
	switch size {
	case 8:
		return *(*uint64)(p)
	case 4:
		return uint64(*(*uint32)(p))
	case 2:
		return uint64(*(*uint16)(p))
	}
	return uint64(*(*uint8)(p))
}

func stN(p unsafe.Pointer, size uint8, v uint64) {
	switch size {
	case 8:
		*(*uint64)(p) = v
	case 4:
		*(*uint32)(p) = uint32(v)
	case 2:
		*(*uint16)(p) = uint16(v)
	default:
		*(*uint8)(p) = uint8(v)
	}
}

// readSlow reads size bytes (at most 8) at lin the long way.
func (c *CPU) readSlow(lin uint64, size int) uint64 {
	if lin&pageMask > uint64(pageSize-size) {
		// Crosses a page: translate both halves (faulting in address
		// order), then assemble the bytes.
		split := int(pageSize - lin&pageMask)
		p1 := c.translateData(lin, accRead)
		p2 := c.translateData(lin+uint64(split), accRead)
		c.watchAccess(lin, size, accRead)
		var b [8]byte
		c.physRead(p1, b[:split])
		c.physRead(p2, b[split:size])
		return binary.LittleEndian.Uint64(b[:])
	}
	phys := c.translateData(lin, accRead)
	c.watchAccess(lin, size, accRead)
	var b [8]byte
	c.physRead(phys, b[:size])
	return binary.LittleEndian.Uint64(b[:])
}

// writeSlow writes the low size bytes (at most 8) of v at lin the long way.
func (c *CPU) writeSlow(lin uint64, size int, v uint64) {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], v)
	if lin&pageMask > uint64(pageSize-size) {
		split := int(pageSize - lin&pageMask)
		p1 := c.translateData(lin, accWrite)
		p2 := c.translateData(lin+uint64(split), accWrite)
		c.watchAccess(lin, size, accWrite)
		c.physWrite(p1, b[:split])
		c.physWrite(p2, b[split:size])
		return
	}
	phys := c.translateData(lin, accWrite)
	c.watchAccess(lin, size, accWrite)
	c.physWrite(phys, b[:size])
}

// readBytes and writeBytes move a buffer that may be larger than 8 bytes
// (FXSAVE images, descriptor tables, XMM operands): every page is checked
// before any byte moves.
func (c *CPU) readBytes(lin uint64, buf []byte) {
	c.checkRange(lin, len(buf), accRead)
	for i := 0; i < len(buf); {
		phys := c.translateData(lin+uint64(i), accRead)
		n := min(len(buf)-i, int(pageSize-(lin+uint64(i))&pageMask))
		c.physRead(phys, buf[i:i+n])
		i += n
	}
	c.watchAccess(lin, len(buf), accRead)
}

func (c *CPU) writeBytes(lin uint64, buf []byte) {
	c.checkRange(lin, len(buf), accWrite)
	for i := 0; i < len(buf); {
		phys := c.translateData(lin+uint64(i), accWrite)
		n := min(len(buf)-i, int(pageSize-(lin+uint64(i))&pageMask))
		c.physWrite(phys, buf[i:i+n])
		i += n
	}
	c.watchAccess(lin, len(buf), accWrite)
}

// checkRange translates every page of [lin, lin+n) for acc, so a fault on
// a later page comes before any byte is written.
func (c *CPU) checkRange(lin uint64, n int, acc int) {
	for p := lin &^ pageMask; p < lin+uint64(n); p += pageSize {
		c.translateData(max(p, lin), acc)
	}
}

// physRead reads guest physical memory. Outside RAM is an open bus: every
// byte reads as 0xff.
func (c *CPU) physRead(phys uint64, b []byte) {
	if phys < c.ramSize && phys+uint64(len(b)) <= c.ramSize {
		copy(b, c.ram[phys:])
		return
	}
	for i := range b {
		if p := phys + uint64(i); p < c.ramSize {
			b[i] = c.ram[p]
		} else {
			b[i] = 0xff
			c.openBus++
		}
	}
}

// physWrite writes guest physical memory (b lies within one page); writes
// outside RAM are dropped.
func (c *CPU) physWrite(phys uint64, b []byte) {
	if phys+uint64(len(b)) <= c.ramSize {
		c.noteCodeWrite(phys, uint64(len(b)))
		copy(c.ram[phys:], b)
		return
	}
	for i := range b {
		if p := phys + uint64(i); p < c.ramSize {
			c.noteCodeWrite(p, 1)
			c.ram[p] = b[i]
		} else {
			c.openBus++
		}
	}
}

// phys64 and setPhys64 access page-table entries (guest physical, RAM
// only: an entry outside RAM reads as all ones, which is "present" with
// reserved bits set, so the walk faults).
func (c *CPU) phys64(phys uint64) uint64 {
	if phys+8 > c.ramSize {
		return ^uint64(0)
	}
	return binary.LittleEndian.Uint64(c.ram[phys:])
}

func (c *CPU) phys32(phys uint64) uint32 {
	if phys+4 > c.ramSize {
		return ^uint32(0)
	}
	return binary.LittleEndian.Uint32(c.ram[phys:])
}

func (c *CPU) setPhys64(phys, v uint64) {
	if phys+8 <= c.ramSize {
		c.noteCodeWrite(phys, 8)
		binary.LittleEndian.PutUint64(c.ram[phys:], v)
	}
}

func (c *CPU) setPhys32(phys uint64, v uint32) {
	if phys+4 <= c.ramSize {
		c.noteCodeWrite(phys, 4)
		binary.LittleEndian.PutUint32(c.ram[phys:], v)
	}
}

// System-structure accesses (descriptor tables, the TSS, the interrupt
// stack frame of a privilege change) are made with supervisor privilege
// whatever the CPL.

func (c *CPU) sysRead(lin uint64, size int) uint64 {
	saved := c.cpl
	c.cpl = 0
	defer func() { c.cpl = saved }()
	var b [8]byte
	for i := 0; i < size; {
		phys := c.translateData(lin+uint64(i), accRead)
		n := min(size-i, int(pageSize-(lin+uint64(i))&pageMask))
		c.physRead(phys, b[i:i+n])
		i += n
	}
	return binary.LittleEndian.Uint64(b[:])
}

func (c *CPU) sysWrite(lin uint64, size int, v uint64) {
	saved := c.cpl
	c.cpl = 0
	defer func() { c.cpl = saved }()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], v)
	c.checkRange(lin, size, accWrite)
	for i := 0; i < size; {
		phys := c.translateData(lin+uint64(i), accWrite)
		n := min(size-i, int(pageSize-(lin+uint64(i))&pageMask))
		c.physWrite(phys, b[i:i+n])
		i += n
	}
}

// span returns the host bytes of [lin, lin+n), which must lie in one page,
// after the checks for acc (and, for a write, dropping decoded code
// there), or nil when the range is not in RAM.
func (c *CPU) span(lin uint64, n int, acc int) []byte {
	phys := c.translateData(lin, acc)
	c.watchAccess(lin, n, acc)
	if phys+uint64(n) > c.ramSize {
		return nil
	}
	if acc == accWrite {
		c.noteCodeWrite(phys, uint64(n))
	}
	return c.ram[phys : phys+uint64(n)]
}

// uintptrOf is the host address of a byte slice's first element.
func uintptrOf(b []byte) uintptr { return uintptr(unsafe.Pointer(&b[0])) }
