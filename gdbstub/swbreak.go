package gdbstub

import (
	"fmt"
	"slices"
)

// int3 is the one-byte breakpoint instruction.
const int3 = 0xcc

// MemoryAccess reads and writes guest memory; a Target is one.
type MemoryAccess interface {
	ReadMemory(space Space, addr uint64, buf []byte) (int, error)
	WriteMemory(space Space, addr uint64, data []byte) (int, error)
}

// PatchedBreakpoints are software breakpoints written into guest code as
// INT3, for a backend that reports INT3 to the host
// (cpu.DebugConfig.TrapBreakpointInstruction). It remembers the bytes it
// replaced, so that the debugger's reads see the original code and its
// writes land under the patch. The zero value has none.
type PatchedBreakpoints struct {
	saved map[uint64]byte // linear address → the byte INT3 replaced
}

// Sync patches exactly addrs: it restores the code under breakpoints no
// longer wanted and writes INT3 at new ones.
func (p *PatchedBreakpoints) Sync(mem MemoryAccess, addrs []uint64) error {
	for addr, orig := range p.saved {
		if slices.Contains(addrs, addr) {
			continue
		}
		if n, err := mem.WriteMemory(Linear, addr, []byte{orig}); n != 1 {
			return fmt.Errorf("restoring the code under a breakpoint at %#x: %v", addr, err)
		}
		delete(p.saved, addr)
	}
	for _, addr := range addrs {
		if _, ok := p.saved[addr]; ok {
			continue
		}
		var orig [1]byte
		if n, err := mem.ReadMemory(Linear, addr, orig[:]); n != 1 {
			return fmt.Errorf("a software breakpoint at %#x: the code there is not readable: %v", addr, err)
		}
		if n, err := mem.WriteMemory(Linear, addr, []byte{int3}); n != 1 {
			return fmt.Errorf("a software breakpoint at %#x: the code there is not writable: %v", addr, err)
		}
		if p.saved == nil {
			p.saved = make(map[uint64]byte)
		}
		p.saved[addr] = orig[0]
	}
	return nil
}

// At reports whether a breakpoint is patched in at addr.
func (p *PatchedBreakpoints) At(addr uint64) bool {
	_, ok := p.saved[addr]
	return ok
}

// Hide puts the original bytes back into buf, just read from linear addr.
func (p *PatchedBreakpoints) Hide(addr uint64, buf []byte) {
	for a, orig := range p.saved {
		if a-addr < uint64(len(buf)) {
			buf[a-addr] = orig
		}
	}
}

// Keep, for data about to be written at linear addr, records the bytes
// meant for patched addresses as the new originals and keeps INT3 there.
func (p *PatchedBreakpoints) Keep(addr uint64, data []byte) {
	for a := range p.saved {
		if a-addr < uint64(len(data)) {
			p.saved[a] = data[a-addr]
			data[a-addr] = int3
		}
	}
}
