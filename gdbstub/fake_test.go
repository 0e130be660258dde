package gdbstub

import (
	"context"
	"encoding/binary"
	"fmt"
	"runtime"
	"slices"

	"golang.org/x/arch/x86/x86asm"

	"github.com/pollscope/pollscope/cpu"
)

// fakeTarget is an in-memory x86-64 machine for the stub's tests: a
// register file, 1 MiB of RAM, and a tiny interpreter for the handful of
// instructions the test programs use (mov, inc, dec, add, cmp, jmp, jne,
// je, nop, hlt, int3). Linear addresses below 1 MiB are physical; the
// higher half (fakeKernelBase + x) maps to the same RAM, so tests can tell
// linear from physical. It behaves as the real backends promise: a
// breakpoint stops before its instruction, a Resume from a breakpoint
// executes it, a watchpoint stops after the access, HLT ends the guest
// with AL as its exit code.
type fakeTarget struct {
	regs  cpu.Regs
	sregs cpu.SRegs
	fpu   cpu.FXSave
	mem   []byte

	breaks []Breakpoint
	// refuse lists the breakpoint kinds SetBreakpoints refuses, and
	// refuseStep makes stepping Resume fail, as a host's KVM may.
	refuse     map[BreakpointKind]bool
	refuseStep bool

	exited   bool
	exitCode uint8
	detached bool
	killed   bool
	// calls records Halt, Detach and Kill in order.
	calls []string
	// running receives a value when a Resume starts (if nobody took the
	// last one).
	running chan struct{}
	// budget, when positive, bounds the instructions one Resume executes
	// (it then reports StopHalted), so that a fuzzed program cannot spin.
	budget int
}

const (
	fakeRAMSize    = 1 << 20
	fakeKernelBase = 0xffffffff80000000
	fakeCodeAddr   = 0x1000
	fakeDataAddr   = 0x2000
)

// The test programs, at fakeCodeAddr.
var (
	// counterProgram counts EAX from 1 to 3, storing each value at
	// fakeDataAddr, reads it back into EBX and halts with code 3:
	//
	//	1000: mov eax, 0
	//	1005: inc eax
	//	1007: mov [0x2000], eax
	//	100e: cmp eax, 3
	//	1011: jne 1005
	//	1013: mov ebx, [0x2000]
	//	101a: hlt
	counterProgram = []byte{
		0xb8, 0, 0, 0, 0,
		0xff, 0xc0,
		0x89, 0x04, 0x25, 0x00, 0x20, 0, 0,
		0x83, 0xf8, 0x03,
		0x75, 0xf2,
		0x8b, 0x1c, 0x25, 0x00, 0x20, 0, 0,
		0xf4,
	}
	// spinProgram loops forever: 1000: jmp 1000.
	spinProgram = []byte{0xeb, 0xfe}
)

func newFakeTarget(program []byte) *fakeTarget {
	f := &fakeTarget{mem: make([]byte, fakeRAMSize), running: make(chan struct{}, 1)}
	copy(f.mem[fakeCodeAddr:], program)
	f.regs = cpu.Regs{RIP: fakeCodeAddr, RSP: 0x8000, RFLAGS: cpu.RFLAGSReserved}
	code := cpu.Segment{Limit: 0xffffffff, Selector: 0x10, Type: 11, Present: true, S: true, L: true, G: true}
	data := cpu.Segment{Limit: 0xffffffff, Selector: 0x18, Type: 3, Present: true, S: true, DB: true, G: true}
	f.sregs = cpu.SRegs{CS: code, DS: data, ES: data, SS: data, FS: data, GS: data,
		TR:  cpu.Segment{Base: 0x7000, Limit: 0x67, Selector: 0x40, Type: 11, Present: true},
		GDT: cpu.Table{Base: 0x5000, Limit: 0x4f}, IDT: cpu.Table{Base: 0x6000, Limit: 0xfff},
		CR0: cpu.CR0PG | cpu.CR0PE | cpu.CR0ET, CR3: 0x9000, CR4: cpu.CR4PAE, EFER: cpu.EFERLME | cpu.EFERLMA}
	f.sregs.GS.Base = 0xffff888000001000
	le := binary.LittleEndian
	le.PutUint16(f.fpu[fxFCW:], 0x37f)
	le.PutUint32(f.fpu[fxMXCSR:], 0x1f80)
	// ST0 = 1.0 (in use), the other seven empty.
	le.PutUint64(f.fpu[fxST:], 1<<63)
	le.PutUint16(f.fpu[fxST+8:], 0x3fff)
	le.PutUint16(f.fpu[fxFSW:], 7<<11) // TOP = 7: ST0 is physical register 7
	f.fpu[fxFTW] = 1 << 7
	return f
}

