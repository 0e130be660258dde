package kvm

import (
	"fmt"
	"os"
	"unsafe"

	"github.com/bobuhiro11/gokvm/kvm"
	"golang.org/x/sys/unix"

	"github.com/pollscope/pollscope/cpu"
)

// A debugger's stops reach the host through KVM_SET_GUEST_DEBUG: KVM takes
// over the guest's debug registers, sets RFLAGS.TF behind the guest's back
// to single-step, and intercepts #DB and #BP. Each such stop is a
// KVM_EXIT_DEBUG whose kvm_run.debug.arch holds the exception vector, the
// linear PC and the DR6 status that says which condition fired.
//
// What a PVM host (nested KVM without VMX/SVM, /sys/module/kvm_pvm) does
// with it, measured with the test guests in debug_test.go:
//
//   - CPL0 code, which KVM's instruction emulator runs: single-step and
//     execute breakpoints stop as on hardware; data breakpoints never fire;
//     an INT3 is an emulation failure (KVM_EXIT_INTERNAL_ERROR) whether or
//     not KVM_GUESTDBG_USE_SW_BP is set; RFLAGS.RF does not suppress an
//     execute breakpoint.
//   - CPL3 code, which runs natively: execute and data breakpoints never
//     fire, an INT3 goes to the guest's own #BP handler, and single-stepping
//     delivers a #DB to the guest instead of stopping.
//
// SetDebug therefore refuses, on PVM, watchpoints, INT3 interception and
// single-stepping at CPL3, each with an error naming the feature as gdb
// does; execute breakpoints are accepted and fire only in CPL0 code.

// ioctlSetGuestDebug is KVM_SET_GUEST_DEBUG: _IOW(KVMIO, 0x9b, struct
// kvm_guest_debug).
const ioctlSetGuestDebug = 0x9b

// KVM_GUESTDBG_* control flags (arch/x86/include/uapi/asm/kvm.h).
const (
	guestDbgEnable     = 1 << 0
	guestDbgSingleStep = 1 << 1
	guestDbgUseSWBP    = 1 << 16 // intercept #BP (INT3)
	guestDbgUseHWBP    = 1 << 17 // DR0–DR3 and DR7 from debugreg[]
	guestDbgBlockIRQ   = 1 << 20 // no interrupt delivery while stepping
)

// KVM_CAP_SET_GUEST_DEBUG2 reports the mask of control flags the host
// accepts (0 on kernels older than 5.7, which accept the basic ones).
const capSetGuestDebug2 = 195

// basicGuestDebugFlags are what every x86 KVM with KVM_CAP_SET_GUEST_DEBUG
// accepts.
const basicGuestDebugFlags = guestDbgEnable | guestDbgSingleStep | guestDbgUseSWBP | guestDbgUseHWBP

// pvmModule exists when the host's KVM is PVM.
const pvmModule = "/sys/module/kvm_pvm"

// kvmGuestDebug is struct kvm_guest_debug with x86's kvm_guest_debug_arch.
type kvmGuestDebug struct {
	control  uint32
	_        uint32
	debugreg [8]uint64
}

// debugState is the vCPU's debug configuration and the step over an
// execute breakpoint in progress.
type debugState struct {
	config cpu.DebugConfig
	regs   debugRegs
	// resumeAt is the address of the execute breakpoint the vCPU last
	// stopped at (valid if atBreakpoint): the next Run executes that
	// instruction instead of stopping before it again.
	resumeAt     uint64
	atBreakpoint bool
	// steppingOver: KVM is programmed to single-step over resumeAt with
	// that breakpoint disabled.
	steppingOver bool
}

// stepPending reports whether the next KVM_RUN single-steps: the debugger
// asked for steps, a step over a breakpoint is under way, or the vCPU
// stands at an execute breakpoint, which the next Run steps over.
func (d *debugState) stepPending() bool {
	return d.config.SingleStep || d.steppingOver || d.atBreakpoint
}

// hostDebugSupport is what the host's KVM offers a debugger.
type hostDebugSupport struct {
	flags uint32 // KVM_GUESTDBG_* flags accepted
	pvm   bool
}

// probeDebugSupport asks the host which KVM_GUESTDBG_* flags it accepts and
// whether it is PVM.
func probeDebugSupport(kvmFd int) hostDebugSupport {
	s := hostDebugSupport{flags: basicGuestDebugFlags}
	if mask, err := kvm.CheckExtension(uintptr(kvmFd), capSetGuestDebug2); err == nil && mask != 0 {
		s.flags = uint32(mask)
	}
	_, err := os.Stat(pvmModule)
	s.pvm = err == nil
	return s
}

var _ cpu.Debugger = (*VCPU)(nil)

