package interp

// The decoded-code cache. Guest code is decoded once into blocks: runs of
// instructions that start at one RIP and end at a control transfer, an
// instruction that changes how later ones execute (mode, paging, interrupt
// flag), a page boundary or a length limit. A block is found
//
//   - first in the jump cache, a direct-mapped table keyed by RIP that
//     remembers the last block run at each address in the current address
//     space (emptied whenever the TLB is flushed, since a block found there
//     skips the fetch translation);
//   - then in the table of all blocks, keyed by the physical address of
//     its first byte, its RIP and the decoding mode.
//
// Self-modifying code: for every RAM page from which code was decoded,
// codeLines has a bit per 64-byte line holding decoded bytes, and the write
// TLB never maps such a page. Every store to it takes the slow path; one
// that touches a line with code drops the page's blocks (and stops the
// current block if it was one of them) before the bytes change. Data next
// to code in the same page costs a slow store, not a re-decode.

const (
	jcBits      = 12
	jcSize      = 1 << jcBits
	maxBlockLen = 64 // instructions per block
)

// blockKey identifies a decoded block.
type blockKey struct {
	phys uint64 // physical address of the first byte
	rip  uint64
	mode uint32 // codeKey at decode time
}

// block is a run of decoded instructions.
type block struct {
	key   blockKey
	pages [2]uint64
	valid bool
	bytes uint64 // length of the block's code in bytes
	insns []insn
}

type codeCache struct {
	jc        [jcSize]*block
	blocks    map[blockKey]*block
	pages     map[uint64][]*block // physical page number -> blocks with bytes there
	codeLines []uint64            // per RAM page: 64-byte lines holding decoded code
	current   *block              // the block executing
	decoded   uint64              // blocks decoded so far (statistics)
}

func (cc *codeCache) init(ramBytes int) {
	cc.blocks = make(map[blockKey]*block)
	cc.pages = make(map[uint64][]*block)
	cc.codeLines = make([]uint64, ramBytes/pageSize)
}

func jcIndex(rip uint64) uint64 { return (rip ^ rip>>jcBits) & (jcSize - 1) }

func (cc *codeCache) flushJumpCache() { cc.jc = [jcSize]*block{} }

func (cc *codeCache) flushAll() {
	for _, b := range cc.blocks {
		b.valid = false
	}
	cc.blocks = make(map[blockKey]*block)
	cc.pages = make(map[uint64][]*block)
	clear(cc.codeLines)
	cc.flushJumpCache()
}

func (cc *codeCache) isCodePage(ppn uint64) bool {
	return ppn < uint64(len(cc.codeLines)) && cc.codeLines[ppn] != 0
}

// lineBits is the mask of the 64-byte lines [off, off+n) touches within a
// page (off < 4096, n > 0).
func lineBits(off, n uint64) uint64 {
	first, last := off>>6, min(off+n-1, pageSize-1)>>6
	return (^uint64(0) >> (63 - last)) &^ (uint64(1)<<first - 1)
}

// codeKey is the part of the CPU state that changes how bytes decode or
// whether a cached block may run: the code size and the privilege class
// (a user-mode fetch needs a user page).
func (c *CPU) codeKey() uint32 { return c.key }

// computeCodeKey recomputes codeKey's value after a mode or CPL change.
func (c *CPU) computeCodeKey() {
	k := uint32(c.mode)
	if c.cpl == 3 {
		k |= 1 << 8
	}
	c.key = k
}

// lookupBlock returns the block at the current RIP, decoding it if needed.
// It may fault (#PF or #GP on the fetch).
func (c *CPU) lookupBlock() *block {
	rip := c.rip
	i := jcIndex(rip)
	key := c.codeKey()
	if b := c.code.jc[i]; b != nil && b.key.rip == rip && b.key.mode == key && b.valid {
		return b
	}
	lin := (c.seg[segCS].base + rip) & c.linMask
	phys := c.translateData(lin, accFetch)
	k := blockKey{phys: phys, rip: rip, mode: key}
	b := c.code.blocks[k]
	if b == nil || !b.valid || (b.pages[1] != tlbNoPage && c.translateData((lin|pageMask)+1, accFetch)>>12 != b.pages[1]) {
		b = c.decodeBlock(rip, lin, phys)
		if b.pages[0] == tlbNoPage {
			return b // outside RAM: not cached
		}
		c.code.add(c, b)
	}
	c.code.jc[i] = b
	return b
}

// add registers a freshly decoded block.
func (cc *codeCache) add(c *CPU, b *block) {
	if old := cc.blocks[b.key]; old != nil {
		old.valid = false
	}
	cc.blocks[b.key] = b
	cc.decoded++
	for i, ppn := range b.pages {
		if ppn == tlbNoPage {
			continue
		}
		list := cc.pages[ppn]
		if len(list) >= 64 && len(list)&(len(list)-1) == 0 {
			// Drop blocks replaced without a write to the page (a
			// re-decode after a second page was remapped), so the list
			// stays as long as the page's live blocks.
			live := list[:0]
			for _, o := range list {
				if o.valid {
					live = append(live, o)
				}
			}
			clear(list[len(live):])
			list = live
		}
		cc.pages[ppn] = append(list, b)
		// The block's bytes: from its start to the page end (first page),
		// from the page start to its end (second page).
		start := b.key.phys & pageMask
		n := b.bytes
		if i == 1 {
			n = b.bytes - (pageSize - start)
			start = 0
		} else {
			n = min(n, pageSize-start)
		}
		if cc.codeLines[ppn] == 0 {
			c.flushTLBWritesTo(ppn)
		}
		cc.codeLines[ppn] |= lineBits(start, n)
	}
}

// noteCodeWrite is called before n bytes of guest memory at phys change
// (within one page): if they overlap decoded code, the page's blocks are
// dropped.
func (c *CPU) noteCodeWrite(phys, n uint64) {
	ppn := phys >> 12
	if !c.code.isCodePage(ppn) || c.code.codeLines[ppn]&lineBits(phys&pageMask, max(n, 1)) == 0 {
		return
	}
	cc := &c.code
	for _, b := range cc.pages[ppn] {
		if !b.valid {
			continue
		}
		b.valid = false
		if cc.blocks[b.key] == b {
			delete(cc.blocks, b.key)
		}
		if b == cc.current {
			c.stop = true // finish this instruction, then decode afresh
		}
	}
	delete(cc.pages, ppn)
	cc.codeLines[ppn] = 0
}

// InvalidateCode drops decoded code for a physical range the host changed
// behind the CPU's back (a loader writing a new image into RAM that ran).
func (c *CPU) InvalidateCode(phys, n uint64) {
	for p := phys &^ pageMask; p < phys+n; p += pageSize {
		if c.code.isCodePage(p >> 12) {
			c.code.codeLines[p>>12] = ^uint64(0)
			c.noteCodeWrite(p, pageSize)
		}
	}
}
