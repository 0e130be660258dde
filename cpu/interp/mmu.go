package interp

// The page walker: legacy 2-level 32-bit paging (4 KiB and, with CR4.PSE,
// 4 MiB pages with PSE-36 high address bits), PAE paging (a 4-entry PDPT
// from CR3, 4 KiB and 2 MiB pages) and 4-level long-mode paging (1 GiB
// pages too). It checks U/S, R/W (with CR0.WP for supervisor writes) and
// NX (with EFER.NXE), sets the accessed bit of every entry it uses and the
// dirty bit of the leaf on a write, and raises #PF with the architectural
// error code and CR2 when the access is not allowed.

// Page-table entry bits.
const (
	pteP   = 1 << 0
	pteRW  = 1 << 1
	pteUS  = 1 << 2
	pteA   = 1 << 5
	pteD   = 1 << 6
	ptePS  = 1 << 7
	pteG   = 1 << 8
	pteNX  = 1 << 63
	pteMax = 1<<40 - 1 // physical address bits (cpuid.PhysAddrBits)
	// pteAddr is the frame address field of a PAE/long-mode entry.
	pteAddr = pteMax &^ pageMask
	// pteRsvdHigh are bits 40-51, reserved with a 40-bit physical
	// address width.
	pteRsvdHigh = (1<<52 - 1) &^ pteMax
)

// Page-fault error code bits.
const (
	pfPresent = 1 << 0
	pfWrite   = 1 << 1
	pfUser    = 1 << 2
	pfRsvd    = 1 << 3
	pfFetch   = 1 << 4
)

// Control register bits the MMU and mode logic use.
const (
	cr0PE = 1 << 0
	cr0MP = 1 << 1
	cr0EM = 1 << 2
	cr0TS = 1 << 3
	cr0ET = 1 << 4
	cr0NE = 1 << 5
	cr0WP = 1 << 16
	cr0AM = 1 << 18
	cr0NW = 1 << 29
	cr0CD = 1 << 30
	cr0PG = 1 << 31

	cr4VME        = 1 << 0
	cr4PVI        = 1 << 1
	cr4TSD        = 1 << 2
	cr4DE         = 1 << 3
	cr4PSE        = 1 << 4
	cr4PAE        = 1 << 5
	cr4MCE        = 1 << 6
	cr4PGE        = 1 << 7
	cr4PCE        = 1 << 8
	cr4OSFXSR     = 1 << 9
	cr4OSXMMEXCPT = 1 << 10

	eferSCE = 1 << 0
	eferLME = 1 << 8
	eferLMA = 1 << 10
	eferNXE = 1 << 11
)

// cr4Valid are the CR4 bits this CPU lets software set; setting any other
// raises #GP.
const cr4Valid = cr4TSD | cr4PSE | cr4PAE | cr4PGE | cr4PCE | cr4OSFXSR | cr4OSXMMEXCPT

// canonical reports whether a 64-bit linear address is canonical (bits
// 63:47 all equal).
func canonical(lin uint64) bool {
	return uint64(int64(lin<<16)>>16) == lin
}

// translateData translates lin for a data access or fetch by the current
// privilege, filling the TLB, and faults if it is not allowed.
func (c *CPU) translateData(lin uint64, acc int) uint64 {
	user := c.cpl == 3
	e := &c.tlbs[b2i(user)][acc][(lin>>12)&tlbMask]
	if e.tag == lin>>12 {
		return e.ppn<<12 | lin&pageMask
	}
	if c.efer&eferLMA != 0 && !canonical(lin) {
		c.raise(vecGP, 0) // (#SS for stack accesses on hardware: a deviation)
	}
	if c.cr0&cr0PG == 0 {
		phys := lin & 0xffffffff
		if phys < c.ramSize && c.fillAllowed(phys, lin, acc) {
			c.tlbFill(user, acc, lin, phys, false, 12)
		}
		return phys
	}
	phys, global, shift := c.walk(lin, acc, user)
	if phys < c.ramSize && c.fillAllowed(phys, lin, acc) {
		c.tlbFill(user, acc, lin, phys, global, shift)
	}
	return phys
}

// fillAllowed says whether a translation may be cached: not for a write to
// a page holding code, nor for a watched page.
func (c *CPU) fillAllowed(phys, lin uint64, acc int) bool {
	if acc == accWrite && c.code.isCodePage(phys>>12) {
		return false
	}
	return acc == accFetch || !c.debug.watchesPage(lin)
}

