package interp

import (
	"encoding/binary"
	"testing"

	"github.com/pollscope/pollscope/cpu"
)

// Test machines: a CPU over a small RAM in one of the modes the tests
// need, with code placed at codeAddr.

const (
	testRAM    = 4 << 20
	codeAddr   = 0x100000
	dataAddr   = 0x200000 // a scratch data page the tests may use
	stackTop   = 0x300000
	pml4Addr   = 0x10000
	pdptAddr   = 0x11000
	pdAddr     = 0x12000
	testGDT    = 0x20000
	testIDT    = 0x21000
	testTSS    = 0x22000
	handlerPad = 0x30000 // exception handlers: one HLT each, 16 bytes apart
)

// Test GDT: null, 64-bit code 0x08, data 0x10, 32-bit code 0x18, user
// data 0x2b (index 5, DPL 3), user 64-bit code 0x33 (index 6, DPL 3), TSS
// at 0x38.
var testGDTEntries = []uint64{
	0,
	0x00af9a000000ffff, // 0x08: 64-bit code, DPL 0
	0x00cf92000000ffff, // 0x10: data, DPL 0
	0x00cf9a000000ffff, // 0x18: 32-bit code, DPL 0
	0,
	0x00cff2000000ffff, // 0x28: data, DPL 3
	0x00affa000000ffff, // 0x30: 64-bit code, DPL 3
}

type testMode int

const (
	modeLong testMode = iota
	modeProt32
	modeReal
)

func quietOpts() Options {
	return Options{ICount: true, Log: func(string, ...any) {}}
}

// newTestCPU makes a CPU in mode with code at codeAddr. Long mode has
// identity-mapped 2 MiB pages over the first GiB, a GDT, an IDT whose
// every vector goes to a HLT at handlerPad+16*vector, and a TSS.
func newTestCPU(t testing.TB, mode testMode, code []byte) (*CPU, []byte) {
	t.Helper()
	ram := make([]byte, testRAM)
	c, err := New(ram, quietOpts())
	if err != nil {
		t.Fatal(err)
	}
	copy(ram[codeAddr:], code)
	setupTestMachine(c, ram, mode)
	return c, ram
}

func setupTestMachine(c *CPU, ram []byte, mode testMode) {
	le := binary.LittleEndian
	for i, e := range testGDTEntries {
		le.PutUint64(ram[testGDT+8*i:], e)
	}
	// 64-bit TSS descriptor at 0x38: base testTSS, limit 0x67, type 9.
	tssLo := uint64(0x67) | (uint64(testTSS)&0xffffff)<<16 | 0x89<<40 | (uint64(testTSS)>>24)<<56
	le.PutUint64(ram[testGDT+0x38:], tssLo)
	le.PutUint64(ram[testGDT+0x40:], 0)
	// TSS: RSP0 and IST1 at stackTop - 0x8000.
	le.PutUint64(ram[testTSS+4:], stackTop-0x8000)
	le.PutUint64(ram[testTSS+36:], stackTop-0x4000)
	for v := 0; v < 256; v++ {
		h := uint64(handlerPad + 16*v)
		ram[h] = 0xf4 // hlt
		gate := h&0xffff | 0x08<<16 | uint64(0x8e)<<40 | (h>>16&0xffff)<<48
		le.PutUint64(ram[testIDT+16*v:], gate)
		le.PutUint64(ram[testIDT+16*v+8:], h>>32)
	}
	le.PutUint64(ram[pml4Addr:], pdptAddr|7)
	le.PutUint64(ram[pdptAddr:], pdAddr|7)
	for i := 0; i < 512; i++ {
		le.PutUint64(ram[pdAddr+8*i:], uint64(i)<<21|0x87) // present, writable, user, 2 MiB
	}
	code64 := cpu.Segment{Limit: 0xffffffff, Selector: 0x08, Type: 0xb, Present: true, S: true, L: true, G: true}
	code32 := cpu.Segment{Limit: 0xffffffff, Selector: 0x18, Type: 0xb, Present: true, S: true, DB: true, G: true}
	data := cpu.Segment{Limit: 0xffffffff, Selector: 0x10, Type: 0x3, Present: true, S: true, DB: true, G: true}
	tr := cpu.Segment{Base: testTSS, Limit: 0x67, Selector: 0x38, Type: 0xb, Present: true}
	s := cpu.SRegs{
		DS: data, ES: data, FS: data, GS: data, SS: data, TR: tr,
		LDT: cpu.Segment{Type: 2, Present: true, Unusable: true},
		GDT: cpu.Table{Base: testGDT, Limit: 0x47},
		IDT: cpu.Table{Base: testIDT, Limit: 0xfff},
	}
	switch mode {
	case modeLong:
		s.CS = code64
		s.CR0 = cpu.CR0PE | cpu.CR0PG | cpu.CR0ET | cr0MP | cr0WP
		s.CR4 = cpu.CR4PAE | cr4OSFXSR | cr4OSXMMEXCPT | cr4PGE
		s.CR3 = pml4Addr
		s.EFER = cpu.EFERLME | cpu.EFERLMA | eferNXE | eferSCE
	case modeProt32:
		s.CS = code32
		s.CR0 = cpu.CR0PE | cpu.CR0ET | cr0MP
		s.CR4 = cr4OSFXSR
		s.IDT = cpu.Table{} // no handlers: a fault escalates to shutdown
	case modeReal:
		real := func(sel uint16, typ uint8) cpu.Segment {
			return cpu.Segment{Base: uint64(sel) << 4, Limit: 0xffff, Selector: sel, Type: typ, Present: true, S: true}
		}
		s.CS = real(0xffff, 0xb) // base 0xffff0: IP 0x10 is codeAddr
		d := real(0, 0x3)
		s.DS, s.ES, s.FS, s.GS, s.SS = d, d, d, d, real(0x2000, 0x3)
		s.GDT = cpu.Table{}
		s.IDT = cpu.Table{Limit: 0x3ff}
		s.CR0 = cpu.CR0ET
		s.CR4 = cr4OSFXSR
	}
	if err := c.SetSRegs(s); err != nil {
		panic(err)
	}
	rip := uint64(codeAddr)
	sp := uint64(stackTop)
	if mode == modeReal {
		rip, sp = codeAddr-0xffff0, 0xfff0
	}
	if err := c.SetRegs(cpu.Regs{RIP: rip, RSP: sp, RFLAGS: 2}); err != nil {
		panic(err)
	}
}

// runToHalt runs until the guest halts (or anything else ends the run)
// and returns that exit.
func runToHalt(t testing.TB, c *CPU) cpu.Exit {
	t.Helper()
	for i := 0; i < 1000; i++ {
		e, err := c.Run()
		if err != nil {
			t.Fatal(err)
		}
		if e.Kind != cpu.ExitKicked && e.Kind != cpu.ExitInterruptWindow {
			return e
		}
	}
	t.Fatal("the guest never halted")
	return cpu.Exit{}
}
