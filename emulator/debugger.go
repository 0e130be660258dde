package emulator

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/pollscope/pollscope/cpu"
	"github.com/pollscope/pollscope/gdbstub"
	"github.com/pollscope/pollscope/trace"
)

// Debugger is the machine's debug controller: what a gdb session (package
// gdbstub, -s/-S/-gdb) and the GUI's CPU pane use to stop the guest at an
// instruction boundary, look at it, change it, step it and let it go. It
// implements gdbstub.Target.
//
// The vCPU thread does all of the vCPU's work: when a stop is wanted it
// parks between two instructions ("debug-stopped"), tells the waiting
// caller why, and serves the caller's requests (read the registers, set
// the breakpoints) until told to run again. Time spent stopped is marked
// on the trace (trace.HostDebugStop and HostDebugResume), so the model can
// leave it out of poll durations and statistics.
type Debugger struct {
	m *Machine

	// The vCPU thread's side.
	wanted   atomic.Bool // park at the next instruction boundary
	parked   atomic.Bool // debug-stopped now
	stepping bool        // vCPU thread only: the resume was a single step
	requests chan debugRequest
	stops    chan gdbstub.Stop // one per park, to whoever waits
	last     atomic.Pointer[gdbstub.Stop]

	// The caller's side: the breakpoints and how they are planned.
	mu      sync.Mutex
	bps     []gdbstub.Breakpoint
	plan    gdbstub.DebugPlan
	patched gdbstub.PatchedBreakpoints
	swAsHw  *bool // software breakpoints go into the debug registers (decided at first use)
}

// debugRequest is work for the parked vCPU thread: a function to run, or
// (resume set) the order to run the guest again.
type debugRequest struct {
	run    func()
	done   chan struct{}
	resume bool
	step   bool
}

func newDebugger(m *Machine) *Debugger {
	return &Debugger{m: m, requests: make(chan debugRequest), stops: make(chan gdbstub.Stop, 1)}
}

// Debugger returns the machine's debug controller.
func (m *Machine) Debugger() *Debugger { return m.debug }

// errRunning is what inspecting a running guest gets.
var errRunning = errors.New("the guest is running: stop it first (gdb's Ctrl-C, or Halt)")

// Stopped reports whether the vCPU is stopped for the debugger, and why.
func (d *Debugger) Stopped() (gdbstub.Stop, bool) {
	if !d.parked.Load() {
		return gdbstub.Stop{}, false
	}
	return *d.last.Load(), true
}

// --- the vCPU thread's side ---

// park is the vCPU thread stopped for the debugger, until it is told to
// run on or the machine stops. It reports whether the run is over.
func (d *Debugger) park(stop gdbstub.Stop) (Result, bool) {
	m := d.m
	if err := m.vcpu.CompleteInstruction(); err != nil {
		return Result{Outcome: OutcomeError, Err: err}, true
	}
	if err := m.timers.disarm(m.vcpu.KickAt); err != nil {
		return Result{Outcome: OutcomeError, Err: err}, true
	}
	d.wanted.Store(false)
	d.last.Store(&stop)
	d.parked.Store(true)
	m.tracer.hostEvent(trace.HostDebugStop, uint64(stop.Reason), "")
	select {
	case d.stops <- stop:
	default: // nobody waits (-S before gdb attached): Halt finds it parked
	}
	for {
		select {
		case req := <-d.requests:
			if !req.resume {
				req.run()
				close(req.done)
				continue
			}
			d.stepping = req.step
			d.parked.Store(false)
			m.tracer.hostEvent(trace.HostDebugResume, resumeArg(req.step), "")
			m.forgiveTicks()
			return Result{}, false
		case <-m.life.stopCh:
			d.parked.Store(false)
			return Result{Outcome: OutcomeStopped}, true
		}
	}
}

// parkIfWanted parks when a stop was asked for (Halt, a cancelled Resume,
// -S).
func (d *Debugger) parkIfWanted() (Result, bool, bool) {
	if !d.wanted.Load() {
		return Result{}, false, false
	}
	res, done := d.park(gdbstub.Stop{Reason: gdbstub.StopHalted})
	return res, done, true
}

// debugExit turns the vCPU's ExitDebug into a stop.
func (d *Debugger) debugExit(e cpu.Exit) (Result, bool) {
	d.mu.Lock()
	stop := d.plan.Stop(e.Debug)
	d.mu.Unlock()
	return d.park(stop)
}