func (f *fakeTarget) Halt(context.Context) (Stop, error) {
	f.calls = append(f.calls, "halt")
	if f.exited {
		return Stop{Reason: StopExited, ExitCode: f.exitCode}, nil
	}
	return Stop{Reason: StopHalted}, nil
}

func (f *fakeTarget) Regs() (cpu.Regs, error)    { return f.regs, nil }
func (f *fakeTarget) SetRegs(r cpu.Regs) error   { f.regs = r; return nil }
func (f *fakeTarget) SRegs() (cpu.SRegs, error)  { return f.sregs, nil }
func (f *fakeTarget) SetSRegs(s cpu.SRegs) error { f.sregs = s; return nil }
func (f *fakeTarget) FPU() (cpu.FXSave, error)   { return f.fpu, nil }
func (f *fakeTarget) SetFPU(x cpu.FXSave) error  { f.fpu = x; return nil }
func (f *fakeTarget) Detach() error {
	f.detached = true
	f.calls = append(f.calls, "detach")
	return nil
}

func (f *fakeTarget) Kill() error {
	f.killed = true
	f.calls = append(f.calls, "kill")
	return nil
}
func (f *fakeTarget) hasBreak(k BreakpointKind) bool { return f.findBreak(k, f.regs.RIP) }

func (f *fakeTarget) SetBreakpoints(bps []Breakpoint) error {
	for _, bp := range bps {
		if f.refuse[bp.Kind] {
			return fmt.Errorf("%w: a %v is not offered by this test target", cpu.ErrDebugUnsupported, bp.Kind)
		}
	}
	f.breaks = slices.Clone(bps)
	return nil
}

func (f *fakeTarget) findBreak(k BreakpointKind, addr uint64) bool {
	return slices.ContainsFunc(f.breaks, func(b Breakpoint) bool { return b.Kind == k && b.Addr == addr })
}

// physical translates a linear address, or reports it unmapped.
func (f *fakeTarget) physical(space Space, addr uint64) (uint64, bool) {
	if space == Linear && addr >= fakeKernelBase {
		addr -= fakeKernelBase
	}
	return addr, addr < uint64(len(f.mem))
}

func (f *fakeTarget) ReadMemory(space Space, addr uint64, buf []byte) (int, error) {
	for i := range buf {
		p, ok := f.physical(space, addr+uint64(i))
		if !ok {
			return i, fmt.Errorf("%s address %#x is not mapped", space, addr+uint64(i))
		}
		buf[i] = f.mem[p]
	}
	return len(buf), nil
}

func (f *fakeTarget) WriteMemory(space Space, addr uint64, data []byte) (int, error) {
	for i, b := range data {
		p, ok := f.physical(space, addr+uint64(i))
		if !ok {
			return i, fmt.Errorf("%s address %#x is not mapped", space, addr+uint64(i))
		}
		f.mem[p] = b
	}
	return len(data), nil
}

