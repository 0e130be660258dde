package emulator

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
)

// pauseState is the handshake between Pause/Resume and the vCPU thread.
type pauseState struct {
	mu     sync.Mutex
	cond   *sync.Cond
	wanted atomic.Bool // Pause asked, Resume not yet; read on every trip round the run loop
	parked bool        // the vCPU thread is parked (mu)
}

func (p *pauseState) init() { p.cond = sync.NewCond(&p.mu) }

func (p *pauseState) set(parked bool) {
	p.mu.Lock()
	p.parked = parked
	p.cond.Broadcast()
	p.mu.Unlock()
}

// Pause stops the guest's vCPU between two instructions and returns once it
// is no longer running guest code. Devices keep their state; time goes on,
// and the timer ticks that fall due while paused are not delivered late
// (the guest's tick count skips the pause, as after a host suspend). The
// console and the trace stay readable. Pausing a paused or ended machine
// does nothing.
func (m *Machine) Pause(ctx context.Context) error {
	if !m.life.started.Load() {
		return errors.New("Pause: the machine has not been started")
	}
	p := &m.pause
	p.wanted.Store(true)
	m.kick()
	stop := context.AfterFunc(ctx, func() {
		p.mu.Lock()
		p.cond.Broadcast()
		p.mu.Unlock()
	})
	defer stop()
	p.mu.Lock()
	defer p.mu.Unlock()
	for !p.parked {
		select {
		case <-m.life.done:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		if !p.wanted.Load() {
			return nil // resumed before the vCPU parked
		}
		p.cond.Wait()
	}
	return nil
}

// Resume lets a paused guest run again.
func (m *Machine) Resume() {
	m.pause.wanted.Store(false)
	m.kick()
}

// Paused reports whether the guest is paused.
func (m *Machine) Paused() bool {
	m.pause.mu.Lock()
	defer m.pause.mu.Unlock()
	return m.pause.parked
}

// parkIfPaused is the vCPU thread's side of Pause: while a pause is wanted
// it disarms the vCPU's timer and sleeps until resumed or stopped. It
// reports whether it parked.
func (m *Machine) parkIfPaused() (bool, error) {
	if !m.pause.wanted.Load() {
		return false, nil
	}
	if err := m.timers.disarm(m.vcpu.KickAt); err != nil {
		return false, err
	}
	m.notePaused()
	m.pause.set(true)
	for !m.life.stopping.Load() && m.pause.wanted.Load() {
		m.vcpu.Sleep()
	}
	m.pause.set(false)
	m.forgiveTicks()
	return true, nil
}
