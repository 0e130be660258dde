package kvm

import (
	"errors"
	"fmt"
	"sync/atomic"
	"unsafe"

	"github.com/bobuhiro11/gokvm/kvm"
	"golang.org/x/sys/unix"

	"github.com/pollscope/pollscope/cpu"
	"github.com/pollscope/pollscope/cpu/cpuid"
)

// KVM ioctl numbers that pollscope issues itself rather than through gokvm's
// wrappers: KVM_RUN (gokvm's Run hides EINTR, which is how a kick returns)
// and KVM_INTERRUPT (gokvm's InjectInterrupt passes the vector where the
// kernel expects a pointer to struct kvm_interrupt, so it always fails).
const (
	ioctlRun       = 0x80
	ioctlInterrupt = 0x86
)

// kvm_run exit reasons (include/uapi/linux/kvm.h).
const (
	exitIO            = 2
	exitDebug         = 4
	exitHLT           = 5
	exitMMIO          = 6
	exitIRQWindowOpen = 7
	exitShutdown      = 8
	exitFailEntry     = 9
	exitIntr          = 10
	exitInternalError = 17
)

// kickSignal interrupts the vCPU thread in KVM_RUN or Sleep. The Go runtime
// already handles SIGURG (it preempts goroutines with it) and ignores one it
// did not send, so it is safe to deliver at any time.
const kickSignal = unix.SIGURG

// VCPU is one KVM vCPU. It implements cpu.VCPU.
type VCPU struct {
	vm       *VM // closed with the vCPU when New made both
	clock    *cpu.HostClock
	fd       int
	run      *kvm.RunData
	mmap     []byte
	tid      atomic.Int32 // the vCPU thread (BindThread), 0 before
	timerID  int32        // POSIX timer that kicks the vCPU thread
	hasTimer bool

	// midInstruction: the last exit was port I/O or MMIO, which KVM
	// completes on the next KVM_RUN.
	midInstruction bool
	debugSupport   hostDebugSupport
	debug          debugState
	// wantWindow: the machine asked for an interrupt window; it is
	// requested from KVM once no step is pending (see CanInjectInterrupt).
	wantWindow bool
	cpuid      []cpuid.Leaf // what KVM_SET_CPUID2 was given
}

var _ cpu.VCPU = (*VCPU)(nil)

// NewVCPU creates vCPU number id with the VM's filtered CPUID.
func (vm *VM) NewVCPU(id int) (*VCPU, error) {
	fd, err := retryEINTR(func() (uintptr, error) { return kvm.CreateVCPU(uintptr(vm.vmFd), id) })
	if err != nil {
		return nil, fmt.Errorf("KVM_CREATE_VCPU: %w", err)
	}
	v := &VCPU{fd: int(fd), clock: cpu.NewHostClock(), debugSupport: vm.debugSupport}
	unix.CloseOnExec(v.fd)
	v.mmap, err = unix.Mmap(v.fd, 0, vm.mmapSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		unix.Close(v.fd)
		return nil, fmt.Errorf("mmap of the vCPU's kvm_run area: %w", err)
	}
	v.run = (*kvm.RunData)(unsafe.Pointer(&v.mmap[0]))
	if err := kvm.SetCPUID2(uintptr(v.fd), vm.cpuid); err != nil {
		v.Close()
		return nil, fmt.Errorf("KVM_SET_CPUID2: %w", err)
	}
	v.cpuid = vm.CPUID()
	return v, nil
}

// Close unmaps the run area and closes the vCPU's fd.
func (v *VCPU) Close() error {
	v.deleteTimer()
	var errs []error
	if v.mmap != nil {
		errs = append(errs, unix.Munmap(v.mmap))
		v.mmap, v.run = nil, nil
	}
	if v.fd >= 0 {
		errs = append(errs, unix.Close(v.fd))
		v.fd = -1
	}
	if v.vm != nil {
		errs = append(errs, v.vm.Close())
		v.vm = nil
	}
	return errors.Join(errs...)
}

// Run enters the guest until the next exit. Call it from the thread bound
// with BindThread, so that kicks reach it.
func (v *VCPU) Run() (cpu.Exit, error) {
	for {
		if err := v.beginStepOver(); err != nil {
			return cpu.Exit{}, err
		}
		e, err := v.runOnce()
		if err != nil {
			return e, err
		}
		v.midInstruction = e.Kind == cpu.ExitPortIO || e.Kind == cpu.ExitMMIO
		if again, err := v.endStepOver(e); err != nil || !again {
			return e, err
		}
	}
}

// runOnce is one KVM_RUN.
func (v *VCPU) runOnce() (cpu.Exit, error) {
	completingStep := v.completingStep()
	if completingStep {
		v.run.ImmediateExit = 1
	}
	v.applyInterruptWindow()
	_, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(v.fd), kvm.IIO(ioctlRun), 0)
	// A kick before BindThread sets immediate_exit; it has done its job.
	v.run.ImmediateExit = 0
	switch errno {
	case 0:
	case unix.EINTR, unix.EAGAIN:
		eatKicks()
		if completingStep {
			return v.completedStep()
		}
		return cpu.Exit{Kind: cpu.ExitKicked}, nil
	default:
		return cpu.Exit{}, fmt.Errorf("KVM_RUN: %w", errno)
	}
	return v.decodeExit(), nil
}

