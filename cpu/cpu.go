// Package cpu is pollscope's virtual CPU abstraction: the registers a loader
// sets and a crash dump shows, the exits a vCPU reports to the machine, and the
// interrupt-injection protocol of a PC whose interrupt controller lives outside
// the CPU (the 8259A's INTR pin and INTA cycle).
//
// A backend implements VCPU: cpu/kvm runs the guest on the host's KVM,
// cpu/interp interprets it in Go. The machine's run loop, its interrupt
// delivery, its port bus and its trace do not know which one runs.
package cpu

import "time"

// VCPU is one virtual processor. Run, the register accessors and the
// injection methods are called from the single goroutine that owns the vCPU;
// Kick may be called from any goroutine.
type VCPU interface {
	// Run executes guest code until the next exit and reports it. The Exit's
	// data slice for port I/O and MMIO aliases backend memory: it is valid,
	// and must be filled for an IN or MMIO read, before the next Run.
	Run() (Exit, error)

	Regs() (Regs, error)
	SetRegs(Regs) error
	SRegs() (SRegs, error)
	SetSRegs(SRegs) error
	// MSR reads a model-specific register; SetMSR writes one. An index the
	// backend does not know is an error.
	MSR(index uint32) (uint64, error)
	SetMSR(index uint32, value uint64) error
	// FPU reads the x87/SSE state in the FXSAVE layout; SetFPU writes it.
	FPU() (FXSave, error)
	SetFPU(FXSave) error
	// CompleteInstruction finishes, without running the guest further, an
	// instruction whose last exit was port I/O or MMIO (an IN's value
	// lands in its register only on the next Run). Call it before reading
	// registers between runs: for a debugger, a pause, a crash dump.
	// Without such an instruction pending it does nothing.
	CompleteInstruction() error

	// CanInjectInterrupt reports whether the guest would accept an external
	// interrupt right now: RFLAGS.IF is set and no interrupt shadow (after STI
	// or MOV SS) or pending event blocks delivery.
	CanInjectInterrupt() bool
	// InterruptsEnabled reports RFLAGS.IF as of the last exit: a HLT with IF
	// clear can never be woken by an external interrupt.
	InterruptsEnabled() bool
	// InjectInterrupt queues an external interrupt with the given vector for
	// delivery on the next Run. Call it only when CanInjectInterrupt is true.
	InjectInterrupt(vector uint8) error
	// RequestInterruptWindow asks Run to return with ExitInterruptWindow as
	// soon as the guest can take an interrupt (or not, when false).
	RequestInterruptWindow(on bool)

	// BindThread makes the calling (locked) OS thread the vCPU's thread:
	// the one that calls Run, Sleep and KickAt. Call it once, first.
	BindThread() error
	// Kick makes a Run or Sleep in progress (or the next one) return
	// promptly; Run then reports ExitKicked. Safe from any goroutine.
	Kick()
	// KickAt arms a timer that kicks the vCPU thread when Clock reaches
	// deadline; 0 disarms it. Call it from the vCPU thread.
	KickAt(deadline time.Duration) error
	// Sleep blocks the vCPU thread until it is kicked.
	Sleep()
	// Clock is the machine's time base: the host's monotonic clock for a
	// guest that runs in real time, the instruction count for a
	// deterministic one. Devices and the trace read time from it.
	Clock() Clock

	// TSCFrequency is the guest's time-stamp counter rate in Hz.
	TSCFrequency() (uint64, error)

	// Close releases the vCPU's resources (and its VM's).
	Close() error
}

// Regs are the general-purpose registers, RIP and RFLAGS.
type Regs struct {
	RAX, RBX, RCX, RDX, RSI, RDI, RSP, RBP uint64
	R8, R9, R10, R11, R12, R13, R14, R15   uint64
	RIP, RFLAGS                            uint64
}

// Segment is a segment register with its hidden descriptor cache.
type Segment struct {
	Base     uint64
	Limit    uint32
	Selector uint16
	Type     uint8 // descriptor type field (e.g. 0xB: execute/read, accessed)
	Present  bool
	DPL      uint8
	DB       bool // default operand size 32 (code) / big (data)
	S        bool // code or data segment (not a system segment)
	L        bool // 64-bit code segment
	G        bool // limit in 4 KiB units
	Unusable bool
}

// Table is a descriptor-table register (GDTR, IDTR).
type Table struct {
	Base  uint64
	Limit uint16
}

// SRegs are the system registers: segments, descriptor tables, control
// registers and EFER.
type SRegs struct {
	CS, DS, ES, FS, GS, SS, TR, LDT Segment
	GDT, IDT                        Table
	CR0, CR2, CR3, CR4, CR8, EFER   uint64
}

// FXSave is the 512-byte FXSAVE image: x87 control, status and tag words,
// the eight x87 registers, MXCSR and the sixteen XMM registers, at the
// offsets the Intel SDM gives for FXSAVE in 64-bit mode.
type FXSave [512]byte

// Bits of the control registers and EFER that the loader and the dump use.
const (
	CR0PE = 1 << 0  // protection enable
	CR0ET = 1 << 4  // extension type (always 1 on 486+)
	CR0PG = 1 << 31 // paging

	CR4PAE = 1 << 5 // physical address extension

	EFERLME = 1 << 8  // long mode enable
	EFERLMA = 1 << 10 // long mode active

	RFLAGSIF       = 1 << 9 // interrupt enable flag
	RFLAGSReserved = 1 << 1 // bit 1 always reads as 1
)

// CodeSize is the width in bits (16, 32 or 64) the processor decodes
// instructions in: CS.L in long mode, CS.D in protected mode, 16 in real
// mode.
func (s *SRegs) CodeSize() int {
	switch {
	case s.EFER&EFERLMA != 0 && s.CS.L:
		return 64
	case s.CR0&CR0PE != 0 && s.CS.DB:
		return 32
	default:
		return 16
	}
}
