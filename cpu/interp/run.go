package interp

import (
	"fmt"
	"runtime/debug"

	"github.com/pollscope/pollscope/cpu"
)

// pollInterval is how many instructions run between looks at the host
// clock in real-time mode (for KickAt deadlines): about 40 µs of guest
// code at 100 M instructions per second.
const pollInterval = 4096

// Run executes guest code until the next exit.
//
// Guest exceptions are Go panics carrying a *fault, raised where the
// fault is detected and recovered here at Run's boundary (runProtected),
// which then delivers the exception through the IDT and carries on. Any
// other panic is a bug in the interpreter: Run reports it as
// ExitInternalError naming the instruction, and the host keeps running.
func (c *CPU) Run() (cpu.Exit, error) {
	c.exitReady = false
	c.exit = cpu.Exit{}
	for !c.runProtected() {
	}
	c.publishClock()
	return c.exit, nil
}

// runProtected runs until an exit is ready (true) or a guest fault has
// been recorded for delivery (false).
func (c *CPU) runProtected() (done bool) {
	defer func() {
		if r := recover(); r != nil {
			done = c.recovered(r)
		}
	}()
	if c.pendingIO.active {
		c.completeIO()
	}
	if c.pendingException != nil {
		f := *c.pendingException
		c.pendingException = nil
		c.deliverException(f)
	}
	if c.pendingIRQ >= 0 {
		v := uint8(c.pendingIRQ)
		c.pendingIRQ = -1
		c.deliver(v, evExternal, false, 0)
	}
	c.loop()
	return true
}

// loop runs blocks until an exit is ready.
func (c *CPU) loop() {
	for {
		if c.kick.Load() != 0 || c.attn || c.icount >= c.nextCheck {
			if c.checkEvents() {
				return
			}
		}
		c.cur = nil
		b := c.lookupBlock()
		if c.debug.active && c.debug.checkBreakpoints(c, b) {
			return
		}
		c.execBlock(b)
		if c.exitReady {
			return
		}
	}
}

// execBlock runs a block's instructions, at most up to the next check.
func (c *CPU) execBlock(b *block) {
	insns := b.insns
	if rem := c.nextCheck - c.icount; rem < uint64(len(insns)) {
		insns = insns[:rem]
	}
	if n := c.debug.limit; n > 0 && n < len(insns) {
		insns = insns[:n]
	}
	c.code.current = b
	for i := range insns {
		in := &insns[i]
		c.cur = in
		in.fn(c, in)
		if c.stop {
			c.stop = false
			c.icount += uint64(i) + 1
			if in.flags&fSetsRIP == 0 {
				c.rip = in.next
			}
			c.cur = nil
			c.code.current = nil
			return
		}
	}
	c.icount += uint64(len(insns))
	if last := &insns[len(insns)-1]; last.flags&fSetsRIP == 0 {
		c.rip = last.next
	}
	c.cur = nil
	c.code.current = nil
}

// checkEvents looks at everything that can end a run between blocks and
// says whether an exit is ready.
func (c *CPU) checkEvents() bool {
	if c.kick.Load() != 0 {
		c.kick.Store(0)
		return c.exitWith(cpu.Exit{Kind: cpu.ExitKicked})
	}
	if !c.opts.ICount && c.icount >= c.pollAt {
		c.pollAt = c.icount + pollInterval
	}
	if c.deadline > 0 && c.deadlineReached() {
		c.deadline = 0
		c.updateCheck()
		return c.exitWith(cpu.Exit{Kind: cpu.ExitKicked})
	}
	if c.debug.active && c.debug.stepDone(c) {
		return true
	}
	if c.tfPending && c.icount > c.tfAt {
		// The guest's own single-step: the instruction that began with
		// TF set has retired; #DB is a trap after it (DR6.BS).
		c.tfPending = false
		c.dr[6] |= 1 << 14
		c.deliver(vecDB, evException, false, 0)
	}
	if c.rflags&flagTF != 0 && !c.tfPending {
		c.tfPending, c.tfAt = true, c.icount
	}
	if c.windowRequested && c.rflags&flagIF != 0 && !c.inShadow() && c.pendingException == nil {
		return c.exitWith(cpu.Exit{Kind: cpu.ExitInterruptWindow})
	}
	c.updateCheck()
	return false
}

func (c *CPU) exitWith(e cpu.Exit) bool {
	c.exit = e
	c.exitReady = true
	return true
}

// inShadow reports whether the next instruction runs in an STI or MOV SS
// interrupt shadow.
func (c *CPU) inShadow() bool { return c.icount == c.shadowUntil && c.shadowUntil != 0 }

// setShadow starts an interrupt shadow over the instruction after in.
func (c *CPU) setShadow(in *insn) {
	c.shadowUntil = c.icount + uint64(in.idx) + 1
	c.updateAttn()
}

// updateAttn recomputes whether the loop must look at events between every
// block.
func (c *CPU) updateAttn() {
	c.attn = c.windowRequested || c.debug.active || c.rflags&flagTF != 0 || c.tfPending
	c.updateCheck()
}

// updateCheck sets the instruction count of the next event check.
func (c *CPU) updateCheck() {
	next := ^uint64(0)
	if !c.opts.ICount {
		next = c.pollAt
	} else if c.deadline > 0 {
		next = max(c.deadlineIC, c.icount)
	}
	if c.inShadow() || c.debug.singleStep || c.tfPending {
		next = min(next, c.icount+1)
	}
	c.nextCheck = next
}

// recovered handles a panic out of the guest: a *fault becomes a pending
// exception (or a double fault, or a shutdown); anything else ends the run
// with ExitInternalError.
func (c *CPU) recovered(r any) bool {
	f, ok := r.(*fault)
	if !ok {
		name := "(between instructions)"
		if c.cur != nil {
			name = fmt.Sprintf("%v at %#x", c.cur.op, c.cur.rip)
			c.rip = c.cur.rip
		}
		c.logf("interp: internal error executing %s: %v\n%s", name, r, debug.Stack())
		c.internalErrors++
		c.cur = nil
		c.code.current = nil
		c.deliveringVector = -1
		return c.exitWith(cpu.Exit{Kind: cpu.ExitInternalError, Reason: 1})
	}
	if c.cur != nil {
		// The faulting instruction did not retire; those before it did.
		c.icount += uint64(c.cur.idx)
		c.rip = c.cur.rip
		c.cur = nil
	}
	c.code.current = nil
	c.stop = false
	fv := *f
	if first := c.deliveringVector; first >= 0 {
		c.deliveringVector = -1
		switch {
		case first == vecDF:
			c.logf("interp: triple fault (vector %d while delivering a double fault)", fv.vector)
			return c.exitWith(cpu.Exit{Kind: cpu.ExitShutdown})
		case contributory(uint8(first)) && contributory(fv.vector),
			first == vecPF && (contributory(fv.vector) || fv.vector == vecPF):
			fv = fault{vector: vecDF, hasErr: true}
		}
	}
	c.pendingBuf = fv
	c.pendingException = &c.pendingBuf
	return false
}
