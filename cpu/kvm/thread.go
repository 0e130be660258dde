package kvm

import (
	"fmt"
	"time"
	"unsafe"

	"github.com/bobuhiro11/gokvm/kvm"
	"golang.org/x/sys/unix"
)

// A vCPU thread is woken only by a signal: Kick sends one, and the vCPU's
// POSIX timer sends one at its deadline. The thread keeps the signal blocked
// while it runs host code and unblocks it only inside KVM_RUN (through
// KVM_SET_SIGNAL_MASK) and inside Sleep (through ppoll's mask). A signal that
// arrives while the thread handles an exit stays pending, so the next
// KVM_RUN or Sleep returns at once: no wake-up is lost, and none needs a Go
// channel, a futex or a second thread.

const (
	ioctlSetSignalMask = 0x8b
	sigevThreadID      = 4 // SIGEV_THREAD_ID
	timerAbstime       = 1 // TIMER_ABSTIME
)

// sigset is the kernel's sigset_t on x86-64: 64 bits.
type sigset uint64

func sigbit(s unix.Signal) sigset { return 1 << (uint(s) - 1) }

// BindThread makes the calling OS thread the vCPU's thread. Call it once,
// from the goroutine that will call Run, after runtime.LockOSThread, and never
// unlock that goroutine from its thread: the thread's signal mask is changed
// for good and the thread should die with the goroutine.
func (v *VCPU) BindThread() error {
	var block unix.Sigset_t
	block.Val[0] = uint64(sigbit(kickSignal))
	if err := unix.PthreadSigmask(unix.SIG_BLOCK, &block, nil); err != nil {
		return fmt.Errorf("blocking the kick signal on the vCPU thread: %w", err)
	}
	// struct kvm_signal_mask { __u32 len; __u8 sigset[]; }: the mask KVM
	// uses while in the guest. Empty: every signal interrupts KVM_RUN.
	var arg struct {
		len  uint32
		mask [8]byte
	}
	arg.len = 8
	if _, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(v.fd), kvm.IIOW(ioctlSetSignalMask, 4), uintptr(unsafe.Pointer(&arg))); errno != 0 {
		return fmt.Errorf("KVM_SET_SIGNAL_MASK: %w", errno)
	}
	// A POSIX timer that signals this thread alone.
	var sev struct {
		value  uint64
		signo  int32
		notify int32
		tid    int32
		_      [44]byte
	}
	sev.signo, sev.notify, sev.tid = int32(kickSignal), sigevThreadID, int32(unix.Gettid())
	var id int32
	if _, _, errno := unix.Syscall(unix.SYS_TIMER_CREATE, uintptr(unix.CLOCK_MONOTONIC), uintptr(unsafe.Pointer(&sev)), uintptr(unsafe.Pointer(&id))); errno != 0 {
		return fmt.Errorf("timer_create: %w", errno)
	}
	v.timerID = id
	v.hasTimer = true
	v.tid.Store(int32(unix.Gettid()))
	return nil
}

// KickAt arms the vCPU thread's timer to kick it when Clock reaches
// deadline (0 disarms it). Call it from the vCPU thread.
func (v *VCPU) KickAt(deadline time.Duration) error {
	if !v.hasTimer {
		return fmt.Errorf("KickAt before BindThread")
	}
	var spec unix.ItimerSpec // zero disarms
	if deadline > 0 {
		spec.Value = unix.NsecToTimespec(int64(v.clock.Monotonic(deadline)))
	}
	if _, _, errno := unix.Syscall6(unix.SYS_TIMER_SETTIME, uintptr(v.timerID), timerAbstime, uintptr(unsafe.Pointer(&spec)), 0, 0, 0); errno != 0 {
		return fmt.Errorf("timer_settime: %w", errno)
	}
	return nil
}

// Sleep blocks the vCPU thread until it is kicked (by Kick or its timer),
// returning at once if a kick is already pending.
func (v *VCPU) Sleep() {
	// ppoll with no descriptors and no timeout, unblocking the kick signal
	// for its duration: a sigsuspend. (x/sys's Ppoll passes a sigset size
	// of 0, which the kernel refuses with EINVAL, hence the raw call.)
	var none sigset
	_, _, _ = unix.Syscall6(unix.SYS_PPOLL, 0, 0, 0, uintptr(unsafe.Pointer(&none)), 8, 0)
}

func (v *VCPU) deleteTimer() {
	if v.hasTimer {
		unix.Syscall(unix.SYS_TIMER_DELETE, uintptr(v.timerID), 0, 0)
		v.hasTimer = false
	}
}

// eatKicks consumes pending kick signals. KVM_RUN returns EINTR for a
// pending kick but restores the thread's mask (which blocks it) before
// returning, so the signal stays pending and would end every later KVM_RUN
// at once; QEMU eats its vCPU signals the same way.
func eatKicks() {
	set := sigbit(kickSignal)
	var zero unix.Timespec
	for {
		_, _, errno := unix.Syscall6(unix.SYS_RT_SIGTIMEDWAIT, uintptr(unsafe.Pointer(&set)), 0, uintptr(unsafe.Pointer(&zero)), 8, 0, 0)
		if errno != 0 { // EAGAIN: none left
			return
		}
	}
}
