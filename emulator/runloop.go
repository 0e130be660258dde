package emulator

import (
	"fmt"
	"runtime"

	"github.com/pollscope/pollscope/cpu"
)

// runVCPU is the vCPU's heartbeat: deliver a pending interrupt if the guest
// can take it, enter the guest, handle the exit; until an exit ends the run.
func (m *Machine) runVCPU() Result {
	// KVM_RUN stays on one thread, which kicks and timers signal. The
	// goroutine never unlocks it: BindThread changed the thread's signal
	// mask, so the thread ends with the goroutine.
	runtime.LockOSThread()
	if err := m.vcpu.BindThread(); err != nil {
		return Result{Outcome: OutcomeError, Err: err}
	}
	defer m.vcpu.KickAt(0) // no timer signal for a thread about to end
	for {
		if m.stopping.Load() {
			return Result{Outcome: OutcomeStopped}
		}
		if _, err := m.parkIfPaused(); err != nil {
			return Result{Outcome: OutcomeError, Err: err}
		}
		if err := m.serviceTimer(); err != nil {
			return Result{Outcome: OutcomeError, Err: err}
		}
		if err := m.deliverInterrupt(); err != nil {
			return Result{Outcome: OutcomeError, Err: err}
		}
		exit, err := m.vcpu.Run()
		if err != nil {
			return Result{Outcome: OutcomeError, Err: err}
		}
		m.exits[exit.Kind].Add(1)
		m.recordExit(exit.Kind)
		if res, done := m.handleExit(exit); done {
			return res
		}
	}
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
		// The loop re-checks interrupts and the stop flag.
	case cpu.ExitShutdown:
		return m.crashResult(OutcomeShutdown, nil), true
	case cpu.ExitFailEntry:
		return m.crashResult(OutcomeError, fmt.Errorf("KVM could not enter the guest (hardware entry failure reason %#x): the processor state is invalid", e.Reason)), true
	case cpu.ExitInternalError:
		return m.crashResult(OutcomeError, fmt.Errorf("KVM internal error (suberror %d): KVM could not emulate an instruction or deliver an event", e.Reason)), true
	default:
		return m.crashResult(OutcomeError, fmt.Errorf("unexpected VM exit %v (reason %d)", e.Kind, e.Reason)), true
	}
	return Result{}, false
}

// portIO performs an IN or OUT (a string instruction repeats it Count
// times) on the bus, under the device lock.
func (m *Machine) portIO(e cpu.Exit) (Result, bool) {
	m.devMu.Lock()
	m.onVCPU = true
	for i := 0; i < e.Count; i++ {
		m.bus.access(e.Port, e.Write, e.Data[i*e.Size:(i+1)*e.Size])
	}
	m.onVCPU = false
	exitValue, reset := m.guestExit, m.reset
	m.devMu.Unlock()
	if exitValue != nil {
		return Result{Outcome: OutcomeExit, ExitValue: *exitValue}, true
	}
	if reset {
		return Result{Outcome: OutcomeReset}, true
	}
	return Result{}, false
}

// deliverInterrupt injects the interrupt controller's pending vector when the
// guest can take it, or asks KVM to come back as soon as it can.
func (m *Machine) deliverInterrupt() error {
	pending, vector := m.acknowledgeIfReady(m.vcpu.CanInjectInterrupt())
	if pending && !m.vcpu.CanInjectInterrupt() {
		m.vcpu.RequestInterruptWindow(true)
		m.windowRequested = true
		return nil
	}
	if m.windowRequested {
		m.vcpu.RequestInterruptWindow(false)
		m.windowRequested = false
	}
	if pending {
		return m.vcpu.InjectInterrupt(vector)
	}
	return nil
}

// halt waits, after the guest executed HLT, until an interrupt is pending or
// the machine stops. The vCPU thread sleeps until it is kicked: by a device
// raising the PIC's output, by its PIT timer, or by Stop. A guest halted
// with interrupts off never wakes.
func (m *Machine) halt() (Result, bool) {
	for {
		if m.stopping.Load() {
			return Result{Outcome: OutcomeStopped}, true
		}
		if err := m.serviceTimer(); err != nil {
			return Result{Outcome: OutcomeError, Err: err}, true
		}
		if pending, _ := m.acknowledgeIfReady(false); pending {
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

func (m *Machine) crashResult(o Outcome, err error) Result {
	r := Result{Outcome: o, Err: err}
	d, derr := dumpCPU(m.vcpu, m.ram)
	if derr == nil {
		r.Dump = d
	}
	return r
}