// SetDebug programs KVM_SET_GUEST_DEBUG: single-step, execute breakpoints
// and watchpoints in the debug registers (four in all), and interception of
// INT3. The zero DebugConfig turns debugging off. Call it from the vCPU
// thread, between Runs.
//
// A Run after a stop at an execute breakpoint executes the instruction
// there (single-stepping over it with that breakpoint disabled, as RFLAGS.RF
// does on hardware) rather than stopping before it again.
func (v *VCPU) SetDebug(c cpu.DebugConfig) error {
	if err := v.checkHostDebug(c); err != nil {
		return err
	}
	return v.programDebug(c)
}

// programDebug is SetDebug without the host's refusals.
func (v *VCPU) programDebug(c cpu.DebugConfig) error {
	regs, err := encodeDebugRegs(c.Breakpoints, c.Watchpoints)
	if err != nil {
		return err
	}
	if err := v.setGuestDebug(guestDebugFor(c, &regs, v.debugSupport.flags)); err != nil {
		return err
	}
	v.debug.config, v.debug.regs, v.debug.steppingOver = cloneDebugConfig(c), regs, false
	return nil
}

// checkHostDebug refuses what the host cannot do, in gdb's words.
func (v *VCPU) checkHostDebug(c cpu.DebugConfig) error {
	if !v.debugSupport.pvm {
		return nil
	}
	if len(c.Watchpoints) > 0 {
		return fmt.Errorf("%w: hardware watchpoints (watch, awatch) on this host's KVM (PVM): its data breakpoints never fire; the software CPU (-accel tcg) has them", cpu.ErrDebugUnsupported)
	}
	if c.TrapBreakpointInstruction {
		return fmt.Errorf("%w: software breakpoints (INT3 written into guest code) on this host's KVM (PVM): an INT3 at CPL0 is an emulation failure and at CPL3 goes to the guest; hardware breakpoints (hbreak) work in CPL0 code", cpu.ErrDebugUnsupported)
	}
	if c.SingleStep {
		s, err := v.SRegs()
		if err != nil {
			return err
		}
		if s.CR0&cpu.CR0PE != 0 && s.CS.Selector&3 == 3 {
			return fmt.Errorf("%w: single-stepping (stepi) CPL3 code on this host's KVM (PVM): it runs natively and the trap would reach the guest as a #DB; the software CPU (-accel tcg) can", cpu.ErrDebugUnsupported)
		}
	}
	return nil
}

// guestDebugFor builds KVM's control word and debug registers.
func guestDebugFor(c cpu.DebugConfig, regs *debugRegs, hostFlags uint32) kvmGuestDebug {
	var g kvmGuestDebug
	if regs.used() {
		g.control |= guestDbgEnable | guestDbgUseHWBP
		copy(g.debugreg[:numDebugRegs], regs.addr[:])
		g.debugreg[7] = regs.dr7
	}
	if c.SingleStep {
		g.control |= guestDbgEnable | guestDbgSingleStep | hostFlags&guestDbgBlockIRQ
	}
	if c.TrapBreakpointInstruction {
		g.control |= guestDbgEnable | guestDbgUseSWBP
	}
	return g
}

// setGuestDebug issues KVM_SET_GUEST_DEBUG, first checking the flags
// against those the host accepts.
func (v *VCPU) setGuestDebug(g kvmGuestDebug) error {
	if missing := g.control &^ v.debugSupport.flags; missing != 0 {
		return fmt.Errorf("%w: %s", cpu.ErrDebugUnsupported, describeMissing(missing))
	}
	_, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(v.fd), kvm.IIOW(ioctlSetGuestDebug, unsafe.Sizeof(g)), uintptr(unsafe.Pointer(&g)))
	if errno != 0 {
		return fmt.Errorf("%w: KVM_SET_GUEST_DEBUG (control %#x): %v", cpu.ErrDebugUnsupported, g.control, errno)
	}
	return nil
}

// describeMissing names refused KVM_GUESTDBG_* flags as gdb calls the
// features they give.
func describeMissing(missing uint32) string {
	switch {
	case missing&guestDbgSingleStep != 0:
		return "single-stepping (stepi): this host's KVM lacks KVM_GUESTDBG_SINGLESTEP"
	case missing&guestDbgUseHWBP != 0:
		return "hardware breakpoints and watchpoints (hbreak, watch): this host's KVM lacks KVM_GUESTDBG_USE_HW_BP"
	case missing&guestDbgUseSWBP != 0:
		return "software breakpoints (break): this host's KVM lacks KVM_GUESTDBG_USE_SW_BP"
	default:
		return fmt.Sprintf("KVM_GUESTDBG flags %#x: this host's KVM lacks them", missing)
	}
}

