package emulator

import (
	"encoding/binary"
	"fmt"
)

// Guest-physical layout of what the PVH loader writes below the kernel. A
// PVH kernel is loaded at or above 1 MiB; these pages sit in low RAM where
// a PC's real-mode data would be.
const (
	startInfoAddr = 0x1000 // struct hvm_start_info
	memmapAddr    = 0x1100 // hvm_memmap_table_entry[]
	cmdlineAddr   = 0x2000 // the NUL-terminated command line
	bootInfoEnd   = 0x3000

	// MaxCmdline is the longest command line pollscope passes, in bytes
	// without the terminating NUL.
	MaxCmdline = bootInfoEnd - cmdlineAddr - 1

	// The PC's legacy hole: VGA memory and option/BIOS ROMs between 640 KiB
	// and 1 MiB. pollscope backs it with RAM (the VGA text screen at
	// 0xB8000 is ordinary RAM) but reports it reserved in the memory map.
	legacyHoleStart = 0x9fc00
	legacyHoleEnd   = 0x100000
)

// hvm_start_info as Xen's public/arch-x86/hvm/start_info.h defines it.
const (
	hvmStartMagic   = 0x336ec578
	hvmStartVersion = 1 // version 1 adds the memory map fields
	startInfoSize   = 56
	memmapEntrySize = 24

	e820RAM      = 1
	e820Reserved = 2
)

type memmapEntry struct {
	addr, size uint64
	typ        uint32
}

// memoryMap is the e820-style map handed to the guest.
func memoryMap(ramSize uint64) []memmapEntry {
	return []memmapEntry{
		{0, legacyHoleStart, e820RAM},
		{legacyHoleStart, legacyHoleEnd - legacyHoleStart, e820Reserved},
		{legacyHoleEnd, ramSize - legacyHoleEnd, e820RAM},
	}
}

// writeStartInfo writes hvm_start_info, the memory map and the command line
// into ram and returns the start info's physical address, which the guest
// finds in EBX at its entry point.
func writeStartInfo(ram []byte, cmdline string) (uint32, error) {
	if len(cmdline) > MaxCmdline {
		return 0, fmt.Errorf("the command line is %d bytes; pollscope passes at most %d", len(cmdline), MaxCmdline)
	}
	for i := 0; i < len(cmdline); i++ {
		if cmdline[i] == 0 {
			return 0, fmt.Errorf("the command line contains a NUL byte at offset %d", i)
		}
	}
	clear(ram[startInfoAddr:bootInfoEnd])
	copy(ram[cmdlineAddr:], cmdline)

	mm := memoryMap(uint64(len(ram)))
	for i, e := range mm {
		b := ram[memmapAddr+i*memmapEntrySize:]
		binary.LittleEndian.PutUint64(b[0:], e.addr)
		binary.LittleEndian.PutUint64(b[8:], e.size)
		binary.LittleEndian.PutUint32(b[16:], e.typ)
	}

	si := ram[startInfoAddr : startInfoAddr+startInfoSize]
	le := binary.LittleEndian
	le.PutUint32(si[0:], hvmStartMagic)
	le.PutUint32(si[4:], hvmStartVersion)
	le.PutUint32(si[8:], 0)            // flags
	le.PutUint32(si[12:], 0)           // nr_modules
	le.PutUint64(si[16:], 0)           // modlist_paddr
	le.PutUint64(si[24:], cmdlineAddr) // cmdline_paddr
	le.PutUint64(si[32:], 0)           // rsdp_paddr: no ACPI
	le.PutUint64(si[40:], memmapAddr)  // memmap_paddr
	le.PutUint32(si[48:], uint32(len(mm)))
	return startInfoAddr, nil
}

// loadKernel copies the kernel's segments into ram, zeroing each segment's
// tail, after checking every one lies inside RAM and clear of the boot info.
func loadKernel(ram []byte, k *kernelImage) error {
	size := uint64(len(ram))
	for _, s := range k.segments {
		end := s.addr + s.memSize
		if end < s.addr || end > size {
			return fmt.Errorf("%w: segment %#x-%#x lies outside guest RAM (%d MiB); give the guest more memory with -m or link the kernel lower",
				ErrBadKernel, s.addr, end, size>>20)
		}
		if s.addr < bootInfoEnd && end > startInfoAddr {
			return fmt.Errorf("%w: segment %#x-%#x overlaps the PVH boot information at %#x-%#x; link the kernel at 1 MiB or above",
				ErrBadKernel, s.addr, end, startInfoAddr, bootInfoEnd)
		}
	}
	for _, s := range k.segments {
		n := copy(ram[s.addr:], s.fileData)
		clear(ram[s.addr+uint64(n) : s.addr+s.memSize])
	}
	if uint64(k.entry) >= size {
		return fmt.Errorf("%w: the PVH entry point %#x lies outside guest RAM", ErrBadKernel, k.entry)
	}
	return nil
}
