// Package interp is pollscope's software CPU: an x86-64 interpreter in Go
// behind the cpu.VCPU seam (and cpu.Debugger), decoding with
// golang.org/x/arch/x86/x86asm. It needs no /dev/kvm and no cgo, is exactly
// steppable, and with Options.ICount it is deterministic.
//
// # How it runs
//
// Guest code is decoded once. Each x86asm.Inst becomes an insn: the
// operands resolved to register slots, the memory operand to base and
// index slots (a register that is always zero stands in for a missing one,
// so address generation has no branches), a scale shift and a displacement
// (RIP already added for RIP-relative operands), and a handler function
// chosen for the operand shape and size (MOV r64, [m] has its own). Runs of
// instructions become blocks, cut at control transfers, at instructions
// that change how later ones execute (mode, paging, interrupt flag) and at
// page ends. Blocks are found through a jump cache keyed by RIP, then a
// table keyed by physical address, RIP and decoding mode (cache.go).
//
// Memory goes through a software TLB: direct-mapped, separate read, write
// and fetch tables per privilege class, each entry holding the host
// address of the guest page (tlb.go, mem.go). A hit is a compare and a
// load; a miss walks the guest's page tables (mmu.go: 32-bit, PAE and
// 4-level paging; accessed and dirty bits; U/S, R/W with CR0.WP, NX; global
// pages; 4 MiB, 2 MiB and 1 GiB pages). Writes to pages holding decoded
// code never hit the write TLB; the slow path drops the blocks of any
// 64-byte line they touch, so self-modifying code works and data sharing a
// page with code costs only slow stores.
//
// The six status flags are lazy (flags.go): an ALU instruction records its
// operation, size, operands and result, and a Jcc or SETcc computes just
// the condition it needs.
//
// Guest exceptions are Go panics carrying a *fault, raised where they are
// detected (an instruction changes nothing before its last check) and
// recovered once per Run, which then delivers them through the IDT: real-
// mode IVT, protected-mode gates, long-mode gates with IST stacks and TSS
// stack switches, error codes, CR2, the double-fault rules, a triple fault
// as ExitShutdown. Any other panic is an interpreter bug: Run returns
// ExitInternalError naming the instruction and logs the stack; the host
// never dies of it.
//
// An instruction the CPU lacks raises #UD in the guest; it is named in the
// log the first time and counted (Unimplemented).
//
// # The machine's protocol
//
// Port I/O exits as on KVM: an OUT is complete when reported; an IN or INS
// completes on the next Run with the data the machine put in Exit.Data
// (RIP stays on it until then); REP INS/OUTS move up to a page per exit.
// Physical addresses outside RAM are an open bus handled inside the CPU
// (reads all ones, writes dropped, counted): there is no ExitMMIO, since
// pollscope has no MMIO devices. HLT returns ExitHLT and the next Run
// continues after it. Interrupts stay the machine's: CanInjectInterrupt,
// InjectInterrupt (delivered when Run is next called),
// RequestInterruptWindow (Run returns ExitInterruptWindow at the first
// boundary where IF is set and no STI/MOV SS shadow blocks), Kick (any
// goroutine; checked between blocks), KickAt and Sleep.
//
// # Time and determinism
//
// In real-time mode the clock is cpu.NewHostClock and the TSC counts its
// nanoseconds (1 GHz); KickAt deadlines are looked at every 4096
// instructions and by Sleep's timed futex wait.
//
// With Options.ICount (QEMU's -icount) the clock is the instruction count
// times NsPerInstruction (default 1) plus the time skipped while halted;
// the TSC is the same number at 1 GHz, so with the default rate RDTSC
// differences are exact instruction counts. A KickAt deadline stops Run
// exactly at the instruction boundary where the clock reaches it (blocks
// are cut short there); Sleep with a deadline armed moves the clock to it
// at once (or at wall-clock pace, PaceIdle) instead of waiting. A
// REP-prefixed string instruction counts each iteration as one
// instruction, and stops between iterations at the next event check.
// Nothing else in the CPU reads the host: two runs from the same state
// with the same inputs execute the same instruction stream.
//
// Inputs are what the machine gives the CPU: port-I/O results, injected
// interrupts, kicks. Record and replay therefore needs, on top of this
// package: (1) the machine applying host input (keys, script steps) only
// at instruction counts it records (InstructionCount), stopping the CPU
// there with KickAt (time and count are interchangeable under ICount) and,
// while the guest is halted, moving the clock to the recorded time with
// AdvanceTo; (2) a log of those (count, input) pairs, plus the initial RAM
// and registers; (3) devices that, like pollscope's, depend on nothing but
// their inputs and the CPU's Clock; (4) a kick that arrives from another
// goroutine (Stop, Pause, GUI) changing nothing but when Run returns, which
// holds: ExitKicked has no side effects. Replaying is then running again
// from the saved state and applying the logged inputs at their counts;
// snapshots (RAM, Regs, SRegs, MSRs, FPU, device State structs) make
// scrubbing cheap. A trace can be compared record by record between runs.
//
// # What is implemented
//
// Real mode, 16- and 32-bit protected mode, long mode (64-bit and
// compatibility), the PVH 32-bit entry; segment loads with descriptor
// checks (GDT, LDT), far JMP/CALL/RET and IRET within and across privilege
// levels (CPL 0 to 3 and back), LGDT/LIDT/LTR/LLDT, SWAPGS, the FS/GS base
// MSRs, SYSCALL/SYSRET; the integer instruction set with exact flags (the
// SDM's undefined flags as this AMD Zen host computes them, see the
// _test.go files comparing with the host), string instructions with
// REP/REPE/REPNE, the LOCK-able atomics and CMPXCHG8B/16B, CPUID (package
// cpu/cpuid's Baseline), RDTSC/RDTSCP, RDMSR/WRMSR (msr.go), IN/OUT/INS/
// OUTS, HLT, CLI/STI with the interrupt shadow, PUSHF/POPF with the
// IOPL/IF rules, the guest's own TF single-stepping (#DB), INVLPG, the
// cache and fence no-ops, hint NOPs (ENDBR64), UD2, INT n/INT3/INTO/INT1,
// LAR/LSL/VERR/VERW, the far-pointer loads, the 32-bit-only BCD, ARPL
// and BOUND; the x87 (control, loads, stores, arithmetic, compares,
// FNSAVE/FRSTOR; x87.go, x87ops.go), FXSAVE/FXRSTOR, LDMXCSR/STMXCSR, the
// SSE/SSE2 moves, integer SSE2 and MMX, and SSE/SSE2 floating point
// (sse.go, sseint.go, ssefp.go, ssecvt.go). SSE3 and later, AVX, XSAVE,
// BMI and the other extensions cpu/cpuid does not offer raise #UD.
//
// A stock Linux kernel (Debian's 6.1, PVH entry) boots on it to a busybox
// shell and runs commands there (TestLinuxBoot, given INTERP_LINUX).
//
// # Deviations
//
//   - Segment limits and the read-only/expand-down attributes are not
//     checked on data accesses (flat kernels never rely on them); a stack
//     access to a non-canonical address raises #GP, not #SS.
//   - Call gates, task gates and hardware task switches are not emulated
//     (#GP, logged). Virtual-8086 mode is not emulated.
//   - At CPL > IOPL port I/O raises #GP without consulting the TSS I/O
//     permission bitmap.
//   - DR0-DR7 are stored but do not arm hardware breakpoints (use
//     cpu.Debugger); RFLAGS.RF is not emulated.
//   - x87 arithmetic, including the transcendental instructions, is done
//     in float64 precision (registers are 80-bit), precision control is
//     ignored, FBLD/FBSTP raise #UD, and x87 exception flags are not set. SSE arithmetic always
//     rounds to nearest (MXCSR.RC applies to conversions), ignores DAZ and
//     FTZ, sets no exception flags and never raises #XM; RCP/RSQRT are
//     exact, not 12-bit approximations.
//   - MXCSR_MASK is 0xffff (no misaligned-SSE mode), where AMD hardware
//     reports 0x2ffff.
//   - A 0x66 prefix on near branches in 64-bit mode is ignored (Intel's
//     behaviour; AMD would truncate RIP to 16 bits).
//   - Single-stepping stops at an interrupt handler's first instruction and
//     after every iteration of a REP instruction, as hardware does (KVM's
//     single-step runs one handler instruction and batches REP).
package interp
