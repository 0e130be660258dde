package emulator

import (
	"fmt"
	"runtime"

	"github.com/pollscope/pollscope/cpu"
	"github.com/pollscope/pollscope/gdbstub"
	"github.com/pollscope/pollscope/trace"
)

// runVCPU is the vCPU's heartbeat: between two entries into the guest,
// honour a stop or a pause, hand the devices the host's input, advance the
// devices whose deadlines have passed, and deliver a pending interrupt if
// the guest can take it; then run the guest and handle its exit.
func (m *Machine) runVCPU() Result {
	// The vCPU stays on one thread, which kicks and timers signal. The
	// goroutine never unlocks it: BindThread may change the thread's
	// signal mask, so the thread ends with the goroutine.
	runtime.LockOSThread()
	if err := m.vcpu.BindThread(); err != nil {
		return Result{Outcome: OutcomeError, Err: err}
	}
	defer m.vcpu.KickAt(0) // no timer signal for a thread about to end
	for {
		if res, done := m.betweenRuns(); done {
			return res
		}
		exit, err := m.vcpu.Run()
		if err != nil {
			return Result{Outcome: OutcomeError, Err: err}
		}
		m.tracer.exit(exit.Kind)
		if res, done := m.handleExit(exit); done {
			return res
		}
	}
}

// betweenRuns does what must happen before the guest runs again and says
// whether the run is over.
func (m *Machine) betweenRuns() (Result, bool) {
	if m.life.stopping.Load() {
		return Result{Outcome: OutcomeStopped}, true
	}
	if res, done, _ := m.debug.parkIfWanted(); done {
		return res, true
	}
	if _, err := m.parkIfPaused(); err != nil {
		return Result{Outcome: OutcomeError, Err: err}, true
	}
	if m.applyReplay() {
		return Result{Outcome: OutcomeStopped}, true
	}
	m.applyInputs()
	if m.debug.stepping {
		// A debugger's single step runs the next instruction of the
		// guest's own code: no timer tick, no interrupt handler.
		return Result{}, false
	}
	if err := m.serviceTimers(); err != nil {
		return Result{Outcome: OutcomeError, Err: err}, true
	}
	if err := m.deliverInterrupt(); err != nil {
		return Result{Outcome: OutcomeError, Err: err}, true
	}
	return Result{}, false
}

// handleExit handles one VM exit and says whether the run is over.
func (m *Machine) handleExit(e cpu.Exit) (Result, bool) {
	switch e.Kind {
	case cpu.ExitPortIO:
		return m.portIO(e)
	case cpu.ExitMMIO:
		// No MMIO devices: reads see an open bus, writes are dropped.
		if !e.Write {
			for i := range e.Data {
				e.Data[i] = 0xff
			}
		}
	case cpu.ExitHLT:
		return m.halt()
	case cpu.ExitInterruptWindow, cpu.ExitKicked:
		// The loop re-checks interrupts, input and the stop flag.
	case cpu.ExitDebug:
		return m.debug.debugExit(e)
	case cpu.ExitShutdown:
		return m.crashResult(OutcomeShutdown, nil), true
	case cpu.ExitFailEntry:
		return m.crashResult(OutcomeError, fmt.Errorf("%s could not enter the guest (entry failure reason %#x): the processor state is invalid", m.backend, e.Reason)), true
	case cpu.ExitInternalError:
		return m.internalErrorResult(e), true // kvmlimits.go
	default:
		return m.crashResult(OutcomeError, fmt.Errorf("unexpected VM exit %v (reason %d)", e.Kind, e.Reason)), true
	}
	return Result{}, false
}

// portIO performs an IN or OUT on the board. Any access may move a
// device's deadline (a new PIT count; a read of the RTC's register C, which
// lowers IRQ 8 and so lets the next periodic interrupt come), so it tells
// the timer service.
func (m *Machine) portIO(e cpu.Exit) (Result, bool) {
	exitValue, reset := m.board.portIO(e.Port, e.Write, e.Size, e.Count, e.Data)
	m.timers.touched()
	if exitValue != nil {
		return Result{Outcome: OutcomeExit, ExitValue: *exitValue}, true
	}
	if reset {
		return Result{Outcome: OutcomeReset}, true
	}
	return Result{}, false
}

// serviceTimers advances the devices that are due and re-arms the vCPU's
// timer for the earliest next deadline.
func (m *Machine) serviceTimers() error {
	now := m.clock.Now()
	if !m.timers.due(now) {
		return nil
	}
	m.board.mu.Lock()
	next := min(m.timers.advance(now), m.replay.deadline())
	m.board.mu.Unlock()
	return m.timers.arm(next, m.vcpu.KickAt)
}

// deliverInterrupt injects the interrupt controller's pending vector when the
// guest can take it, or asks the vCPU to come back as soon as it can.
func (m *Machine) deliverInterrupt() error {
	ready := m.vcpu.CanInjectInterrupt()
	pending, vector := m.board.acknowledge(ready)
	if pending && !ready {
		m.vcpu.RequestInterruptWindow(true)
		m.windowRequested = true
		return nil
	}
	if m.windowRequested {
		m.vcpu.RequestInterruptWindow(false)
		m.windowRequested = false
	}
	if !pending {
		return nil
	}
	m.tracer.hostEvent(trace.HostInject, uint64(vector), "")
	return m.vcpu.InjectInterrupt(vector)
}

// halt waits, after the guest executed HLT, until an interrupt is pending or
// the machine stops. The vCPU thread sleeps until it is kicked: by host
// input, by its timer, or by Stop. A guest halted with interrupts off never
// wakes.
func (m *Machine) halt() (Result, bool) {
	if m.debug.stepping {
		// The debugger's step executed the HLT: report it there.
		return m.debug.park(gdbstub.Stop{Reason: gdbstub.StopStep})
	}
	for {
		if m.life.stopping.Load() {
			return Result{Outcome: OutcomeStopped}, true
		}
		if res, done, parked := m.debug.parkIfWanted(); done {
			return res, true
		} else if parked {
			continue // stopped in the HLT; it halts on afterwards
		}
		if m.applyReplay() {
			return Result{Outcome: OutcomeStopped}, true
		}
		m.applyInputs()
		if err := m.serviceTimers(); err != nil {
			return Result{Outcome: OutcomeError, Err: err}, true
		}
		if pending, _ := m.board.acknowledge(false); pending {
			return Result{}, false
		}
		if parked, err := m.parkIfPaused(); err != nil {
			return Result{Outcome: OutcomeError, Err: err}, true
		} else if parked {
			continue
		}
		if !m.vcpu.InterruptsEnabled() {
			return m.crashResult(OutcomeHalted, nil), true
		}
		m.vcpu.Sleep()
	}
}

// recordIRQRaise is the board's hook for a device raising ISA IRQ n.
func (m *Machine) recordIRQRaise(n int) { m.tracer.hostEvent(trace.HostIRQRaise, uint64(n), "") }

func (m *Machine) crashResult(o Outcome, err error) Result {
	r := Result{Outcome: o, Err: err}
	d, derr := dumpCPU(m.vcpu, m.ram)
	if derr == nil {
		r.Dump = d
	}
	return r
}