func (f *fakeTarget) Resume(ctx context.Context, step bool) (Stop, error) {
	if step && f.refuseStep {
		return Stop{}, fmt.Errorf("%w: single-stepping (stepi) is not offered by this test target", cpu.ErrDebugUnsupported)
	}
	select {
	case f.running <- struct{}{}:
	default:
	}
	for n := 0; ; n++ {
		if f.exited {
			return Stop{Reason: StopExited, ExitCode: f.exitCode}, nil
		}
		if ctx.Err() != nil || (f.budget > 0 && n == f.budget) {
			return Stop{Reason: StopHalted}, nil
		}
		if n > 0 && step {
			return Stop{Reason: StopStep}, nil
		}
		// A breakpoint stops before its instruction, except the one the
		// Resume starts at, which executes (as RFLAGS.RF makes it).
		if n > 0 && f.hasBreak(SoftwareBreakpoint) {
			return Stop{Reason: StopSoftwareBreakpoint}, nil
		}
		if n > 0 && f.hasBreak(HardwareBreakpoint) {
			return Stop{Reason: StopHardwareBreakpoint}, nil
		}
		if stop, stopped := f.execute(); stopped {
			return stop, nil
		}
		if n%1024 == 1023 {
			runtime.Gosched()
		}
	}
}

// access is one data access an instruction made.
type access struct {
	addr  uint64
	size  int
	write bool
}

// execute runs the instruction at RIP and says whether that stopped the
// target (a watchpoint, an exit, a fault).
func (f *fakeTarget) execute() (stop Stop, stopped bool) {
	pc := f.regs.RIP
	defer func() {
		// An operand the test CPU does not know faults, as an
		// instruction a real CPU cannot run would.
		if r := recover(); r != nil {
			f.regs.RIP = pc
			stop, stopped = f.fault(fmt.Sprint(r))
		}
	}()
	var code [15]byte
	n, _ := f.ReadMemory(Linear, f.regs.RIP, code[:])
	inst, err := x86asm.Decode(code[:n], 64)
	if err != nil {
		return f.fault(fmt.Sprintf("the test CPU cannot decode the bytes at %#x: %v", f.regs.RIP, err))
	}
	f.regs.RIP += uint64(inst.Len)
	var acc *access
	switch inst.Op {
	case x86asm.NOP:
	case x86asm.HLT:
		f.exited, f.exitCode = true, uint8(f.regs.RAX)
		return Stop{Reason: StopExited, ExitCode: f.exitCode, Message: "the test guest halted"}, true
	case x86asm.INT: // only INT3 (0xcc): the guest's own breakpoint
		if inst.Len != 1 {
			f.regs.RIP = pc
			return f.fault(fmt.Sprintf("the test CPU cannot execute %v at %#x", inst, pc))
		}
		if f.findBreak(SoftwareBreakpoint, pc) {
			f.regs.RIP = pc
			return Stop{Reason: StopSoftwareBreakpoint}, true
		}
		return Stop{Reason: StopTrap}, true
	case x86asm.JMP, x86asm.JNE, x86asm.JE:
		zf := f.regs.RFLAGS&(1<<6) != 0
		if inst.Op == x86asm.JMP || (inst.Op == x86asm.JNE) != zf {
			f.regs.RIP = uint64(int64(f.regs.RIP) + int64(inst.Args[0].(x86asm.Rel)))
		}
	case x86asm.MOV:
		var v uint64
		v, acc = f.operand(inst.Args[1], inst.MemBytes)
		if a := f.store(inst.Args[0], inst.MemBytes, v); a != nil {
			acc = a
		}
	case x86asm.INC, x86asm.DEC, x86asm.ADD, x86asm.CMP:
		dst, _ := f.operand(inst.Args[0], 0)
		delta := uint64(1)
		switch inst.Op {
		case x86asm.DEC:
			delta = ^uint64(0)
		case x86asm.ADD:
			delta, _ = f.operand(inst.Args[1], 0)
		case x86asm.CMP:
			v, _ := f.operand(inst.Args[1], 0)
			delta = -v
		}
		result := dst + delta
		if _, wide := f.reg(inst.Args[0].(x86asm.Reg)); !wide {
			result = uint64(uint32(result))
		}
		f.regs.RFLAGS &^= 1 << 6
		if result == 0 {
			f.regs.RFLAGS |= 1 << 6
		}
		if inst.Op != x86asm.CMP {
			f.store(inst.Args[0], 0, result)
		}
	default:
		f.regs.RIP = pc
		return f.fault(fmt.Sprintf("the test CPU cannot execute %v at %#x", inst, pc))
	}
	if acc != nil {
		return f.watched(acc)
	}
	return Stop{}, false
}

