package view

import (
	"encoding/hex"
	"errors"

	"golang.org/x/arch/x86/x86asm"

	"github.com/pollscope/pollscope/emulator"
)

// DisasmLine is one line of the disassembly around RIP: an instruction,
// or (Label set) the name of the function that begins at the next one.
type DisasmLine struct {
	Addr    uint64
	Bytes   string // the instruction's bytes in hex, cut with "…" past maxShownBytes
	Text    string // Intel syntax, addresses named by symbol
	Label   string
	Current bool   // the instruction at RIP
	Problem string // why decoding stopped here ("memory not readable", ...)
}

// maxShownBytes is how many bytes of an instruction the pane shows.
const maxShownBytes = 7

// symbolLookup is x86asm's symbol callback over the kernel's table: short
// names (executor::poll_task), so operands stay readable.
func symbolLookup(syms *emulator.Symbols) x86asm.SymLookup {
	return func(addr uint64) (string, uint64) {
		if s, ok := syms.Lookup(addr); ok {
			return emulator.ShortName(s.Name), s.Addr
		}
		return "", 0
	}
}

// Disassemble decodes up to before instructions ahead of rip and after
// from it, in code (guest memory from codeAddr) decoded as bits-bit code.
// Where a symbol begins a label line comes first. x86 code cannot be read
// backwards, so the instructions ahead of RIP are found by decoding from
// the start of RIP's function if the bytes reach back to it, else from the
// earliest point in the bytes whose decoding lands exactly on RIP.
func Disassemble(code []byte, codeAddr, rip uint64, bits int, syms *emulator.Symbols, before, after int) []DisasmLine {
	if rip < codeAddr || rip-codeAddr > uint64(len(code)) {
		return []DisasmLine{{Addr: rip, Current: true, Problem: "memory at RIP not readable"}}
	}
	lookup := symbolLookup(syms)
	starts := leadIn(code, codeAddr, rip, bits, syms)
	if len(starts) > before {
		starts = starts[len(starts)-before:]
	}
	var lines []DisasmLine
	addr := rip
	if len(starts) > 0 {
		addr = starts[0]
	}
	if s, ok := syms.Lookup(addr); ok && s.Addr != addr {
		lines = append(lines, DisasmLine{Addr: addr, Label: syms.Describe(addr)})
	}
	for n := 0; n < len(starts)+after; n++ {
		if s, ok := syms.Lookup(addr); ok && s.Addr == addr {
			lines = append(lines, DisasmLine{Addr: addr, Label: s.Name})
		}
		off := addr - codeAddr
		if off >= uint64(len(code)) {
			lines = append(lines, DisasmLine{Addr: addr, Current: addr == rip, Problem: "memory not readable"})
			break
		}
		inst, err := decode(code[off:], bits)
		if err != nil {
			lines = append(lines, DisasmLine{Addr: addr, Current: addr == rip, Bytes: hex.EncodeToString(code[off : off+1]), Problem: "does not decode"})
			break
		}
		b := hex.EncodeToString(code[off : off+uint64(min(inst.Len, maxShownBytes))])
		if inst.Len > maxShownBytes {
			b += "…"
		}
		lines = append(lines, DisasmLine{Addr: addr, Bytes: b, Text: x86asm.IntelSyntax(inst, addr, lookup), Current: addr == rip})
		addr += uint64(inst.Len)
	}
	return lines
}

// decode decodes one instruction, or says it cannot.
func decode(b []byte, bits int) (x86asm.Inst, error) {
	inst, err := x86asm.Decode(b, bits)
	if err == nil && inst.Op == 0 {
		err = errors.New("no instruction") // x86asm's answer to some, like 0f ff
	}
	return inst, err
}

// leadIn returns the addresses of the instructions before rip, oldest
// first: decoded from rip's function's start when code holds it, else from
// the earliest offset whose decoding meets rip; none if nothing meets it.
func leadIn(code []byte, codeAddr, rip uint64, bits int, syms *emulator.Symbols) []uint64 {
	chain := func(from uint64) ([]uint64, bool) {
		var out []uint64
		for a := from; a < rip; {
			inst, err := decode(code[a-codeAddr:], bits)
			if err != nil {
				return nil, false
			}
			out = append(out, a)
			a += uint64(inst.Len)
			if a > rip {
				return nil, false
			}
		}
		return out, true
	}
	if s, ok := syms.Lookup(rip); ok && s.Addr >= codeAddr && s.Addr <= rip {
		if out, ok := chain(s.Addr); ok {
			return out
		}
	}
	for from := codeAddr; from < rip; from++ {
		if out, ok := chain(from); ok {
			return out
		}
	}
	return nil
}