// forgiveTicks brings the devices up to now and drops the timer ticks that
// fell due while the vCPU stood still (after a pause or a debug stop).
func (m *Machine) forgiveTicks() {
	now := m.clock.Now()
	m.board.mu.Lock()
	m.timers.advance(now)
	m.board.ticks.forgive()
	m.board.mu.Unlock()
	m.timers.touched()
}

// --- the caller's side ---

// do runs f on the parked vCPU thread, or directly once the vCPU's
// goroutine has ended.
func (d *Debugger) do(f func()) error {
	m := d.m
	select {
	case <-m.life.done:
		m.board.mu.Lock()
		closed := m.vcpu == nil
		m.board.mu.Unlock()
		if closed {
			return errors.New("the machine is closed")
		}
		f()
		return nil
	default:
	}
	if !d.parked.Load() {
		return errRunning
	}
	req := debugRequest{run: f, done: make(chan struct{})}
	select {
	case d.requests <- req:
	case <-m.life.done:
		return d.do(f)
	}
	<-req.done
	return nil
}

// endedStop reports how a machine that has ended ended.
func (d *Debugger) endedStop() gdbstub.Stop {
	res := d.m.life.result
	switch res.Outcome {
	case OutcomeExit:
		return gdbstub.Stop{Reason: gdbstub.StopExited, ExitCode: uint8(res.Status()), Message: res.String()}
	case OutcomeShutdown, OutcomeHalted, OutcomeError:
		return gdbstub.Stop{Reason: gdbstub.StopFault, Message: res.String()}
	default:
		return gdbstub.Stop{Reason: gdbstub.StopExited, Message: res.String()}
	}
}

// Halt stops the vCPU at an instruction boundary and returns once it
// stands still (gdb connecting, Ctrl-C, the GUI's stop).
func (d *Debugger) Halt(ctx context.Context) (gdbstub.Stop, error) {
	m := d.m
	if !m.life.started.Load() {
		return gdbstub.Stop{}, errors.New("the machine has not been started")
	}
	if s, ok := d.Stopped(); ok {
		d.drainStops()
		return s, nil
	}
	d.wanted.Store(true)
	m.kick()
	return d.waitStop(ctx)
}

// waitStop waits for the vCPU's next park, or for the guest's end.
func (d *Debugger) waitStop(ctx context.Context) (gdbstub.Stop, error) {
	select {
	case s := <-d.stops:
		return s, nil
	case <-d.m.life.done:
		return d.endedStop(), nil
	case <-ctx.Done():
		return gdbstub.Stop{}, ctx.Err()
	}
}

func (d *Debugger) drainStops() {
	select {
	case <-d.stops:
	default:
	}
}

// Resume lets the vCPU run (one instruction, if step) with the breakpoints
// last set, until it stops; when ctx ends first it stops the vCPU at the
// next instruction boundary (StopHalted).
func (d *Debugger) Resume(ctx context.Context, step bool) (gdbstub.Stop, error) {
	m := d.m
	if ended, err := d.order(step); err != nil {
		return gdbstub.Stop{}, err
	} else if ended {
		return d.endedStop(), nil
	}
	select {
	case s := <-d.stops:
		return s, nil
	case <-m.life.done:
		return d.endedStop(), nil
	case <-ctx.Done():
	}
	d.wanted.Store(true)
	m.kick()
	s, err := d.waitStop(context.Background())
	if s.Reason != gdbstub.StopExited && s.Reason != gdbstub.StopFault {
		s = gdbstub.Stop{Reason: gdbstub.StopHalted}
	}
	return s, err
}

// order programs the breakpoints for a resume (one instruction, if step)
// and tells the parked vCPU to run. It reports whether the guest had ended
// instead.
func (d *Debugger) order(step bool) (ended bool, err error) {
	m := d.m
	select {
	case <-m.life.done:
		return true, nil
	default:
	}
	if derr := d.do(func() { err = d.program(step) }); derr != nil {
		return false, derr
	}
	if err != nil {
		return false, err
	}
	d.drainStops()
	select {
	case d.requests <- debugRequest{resume: true, step: step}:
		return false, nil
	case <-m.life.done:
		return true, nil
	}
}

