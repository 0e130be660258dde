// Package kvm runs pollscope's vCPUs on the Linux Kernel-based Virtual
// Machine, through the ioctls of github.com/bobuhiro11/gokvm's kvm package.
//
// There is no in-kernel irqchip and no in-kernel PIT: the 8259A and 8254 are
// emulated in userspace, so external interrupts are injected with
// KVM_INTERRUPT when the guest can take them, and HLT exits to userspace.
package kvm

import (
	"errors"
	"fmt"
	"os"

	"github.com/bobuhiro11/gokvm/kvm"
	"golang.org/x/sys/unix"
)

// DevicePath is the KVM device node.
const DevicePath = "/dev/kvm"

// ErrUnavailable wraps every failure to open or use /dev/kvm at start-up.
var ErrUnavailable = errors.New("KVM is not available")

// Available reports whether /dev/kvm can be opened for reading and writing,
// and if not, why, in words a user can act on.
func Available() error {
	f, err := os.OpenFile(DevicePath, os.O_RDWR, 0)
	if err != nil {
		return explainOpenError(err)
	}
	f.Close()
	return nil
}

func explainOpenError(err error) error {
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("%w: %s does not exist (enable virtualisation in the firmware or the host VM, and load kvm_intel or kvm_amd)", ErrUnavailable, DevicePath)
	case errors.Is(err, os.ErrPermission):
		return fmt.Errorf("%w: no permission to open %s (add yourself to the kvm group or run as root)", ErrUnavailable, DevicePath)
	default:
		return fmt.Errorf("%w: opening %s: %v", ErrUnavailable, DevicePath, err)
	}
}

// VM is one KVM virtual machine: its fds and its guest RAM slot.
type VM struct {
	kvmFd    int
	vmFd     int
	cpuid    *kvm.CPUID
	mmapSize int
	// debugSupport is what the host's KVM offers a debugger.
	debugSupport hostDebugSupport
}

// The addresses KVM needs for its own real-mode helpers on Intel hosts
// (three pages for the TSS and one for the identity-map page table), just
// below 4 GiB where PCs keep the BIOS and no guest RAM lives.
const (
	tssAddr         = 0xfffbd000
	identityMapAddr = 0xfffbc000
)

// NewVM opens /dev/kvm, creates a VM and maps ram at guest physical address
// 0. ram must stay mapped until the VM is closed.
func NewVM(ram []byte) (*VM, error) {
	kvmFd, err := unix.Open(DevicePath, unix.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, explainOpenError(err)
	}
	vm := &VM{kvmFd: kvmFd, vmFd: -1}
	if err := vm.init(ram); err != nil {
		vm.Close()
		return nil, err
	}
	return vm, nil
}

func (vm *VM) init(ram []byte) error {
	if v, err := kvm.GetAPIVersion(uintptr(vm.kvmFd)); err != nil || v != 12 {
		return fmt.Errorf("%w: KVM API version %d (err %v), want 12", ErrUnavailable, v, err)
	}
	fd, err := retryEINTR(func() (uintptr, error) { return kvm.CreateVM(uintptr(vm.kvmFd)) })
	if err != nil {
		return fmt.Errorf("%w: KVM_CREATE_VM: %v", ErrUnavailable, err)
	}
	vm.vmFd = int(fd)
	unix.CloseOnExec(vm.vmFd)
	if err := kvm.SetTSSAddr(uintptr(vm.vmFd), tssAddr); err != nil {
		return fmt.Errorf("KVM_SET_TSS_ADDR: %w", err)
	}
	if err := kvm.SetIdentityMapAddr(uintptr(vm.vmFd), identityMapAddr); err != nil {
		return fmt.Errorf("KVM_SET_IDENTITY_MAP_ADDR: %w", err)
	}
	if len(ram) == 0 {
		return errors.New("guest RAM is empty")
	}
	region := kvm.UserspaceMemoryRegion{
		Slot:          0,
		GuestPhysAddr: 0,
		MemorySize:    uint64(len(ram)),
		UserspaceAddr: uint64(uintptrOf(ram)),
	}
	if err := kvm.SetUserMemoryRegion(uintptr(vm.vmFd), &region); err != nil {
		return fmt.Errorf("KVM_SET_USER_MEMORY_REGION (%d MiB): %w", len(ram)>>20, err)
	}
	size, err := kvm.GetVCPUMMmapSize(uintptr(vm.kvmFd))
	if err != nil {
		return fmt.Errorf("KVM_GET_VCPU_MMAP_SIZE: %w", err)
	}
	vm.mmapSize = int(size)
	vm.debugSupport = probeDebugSupport(vm.kvmFd)
	vm.cpuid, err = filteredCPUID(uintptr(vm.kvmFd))
	return err
}

// New creates a VM with guest RAM ram at physical address 0 and its vCPU 0.
// Closing the vCPU closes the VM too. ram must stay mapped until then.
func New(ram []byte) (*VCPU, error) {
	vm, err := NewVM(ram)
	if err != nil {
		return nil, err
	}
	v, err := vm.NewVCPU(0)
	if err != nil {
		vm.Close()
		return nil, err
	}
	v.vm = vm
	return v, nil
}

// Close releases the VM's fds. Close its vCPUs first.
func (vm *VM) Close() error {
	var errs []error
	if vm.vmFd >= 0 {
		errs = append(errs, unix.Close(vm.vmFd))
		vm.vmFd = -1
	}
	if vm.kvmFd >= 0 {
		errs = append(errs, unix.Close(vm.kvmFd))
		vm.kvmFd = -1
	}
	return errors.Join(errs...)
}

// retryEINTR repeats an ioctl that a signal interrupted: the Go runtime
// preempts goroutines with SIGURG, and KVM_CREATE_VM, which allocates the
// VM's memory, can take long enough to be interrupted.
func retryEINTR(f func() (uintptr, error)) (uintptr, error) {
	for {
		r, err := f()
		if !errors.Is(err, unix.EINTR) {
			return r, err
		}
	}
}
