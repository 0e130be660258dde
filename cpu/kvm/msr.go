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

// ioctlGetFPU is KVM_GET_FPU: _IOR(KVMIO, 0x8c, struct kvm_fpu).
const ioctlGetFPU = 0x8c

// kvmFPU is struct kvm_fpu.
type kvmFPU struct {
	FPR        [8][16]byte
	FCW, FSW   uint16
	FTWX, _    uint8
	LastOpcode uint16
	LastIP     uint64
	LastDP     uint64
	XMM        [16][16]byte
	MXCSR      uint32
	_          uint32
}

// FPU reads the x87/SSE state (KVM_GET_FPU) into the FXSAVE layout.
func (v *VCPU) FPU() (cpu.FXSave, error) {
	var f kvmFPU
	_, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(v.fd), kvm.IIOR(ioctlGetFPU, unsafe.Sizeof(f)), uintptr(unsafe.Pointer(&f)))
	if errno != 0 {
		return cpu.FXSave{}, fmt.Errorf("KVM_GET_FPU: %w", errno)
	}
	var x cpu.FXSave
	le16(x[0:], f.FCW)
	le16(x[2:], f.FSW)
	x[4] = f.FTWX
	le16(x[6:], f.LastOpcode)
	le64(x[8:], f.LastIP)
	le64(x[16:], f.LastDP)
	le32(x[24:], f.MXCSR)
	le32(x[28:], 0xffff) // MXCSR_MASK: every MXCSR bit writable
	for i := range f.FPR {
		copy(x[32+16*i:], f.FPR[i][:10])
	}
	for i := range f.XMM {
		copy(x[160+16*i:], f.XMM[i][:])
	}
	return x, nil
}

func le16(b []byte, v uint16) { b[0], b[1] = byte(v), byte(v>>8) }
func le32(b []byte, v uint32) { le16(b, uint16(v)); le16(b[2:], uint16(v>>16)) }
func le64(b []byte, v uint64) { le32(b, uint32(v)); le32(b[4:], uint32(v>>32)) }
