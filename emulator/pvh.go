package emulator

import "github.com/pollscope/pollscope/cpu"

// pvhState is the processor state the PVH boot protocol promises a kernel at
// its 32-bit entry point: protected mode with paging off, flat 4 GiB code
// and data segments, a valid task register, interrupts disabled, and EBX
// holding the physical address of struct hvm_start_info.
func pvhState(entry, startInfo uint32) (cpu.Regs, cpu.SRegs) {
	code := cpu.Segment{
		Base: 0, Limit: 0xffffffff, Selector: 0x10,
		Type:    0xb, // execute/read, accessed
		Present: true, DB: true, S: true, G: true,
	}
	data := cpu.Segment{
		Base: 0, Limit: 0xffffffff, Selector: 0x18,
		Type:    0x3, // read/write, accessed
		Present: true, DB: true, S: true, G: true,
	}
	tss := cpu.Segment{
		Base: 0, Limit: 0x67, Selector: 0x20,
		Type:    0xb, // 32-bit TSS, busy
		Present: true,
	}
	ldt := cpu.Segment{
		Type:    0x2, // LDT
		Present: true, Limit: 0xffff,
	}
	sregs := cpu.SRegs{
		CS: code, DS: data, ES: data, FS: data, GS: data, SS: data,
		TR: tss, LDT: ldt,
		CR0: cpu.CR0PE | cpu.CR0ET,
	}
	regs := cpu.Regs{
		RIP:    uint64(entry),
		RBX:    uint64(startInfo),
		RFLAGS: cpu.RFLAGSReserved,
	}
	return regs, sregs
}
