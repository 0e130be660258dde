package interp

import (
	"encoding/binary"
	"testing"

	"github.com/pollscope/pollscope/cpu"
)

const (
	testVA   = 0x40000000 // mapped by a 4 KiB page through extraPD and extraPT
	extraPD  = 0x13000
	extraPT  = 0x14000
	physPage = 0x200000
)

// map4K maps testVA to phys with the given PTE flags in the long-mode test
// tables (PDPT entry 1 -> extraPD -> extraPT).
func map4K(ram []byte, phys, flags uint64) {
	le := binary.LittleEndian
	le.PutUint64(ram[pdptAddr+8:], extraPD|7)
	le.PutUint64(ram[extraPD:], extraPT|7)
	le.PutUint64(ram[extraPT:], phys|flags)
}

func movLoad(addr uint32) []byte { // mov rax, [addr]
	return append([]byte{0x48, 0x8b, 0x04, 0x25}, le32(addr)...)
}

func movStore(addr uint32) []byte { // mov [addr], rbx
	return append([]byte{0x48, 0x89, 0x1c, 0x25}, le32(addr)...)
}

func le32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }

func TestPagingSetsAccessedAndDirty(t *testing.T) {
	code := append(movLoad(testVA), 0xf4)
	c, ram := newTestCPU(t, modeLong, code)
	map4K(ram, physPage, pteP|pteRW)
	binary.LittleEndian.PutUint64(ram[physPage:], 0x1122334455667788)
	runToHalt(t, c)
	if c.regs[0] != 0x1122334455667788 {
		t.Fatalf("loaded %#x", c.regs[0])
	}
	pte := binary.LittleEndian.Uint64(ram[extraPT:])
	pde := binary.LittleEndian.Uint64(ram[extraPD:])
	pdpte := binary.LittleEndian.Uint64(ram[pdptAddr+8:])
	if pte&pteA == 0 || pte&pteD != 0 || pde&pteA == 0 || pdpte&pteA == 0 {
		t.Fatalf("after a read: PTE %#x PDE %#x PDPTE %#x, want A everywhere and no D", pte, pde, pdpte)
	}
	// A write through the same (now cached) translation sets D.
	code = append(movStore(testVA+8), 0xf4)
	copy(ram[codeAddr:], code)
	c.InvalidateCode(codeAddr, 16)
	c.rip = codeAddr
	runToHalt(t, c)
	if pte := binary.LittleEndian.Uint64(ram[extraPT:]); pte&pteD == 0 {
		t.Fatalf("after a write PTE %#x has no D bit", pte)
	}
}

// faultCase runs code with testVA mapped with flags and expects #PF with
// the error code (or no fault when code < 0).
func faultCase(t *testing.T, mode testMode, code []byte, flags uint64, setup func(c *CPU), want int) {
	t.Helper()
	c, ram := newTestCPU(t, mode, append(code, 0xf4))
	map4K(ram, physPage, flags)
	if setup != nil {
		setup(c)
	}
	runToHalt(t, c)
	if want < 0 {
		if c.rip != codeAddr+uint64(len(code))+1 {
			t.Fatalf("faulted (stopped at %#x), want no fault", c.rip)
		}
		return
	}
	if c.rip != handlerPad+16*vecPF+1 {
		t.Fatalf("stopped at %#x, want the #PF handler", c.rip)
	}
	if e := binary.LittleEndian.Uint64(ram[c.regs[4]:]); e != uint64(want) || c.cr2&^7 != testVA {
		t.Fatalf("#PF error %#x CR2 %#x, want %#x at %#x", e, c.cr2, want, testVA)
	}
}

func TestPageFaultErrorCodes(t *testing.T) {
	jmp := []byte{0x48, 0xc7, 0xc0, 0x00, 0x00, 0x00, 0x40, 0xff, 0xe0} // mov rax, testVA; jmp rax
	noWP := func(c *CPU) { c.cr0 &^= cr0WP }
	t.Run("not present", func(t *testing.T) { faultCase(t, modeLong, movLoad(testVA), 0, nil, 0) })
	t.Run("write to read-only with WP", func(t *testing.T) {
		faultCase(t, modeLong, movStore(testVA), pteP, nil, pfPresent|pfWrite)
	})
	t.Run("write to read-only without WP", func(t *testing.T) { faultCase(t, modeLong, movStore(testVA), pteP, noWP, -1) })
	t.Run("fetch from NX", func(t *testing.T) {
		faultCase(t, modeLong, jmp, pteP|pteRW|pteNX, nil, pfPresent|pfFetch)
	})
	t.Run("reserved bit", func(t *testing.T) {
		faultCase(t, modeLong, movLoad(testVA), pteP|1<<45, nil, pfPresent|pfRsvd)
	})
	t.Run("NX without EFER.NXE is reserved", func(t *testing.T) {
		faultCase(t, modeLong, movLoad(testVA), pteP|pteNX, func(c *CPU) { c.efer &^= eferNXE }, pfPresent|pfRsvd)
	})
}

