// Package gdbstub is pollscope's GDB remote serial protocol stub: what lets
// a kernel developer type `target remote :1234` in gdb and debug the guest
// as under QEMU's -s -S.
//
// A Server serves gdb connections for a Target, the machine as a debugger
// sees it. Listen takes QEMU's -gdb device syntax (tcp::1234, which -s
// means, tcp:HOST:PORT, unix:PATH):
//
//	l, err := gdbstub.Listen(gdbstub.DefaultAddress)
//	...
//	srv := &gdbstub.Server{Target: t, Commands: machineCommands, Logf: log.Printf}
//	go srv.Serve(ctx, l)
//
// The package imports no machine: it sees the guest only through Target,
// so the stub is tested against an in-memory target, and the machine
// implements Target without an import cycle.
//
// # The protocol
//
// The stub speaks to gdb as QEMU's does, in all-stop mode with one thread:
// qSupported (PacketSize, qXfer:features:read, swbreak, hwbreak,
// vContSupported, QStartNoAckMode), ?, g/G, p/P, m/M/X, c/s/C/S, vCont?
// and vCont with c, C, s and S, Z0-Z4/z0-z4, qXfer:features:read of
// target.xml, qAttached, qC, qfThreadInfo/qsThreadInfo, H, T, D, k and
// vKill, qRcmd (monitor), and QEMU's Qqemu.PhyMemMode, which switches m, M
// and X to physical addresses (`maintenance packet Qqemu.PhyMemMode:1`).
// A 0x03 byte while the guest runs stops it (gdb's Ctrl-C). Anything else
// gets the empty reply, which gdb reads as "not supported".
//
// The target description declares the x86-64 registers in gdb's order:
// org.gnu.gdb.i386.core (the general registers, RIP, eflags, the six
// segment selectors, the x87 stack and control words), org.gnu.gdb.i386.sse
// (XMM0-15, MXCSR), org.gnu.gdb.i386.segments (fs_base, gs_base) and a
// system feature with cr0, cr2, cr3, cr4, cr8 and efer, with their bits
// named, so `p $cr0` shows [ PE ET PG ].
//
// A malformed command gets an error reply, a packet with a wrong checksum
// a '-', one longer than PacketSize an error once read to its end (it is
// never held in memory). A client that disconnects, mid-packet or while the
// guest runs, ends the session: the breakpoints are removed and the guest
// runs on. No goroutine outlives ServeConn.
//
// Refusals. gdb shows a stub's reason only for a refused hardware
// breakpoint (hbreak) and a refused resume; for break and watch it prints
// its own "Cannot insert breakpoint" or "Could not insert hardware
// watchpoint". The stub therefore also logs every refusal, with its reason,
// through Server.Logf. A refused read watchpoint (rwatch) gets the empty
// reply, and gdb then watches accesses (awatch) and compares values itself.
// Where the host has no data breakpoints, `set can-use-hw-watchpoints 0`
// gives gdb's software watchpoints, which single-step.
//
// Monitor commands (gdb's `monitor ...`) are the built-in help, info
// registers (QEMU's layout), x/NFMT ADDR and xp/NFMT ADDR (FMT i for
// instructions decoded by x86asm, x for bytes; ADDR a number, $pc or $sp)
// and physical on|off, and the machine's own (Server.Commands).
//
// # What a machine must provide
//
// A machine's Target must do the following; the proposed Go API on
// emulator.Machine comes after.
//
// Stopping. Halt, and a Resume whose context is cancelled, stop the vCPU
// at an instruction boundary: the vCPU thread sees a "debug stop wanted"
// flag (set, then kick) at the top of its run loop or in its halt sleep,
// and parks there in a debug-stopped state, as Pause parks it today. An
// instruction that exited for port I/O or MMIO must be completed before
// it parks, so that registers read consistently: on KVM that is
// (*kvm.VCPU).CompleteInstruction, which runs KVM_RUN with immediate_exit.
// Halt on a machine that has ended reports StopExited (or StopFault after
// a triple fault, with the registers still readable).
//
// One thread. Every cpu.VCPU call happens on the vCPU thread. While
// debug-stopped, that thread serves requests from the session goroutine
// (a channel of funcs it runs), so Regs, SetRegs, SRegs, SetSRegs, FPU,
// SetFPU and SetBreakpoints run there; memory reads and writes touch only
// guest RAM and may run on the session goroutine while the vCPU is parked.
//
// Resuming. Resume(ctx, step) sets the vCPU's debug configuration from
// PlanDebug(breakpoints, step, opts) with cpu.Debugger.SetDebug, leaves the
// debug-stopped state and runs the ordinary loop (devices, timer,
// interrupts) until one of: an ExitDebug, reported as plan.Stop(exit.Debug);
// the guest's isa-debug-exit (StopExited with its value) or a reset
// (StopExited, code 0, with a Message); a shutdown or an exit the backend
// could not handle (StopFault, with the crash dump as Message, the vCPU
// left inspectable); ctx's end (StopHalted). It then parks again and
// returns. While stepping, the machine injects no interrupt and services no
// timer (QEMU's default), or stepi would land in the timer handler. The
// PIT ticks that fell due while stopped are forgiven on resume, as after a
// Pause.
//
// Breakpoints. SetBreakpoints plans and calls SetDebug at once, on the
// vCPU thread, so that the Z packet's reply carries the backend's refusal.
// Software breakpoints (Z0) go into the debug registers
// (PlanOptions.SoftwareAsHardware) on the software CPU and on a KVM host
// that cannot intercept INT3 (PVM: cpu/kvm refuses
// TrapBreakpointInstruction there); elsewhere they are INT3 bytes managed
// with PatchedBreakpoints (Sync before each Resume, Hide on every read,
// Keep on every write). A Run after a stop at a breakpoint executes that
// instruction instead of stopping again (cpu/kvm steps over it; the
// software CPU must do the same).
//
// Memory. Linear addresses go through the guest's page tables with the
// vCPU's current CR0, CR3, CR4 and EFER (the walker translate in
// emulator/dump.go does this), page by page, stopping at the first
// unmapped page or the end of RAM with a short count. Physical addresses
// are RAM offsets. A write into guest code must be seen by the next
// instruction fetch (free on KVM; the software CPU must drop any decoded
// copy of that page).
//
// Detach, kill and disconnect. Detach turns debugging off (SetDebug with
// the zero DebugConfig), restores patched code, and lets the guest run.
// Kill stops the machine (its Result says the debugger killed it).
//
// Time. Time spent stopped must be marked on the trace and left out of its
// statistics: the machine records a host event when the vCPU parks for the
// debugger and one when it resumes (with the stop's reason), and the trace
// model treats the interval between them as excluded: shown as a
// "stopped in the debugger" slice on its own track, subtracted from the
// durations of the polls and wake-to-poll latencies that span it, and left
// out of busy, scheduled and idle time. A KVM guest's TSC runs on while
// stopped, so the guest's own timestamps include the stop; an
// instruction-count clock does not.
//
// Start stopped (-S). The vCPU parks in the debug-stopped state before its
// first instruction, until a Resume or a Detach.
//
// The monitor table. The machine's Commands add info pic (for each 8259A:
// IRR, ISR, IMR, the ELCR, the vector base and the INT line), info pit (for
// each 8254 channel: mode, count, latch, gate and output) and trace FILE
// (the Perfetto JSON of the trace so far, to FILE). They run on the session
// goroutine while the vCPU is parked, reading devices under the device
// lock.
//
// The proposed API on emulator.Machine:
//
//	// Config.StartStopped (-S): the vCPU waits for the debugger before
//	// its first instruction.
//	StartStopped bool
//
//	// Debugger is the machine's debug controller, a gdbstub.Target; the
//	// GUI's CPU pane uses it too (Stopped, Stops). One session at a time.
//	func (m *Machine) Debugger() *Debugger
//	func (d *Debugger) Halt(ctx context.Context) (gdbstub.Stop, error)
//	func (d *Debugger) Resume(ctx context.Context, step bool) (gdbstub.Stop, error)
//	... the rest of gdbstub.Target ...
//	// Stopped reports whether the vCPU is debug-stopped, and why.
//	func (d *Debugger) Stopped() (gdbstub.Stop, bool)
//
//	// MonitorCommands are info pic, info pit and trace FILE.
//	func (m *Machine) MonitorCommands() []gdbstub.Command
//
// and in cmd/pollscope, for -s, -S and -gdb DEV:
//
//	l, err := gdbstub.Listen(dev)
//	srv := &gdbstub.Server{Target: m.Debugger(), Commands: m.MonitorCommands(), Logf: logf}
//	go srv.Serve(ctx, l)
//
// Seam changes this needs: cpu.VCPU.SetFPU (KVM_SET_FPU) for gdb to write
// x87 and SSE registers (until then SetFPU returns an error and gdb says it
// could not write the register); completing a pending I/O instruction
// without running (CompleteInstruction on cpu/kvm today, a method of
// cpu.Debugger or cpu.VCPU for both backends); and re-injecting an INT3 the
// guest executed itself while INT3 is intercepted (KVM_GUESTDBG_INJECT_BP),
// reported meanwhile as StopTrap.
package gdbstub