// walk translates lin through the page tables.
func (c *CPU) walk(lin uint64, acc int, user bool) (phys uint64, global bool, shift uint8) {
	write := acc == accWrite
	fetch := acc == accFetch
	nxe := c.efer&eferNXE != 0
	// Accumulated permissions: every level must allow the access.
	allowW, allowU, noExec := true, true, false
	var errRsvd bool
	fail := func(present bool) {
		code := uint32(0)
		if present {
			code |= pfPresent
		}
		if write {
			code |= pfWrite
		}
		if user {
			code |= pfUser
		}
		if errRsvd {
			code |= pfRsvd | pfPresent
		}
		if fetch && nxe {
			code |= pfFetch
		}
		c.cr2 = lin
		c.raise(vecPF, code)
	}
	check := func() {
		if user && !allowU {
			fail(true)
		}
		if write && !allowW && (user || c.cr0&cr0WP != 0) {
			fail(true)
		}
		if fetch && noExec {
			fail(true)
		}
	}

	if c.cr4&cr4PAE == 0 {
		// 32-bit paging.
		pdeAddr := c.cr3&0xfffff000 | (lin>>20)&0xffc
		pde := uint64(c.phys32(pdeAddr))
		if pde&pteP == 0 {
			fail(false)
		}
		allowW, allowU = pde&pteRW != 0, pde&pteUS != 0
		if pde&ptePS != 0 && c.cr4&cr4PSE != 0 {
			check()
			c.setAD32(pdeAddr, pde, write)
			base := pde&0xffc00000 | (pde>>13&0xff)<<32
			return base | lin&0x3fffff, pde&pteG != 0 && c.cr4&cr4PGE != 0, 22
		}
		pteAddr := pde&0xfffff000 | (lin>>10)&0xffc
		pte := uint64(c.phys32(pteAddr))
		if pte&pteP == 0 {
			fail(false)
		}
		allowW = allowW && pte&pteRW != 0
		allowU = allowU && pte&pteUS != 0
		check()
		c.setAD32(pdeAddr, pde, false)
		c.setAD32(pteAddr, pte, write)
		return pte&0xfffff000 | lin&pageMask, pte&pteG != 0 && c.cr4&cr4PGE != 0, 12
	}

	// PAE or 4-level paging: 64-bit entries, 9 bits of index per level.
	rsvd := uint64(pteRsvdHigh)
	if !nxe {
		rsvd |= pteNX
	}
	var table uint64
	level := 4
	if c.efer&eferLMA == 0 {
		// PAE: the PDPT entry selected by bits 31:30.
		pdpteAddr := c.cr3&0xffffffe0 | (lin>>27)&0x18
		pdpte := c.phys64(pdpteAddr)
		if pdpte&pteP == 0 {
			fail(false)
		}
		if pdpte&(rsvd|0x1e6) != 0 {
			errRsvd = true
			fail(true)
		}
		table = pdpte & pteAddr
		level = 2
	} else {
		table = c.cr3 & pteAddr
	}
	var entries [4]uint64
	var addrs [4]uint64
	n := 0
	for ; level >= 1; level-- {
		shift = uint8(12 + 9*(level-1))
		addr := table | (lin>>shift&0x1ff)<<3
		e := c.phys64(addr)
		if e&pteP == 0 {
			fail(false)
		}
		r := rsvd
		if level == 4 {
			r |= ptePS
		}
		large := level > 1 && e&ptePS != 0
		if large {
			// The large page's frame must be aligned: bits 12 up to its
			// size (except PAT at bit 12) are reserved.
			r |= (uint64(1)<<shift - 1) &^ (pageMask | 1<<12)
		}
		if e&r != 0 {
			errRsvd = true
			fail(true)
		}
		allowW = allowW && e&pteRW != 0
		allowU = allowU && e&pteUS != 0
		noExec = noExec || (nxe && e&pteNX != 0)
		entries[n], addrs[n] = e, addr
		n++
		if large || level == 1 {
			check()
			for i := 0; i < n; i++ {
				c.setAD64(addrs[i], entries[i], write && i == n-1)
			}
			frame := e & pteAddr &^ (uint64(1)<<shift - 1)
			return frame | lin&(uint64(1)<<shift-1), e&pteG != 0 && c.cr4&cr4PGE != 0, shift
		}
		table = e & pteAddr
	}
	panic("unreachable")
}

// setAD32 and setAD64 set an entry's accessed bit, and its dirty bit for a
// write to the page it maps, writing the entry back only if it changes.
func (c *CPU) setAD32(addr, e uint64, dirty bool) {
	n := e | pteA
	if dirty {
		n |= pteD
	}
	if n != e {
		c.setPhys32(addr, uint32(n))
	}
}

func (c *CPU) setAD64(addr, e uint64, dirty bool) {
	n := e | pteA
	if dirty {
		n |= pteD
	}
	if n != e {
		c.setPhys64(addr, n)
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// pagingMode names the paging the CPU does, for dumps and tests.
func (c *CPU) pagingMode() string {
	switch {
	case c.cr0&cr0PG == 0:
		return "off"
	case c.cr4&cr4PAE == 0:
		return "32-bit"
	case c.efer&eferLMA == 0:
		return "PAE"
	default:
		return "4-level"
	}
}