func (v *VCPU) decodeExit() cpu.Exit {
	r := v.run
	switch r.ExitReason {
	case exitIO:
		dir, size, port, count, off := r.IO()
		n := int(size * count)
		if off+uint64(n) > uint64(len(v.mmap)) {
			return cpu.Exit{Kind: cpu.ExitInternalError, Reason: off}
		}
		return cpu.Exit{
			Kind:  cpu.ExitPortIO,
			Port:  uint16(port),
			Write: dir == kvm.EXITIOOUT,
			Size:  int(size),
			Count: int(count),
			Data:  v.mmap[off : off+uint64(n)],
		}
	case exitMMIO:
		// struct { __u64 phys_addr; __u8 data[8]; __u32 len; __u8 is_write; }
		base := unsafe.Offsetof(r.Data)
		length := min(*(*uint32)(unsafe.Pointer(&v.mmap[base+16])), 8)
		return cpu.Exit{
			Kind:  cpu.ExitMMIO,
			Addr:  r.Data[0],
			Write: v.mmap[base+20] != 0,
			Size:  int(length),
			Count: 1,
			Data:  v.mmap[base+8 : base+8+uintptr(length)],
		}
	case exitHLT:
		return cpu.Exit{Kind: cpu.ExitHLT}
	case exitIRQWindowOpen:
		return cpu.Exit{Kind: cpu.ExitInterruptWindow}
	case exitIntr:
		return cpu.Exit{Kind: cpu.ExitKicked}
	case exitShutdown:
		return cpu.Exit{Kind: cpu.ExitShutdown}
	case exitFailEntry:
		return cpu.Exit{Kind: cpu.ExitFailEntry, Reason: r.Data[0]}
	case exitInternalError:
		return cpu.Exit{Kind: cpu.ExitInternalError, Reason: r.Data[0] & 0xffffffff}
	case exitDebug:
		return v.decodeDebugExit()
	default:
		return cpu.Exit{Kind: cpu.ExitUnknown, Reason: uint64(r.ExitReason)}
	}
}

// CanInjectInterrupt reports kvm_run's ready_for_interrupt_injection and
// if_flag from the last exit, and false while the next KVM_RUN single-steps
// (a debugger's step, or the step over the breakpoint the vCPU stands at):
// KVM steps by setting RFLAGS.TF behind the guest's back, and an interrupt
// delivered then would push that TF into the guest's interrupt frame, to
// come back as a #DB for the guest after the handler's IRET.
// (KVM_GUESTDBG_BLOCKIRQ does not hold back an interrupt queued with
// KVM_INTERRUPT.) The window the machine asks for meanwhile opens after
// the step.
func (v *VCPU) CanInjectInterrupt() bool {
	return v.run.ReadyForInterruptInjection != 0 && v.run.IfFlag != 0 && !v.debug.stepPending()
}

// InterruptsEnabled reports kvm_run's if_flag from the last exit.
func (v *VCPU) InterruptsEnabled() bool { return v.run.IfFlag != 0 }

// InjectInterrupt issues KVM_INTERRUPT with a struct kvm_interrupt.
func (v *VCPU) InjectInterrupt(vector uint8) error {
	irq := uint32(vector)
	_, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(v.fd), kvm.IIOW(ioctlInterrupt, 4), uintptr(unsafe.Pointer(&irq)))
	if errno != 0 {
		return fmt.Errorf("KVM_INTERRUPT vector %#x: %w", vector, errno)
	}
	return nil
}

// RequestInterruptWindow sets kvm_run's request_interrupt_window, from the
// first KVM_RUN that does not single-step.
func (v *VCPU) RequestInterruptWindow(on bool) {
	v.wantWindow = on
}

// applyInterruptWindow, before each KVM_RUN, requests the window the
// machine wants unless the run steps: KVM would exit at once, before the
// step, and the machine could not inject anyway.
func (v *VCPU) applyInterruptWindow() {
	if v.wantWindow && !v.debug.stepPending() {
		v.run.RequestInterruptWindow = 1
	} else {
		v.run.RequestInterruptWindow = 0
	}
}

// Kick signals the vCPU thread: a KVM_RUN or Sleep in progress returns, and
// one that starts later returns at once (the signal stays pending while the
// thread runs host code). Before BindThread it sets immediate_exit instead.
func (v *VCPU) Kick() {
	if tid := v.tid.Load(); tid != 0 {
		_ = unix.Tgkill(unix.Getpid(), int(tid), kickSignal)
		return
	}
	if v.run != nil {
		v.run.ImmediateExit = 1
	}
}

// Clock is the host's monotonic clock since the vCPU was created: a KVM
// guest runs in real time.
func (v *VCPU) Clock() cpu.Clock { return v.clock }

// TSCFrequency reports the guest TSC rate (KVM_GET_TSC_KHZ).
func (v *VCPU) TSCFrequency() (uint64, error) {
	khz, err := kvm.GetTSCKHz(uintptr(v.fd))
	if err != nil {
		return 0, fmt.Errorf("KVM_GET_TSC_KHZ: %w", err)
	}
	return khz * 1000, nil
}