// A global translation survives a CR3 write; INVLPG drops it.
func TestGlobalPagesAndINVLPG(t *testing.T) {
	// mov rax, [testVA]; mov rcx, cr3; mov cr3, rcx; mov rbx, [testVA]; invlpg [testVA]; mov rdx, [testVA]; hlt
	code := movLoad(testVA)
	code = append(code, 0x0f, 0x20, 0xd9, 0x0f, 0x22, 0xd9)
	code = append(code, 0x48, 0x8b, 0x1c, 0x25)
	code = append(code, le32(testVA)...)
	code = append(code, 0x0f, 0x01, 0x3c, 0x25)
	code = append(code, le32(testVA)...)
	code = append(code, 0x48, 0x8b, 0x14, 0x25)
	code = append(code, le32(testVA)...)
	code = append(code, 0xf4)
	c, ram := newTestCPU(t, modeLong, code)
	map4K(ram, physPage, pteP|pteRW|pteG)
	binary.LittleEndian.PutUint64(ram[physPage:], 1)
	binary.LittleEndian.PutUint64(ram[physPage+0x1000:], 2)
	// Stop after the first load, then remap behind the TLB's back.
	c.KickAt(1)
	if e, _ := c.Run(); e.Kind != cpu.ExitKicked {
		t.Fatalf("exit %v", e.Kind)
	}
	binary.LittleEndian.PutUint64(ram[extraPT:], physPage+0x1000|pteP|pteRW|pteG)
	runToHalt(t, c)
	if c.regs[0] != 1 || c.regs[3] != 1 || c.regs[2] != 2 {
		t.Fatalf("loads saw %d, %d, %d; want 1 (first), 1 (global entry kept over CR3), 2 (after INVLPG)", c.regs[0], c.regs[3], c.regs[2])
	}
}

// 32-bit paging with a 4 MiB page and PAE paging in protected mode.
func TestLegacyPagingModes(t *testing.T) {
	for _, tc := range []struct {
		name string
		pae  bool
	}{{"32-bit with PSE", false}, {"PAE", true}} {
		t.Run(tc.name, func(t *testing.T) {
			// mov eax, [0x40000000]; hlt (32-bit code)
			c, ram := newTestCPU(t, modeProt32, []byte{0xa1, 0x00, 0x00, 0x00, 0x40, 0xf4})
			le := binary.LittleEndian
			const cr3 = 0x60000
			s, _ := c.SRegs()
			if tc.pae {
				// PDPT at cr3; PD 0 identity-maps 2 MiB pages; PD 1 maps
				// 0x40000000 to physPage.
				le.PutUint64(ram[cr3:], 0x61000|1)
				le.PutUint64(ram[cr3+8:], 0x62000|1)
				for i := 0; i < 4; i++ {
					le.PutUint64(ram[0x61000+8*i:], uint64(i)<<21|0x83)
				}
				le.PutUint64(ram[0x62000:], physPage|0x83)
				s.CR4 |= cpu.CR4PAE
			} else {
				// PDE 0: a 4 MiB identity page; PDE 0x100: a page table
				// mapping 0x40000000 to physPage.
				le.PutUint32(ram[cr3:], 0x83)
				le.PutUint32(ram[cr3+4*0x100:], 0x61000|3)
				le.PutUint32(ram[0x61000:], physPage|3)
				s.CR4 |= cr4PSE
			}
			s.CR3 = cr3
			s.CR0 |= cpu.CR0PG
			c.SetSRegs(s)
			want := uint32(0xcafe)
			le.PutUint32(ram[physPage:], want)
			runToHalt(t, c)
			if uint32(c.regs[0]) != want {
				t.Fatalf("loaded %#x, want %#x (paging mode %s)", c.regs[0], want, c.pagingMode())
			}
		})
	}
}
