package emulator

import (
	"fmt"

	"github.com/pollscope/pollscope/cpu"
	"github.com/pollscope/pollscope/gdbstub"
)

// codeInvalidator is a vCPU that keeps decoded copies of guest code (the
// software CPU) and must hear of writes the host makes into it.
type codeInvalidator interface {
	InvalidateCode(phys, n uint64)
}

// debugMemory is guest memory as a debugger sees it: linear addresses go
// through the guest's page tables with the system registers sregs returns,
// page by page, and stop short at an unmapped page or the end of RAM.
type debugMemory struct {
	m     *Machine
	sregs func() (cpu.SRegs, error)
}

// each calls f for every piece of [addr, addr+n) that lies in one page,
// with its physical address, until f is done or a page is missing.
func (mem debugMemory) each(space gdbstub.Space, addr uint64, n int, f func(phys uint64, off, size int)) (int, error) {
	var s cpu.SRegs
	if space == gdbstub.Linear {
		var err error
		if s, err = mem.sregs(); err != nil {
			return 0, err
		}
	}
	mem.m.board.mu.Lock()
	defer mem.m.board.mu.Unlock()
	ram := mem.m.ram
	if ram == nil {
		return 0, fmt.Errorf("the machine is closed")
	}
	done := 0
	for done < n {
		a := addr + uint64(done)
		size := min(n-done, int(0x1000-a&0xfff))
		phys := a
		if space == gdbstub.Linear {
			p, ok := translate(ram, &s, a)
			if !ok {
				break
			}
			phys = p
		}
		if phys >= uint64(len(ram)) {
			break
		}
		size = min(size, int(uint64(len(ram))-phys))
		f(phys, done, size)
		done += size
	}
	return done, nil
}

// ReadMemory reads guest memory into buf.
func (mem debugMemory) ReadMemory(space gdbstub.Space, addr uint64, buf []byte) (int, error) {
	ram := mem.m.ram
	return mem.each(space, addr, len(buf), func(phys uint64, off, size int) {
		copy(buf[off:off+size], ram[phys:])
	})
}

// WriteMemory writes data into guest memory, telling a software CPU that
// caches decoded code.
func (mem debugMemory) WriteMemory(space gdbstub.Space, addr uint64, data []byte) (int, error) {
	ram := mem.m.ram
	inv, _ := mem.m.vcpu.(codeInvalidator)
	return mem.each(space, addr, len(data), func(phys uint64, off, size int) {
		copy(ram[phys:], data[off:off+size])
		if inv != nil {
			inv.InvalidateCode(phys, uint64(size))
		}
	})
}

// ReadMemory reads guest memory (linear or physical) as gdb's m packet
// does; software breakpoints read as the code they replaced.
func (d *Debugger) ReadMemory(space gdbstub.Space, addr uint64, buf []byte) (int, error) {
	n, err := debugMemory{d.m, d.SRegs}.ReadMemory(space, addr, buf)
	if space == gdbstub.Linear {
		d.mu.Lock()
		d.patched.Hide(addr, buf[:n])
		d.mu.Unlock()
	}
	return n, err
}

// WriteMemory writes guest memory, on the vCPU thread; bytes under a
// software breakpoint are kept for when it is removed.
func (d *Debugger) WriteMemory(space gdbstub.Space, addr uint64, data []byte) (n int, err error) {
	if space == gdbstub.Linear {
		d.mu.Lock()
		d.patched.Keep(addr, data)
		d.mu.Unlock()
	}
	if derr := d.do(func() { n, err = (debugMemory{d.m, d.m.vcpu.SRegs}).WriteMemory(space, addr, data) }); derr != nil {
		return 0, derr
	}
	return n, err
}
