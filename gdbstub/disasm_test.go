package gdbstub

import (
	"strings"
	"testing"

	"github.com/pollscope/pollscope/cpu"
)

func readerOf(base uint64, mem []byte) MemoryReader {
	return func(addr uint64, buf []byte) int {
		if addr < base || addr >= base+uint64(len(mem)) {
			return 0
		}
		return copy(buf, mem[addr-base:])
	}
}

func TestDisassemble(t *testing.T) {
	cases := []struct {
		name  string
		code  []byte
		mode  int
		count int
		sym   SymbolLookup
		want  []string
	}{
		{"64-bit", []byte{0x48, 0x89, 0xe5, 0xc3}, 64, 2, nil, []string{"0000000000001000: 4889e5", "mov rbp, rsp", "0000000000001003: c3", "ret"}},
		{"16-bit decodes as real mode", []byte{0xb8, 0x34, 0x12}, 16, 1, nil, []string{"mov ax, 0x1234"}},
		{"symbols name call targets", []byte{0xe8, 0xfb, 0xff, 0xff, 0xff}, 64, 1,
			func(a uint64) (string, uint64) { return "poll", 0x1000 }, []string{"call poll"}},
		{"unreadable memory stops it", []byte{0x90}, 64, 3, nil, []string{"0000000000001000: 90", "nop", "0000000000001001: (memory not readable)"}},
		{"bytes that do not decode", []byte{0x06}, 64, 1, nil, []string{"0000000000001000: 06  (does not decode: unrecognized instruction)"}},
		{"bytes x86asm takes for a lone prefix", []byte{0x0f, 0xff}, 64, 1, nil, []string{"does not decode: no instruction starts with these bytes"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out strings.Builder
			Disassemble(&out, readerOf(0x1000, c.code), 0x1000, c.count, c.mode, c.sym)
			checkInOrder(t, out.String(), c.want)
		})
	}
}

func TestCodeSize(t *testing.T) {
	long := cpu.SRegs{EFER: cpu.EFERLMA, CR0: cpu.CR0PE, CS: cpu.Segment{L: true}}
	compat := cpu.SRegs{EFER: cpu.EFERLMA, CR0: cpu.CR0PE, CS: cpu.Segment{DB: true}}
	prot := cpu.SRegs{CR0: cpu.CR0PE, CS: cpu.Segment{DB: true}}
	for _, c := range []struct {
		s    cpu.SRegs
		want int
	}{{long, 64}, {compat, 32}, {prot, 32}, {cpu.SRegs{}, 16}} {
		if got := c.s.CodeSize(); got != c.want {
			t.Errorf("(%+v).CodeSize() = %d, want %d", c.s, got, c.want)
		}
	}
}

func TestFormatRegisters(t *testing.T) {
	f := newFakeTarget(counterProgram)
	f.regs.RFLAGS = 0x8c7 // OF, SF, ZF, PF, CF, and bit 1
	f.sregs.CS.Selector, f.sregs.CS.DPL = 0x33, 3
	var out strings.Builder
	FormatRegisters(&out, &f.regs, &f.sregs)
	checkInOrder(t, out.String(), []string{
		"RAX=0000000000000000",
		"RIP=0000000000001000 RFL=000008c7 [O-SZ-PC] CPL=3 long mode (64-bit code)",
		"CS =0033 0000000000000000 ffffffff 00a0fb00 DPL=3 CS64 [-RA]",
		"GS =0018 ffff888000001000",
		"TR =0040 0000000000007000 00000067 00008b00 DPL=0 TSS64-busy",
		"GDT=     0000000000005000 0000004f",
		"CR0=80000011 CR2=0000000000000000 CR3=0000000000009000 CR4=00000020",
		"EFER=0000000000000500",
	})
}
