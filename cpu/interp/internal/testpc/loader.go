// Package testpc is a small, single-goroutine PC for the software CPU's
// tests and benchmarks: it loads a PVH ELF kernel, wires the 8259A, 8254,
// 8042, a 16550A and isa-debug-exit on a port bus, and runs any cpu.VCPU
// in the same loop the emulator uses, without threads, locks or the host
// clock of its own. On a vCPU with deterministic time (interp's ICount)
// the whole machine is deterministic, which the emulator (real time, a
// drainer goroutine) is not. It is test equipment, not the product: the
// emulator package is pollscope's machine.
package testpc

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/pollscope/pollscope/cpu"
)

// Boot layout, as the emulator's PVH loader uses it.
const (
	startInfoAddr = 0x1000
	memmapAddr    = 0x1100
	cmdlineAddr   = 0x2000
)

// Load copies a PVH ELF kernel into ram, writes hvm_start_info with the
// command line and a memory map, and returns the PVH entry state.
func Load(ram []byte, image []byte, cmdline string) (cpu.Regs, cpu.SRegs, error) {
	f, err := elf.NewFile(bytes.NewReader(image))
	if err != nil {
		return cpu.Regs{}, cpu.SRegs{}, err
	}
	defer f.Close()
	entry, ok := pvhEntry(f)
	if !ok {
		return cpu.Regs{}, cpu.SRegs{}, fmt.Errorf("no PVH entry note")
	}
	for _, p := range f.Progs {
		if p.Type != elf.PT_LOAD || p.Memsz == 0 {
			continue
		}
		if p.Paddr+p.Memsz > uint64(len(ram)) {
			return cpu.Regs{}, cpu.SRegs{}, fmt.Errorf("segment at %#x does not fit in RAM", p.Paddr)
		}
		data := make([]byte, p.Filesz)
		if _, err := io.ReadFull(p.Open(), data); err != nil {
			return cpu.Regs{}, cpu.SRegs{}, err
		}
		n := copy(ram[p.Paddr:], data)
		clear(ram[p.Paddr+uint64(n) : p.Paddr+p.Memsz])
	}
	le := binary.LittleEndian
	clear(ram[startInfoAddr:0x3000])
	copy(ram[cmdlineAddr:], cmdline)
	mm := [][3]uint64{{0, 0x9fc00, 1}, {0x9fc00, 0x100000 - 0x9fc00, 2}, {0x100000, uint64(len(ram)) - 0x100000, 1}}
	for i, e := range mm {
		b := ram[memmapAddr+24*i:]
		le.PutUint64(b, e[0])
		le.PutUint64(b[8:], e[1])
		le.PutUint32(b[16:], uint32(e[2]))
	}
	si := ram[startInfoAddr:]
	le.PutUint32(si[0:], 0x336ec578)
	le.PutUint32(si[4:], 1)
	le.PutUint64(si[24:], cmdlineAddr)
	le.PutUint64(si[40:], memmapAddr)
	le.PutUint32(si[48:], uint32(len(mm)))
	regs, sregs := pvhState(entry, startInfoAddr)
	return regs, sregs, nil
}

func pvhEntry(f *elf.File) (uint32, bool) {
	for _, p := range f.Progs {
		if p.Type != elf.PT_NOTE {
			continue
		}
		b := make([]byte, p.Filesz)
		if _, err := io.ReadFull(p.Open(), b); err != nil {
			continue
		}
		for len(b) >= 12 {
			nsz, dsz, typ := binary.LittleEndian.Uint32(b), binary.LittleEndian.Uint32(b[4:]), binary.LittleEndian.Uint32(b[8:])
			b = b[12:]
			nl, dl := (nsz+3)&^3, (dsz+3)&^3
			if uint64(nl)+uint64(dl) > uint64(len(b)) {
				break
			}
			desc := b[nl : nl+dsz]
			if typ == 18 && string(bytes.TrimRight(b[:nsz], "\x00")) == "Xen" && len(desc) >= 4 {
				return binary.LittleEndian.Uint32(desc), true
			}
			b = b[nl+dl:]
		}
	}
	return 0, false
}

// pvhState is the PVH entry state (as emulator/pvh.go sets it).
func pvhState(entry, startInfo uint32) (cpu.Regs, cpu.SRegs) {
	code := cpu.Segment{Limit: 0xffffffff, Selector: 0x10, Type: 0xb, Present: true, DB: true, S: true, G: true}
	data := cpu.Segment{Limit: 0xffffffff, Selector: 0x18, Type: 0x3, Present: true, DB: true, S: true, G: true}
	tss := cpu.Segment{Limit: 0x67, Selector: 0x20, Type: 0xb, Present: true}
	ldt := cpu.Segment{Type: 0x2, Present: true, Limit: 0xffff}
	return cpu.Regs{RIP: uint64(entry), RBX: uint64(startInfo), RFLAGS: 2},
		cpu.SRegs{CS: code, DS: data, ES: data, FS: data, GS: data, SS: data, TR: tss, LDT: ldt, CR0: cpu.CR0PE | cpu.CR0ET}
}

// AddInitrd places an initial RAM disk at the top of RAM (page aligned)
// and lists it in hvm_start_info as the one boot module, the way a PVH
// loader passes Linux its initrd.
func AddInitrd(ram []byte, initrd []byte) error {
	top := uint64(len(ram)) &^ (1<<20 - 1)
	addr := (top - uint64(len(initrd))) &^ 0xfff
	if addr < 16<<20 {
		return fmt.Errorf("an initrd of %d bytes does not fit in RAM", len(initrd))
	}
	copy(ram[addr:], initrd)
	const modlist = 0x1200 // hvm_modlist_entry: paddr, size, cmdline_paddr, reserved
	le := binary.LittleEndian
	le.PutUint64(ram[modlist:], addr)
	le.PutUint64(ram[modlist+8:], uint64(len(initrd)))
	le.PutUint32(ram[startInfoAddr+12:], 1)
	le.PutUint64(ram[startInfoAddr+16:], modlist)
	return nil
}
