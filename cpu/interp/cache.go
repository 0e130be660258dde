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
// Self-modifying code: a RAM page from which code was decoded is marked in
// codePage, and the write TLB never maps such a page, so every store to it
// takes the slow path, which drops the page's blocks (and stops the
// current block if it was one of them) before the byte changes.

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
	end   uint64 // RIP after the last instruction
	pages [2]uint64
	valid bool
	// fallsThrough: the last instruction does not set RIP itself, so the
	// block continues at end.
	fallsThrough bool
	insns        []insn
}

type codeCache struct {
	jc       [jcSize]*block
	blocks   map[blockKey]*block
	pages    map[uint64][]*block // physical page number -> blocks with bytes there
	codePage []bool              // per RAM page: holds decoded code
	current  *block              // the block executing
	decoded  uint64              // blocks decoded so far (statistics)
}

func (cc *codeCache) init(ramBytes int) {
	cc.blocks = make(map[blockKey]*block)
	cc.pages = make(map[uint64][]*block)
	cc.codePage = make([]bool, ramBytes/pageSize)
}

func jcIndex(rip uint64) uint64 { return (rip ^ rip>>jcBits) & (jcSize - 1) }

func (cc *codeCache) flushJumpCache() { cc.jc = [jcSize]*block{} }

func (cc *codeCache) flushAll() {
	for _, b := range cc.blocks {
		b.valid = false
	}
	cc.blocks = make(map[blockKey]*block)
	cc.pages = make(map[uint64][]*block)
	clear(cc.codePage)
	cc.flushJumpCache()
}

func (cc *codeCache) isCodePage(ppn uint64) bool {
	return ppn < uint64(len(cc.codePage)) && cc.codePage[ppn]
}

// codeKey is the part of the CPU state that changes how bytes decode or
// whether a cached block may run: the code size and the privilege class
// (a user-mode fetch needs a user page).
func (c *CPU) codeKey() uint32 {
	k := uint32(c.mode)
	if c.cpl == 3 {
		k |= 1 << 8
	}
	return k
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
	for _, ppn := range b.pages {
		if ppn == tlbNoPage {
			continue
		}
		cc.pages[ppn] = append(cc.pages[ppn], b)
		if !cc.codePage[ppn] {
			cc.codePage[ppn] = true
			c.flushTLBWritesTo(ppn)
		}
	}
}

// noteCodeWrite is called before guest memory at phys changes: if the page
// holds decoded code, its blocks are dropped.
func (c *CPU) noteCodeWrite(phys uint64) {
	ppn := phys >> 12
	if !c.code.isCodePage(ppn) {
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
	cc.codePage[ppn] = false
}

// InvalidateCode drops decoded code for a physical range the host changed
// behind the CPU's back (a loader writing a new image into RAM that ran).
func (c *CPU) InvalidateCode(phys, n uint64) {
	for p := phys &^ pageMask; p < phys+n; p += pageSize {
		c.noteCodeWrite(p)
	}
}
