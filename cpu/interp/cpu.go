package interp

import (
	"fmt"
	"log"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/pollscope/pollscope/cpu"
)

// Options configure a software CPU.
type Options struct {
	// ICount selects deterministic time (QEMU's -icount): the clock and the
	// TSC advance with the instruction count, NsPerInstruction nanoseconds
	// per instruction, plus the time skipped while halted. Without it the
	// clock is the host's monotonic clock.
	ICount bool
	// NsPerInstruction is the virtual time one instruction takes under
	// ICount; 0 means 1.
	NsPerInstruction uint64
	// PaceIdle, under ICount, makes Sleep wait in real time for the virtual
	// time it skips (a guest that idles then runs no faster than the wall
	// clock), instead of skipping it at once.
	PaceIdle bool
	// Log receives one line per notable event the guest cannot see: the
	// first use of each unimplemented instruction, unknown MSRs, host-side
	// recoveries. nil means the standard library's log.Printf.
	Log func(format string, args ...any)
}

// tscHz is the guest's time-stamp counter rate: 1 GHz, one tick per
// nanosecond of the CPU's clock. Under ICount with one nanosecond per
// instruction the TSC therefore counts instructions (plus idle time).
const tscHz = 1_000_000_000

// Segment register numbers as the x86 encodes them, then LDTR and TR.
const (
	segES = iota
	segCS
	segSS
	segDS
	segFS
	segGS
	segLDTR
	segTR
)

// regZero is a register slot that always holds 0: an effective address
// without a base or index register adds it, so address generation needs no
// branches. regScratch is a slot instructions may clobber.
const (
	regZero    = 16
	regScratch = 17
)

// CPU is one software x86-64 processor over guest RAM. It implements
// cpu.VCPU and cpu.Debugger.
type CPU struct {
	// Hot state, touched by nearly every instruction.
	regs    [32]uint64 // RAX..R15, then regZero and regScratch
	rip     uint64
	lf      lazyFlags
	rflags  uint64
	segBase [8]uint64 // base each segment contributes to a linear address
	linMask uint64    // 0xffffffff outside long mode: linear addresses wrap
	cur     *insn     // the instruction executing (fault RIP, count)
	stop    bool      // leave the block after this instruction
	attn    bool      // look at events between every block
	key     uint32    // codeKey: decoding mode and privilege class
	tlbR    *tlb      // data-read TLB for the current privilege
	tlbW    *tlb      // data-write TLB for the current privilege
	icount  uint64    // instructions retired
	// nextCheck is the instruction count at which the run loop looks at
	// the clock, deadlines and debug stops.
	nextCheck uint64
	// pollAt is the instruction count of the next look at the host clock
	// (real-time mode).
	pollAt uint64

	ram     []byte
	ramBase unsafe.Pointer
	ramSize uint64

	// Architectural state.
	seg               [8]segment
	cpl               uint8
	mode              uint8 // code size: 16, 32 or 64
	cr0, cr2, cr3     uint64
	cr4, cr8, efer    uint64
	gdtr, idtr        cpu.Table
	dr                [8]uint64
	msr               msrState
	xmm               [16]xmmReg
	mxcsr             uint32
	fpu               x87
	shadowUntil       uint64 // an STI or MOV SS shadow covers the instruction at this count
	tfPending         bool   // RFLAGS.TF was set before the instruction at count tfAt
	tfAt              uint64
	pendingIRQ        int // vector InjectInterrupt queued, or -1
	pendingIO         pendingIO
	deliveringVector  int // exception being delivered, or -1 (double-fault rules)
	pendingException  *fault
	pendingBuf        fault // what pendingException points at, kept here so a fault costs no allocation
	windowRequested   bool
	exit              cpu.Exit
	exitReady         bool
	ioBuf             [4096]byte
	unimplementedSeen map[string]uint64
	faultBuf          fault
	internalErrors    uint64
	openBus           uint64 // accesses to physical addresses outside RAM

	// TLBs and the decoded-code cache.
	tlbs     [2][3]tlb // [user][read, write, fetch]
	tlbInfo  tlbState
	code     codeCache
	fetchBuf [32]byte

	// Time.
	opts       Options
	clock      cpu.Clock
	host       *cpu.HostClock
	vclock     atomic.Int64 // ICount: published virtual time (ns)
	idleNs     uint64       // ICount: virtual time skipped while halted
	deadline   time.Duration
	deadlineIC uint64 // ICount: the instruction count at the deadline
	tscOffset  int64
	kick       atomic.Uint32
	sleepStart time.Time

	debug debugState
}