// softwareAsHardware decides, once, where gdb's software breakpoints go:
// into the vCPU's breakpoint list where the backend cannot trap INT3 (the
// software CPU checks any number at fetch; PVM cannot intercept INT3), as
// INT3 bytes otherwise. Call it on the vCPU thread.
func (d *Debugger) softwareAsHardware(dbg cpu.Debugger) bool {
	if d.swAsHw == nil {
		v := d.m.backend == BackendTCG || dbg.SetDebug(cpu.DebugConfig{TrapBreakpointInstruction: true}) != nil
		d.swAsHw = &v
		_ = dbg.SetDebug(cpu.DebugConfig{})
	}
	return *d.swAsHw
}

// program plans the breakpoints and gives the plan to the vCPU (vCPU
// thread, parked).
func (d *Debugger) program(step bool) error {
	dbg, ok := d.m.vcpu.(cpu.Debugger)
	if !ok {
		return fmt.Errorf("%w: the %s backend has no debug support", cpu.ErrDebugUnsupported, d.m.backend)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	plan, err := gdbstub.PlanDebug(d.bps, step, gdbstub.PlanOptions{SoftwareAsHardware: d.softwareAsHardware(dbg)})
	if err != nil {
		return err
	}
	if err := dbg.SetDebug(plan.Config); err != nil {
		return err
	}
	if err := d.patched.Sync(debugMemory{d.m, d.m.vcpu.SRegs}, plan.Software); err != nil {
		return err
	}
	d.plan = plan
	return nil
}

// SetBreakpoints replaces the breakpoints and watchpoints; the backend
// says at once if it cannot do one of them, and the set is then unchanged.
func (d *Debugger) SetBreakpoints(bps []gdbstub.Breakpoint) error {
	var err error
	if derr := d.do(func() {
		d.mu.Lock()
		old := d.bps
		d.bps = append([]gdbstub.Breakpoint(nil), bps...)
		d.mu.Unlock()
		if err = d.program(false); err != nil {
			d.mu.Lock()
			d.bps = old
			d.mu.Unlock()
			_ = d.program(false)
		}
	}); derr != nil {
		return derr
	}
	return err
}

// Detach turns debugging off and lets the guest run on.
func (d *Debugger) Detach() error {
	d.mu.Lock()
	d.bps = nil
	d.mu.Unlock()
	err := d.do(func() {
		if dbg, ok := d.m.vcpu.(cpu.Debugger); ok {
			_ = dbg.SetDebug(cpu.DebugConfig{})
		}
		d.mu.Lock()
		_ = d.patched.Sync(debugMemory{d.m, d.m.vcpu.SRegs}, nil)
		d.plan = gdbstub.DebugPlan{}
		d.mu.Unlock()
	})
	if errors.Is(err, errRunning) {
		return nil // already running freely
	}
	select {
	case d.requests <- debugRequest{resume: true}:
	case <-d.m.life.done:
	}
	return err
}

// Kill ends the guest (gdb's kill).
func (d *Debugger) Kill() error {
	d.m.Stop()
	return nil
}

// Regs reads the general registers of the stopped vCPU.
func (d *Debugger) Regs() (r cpu.Regs, err error) {
	if derr := d.do(func() { r, err = d.m.vcpu.Regs() }); derr != nil {
		return r, derr
	}
	return r, err
}

// SetRegs writes them.
func (d *Debugger) SetRegs(r cpu.Regs) (err error) {
	if derr := d.do(func() { err = d.m.vcpu.SetRegs(r) }); derr != nil {
		return derr
	}
	return err
}

// SRegs reads the system registers.
func (d *Debugger) SRegs() (s cpu.SRegs, err error) {
	if derr := d.do(func() { s, err = d.m.vcpu.SRegs() }); derr != nil {
		return s, derr
	}
	return s, err
}

// SetSRegs writes them.
func (d *Debugger) SetSRegs(s cpu.SRegs) (err error) {
	if derr := d.do(func() { err = d.m.vcpu.SetSRegs(s) }); derr != nil {
		return derr
	}
	return err
}

// FPU reads the x87/SSE state.
func (d *Debugger) FPU() (f cpu.FXSave, err error) {
	if derr := d.do(func() { f, err = d.m.vcpu.FPU() }); derr != nil {
		return f, derr
	}
	return f, err
}

// SetFPU writes it.
func (d *Debugger) SetFPU(f cpu.FXSave) (err error) {
	if derr := d.do(func() { err = d.m.vcpu.SetFPU(f) }); derr != nil {
		return derr
	}
	return err
}

var _ gdbstub.Target = (*Debugger)(nil)
