package kvm

import (
	"fmt"
	"unsafe"

	"github.com/bobuhiro11/gokvm/kvm"
	"golang.org/x/sys/unix"

	"github.com/pollscope/pollscope/cpu"
)

// KVM_GET_MSRS and KVM_SET_MSRS, issued directly: they return how many
// entries KVM processed, which gokvm's wrappers drop, and an MSR KVM does
// not know is reported only that way.
const (
	ioctlGetMSRs = 0x88
	ioctlSetMSRs = 0x89
)

// oneMSR is struct kvm_msrs with a single struct kvm_msr_entry.
type oneMSR struct {
	n, _  uint32
	index uint32
	_     uint32
	data  uint64
}

// MSR reads one model-specific register (KVM_GET_MSRS).
func (v *VCPU) MSR(index uint32) (uint64, error) {
	m := oneMSR{n: 1, index: index}
	done, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(v.fd), kvm.IIOWR(ioctlGetMSRs, 8), uintptr(unsafe.Pointer(&m)))
	if errno != 0 {
		return 0, fmt.Errorf("KVM_GET_MSRS %#x: %w", index, errno)
	}
	if done != 1 {
		return 0, fmt.Errorf("KVM_GET_MSRS: KVM does not know MSR %#x", index)
	}
	return m.data, nil
}

// SetMSR writes one model-specific register (KVM_SET_MSRS).
func (v *VCPU) SetMSR(index uint32, value uint64) error {
	m := oneMSR{n: 1, index: index, data: value}
	done, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(v.fd), kvm.IIOW(ioctlSetMSRs, 8), uintptr(unsafe.Pointer(&m)))
	if errno != 0 {
		return fmt.Errorf("KVM_SET_MSRS %#x: %w", index, errno)
	}
	if done != 1 {
		return fmt.Errorf("KVM_SET_MSRS: KVM refused %#x for MSR %#x", value, index)
	}
	return nil
}

// KVM_GET_XSAVE and KVM_SET_XSAVE: _IOR/_IOW(KVMIO, 0xa4/0xa5, struct
// kvm_xsave), a 4 KiB XSAVE area whose first 512 bytes are the FXSAVE
// image. KVM_GET_FPU would do for the x87 and XMM registers but leaves
// MXCSR out.
const (
	ioctlGetXSave = 0xa4
	ioctlSetXSave = 0xa5
	xsaveSize     = 4096
	// The XSAVE header's XSTATE_BV (offset 512): bits 0 and 1 say the x87
	// and SSE parts of the legacy area hold state to restore.
	xstateBV        = 512
	xstateX87AndSSE = 3
)

func (v *VCPU) xsave() (*[xsaveSize]byte, error) {
	var x [xsaveSize]byte
	_, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(v.fd), kvm.IIOR(ioctlGetXSave, xsaveSize), uintptr(unsafe.Pointer(&x)))
	if errno != 0 {
		return nil, fmt.Errorf("KVM_GET_XSAVE: %w", errno)
	}
	return &x, nil
}

// FPU reads the x87/SSE state (KVM_GET_XSAVE's legacy area).
func (v *VCPU) FPU() (cpu.FXSave, error) {
	x, err := v.xsave()
	if err != nil {
		return cpu.FXSave{}, err
	}
	var f cpu.FXSave
	copy(f[:], x[:])
	return f, nil
}

// SetFPU writes the x87/SSE state (KVM_SET_XSAVE's legacy area), keeping
// the rest of the XSAVE area as it was.
func (v *VCPU) SetFPU(f cpu.FXSave) error {
	x, err := v.xsave()
	if err != nil {
		return err
	}
	copy(x[:], f[:])
	x[xstateBV] |= xstateX87AndSSE
	_, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(v.fd), kvm.IIOW(ioctlSetXSave, xsaveSize), uintptr(unsafe.Pointer(x)))
	if errno != 0 {
		return fmt.Errorf("KVM_SET_XSAVE: %w", errno)
	}
	return nil
}
