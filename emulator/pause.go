package emulator

import (
	"context"
	"errors"
)

// Pause stops the guest's vCPU between two instructions and returns once it
// is no longer running guest code. Devices keep their state; time goes on,
// and the timer ticks that fall due while paused are not delivered late
// (the guest's tick count skips the pause, as after a host suspend). The
// console and the trace stay readable. Pausing a paused or ended machine
// does nothing.
func (m *Machine) Pause(ctx context.Context) error {
	if !m.started.Load() {
		return errors.New("Pause: the machine has not been started")
	}
	m.pauseWanted.Store(true)
	m.kick()
	stop := context.AfterFunc(ctx, func() {
		m.pauseMu.Lock()
		m.pauseCond.Broadcast()
		m.pauseMu.Unlock()
	})
	defer stop()
	m.pauseMu.Lock()
	defer m.pauseMu.Unlock()
	for !m.pausedNow {
		select {
		case <-m.done:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		if !m.pauseWanted.Load() {
			return nil // resumed before the vCPU parked
		}
		m.pauseCond.Wait()
	}
	return nil
}

// Resume lets a paused guest run again.
func (m *Machine) Resume() {
	m.pauseWanted.Store(false)
	m.kick()
}

// Paused reports whether the guest is paused.
func (m *Machine) Paused() bool {
	m.pauseMu.Lock()
	defer m.pauseMu.Unlock()
	return m.pausedNow
}

// parkIfPaused is the vCPU thread's side of Pause: while a pause is wanted
// it disarms the PIT timer and sleeps until resumed or stopped. It reports
// whether it parked.
func (m *Machine) parkIfPaused() (bool, error) {
	if !m.pauseRequested() {
		return false, nil
	}
	if err := m.vcpu.KickAt(0); err != nil {
		return false, err
	}
	m.setPaused(true)
	for !m.stopping.Load() {
		if !m.pauseRequested() {
			break
		}
		m.vcpu.Sleep()
	}
	m.setPaused(false)
	// Forgive the ticks that fell due while paused and re-read the PIT.
	m.devMu.Lock()
	m.pit.Update()
	m.forgiveTicks()
	m.devMu.Unlock()
	m.pitDirty = true
	return true, nil
}

func (m *Machine) setPaused(p bool) {
	m.pauseMu.Lock()
	m.pausedNow = p
	m.pauseCond.Broadcast()
	m.pauseMu.Unlock()
}

// pauseRequested is checked on every trip round the run loop: an atomic
// load, no lock.
func (m *Machine) pauseRequested() bool { return m.pauseWanted.Load() }