var (
	_ cpu.VCPU     = (*CPU)(nil)
	_ cpu.Debugger = (*CPU)(nil)
)

// New makes a software CPU over ram, guest physical memory from address 0.
// The processor starts as after RESET (real mode at F000:FFF0); loaders set
// the state they want with SetRegs and SetSRegs.
func New(ram []byte, opts Options) (*CPU, error) {
	if len(ram) == 0 || len(ram)%pageSize != 0 {
		return nil, fmt.Errorf("guest RAM must be a non-zero multiple of 4 KiB, got %d bytes", len(ram))
	}
	if opts.NsPerInstruction == 0 {
		opts.NsPerInstruction = 1
	}
	c := &CPU{
		ram:               ram,
		ramBase:           unsafe.Pointer(&ram[0]),
		ramSize:           uint64(len(ram)),
		opts:              opts,
		pendingIRQ:        -1,
		deliveringVector:  -1,
		unimplementedSeen: make(map[string]uint64),
	}
	if opts.ICount {
		c.clock = icountClock{c}
	} else {
		c.host = cpu.NewHostClock()
		c.clock = c.host
	}
	c.code.init(len(ram))
	c.flushTLB(false)
	c.reset()
	return c, nil
}

// reset puts the processor in its power-on state.
func (c *CPU) reset() {
	c.regs = [32]uint64{}
	c.regs[2] = 0x600 // EDX: family/model/stepping after reset
	c.rflags = flagsFixed1
	c.lf = lazyFlags{}
	c.rip = 0xfff0
	for i := range c.seg[:segLDTR] {
		c.seg[i] = segment{base: 0, limit: 0xffff, present: true, s: true, typ: 0x3}
	}
	c.seg[segCS] = segment{sel: 0xf000, base: 0xffff0000, limit: 0xffff, present: true, s: true, typ: 0xb}
	c.seg[segLDTR] = segment{typ: 0x2, present: true, limit: 0xffff}
	c.seg[segTR] = segment{typ: 0xb, present: true, limit: 0xffff}
	c.cr0 = cpu.CR0ET | 1<<30 | 1<<29 // ET, CD, NW
	c.cr2, c.cr3, c.cr4, c.cr8, c.efer = 0, 0, 0, 0, 0
	c.gdtr = cpu.Table{Limit: 0xffff}
	c.idtr = cpu.Table{Limit: 0xffff}
	c.dr = [8]uint64{6: 0xffff0ff0, 7: 0x400}
	c.msr.reset()
	c.mxcsr = mxcsrDefault
	c.xmm = [16]xmmReg{}
	c.fpu.reset()
	c.modeChanged()
}

// Close releases the CPU. The RAM belongs to the caller.
func (c *CPU) Close() error {
	c.code.flushAll()
	return nil
}

// BindThread does nothing: the software CPU needs no particular thread.
// Kicks reach it through memory and a futex.
func (c *CPU) BindThread() error { return nil }

// TSCFrequency is the guest TSC rate: 1 GHz.
func (c *CPU) TSCFrequency() (uint64, error) { return tscHz, nil }

// Clock is the machine's time base: the host clock, or under ICount the
// virtual clock driven by the instruction count.
func (c *CPU) Clock() cpu.Clock { return c.clock }

// InstructionCount returns the number of instructions retired so far. A
// REP-prefixed string instruction counts once per chunk of iterations it
// runs between interrupt checks (see the package documentation).
func (c *CPU) InstructionCount() uint64 { return c.icount }

// Unimplemented returns how often the guest executed each instruction the
// CPU does not implement (each raised #UD in the guest), by mnemonic.
func (c *CPU) Unimplemented() map[string]uint64 {
	out := make(map[string]uint64, len(c.unimplementedSeen))
	for k, v := range c.unimplementedSeen {
		out[k] = v
	}
	return out
}

func (c *CPU) logf(format string, args ...any) {
	if c.opts.Log != nil {
		c.opts.Log(format, args...)
		return
	}
	log.Printf(format, args...)
}
