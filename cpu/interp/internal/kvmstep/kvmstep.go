//go:build linux

// Package kvmstep runs a guest on the host's KVM one instruction at a time
// (KVM_SET_GUEST_DEBUG with KVM_GUESTDBG_SINGLESTEP), as the reference for
// the software CPU's differential test. It is a minimal, single-vCPU KVM
// driver of its own so the test does not depend on cpu/kvm's internals.
package kvmstep

import (
	"errors"
	"fmt"
	"unsafe"

	"github.com/bobuhiro11/gokvm/kvm"
	"golang.org/x/sys/unix"

	"github.com/pollscope/pollscope/cpu"
	"github.com/pollscope/pollscope/cpu/cpuid"
)

// ExitKind is why Step returned.
type ExitKind int

const (
	ExitStep     ExitKind = iota // one instruction (or event) completed
	ExitIO                       // port I/O: Port, Write, Size, Data
	ExitHLT                      // HLT
	ExitShutdown                 // triple fault
	ExitOther                    // anything else (Reason)
)

// Exit is one KVM exit.
type Exit struct {
	Kind   ExitKind
	Port   uint16
	Write  bool
	Size   int
	Count  int
	Data   []byte
	Reason uint32
}

// VM is one KVM virtual machine with one vCPU stepping.
type VM struct {
	kvmFd, vmFd, fd int
	run             *kvm.RunData
	mmap            []byte
}

// New creates a VM over ram with pollscope's baseline CPUID and single-step
// enabled.
func New(ram []byte) (*VM, error) {
	kfd, err := unix.Open("/dev/kvm", unix.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	v := &VM{kvmFd: kfd, vmFd: -1, fd: -1}
	if err := v.init(ram); err != nil {
		v.Close()
		return nil, err
	}
	return v, nil
}

func (v *VM) init(ram []byte) error {
	fd, err := kvm.CreateVM(uintptr(v.kvmFd))
	if err != nil {
		return fmt.Errorf("KVM_CREATE_VM: %w", err)
	}
	v.vmFd = int(fd)
	if err := kvm.SetTSSAddr(uintptr(v.vmFd), 0xfffbd000); err != nil {
		return err
	}
	if err := kvm.SetIdentityMapAddr(uintptr(v.vmFd), 0xfffbc000); err != nil {
		return err
	}
	region := kvm.UserspaceMemoryRegion{MemorySize: uint64(len(ram)), UserspaceAddr: uint64(uintptr(unsafe.Pointer(&ram[0])))}
	if err := kvm.SetUserMemoryRegion(uintptr(v.vmFd), &region); err != nil {
		return err
	}
	cfd, err := kvm.CreateVCPU(uintptr(v.vmFd), 0)
	if err != nil {
		return err
	}
	v.fd = int(cfd)
	size, err := kvm.GetVCPUMMmapSize(uintptr(v.kvmFd))
	if err != nil {
		return err
	}
	v.mmap, err = unix.Mmap(v.fd, 0, int(size), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return err
	}
	v.run = (*kvm.RunData)(unsafe.Pointer(&v.mmap[0]))
	if err := v.setCPUID(); err != nil {
		return err
	}
	return v.singleStep()
}

// setCPUID gives the guest cpuid.Baseline, so both CPUs answer alike.
func (v *VM) setCPUID() error {
	base := cpuid.Baseline()
	c := &kvm.CPUID{Nent: uint32(len(base)), Entries: make([]kvm.CPUIDEntry2, len(base))}
	for i, l := range base {
		c.Entries[i] = kvm.CPUIDEntry2{Function: l.Function, Index: l.Index, Eax: l.EAX, Ebx: l.EBX, Ecx: l.ECX, Edx: l.EDX}
		if l.Function == cpuid.LeafExtFeatures7 {
			c.Entries[i].Flags = 1 // KVM_CPUID_FLAG_SIGNIFCANT_INDEX
		}
	}
	if err := kvm.SetCPUID2(uintptr(v.fd), c); err != nil {
		return fmt.Errorf("KVM_SET_CPUID2: %w", err)
	}
	return nil
}

func (v *VM) singleStep() error {
	// struct kvm_guest_debug: control, pad, arch (8 debug registers).
	var dbg struct {
		control, pad uint32
		arch         [8]uint64
	}
	dbg.control = 1 | 2 // KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP
	if _, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(v.fd), kvm.IIOW(0x9b, unsafe.Sizeof(dbg)), uintptr(unsafe.Pointer(&dbg))); e != 0 {
		return fmt.Errorf("KVM_SET_GUEST_DEBUG: %w", e)
	}
	return nil
}

// Close releases the VM.
func (v *VM) Close() error {
	var errs []error
	if v.mmap != nil {
		errs = append(errs, unix.Munmap(v.mmap))
	}
	for _, fd := range []int{v.fd, v.vmFd, v.kvmFd} {
		if fd >= 0 {
			errs = append(errs, unix.Close(fd))
		}
	}
	return errors.Join(errs...)
}

