package emulator

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// ErrBadKernel wraps every reason a kernel image cannot be booted.
var ErrBadKernel = errors.New("cannot boot this kernel image")

// xenElfnotePhys32Entry is the ELF note type (owner "Xen") that a PVH-capable
// kernel uses to give the physical address of its 32-bit entry point
// (XEN_ELFNOTE_PHYS32_ENTRY in Xen's public/elfnote.h).
const xenElfnotePhys32Entry = 18

// kernelImage is an ELF64 kernel ready to be copied into guest RAM.
type kernelImage struct {
	entry    uint32 // PVH 32-bit entry point, a physical address
	segments []segment
}

// segment is one PT_LOAD program header: fileData goes to addr, and the rest
// up to memSize is zero (the .bss).
type segment struct {
	addr     uint64
	memSize  uint64
	fileData []byte
}

// maxKernelSize bounds what pollscope reads from a kernel image, so a bogus
// header cannot make it allocate without limit.
const maxKernelSize = 1 << 30

// parseKernel reads an ELF64 x86-64 image with a PVH entry note.
func parseKernel(image []byte) (*kernelImage, error) {
	if len(image) < 4 || !bytes.Equal(image[:4], []byte(elf.ELFMAG)) {
		return nil, fmt.Errorf("%w: not an ELF file (no \\x7fELF magic)", ErrBadKernel)
	}
	if len(image) > 4 && elf.Class(image[4]) == elf.ELFCLASS32 {
		return nil, fmt.Errorf("%w: a 32-bit ELF; pollscope boots 64-bit (ELFCLASS64) kernels with a PVH entry note", ErrBadKernel)
	}
	f, err := elf.NewFile(bytes.NewReader(image))
	if err != nil {
		return nil, fmt.Errorf("%w: malformed ELF: %v", ErrBadKernel, err)
	}
	defer f.Close()
	if f.Class != elf.ELFCLASS64 || f.Machine != elf.EM_X86_64 {
		return nil, fmt.Errorf("%w: ELF for %v %v, want ELFCLASS64 EM_X86_64", ErrBadKernel, f.Class, f.Machine)
	}
	entry, err := findPVHEntry(f)
	if err != nil {
		return nil, err
	}
	k := &kernelImage{entry: entry}
	for _, p := range f.Progs {
		if p.Type != elf.PT_LOAD || p.Memsz == 0 {
			continue
		}
		if p.Filesz > p.Memsz {
			return nil, fmt.Errorf("%w: a PT_LOAD segment at %#x has more file bytes (%d) than memory bytes (%d)", ErrBadKernel, p.Paddr, p.Filesz, p.Memsz)
		}
		if p.Filesz > maxKernelSize || p.Memsz > maxKernelSize {
			return nil, fmt.Errorf("%w: a PT_LOAD segment at %#x is larger than 1 GiB", ErrBadKernel, p.Paddr)
		}
		data := make([]byte, p.Filesz)
		if _, err := io.ReadFull(p.Open(), data); err != nil {
			return nil, fmt.Errorf("%w: reading the segment at %#x: %v", ErrBadKernel, p.Paddr, err)
		}
		k.segments = append(k.segments, segment{addr: p.Paddr, memSize: p.Memsz, fileData: data})
	}
	if len(k.segments) == 0 {
		return nil, fmt.Errorf("%w: no PT_LOAD segments", ErrBadKernel)
	}
	return k, nil
}

// findPVHEntry looks for the Xen PHYS32_ENTRY note in the PT_NOTE program
// headers (where QEMU and Firecracker look), then in SHT_NOTE sections.
func findPVHEntry(f *elf.File) (uint32, error) {
	var notes [][]byte
	for _, p := range f.Progs {
		if p.Type == elf.PT_NOTE && p.Filesz <= 1<<20 {
			b := make([]byte, p.Filesz)
			if _, err := io.ReadFull(p.Open(), b); err == nil {
				notes = append(notes, b)
			}
		}
	}
	for _, s := range f.Sections {
		if s.Type == elf.SHT_NOTE && s.Size <= 1<<20 {
			if b, err := s.Data(); err == nil {
				notes = append(notes, b)
			}
		}
	}
	for _, b := range notes {
		if entry, ok := scanNotes(b, f.ByteOrder); ok {
			return entry, nil
		}
	}
	return 0, fmt.Errorf("%w: no PVH entry note (ELF note \"Xen\", type %d, XEN_ELFNOTE_PHYS32_ENTRY); pollscope starts kernels the PVH way", ErrBadKernel, xenElfnotePhys32Entry)
}

// scanNotes walks ELF notes: namesz, descsz, type, then the name and the
// descriptor, each padded to 4 bytes. The PVH descriptor is the entry
// address as a 32- or 64-bit value (Linux uses a 64-bit one).
func scanNotes(b []byte, order binary.ByteOrder) (uint32, bool) {
	for len(b) >= 12 {
		namesz, descsz, typ := order.Uint32(b), order.Uint32(b[4:]), order.Uint32(b[8:])
		b = b[12:]
		nameLen, descLen := align4(uint64(namesz)), align4(uint64(descsz))
		if nameLen+descLen > uint64(len(b)) {
			return 0, false
		}
		name := b[:namesz]
		desc := b[nameLen : nameLen+uint64(descsz)]
		b = b[nameLen+descLen:]
		if typ != xenElfnotePhys32Entry || string(bytes.TrimRight(name, "\x00")) != "Xen" {
			continue
		}
		switch len(desc) {
		case 4:
			return order.Uint32(desc), true
		case 8:
			if v := order.Uint64(desc); v <= 0xffffffff {
				return uint32(v), true
			}
		}
	}
	return 0, false
}

func align4(n uint64) uint64 { return (n + 3) &^ 3 }
