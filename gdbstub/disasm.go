package gdbstub

import (
	"errors"
	"fmt"
	"io"

	"golang.org/x/arch/x86/x86asm"
)

// MemoryReader reads guest memory at addr into buf and returns how many
// bytes it could read (fewer where the range runs into unmapped memory).
type MemoryReader func(addr uint64, buf []byte) int

// SymbolLookup names the symbol holding addr and where it starts, or
// returns "" (x86asm's convention): the disassembly then shows
// "func+0x12" instead of a bare address.
type SymbolLookup = x86asm.SymLookup

// Disassemble prints count instructions from addr, one per line: address,
// bytes, then the instruction in Intel syntax. It stops early at memory it
// cannot read or bytes that do not decode, saying so.
func Disassemble(out io.Writer, read MemoryReader, addr uint64, count, mode int, symbols SymbolLookup) {
	var buf [15]byte // the longest x86 instruction
	for range count {
		n := read(addr, buf[:])
		if n == 0 {
			fmt.Fprintf(out, "%016x: (memory not readable)\n", addr)
			return
		}
		inst, err := x86asm.Decode(buf[:n], mode)
		if err == nil && inst.Op == 0 {
			err = errors.New("no instruction starts with these bytes") // x86asm's answer to some, like 0f ff
		}
		if err != nil {
			fmt.Fprintf(out, "%016x: %02x  (does not decode: %v)\n", addr, buf[0], err)
			return
		}
		fmt.Fprintf(out, "%016x: %-30x %s\n", addr, buf[:inst.Len], x86asm.IntelSyntax(inst, addr, symbols))
		addr += uint64(inst.Len)
	}
}

// dumpBytes prints count bytes from addr in hex, 16 to a line.
func dumpBytes(out io.Writer, read MemoryReader, addr uint64, count int) error {
	buf := make([]byte, 16)
	for count > 0 {
		want := min(count, 16)
		n := read(addr, buf[:want])
		if n == 0 {
			return fmt.Errorf("memory at %#x is not readable", addr)
		}
		fmt.Fprintf(out, "%016x:", addr)
		for _, b := range buf[:n] {
			fmt.Fprintf(out, " %02x", b)
		}
		fmt.Fprintln(out)
		if n < want {
			return fmt.Errorf("memory at %#x is not readable", addr+uint64(n))
		}
		addr += uint64(n)
		count -= n
	}
	return nil
}
