package emulator

import (
	"encoding/binary"
	"fmt"
)

// Guest-physical layout of what the PVH loader writes below the kernel. A
// PVH kernel is loaded at or above 1 MiB; these pages sit in low RAM where
// a PC's real-mode data would be.
const (
	startInfoAddr     = 0x1000 // struct hvm_start_info
	memmapAddr        = 0x1100 // hvm_memmap_table_entry[]
	modlistAddr       = 0x1200 // hvm_modlist_entry[]: the initrd
	moduleCmdlineAddr = 0x1300 // the initrd's NUL-terminated command line
	maxModuleCmdline  = 0xff
	cmdlineAddr       = 0x2000 // the NUL-terminated command line
	bootInfoEnd       = 0x3000

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
	hvmStartMagic    = 0x336ec578
	hvmStartVersion  = 1 // version 1 adds the memory map fields
	startInfoSize    = 56
	memmapEntrySize  = 24
	modlistEntrySize = 32

	e820RAM      = 1
	e820Reserved = 2
)

type memmapEntry struct {
	addr, size uint64
	typ        uint32
}

// memoryMap is the e820-style map handed to the guest: low RAM, the legacy
// hole, then RAM from 1 MiB, with the initrd (if any) reserved in it so that
// the guest's allocator leaves it alone until the kernel has unpacked it.
func memoryMap(ramSize uint64, initrd *module) []memmapEntry {
	mm := []memmapEntry{
		{0, legacyHoleStart, e820RAM},
		{legacyHoleStart, legacyHoleEnd - legacyHoleStart, e820Reserved},
	}
	if initrd == nil {
		return append(mm, memmapEntry{legacyHoleEnd, ramSize - legacyHoleEnd, e820RAM})
	}
	end := initrd.addr + initrd.size
	mm = append(mm,
		memmapEntry{legacyHoleEnd, initrd.addr - legacyHoleEnd, e820RAM},
		memmapEntry{initrd.addr, initrd.size, e820Reserved})
	if end < ramSize {
		mm = append(mm, memmapEntry{end, ramSize - end, e820RAM})
	}
	return mm
}

// module is a boot module (the initrd) already placed in guest RAM.
type module struct {
	addr, size uint64
	cmdline    string
}

// initrdCeiling is the highest address an initrd may end at: where Linux's
// boot protocol's default initrd_addr_max lies (896 MiB), so a kernel that
// maps only its low memory early can still reach it.
const initrdCeiling = 0x38000000

// placeInitrd copies an initrd into the top of guest RAM (below
// initrdCeiling), page-aligned and clear of the kernel, whose image ends at
// kernelEnd.
func placeInitrd(ram []byte, data []byte, kernelEnd uint64, name string) (*module, error) {
	top := min(uint64(len(ram)), initrdCeiling)
	size := uint64(len(data))
	if size == 0 {
		return nil, fmt.Errorf("the initrd %s is empty", name)
	}
	if size+kernelEnd > top {
		return nil, fmt.Errorf("the initrd %s (%d KiB) does not fit in guest RAM above the kernel (%d KiB free below %d MiB): give the guest more memory with -m",
			name, size>>10, (top-min(top, kernelEnd))>>10, top>>20)
	}
	addr := (top - size) &^ 0xfff
	if addr < kernelEnd {
		return nil, fmt.Errorf("the initrd %s (%d KiB) does not fit in guest RAM above the kernel: give the guest more memory with -m", name, size>>10)
	}
	copy(ram[addr:], data)
	if len(name) > maxModuleCmdline {
		name = name[len(name)-maxModuleCmdline:]
	}
	return &module{addr: addr, size: size, cmdline: name}, nil
}

// writeStartInfo writes hvm_start_info, the memory map and the command line
// into ram and returns the start info's physical address, which the guest
// finds in EBX at its entry point.
func writeStartInfo(ram []byte, cmdline string, initrd *module) (uint32, error) {
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

	mm := memoryMap(uint64(len(ram)), initrd)
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
	le.PutUint32(si[8:], 0) // flags
	if initrd != nil {
		// One hvm_modlist_entry: paddr, size, cmdline_paddr, reserved.
		e := ram[modlistAddr : modlistAddr+modlistEntrySize]
		le.PutUint64(e[0:], initrd.addr)
		le.PutUint64(e[8:], initrd.size)
		le.PutUint64(e[16:], moduleCmdlineAddr)
		copy(ram[moduleCmdlineAddr:moduleCmdlineAddr+maxModuleCmdline], initrd.cmdline)
		le.PutUint32(si[12:], 1)           // nr_modules
		le.PutUint64(si[16:], modlistAddr) // modlist_paddr
	}
	le.PutUint64(si[24:], cmdlineAddr) // cmdline_paddr
	le.PutUint64(si[32:], 0)           // rsdp_paddr: no ACPI
	le.PutUint64(si[40:], memmapAddr)  // memmap_paddr
	le.PutUint32(si[48:], uint32(len(mm)))
	return startInfoAddr, nil
}

// end is the first address past the kernel's image in memory.
func (k *kernelImage) end() uint64 {
	var end uint64
	for _, s := range k.segments {
		end = max(end, s.addr+s.memSize)
	}
	return end
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
