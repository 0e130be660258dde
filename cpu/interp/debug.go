package interp

import (
	"fmt"

	"github.com/pollscope/pollscope/cpu"
)

// Debugging: exact single-step, execute breakpoints checked at fetch (any
// number, no guest memory patched), data watchpoints that stop after the
// access (a watched page is never entered in the TLB, so every access to
// it takes the slow path, which compares it with the watch ranges), and
// INT3 reported to the host.
//
// A breakpoint stop leaves RIP at the breakpoint; the next Run executes
// that instruction without stopping there again. An INT3 trapped for the
// host also leaves RIP at the INT3 (as KVM's software breakpoints do).

type debugState struct {
	active     bool // any debug feature on
	singleStep bool
	trapInt3   bool
	bps        []uint64
	watches    []cpu.Watchpoint
	watchPages map[uint64]bool
	// limit caps the next block at this many instructions (a breakpoint
	// inside it); 0 means no cap.
	limit int
	// resumeAt is the breakpoint just reported: the next fetch there does
	// not stop again.
	resumeAt   uint64
	resumeSet  bool
	lastStop   uint64 // instruction count of the last single-step stop
	eventStep  bool   // an event was delivered: single-step stops now
	hit        bool   // a watchpoint fired
	hitAddr    uint64
	hitIndex   int
	pendingBP3 bool // an INT3 was trapped: report it
	bp3Addr    uint64
}

// SetDebug replaces the debug configuration.
func (c *CPU) SetDebug(cfg cpu.DebugConfig) error {
	for _, w := range cfg.Watchpoints {
		switch w.Len {
		case 1, 2, 4, 8:
		default:
			return fmt.Errorf("watchpoint at %#x: length %d is not 1, 2, 4 or 8", w.Addr, w.Len)
		}
		if w.Addr%uint64(w.Len) != 0 {
			return fmt.Errorf("watchpoint at %#x: not aligned to its length %d", w.Addr, w.Len)
		}
		if w.Kind != cpu.WatchWrite && w.Kind != cpu.WatchRead && w.Kind != cpu.WatchReadWrite {
			return fmt.Errorf("watchpoint at %#x: unknown kind %d", w.Addr, w.Kind)
		}
	}
	d := &c.debug
	// A debugger re-programs the breakpoints before it resumes from one:
	// the resume must still execute the instruction it stopped at, as
	// KVM's does.
	resumeAt, resumeSet := d.resumeAt, d.resumeSet
	*d = debugState{
		singleStep: cfg.SingleStep,
		trapInt3:   cfg.TrapBreakpointInstruction,
		bps:        append([]uint64(nil), cfg.Breakpoints...),
		watches:    append([]cpu.Watchpoint(nil), cfg.Watchpoints...),
		lastStop:   c.icount,
		resumeAt:   resumeAt,
		resumeSet:  resumeSet,
	}
	if len(d.watches) > 0 {
		d.watchPages = make(map[uint64]bool)
		for _, w := range d.watches {
			d.watchPages[w.Addr>>12] = true
		}
	}
	d.active = d.singleStep || d.trapInt3 || len(d.bps) > 0 || len(d.watches) > 0
	// Watched pages must leave the TLB; blocks must be re-cut at
	// breakpoints.
	c.flushTLB(false)
	c.updateAttn()
	return nil
}

// watchesPage reports whether a watchpoint lies in lin's page.
func (d *debugState) watchesPage(lin uint64) bool {
	return d.watchPages != nil && d.watchPages[lin>>12]
}

// watchAccess checks a data access against the watchpoints.
func (c *CPU) watchAccess(lin uint64, size int, acc int) {
	d := &c.debug
	if d.watchPages == nil || d.hit {
		return
	}
	for i, w := range d.watches {
		if lin >= w.Addr+uint64(w.Len) || lin+uint64(size) <= w.Addr {
			continue
		}
		if acc == accWrite && w.Kind&cpu.WatchWrite == 0 && w.Kind != cpu.WatchReadWrite {
			continue
		}
		if acc == accRead && w.Kind == cpu.WatchWrite {
			continue
		}
		d.hit, d.hitAddr, d.hitIndex = true, max(lin, w.Addr), i
		c.stop = true
		return
	}
}

// checkBreakpoints is called before a block runs: it stops at a
// breakpoint on the block's first instruction, or caps the block before
// one inside it.
func (d *debugState) checkBreakpoints(c *CPU, b *block) bool {
	d.limit = 0
	if len(d.bps) == 0 {
		return false
	}
	base := c.seg[segCS].base
	start := (base + b.key.rip) & c.linMask
	for _, bp := range d.bps {
		if bp == start {
			if d.resumeSet && d.resumeAt == bp {
				continue
			}
			d.resumeAt, d.resumeSet = bp, true
			return c.exitWith(cpu.Exit{Kind: cpu.ExitDebug, Debug: cpu.DebugStop{Reason: cpu.DebugBreakpoint, Addr: bp}})
		}
	}
	d.resumeSet = false
	for i := 1; i < len(b.insns); i++ {
		lin := (base + b.insns[i].rip) & c.linMask
		for _, bp := range d.bps {
			if bp == lin && (d.limit == 0 || i < d.limit) {
				d.limit = i
			}
		}
	}
	return false
}

// stepDone reports (and prepares) a debug exit between instructions.
func (d *debugState) stepDone(c *CPU) bool {
	switch {
	case d.pendingBP3:
		d.pendingBP3 = false
		return c.exitWith(cpu.Exit{Kind: cpu.ExitDebug, Debug: cpu.DebugStop{Reason: cpu.DebugBreakInstruction, Addr: d.bp3Addr}})
	case d.hit:
		d.hit = false
		return c.exitWith(cpu.Exit{Kind: cpu.ExitDebug, Debug: cpu.DebugStop{Reason: cpu.DebugWatchpoint, Addr: d.hitAddr, Watch: d.hitIndex}})
	case d.singleStep && (c.icount != d.lastStop || d.eventStep):
		d.lastStop = c.icount
		d.eventStep = false
		return c.exitWith(cpu.Exit{Kind: cpu.ExitDebug, Debug: cpu.DebugStop{Reason: cpu.DebugStep, Addr: (c.seg[segCS].base + c.rip) & c.linMask}})
	}
	return false
}
