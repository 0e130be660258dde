package interp

import "unsafe"

// The software TLB: direct-mapped, one table per access kind (read, write,
// fetch) and privilege class (supervisor, user), indexed by the low bits of
// the linear page number. An entry holds the host address of the guest page
// it maps, so a hit costs a compare and a load. An entry is only made after
// the page walk allowed that kind of access at that privilege, so a hit
// needs no permission check:
//
//   - write entries are made only after a write set the page's dirty bit,
//     and never for a page holding decoded code (writes there take the slow
//     path, which invalidates the code) or a watched page;
//   - nothing is cached for addresses outside RAM (open bus).
//
// Entries mapping global pages (PTE.G with CR4.PGE) survive CR3 writes.
// Every TLB flush also empties the jump cache, whose entries were found
// through these translations.

const (
	pageSize  = 4096
	pageMask  = pageSize - 1
	tlbBits   = 9
	tlbSize   = 1 << tlbBits
	tlbMask   = tlbSize - 1
	tlbNoPage = ^uint64(0) // a tag no linear page number can have

	accRead  = 0
	accWrite = 1
	accFetch = 2
)

type tlbEntry struct {
	tag    uint64         // linear page number, or tlbNoPage
	host   unsafe.Pointer // host address of the guest page
	ppn    uint64         // guest physical page number
	global bool
	shift  uint8 // log2 of the guest page size that mapped it: 12, 21 or 30
}

type tlb [tlbSize]tlbEntry

// tlbState says what the TLBs might hold, so flushes can be cheap.
type tlbState struct {
	hasGlobal bool // some entry is global
	hasLarge  bool // some entry came from a 2 MiB, 4 MiB or 1 GiB page
}

// selectTLBs points the hot read and write TLBs at the current privilege
// class.
func (c *CPU) selectTLBs() {
	u := 0
	if c.cpl == 3 {
		u = 1
	}
	c.tlbR = &c.tlbs[u][accRead]
	c.tlbW = &c.tlbs[u][accWrite]
}

// tlbFill enters a translation.
func (c *CPU) tlbFill(user bool, acc int, lin, phys uint64, global bool, shift uint8) {
	u := 0
	if user {
		u = 1
	}
	e := &c.tlbs[u][acc][(lin>>12)&tlbMask]
	e.tag = lin >> 12
	e.host = unsafe.Add(c.ramBase, phys&^pageMask)
	e.ppn = phys >> 12
	e.global = global
	e.shift = shift
	if global {
		c.tlbInfo.hasGlobal = true
	}
	if shift > 12 {
		c.tlbInfo.hasLarge = true
	}
}

// flushTLB drops every entry, or every non-global one.
func (c *CPU) flushTLB(keepGlobal bool) {
	keepGlobal = keepGlobal && c.tlbInfo.hasGlobal
	for u := range c.tlbs {
		for a := range c.tlbs[u] {
			t := &c.tlbs[u][a]
			for i := range t {
				if !keepGlobal || !t[i].global {
					t[i].tag = tlbNoPage
				}
			}
		}
	}
	if !keepGlobal {
		c.tlbInfo = tlbState{}
	}
	c.code.flushJumpCache()
}

// flushTLBPage drops the translations of the page holding lin (INVLPG),
// global ones included. An entry made from a large page is dropped when
// lin falls anywhere in that large page.
func (c *CPU) flushTLBPage(lin uint64) {
	vpn := lin >> 12
	for u := range c.tlbs {
		for a := range c.tlbs[u] {
			t := &c.tlbs[u][a]
			if !c.tlbInfo.hasLarge {
				if e := &t[vpn&tlbMask]; e.tag == vpn {
					e.tag = tlbNoPage
				}
				continue
			}
			for i := range t {
				e := &t[i]
				if e.tag != tlbNoPage && e.tag>>(e.shift-12) == lin>>e.shift {
					e.tag = tlbNoPage
				}
			}
		}
	}
	c.code.flushJumpCache()
}

// flushTLBWritesTo drops the write entries that map physical page ppn: the
// page now holds decoded code, and writes to it must take the slow path.
func (c *CPU) flushTLBWritesTo(ppn uint64) {
	for u := range c.tlbs {
		t := &c.tlbs[u][accWrite]
		for i := range t {
			if t[i].ppn == ppn {
				t[i].tag = tlbNoPage
			}
		}
	}
}