func (f *fakeTarget) fault(msg string) (Stop, bool) {
	return Stop{Reason: StopFault, Message: msg}, true
}

// watched reports the watchpoint an access hit, if any.
func (f *fakeTarget) watched(a *access) (Stop, bool) {
	for _, bp := range f.breaks {
		hit := a.addr < bp.Addr+bp.Len && bp.Addr < a.addr+uint64(a.size)
		switch {
		case !hit:
		case bp.Kind == WriteWatchpoint && a.write, bp.Kind == ReadWatchpoint && !a.write, bp.Kind == AccessWatchpoint:
			return Stop{Reason: StopWatchpoint, Watch: bp, Addr: a.addr}, true
		}
	}
	return Stop{}, false
}

// reg maps x86asm's register numbering (RAX, RCX, RDX, RBX, RSP, RBP,
// RSI, RDI, R8-R15) into cpu.Regs.
func (f *fakeTarget) reg(r x86asm.Reg) (*uint64, bool) {
	ptrs := []*uint64{&f.regs.RAX, &f.regs.RCX, &f.regs.RDX, &f.regs.RBX, &f.regs.RSP, &f.regs.RBP, &f.regs.RSI, &f.regs.RDI,
		&f.regs.R8, &f.regs.R9, &f.regs.R10, &f.regs.R11, &f.regs.R12, &f.regs.R13, &f.regs.R14, &f.regs.R15}
	switch {
	case r >= x86asm.RAX && r <= x86asm.R15:
		return ptrs[r-x86asm.RAX], true
	case r >= x86asm.EAX && r <= x86asm.R15L:
		return ptrs[r-x86asm.EAX], false
	}
	panic(fmt.Sprintf("the test CPU has no register %v", r))
}

// operand reads a register, an immediate or memory.
func (f *fakeTarget) operand(a x86asm.Arg, size int) (uint64, *access) {
	switch a := a.(type) {
	case x86asm.Reg:
		p, wide := f.reg(a)
		if wide {
			return *p, nil
		}
		return uint64(uint32(*p)), nil
	case x86asm.Imm:
		return uint64(a), nil
	case x86asm.Mem:
		var b [8]byte
		f.ReadMemory(Linear, f.address(a), b[:size])
		return binary.LittleEndian.Uint64(b[:]), &access{addr: f.address(a), size: size}
	}
	panic(fmt.Sprintf("the test CPU has no operand %v", a))
}

// store writes a register (a 32-bit write clears the upper half, as in
// 64-bit mode) or memory.
func (f *fakeTarget) store(a x86asm.Arg, size int, v uint64) *access {
	switch a := a.(type) {
	case x86asm.Reg:
		p, wide := f.reg(a)
		if !wide {
			v = uint64(uint32(v))
		}
		*p = v
		return nil
	case x86asm.Mem:
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], v)
		f.WriteMemory(Linear, f.address(a), b[:size])
		return &access{addr: f.address(a), size: size, write: true}
	}
	panic(fmt.Sprintf("the test CPU cannot store to %v", a))
}

func (f *fakeTarget) address(m x86asm.Mem) uint64 {
	addr := uint64(m.Disp)
	if m.Base != 0 {
		p, _ := f.reg(m.Base)
		addr += *p
	}
	return addr
}
