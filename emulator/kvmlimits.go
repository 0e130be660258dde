package emulator

import (
	"fmt"

	"golang.org/x/arch/x86/x86asm"

	"github.com/pollscope/pollscope/cpu"
)

// What KVM cannot run on a host that emulates CPL0. There (PVM, nested
// KVM without VMX or SVM) every instruction a guest executes at CPL0 goes
// through KVM's instruction emulator, which implements the instructions a
// guest typically traps on, not the whole instruction set. A stock Linux
// kernel meets three it lacks early in boot (docs/linux.md): CMPXCHG16B in
// SLUB's first double-word compare-exchange (CPUID leaf 1 offers CX16
// there whatever pollscope's table says: PVM answers leaf 1 ECX from the
// hardware), XSAVE/XRSTOR in the FPU set-up (leaf 1 XSAVE, likewise), and
// INT3, with which the kernel tests and patches its own code. KVM then
// reports KVM_EXIT_INTERNAL_ERROR with suberror 1 (emulation failure).

// kvmEmulatorLacks lists the instructions KVM's emulator is known not to
// implement, by the name pollscope reports.
var kvmEmulatorLacks = map[x86asm.Op]string{
	x86asm.CMPXCHG16B: "cmpxchg16b",
	x86asm.XSAVE:      "xsave", x86asm.XSAVE64: "xsave", x86asm.XSAVEOPT: "xsaveopt", x86asm.XSAVEOPT64: "xsaveopt",
	x86asm.XRSTOR: "xrstor", x86asm.XRSTOR64: "xrstor",
	x86asm.INT: "int n", x86asm.INTO: "into", // INT3 decodes as INT 3
}

// emulationFailure is KVM_INTERNAL_ERROR_EMULATION.
const emulationFailure = 1

// internalErrorResult is the result of an internal error the backend
// reported: what it said, and where the guest was. On KVM, when the
// instruction at RIP is one KVM's emulator lacks, it says so and names the
// way on: the software CPU.
func (m *Machine) internalErrorResult(e cpu.Exit) Result {
	res := m.crashResult(OutcomeError, nil)
	res.Err = fmt.Errorf("%s internal error (suberror %d): the CPU could not emulate an instruction or deliver an event", m.backend, e.Reason)
	if m.backend != BackendKVM || e.Reason != emulationFailure || res.Dump == nil {
		return res
	}
	if name, ok := m.lackedInstruction(res.Dump); ok {
		res.Err = fmt.Errorf("%w: %s", res.Err, explainLackedInstruction(name, DetectHostKind()))
	}
	return res
}

// lackedInstruction decodes the instruction at the dump's RIP and reports
// whether KVM's emulator lacks it.
func (m *Machine) lackedInstruction(d *CPUDump) (string, bool) {
	phys, ok := translate(m.ram, &d.SRegs, d.SRegs.CS.Base+d.Regs.RIP)
	if !ok || phys >= uint64(len(m.ram)) {
		return "", false
	}
	return lackedOp(m.ram[phys:min(uint64(len(m.ram)), phys+15)], d.SRegs.CodeSize())
}

// lackedOp decodes one instruction in the given mode (16, 32 or 64) and
// names it if KVM's emulator lacks it.
func lackedOp(code []byte, mode int) (string, bool) {
	inst, err := x86asm.Decode(code, mode)
	if err != nil {
		return "", false
	}
	name, ok := kvmEmulatorLacks[inst.Op]
	if inst.Op == x86asm.INT && inst.Args[0] == x86asm.Imm(3) {
		name = "int3"
	}
	return name, ok
}

// explainLackedInstruction says why the guest stopped and what to do.
func explainLackedInstruction(name string, host HostKind) string {
	if host.EmulatesCPL0 {
		return fmt.Sprintf("the guest executed %s, which KVM's instruction emulator does not implement; on this host (%s) every instruction at CPL0 goes through that emulator, so a kernel that uses %s in kernel mode (a stock Linux does) cannot run on KVM here: boot it on the software CPU, -accel %s", name, host.Name(), name, BackendTCG)
	}
	return fmt.Sprintf("the guest executed %s, which KVM had to emulate and cannot; try the software CPU, -accel %s", name, BackendTCG)
}

// StockKernelWarning is what to tell a user who boots a kernel other than
// the demo kernel on KVM, or "" when there is nothing to say: on a host
// whose KVM emulates CPL0 a stock kernel runs its kernel code through
// KVM's instruction emulator, about a thousand times slower than natively,
// and stops at the first instruction that emulator lacks.
func StockKernelWarning(host HostKind) string {
	if !host.EmulatesCPL0 {
		return ""
	}
	return fmt.Sprintf("warning: this host's KVM emulates every CPL0 instruction (%s): a kernel's own code runs about a thousand times slower than natively, and a stock Linux stops at cmpxchg16b, xsave/xrstor or int3, which KVM's emulator lacks; boot it on the software CPU instead: -accel %s", host.String(), BackendTCG)
}
