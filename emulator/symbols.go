package emulator

import (
	"bytes"
	"cmp"
	"debug/elf"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Symbol is one entry of a kernel's ELF symbol table: a function or a
// variable, where it lies and what it is called.
type Symbol struct {
	// Name is the symbol's name, demangled where it is a Rust (legacy
	// mangling) path: pollscope_kernel::task::executor::poll_task.
	Name string
	// Raw is the name as the table has it.
	Raw        string
	Addr, Size uint64
	// Code: a function, or a label in an executable section.
	Code bool
}

// Symbols is a kernel's symbol table, for naming addresses: in the
// disassembly, on the stack, in a breakpoint. The zero value and nil are
// empty. It is immutable.
type Symbols struct {
	syms   []Symbol // sorted by Addr, then by size (largest first)
	byName map[string]int
}

// maxSymbols bounds the table read from an image, so a hostile symbol
// table cannot make the host allocate without limit.
const maxSymbols = 1 << 20

// LoadSymbols reads the symbol table of an ELF image. An image without
// one (stripped) gives an empty table; one that is not a readable ELF
// file, an error.
func LoadSymbols(image []byte) (*Symbols, error) {
	f, err := elf.NewFile(bytes.NewReader(image))
	if err != nil {
		return nil, fmt.Errorf("reading the kernel's symbols: %w", err)
	}
	defer f.Close()
	raw, err := f.Symbols()
	if errors.Is(err, elf.ErrNoSymbols) {
		return &Symbols{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the kernel's symbols: %w", err)
	}
	if len(raw) > maxSymbols {
		raw = raw[:maxSymbols]
	}
	var syms []sizedSymbol
	for _, s := range raw {
		t := elf.ST_TYPE(s.Info)
		if s.Name == "" || s.Section == elf.SHN_UNDEF || s.Section >= elf.SHN_LORESERVE || int(s.Section) >= len(f.Sections) ||
			(t != elf.STT_FUNC && t != elf.STT_OBJECT && t != elf.STT_NOTYPE) {
			continue
		}
		sec := f.Sections[s.Section]
		if sec.Flags&elf.SHF_ALLOC == 0 || s.Value < sec.Addr || s.Value >= sec.Addr+sec.Size {
			continue
		}
		syms = append(syms, sizedSymbol{Symbol{
			Name: demangle(s.Name), Raw: s.Name, Addr: s.Value, Size: s.Size,
			Code: t == elf.STT_FUNC || (t == elf.STT_NOTYPE && sec.Flags&elf.SHF_EXECINSTR != 0),
		}, sec.Addr + sec.Size})
	}
	return newSymbols(syms), nil
}

// NewSymbols makes a table of the given symbols, for tests and front ends
// that have their own; a symbol of size 0 reaches the next one.
func NewSymbols(syms []Symbol) *Symbols {
	sized := make([]sizedSymbol, len(syms))
	for i, s := range syms {
		sized[i] = sizedSymbol{s, ^uint64(0)}
	}
	return newSymbols(sized)
}

// sizedSymbol is a symbol and the end of its section: a label without a
// size (an assembly entry point) reaches the next symbol of the section,
// or the section's end.
type sizedSymbol struct {
	Symbol
	limit uint64
}

// newSymbols sorts syms and gives each of size 0 its reach.
func newSymbols(syms []sizedSymbol) *Symbols {
	slices.SortStableFunc(syms, func(a, b sizedSymbol) int {
		return cmp.Or(cmp.Compare(a.Addr, b.Addr), cmp.Compare(b.Size, a.Size))
	})
	out := &Symbols{syms: make([]Symbol, len(syms)), byName: make(map[string]int, len(syms))}
	for i, s := range syms {
		if s.Size == 0 {
			next := s.limit
			for _, n := range syms[i+1:] {
				if n.Addr > s.Addr {
					next = min(next, n.Addr)
					break
				}
			}
			s.Size = max(next-s.Addr, 1)
		}
		out.syms[i] = s.Symbol
		for _, n := range []string{s.Name, s.Raw} {
			if _, dup := out.byName[n]; !dup {
				out.byName[n] = i
			}
		}
	}
	return out
}

// Len is the number of symbols.
func (s *Symbols) Len() int {
	if s == nil {
		return 0
	}
	return len(s.syms)
}

// Lookup returns the symbol that holds addr: the smallest one whose range
// [Addr, Addr+Size) contains it.
func (s *Symbols) Lookup(addr uint64) (Symbol, bool) {
	if s == nil {
		return Symbol{}, false
	}
	i := sort.Search(len(s.syms), func(i int) bool { return s.syms[i].Addr > addr })
	best := -1
	// Symbols at or below addr, nearest first; a nested one (a local
	// label inside a function) wins over the function.
	for j := i - 1; j >= 0 && i-j <= 64; j-- {
		sym := &s.syms[j]
		if addr-sym.Addr < sym.Size && (best < 0 || sym.Size < s.syms[best].Size) {
			best = j
		}
	}
	if best < 0 {
		return Symbol{}, false
	}
	return s.syms[best], true
}

// Code reports whether addr lies in a code symbol: what a return address
// on the stack does.
func (s *Symbols) Code(addr uint64) bool {
	sym, ok := s.Lookup(addr)
	return ok && sym.Code
}

// ByName finds a symbol by its name, demangled or raw; failing that, by
// the end of its demangled path ("executor::poll_task"), if only one
// symbol's path ends so.
func (s *Symbols) ByName(name string) (Symbol, bool) {
	if s == nil || name == "" {
		return Symbol{}, false
	}
	if i, ok := s.byName[name]; ok {
		return s.syms[i], true
	}
	found := -1
	for i, sym := range s.syms {
		if strings.HasSuffix(sym.Name, "::"+name) {
			if found >= 0 && s.syms[found].Addr != sym.Addr {
				return Symbol{}, false // ambiguous
			}
			found = i
		}
	}
	if found < 0 {
		return Symbol{}, false
	}
	return s.syms[found], true
}

// Describe names addr as name+0xoff, or "" when no symbol holds it.
func (s *Symbols) Describe(addr uint64) string {
	sym, ok := s.Lookup(addr)
	if !ok {
		return ""
	}
	if addr == sym.Addr {
		return sym.Name
	}
	return fmt.Sprintf("%s+%#x", sym.Name, addr-sym.Addr)
}

// Symbols is the symbol table of the machine's kernel, read when it was
// loaded (empty for a stripped kernel).
func (m *Machine) Symbols() *Symbols { return m.symbols }

// Symbol names the kernel symbol that holds addr, and addr's offset in it.
func (m *Machine) Symbol(addr uint64) (name string, offset uint64, ok bool) {
	sym, ok := m.symbols.Lookup(addr)
	if !ok {
		return "", 0, false
	}
	return sym.Name, addr - sym.Addr, true
}

// kernelSymbols is the symbol table of a kernel image that parseKernel
// accepted; empty if it has none or it cannot be read.
func kernelSymbols(image []byte) *Symbols {
	s, err := LoadSymbols(image)
	if err != nil {
		return &Symbols{}
	}
	return s
}