// Step enters the guest until the next exit.
func (v *VM) Step() (Exit, error) {
	r := v.run
	for {
		_, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(v.fd), kvm.IIO(0x80), 0)
		if errno == unix.EINTR || errno == unix.EAGAIN || errno == 0 && r.ExitReason == 10 {
			continue // a signal for the Go runtime interrupted KVM_RUN
		}
		if errno != 0 {
			return Exit{}, fmt.Errorf("KVM_RUN: %w", errno)
		}
		break
	}
	switch r.ExitReason {
	case 4: // KVM_EXIT_DEBUG
		return Exit{Kind: ExitStep}, nil
	case 2: // KVM_EXIT_IO
		dir, size, port, count, off := r.IO()
		n := size * count
		return Exit{Kind: ExitIO, Port: uint16(port), Write: dir == kvm.EXITIOOUT, Size: int(size), Count: int(count),
			Data: v.mmap[off : off+n]}, nil
	case 5:
		return Exit{Kind: ExitHLT}, nil
	case 8:
		return Exit{Kind: ExitShutdown}, nil
	}
	return Exit{Kind: ExitOther, Reason: r.ExitReason}, nil
}

// ReadyForInterrupt reports whether KVM would take an interrupt now.
func (v *VM) ReadyForInterrupt() bool {
	return v.run.ReadyForInterruptInjection != 0 && v.run.IfFlag != 0
}

// Inject queues an external interrupt (KVM_INTERRUPT).
func (v *VM) Inject(vector uint8) error {
	irq := uint32(vector)
	if _, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(v.fd), kvm.IIOW(0x86, 4), uintptr(unsafe.Pointer(&irq))); e != 0 {
		return fmt.Errorf("KVM_INTERRUPT: %w", e)
	}
	return nil
}

// Regs reads the general registers.
func (v *VM) Regs() (cpu.Regs, error) {
	r, err := kvm.GetRegs(uintptr(v.fd))
	if err != nil {
		return cpu.Regs{}, err
	}
	return cpu.Regs{RAX: r.RAX, RBX: r.RBX, RCX: r.RCX, RDX: r.RDX, RSI: r.RSI, RDI: r.RDI, RSP: r.RSP, RBP: r.RBP,
		R8: r.R8, R9: r.R9, R10: r.R10, R11: r.R11, R12: r.R12, R13: r.R13, R14: r.R14, R15: r.R15,
		RIP: r.RIP, RFLAGS: r.RFLAGS}, nil
}

// SetRegs writes the general registers.
func (v *VM) SetRegs(r cpu.Regs) error {
	k := kvm.Regs{RAX: r.RAX, RBX: r.RBX, RCX: r.RCX, RDX: r.RDX, RSI: r.RSI, RDI: r.RDI, RSP: r.RSP, RBP: r.RBP,
		R8: r.R8, R9: r.R9, R10: r.R10, R11: r.R11, R12: r.R12, R13: r.R13, R14: r.R14, R15: r.R15,
		RIP: r.RIP, RFLAGS: r.RFLAGS}
	return kvm.SetRegs(uintptr(v.fd), &k)
}

// SRegs reads the system registers.
func (v *VM) SRegs() (cpu.SRegs, error) {
	s, err := kvm.GetSregs(uintptr(v.fd))
	if err != nil {
		return cpu.SRegs{}, err
	}
	return cpu.SRegs{
		CS: fromSeg(s.CS), DS: fromSeg(s.DS), ES: fromSeg(s.ES), FS: fromSeg(s.FS),
		GS: fromSeg(s.GS), SS: fromSeg(s.SS), TR: fromSeg(s.TR), LDT: fromSeg(s.LDT),
		GDT: cpu.Table{Base: s.GDT.Base, Limit: s.GDT.Limit}, IDT: cpu.Table{Base: s.IDT.Base, Limit: s.IDT.Limit},
		CR0: s.CR0, CR2: s.CR2, CR3: s.CR3, CR4: s.CR4, CR8: s.CR8, EFER: s.EFER,
	}, nil
}

// SetSRegs writes the system registers.
func (v *VM) SetSRegs(n cpu.SRegs) error {
	s, err := kvm.GetSregs(uintptr(v.fd))
	if err != nil {
		return err
	}
	s.CS, s.DS, s.ES, s.FS = toSeg(n.CS), toSeg(n.DS), toSeg(n.ES), toSeg(n.FS)
	s.GS, s.SS, s.TR, s.LDT = toSeg(n.GS), toSeg(n.SS), toSeg(n.TR), toSeg(n.LDT)
	s.GDT.Base, s.GDT.Limit = n.GDT.Base, n.GDT.Limit
	s.IDT.Base, s.IDT.Limit = n.IDT.Base, n.IDT.Limit
	s.CR0, s.CR2, s.CR3, s.CR4, s.CR8, s.EFER = n.CR0, n.CR2, n.CR3, n.CR4, n.CR8, n.EFER
	return kvm.SetSregs(uintptr(v.fd), s)
}

func b2u(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

func toSeg(s cpu.Segment) kvm.Segment {
	return kvm.Segment{Base: s.Base, Limit: s.Limit, Selector: s.Selector, Typ: s.Type, Present: b2u(s.Present),
		DPL: s.DPL, DB: b2u(s.DB), S: b2u(s.S), L: b2u(s.L), G: b2u(s.G), Unusable: b2u(s.Unusable)}
}

func fromSeg(s kvm.Segment) cpu.Segment {
	return cpu.Segment{Base: s.Base, Limit: s.Limit, Selector: s.Selector, Type: s.Typ, Present: s.Present != 0,
		DPL: s.DPL, DB: s.DB != 0, S: s.S != 0, L: s.L != 0, G: s.G != 0, Unusable: s.Unusable != 0}
}