func cloneDebugConfig(c cpu.DebugConfig) cpu.DebugConfig {
	c.Breakpoints = append([]uint64(nil), c.Breakpoints...)
	c.Watchpoints = append([]cpu.Watchpoint(nil), c.Watchpoints...)
	return c
}

// decodeDebugExit reads kvm_run.debug.arch (struct kvm_debug_exit_arch:
// exception, pad, pc, dr6, dr7) and says which debug condition stopped the
// vCPU.
func (v *VCPU) decodeDebugExit() cpu.Exit {
	exception := uint32(v.run.Data[0])
	pc, dr6 := v.run.Data[1], v.run.Data[2]
	stop := classifyDebugStop(exception, pc, dr6, &v.debug.regs.slots)
	v.debug.atBreakpoint = stop.Reason == cpu.DebugBreakpoint
	v.debug.resumeAt = stop.Addr
	return cpu.Exit{Kind: cpu.ExitDebug, Debug: stop, Reason: uint64(exception)}
}

// beginStepOver, before a Run, arms a single step with the breakpoint at
// resumeAt disabled, if the vCPU still stands at it.
func (v *VCPU) beginStepOver() error {
	if !v.debug.atBreakpoint || v.debug.steppingOver {
		return nil
	}
	v.debug.atBreakpoint = false
	r, err := v.Regs()
	if err != nil {
		return err
	}
	if r.RIP != v.debug.resumeAt { // the debugger moved RIP
		return nil
	}
	c := v.debug.config
	c.SingleStep = true
	c.Breakpoints = nil
	for _, b := range v.debug.config.Breakpoints {
		if b != v.debug.resumeAt {
			c.Breakpoints = append(c.Breakpoints, b)
		}
	}
	regs, err := encodeDebugRegs(c.Breakpoints, c.Watchpoints)
	if err != nil {
		return err
	}
	if err := v.setGuestDebug(guestDebugFor(c, &regs, v.debugSupport.flags)); err != nil {
		return err
	}
	v.debug.regs = regs
	v.debug.steppingOver = true
	return nil
}

// endStepOver, after a Run that stepped over a breakpoint, restores the
// debugger's configuration. It reports whether the exit is the step's own
// trap and nobody asked for it, so Run should go on running.
func (v *VCPU) endStepOver(e cpu.Exit) (bool, error) {
	if !v.debug.steppingOver || e.Kind != cpu.ExitDebug {
		return false, nil // not over yet: an I/O exit inside the instruction
	}
	v.debug.steppingOver = false
	if err := v.programDebug(v.debug.config); err != nil {
		return false, err
	}
	return e.Debug.Reason == cpu.DebugStep && !v.debug.config.SingleStep, nil
}

// completingStep says, before a Run, whether it must only complete a
// single-stepped instruction that exited for port I/O or MMIO. KVM
// finishes the access on the next KVM_RUN and, under PVM's emulator, then
// runs on without the step's trap: a stepi over an OUT would execute two
// instructions. So that Run enters KVM with immediate_exit set, which
// completes the access and returns at once, and reports the step itself.
func (v *VCPU) completingStep() bool {
	return v.midInstruction && (v.debug.config.SingleStep || v.debug.steppingOver)
}

// completedStep is the step that a Run with immediate_exit completed.
func (v *VCPU) completedStep() (cpu.Exit, error) {
	r, err := v.Regs()
	if err != nil {
		return cpu.Exit{}, err
	}
	v.debug.atBreakpoint = false
	return cpu.Exit{Kind: cpu.ExitDebug, Debug: cpu.DebugStop{Reason: cpu.DebugStep, Addr: r.RIP}, Reason: vectorDB}, nil
}

// CompleteInstruction finishes, without running the guest any further, an
// instruction whose last exit was port I/O or MMIO: KVM completes such an
// instruction (an IN's value lands in RAX) only on the next KVM_RUN, which
// immediate_exit makes return at once. Call it, from the vCPU thread,
// before a debugger or a paused machine reads the registers after such an
// exit; otherwise it does nothing.
func (v *VCPU) CompleteInstruction() error {
	if !v.midInstruction {
		return nil
	}
	v.midInstruction = false
	v.run.ImmediateExit = 1
	_, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(v.fd), kvm.IIO(ioctlRun), 0)
	v.run.ImmediateExit = 0
	switch errno {
	case unix.EINTR, unix.EAGAIN:
		eatKicks()
		return nil
	case 0:
		// Completing it exited by itself: a single-step trap where KVM
		// reports it (hardware virtualisation). The instruction is done.
		return nil
	}
	return fmt.Errorf("KVM_RUN completing an I/O instruction: %w", errno)
}
