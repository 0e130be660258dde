package emulator

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
)

// lifecycle is a machine's run state: started, stopping, done, closed.
type lifecycle struct {
	mu          sync.Mutex // orders Start against Close
	closed      bool       // Close has begun (mu)
	started     atomic.Bool
	stopping    atomic.Bool
	stopOnce    sync.Once
	stopCh      chan struct{} // closed by Stop
	done        chan struct{} // closed when the guest has ended
	drainerDone chan struct{} // closed when the tracer's last drain is over
	result      Result        // valid once done is closed
	closeOnce   sync.Once
	closeErr    error
}

func (l *lifecycle) init() {
	l.stopCh = make(chan struct{})
	l.done = make(chan struct{})
	l.drainerDone = make(chan struct{})
}

// Start boots the guest on its own vCPU goroutine and returns at once.
func (m *Machine) Start() error {
	m.life.mu.Lock()
	defer m.life.mu.Unlock()
	if m.life.closed {
		return errors.New("the machine is closed")
	}
	if !m.life.started.Load() {
		m.life.started.Store(true)
		go m.tracer.run(m.life.done, m.life.drainerDone)
		go func() {
			m.life.result = m.runVCPU()
			close(m.life.done)
			m.pause.set(false) // wake Pause callers, after done is closed
		}()
	}
	return nil
}

// kick makes the vCPU re-check its state: out of the guest or its halt
// sleep. The device lock keeps Close from releasing the vCPU meanwhile.
func (m *Machine) kick() {
	m.board.mu.Lock()
	if m.vcpu != nil {
		m.vcpu.Kick()
	}
	m.board.mu.Unlock()
}

// Wait blocks until the guest ends or ctx is done. It returns the result, or
// ctx's error while the guest keeps running.
func (m *Machine) Wait(ctx context.Context) (Result, error) {
	if !m.life.started.Load() {
		return Result{}, errors.New("the machine has not been started")
	}
	select {
	case <-m.life.done:
		return m.life.result, nil
	case <-ctx.Done():
		return Result{Outcome: OutcomeRunning}, ctx.Err()
	}
}

// Run starts the guest and waits for it to end. When ctx is done first it
// stops the guest and returns its result (OutcomeStopped) with ctx's error.
func (m *Machine) Run(ctx context.Context) (Result, error) {
	if err := m.Start(); err != nil {
		return Result{}, err
	}
	res, err := m.Wait(ctx)
	if err != nil {
		m.Stop()
		<-m.life.done
		return m.life.result, err
	}
	return res, nil
}

// Stop asks the vCPU to stop and returns at once; Wait then reports
// OutcomeStopped unless the guest had already ended.
func (m *Machine) Stop() {
	m.life.stopOnce.Do(func() {
		m.life.stopping.Store(true)
		close(m.life.stopCh)
		m.kick()
	})
}

// Done is closed when the guest has ended.
func (m *Machine) Done() <-chan struct{} { return m.life.done }

// Close stops the guest, waits for its vCPU goroutine and releases every
// file descriptor and mapping. It is safe to call more than once.
func (m *Machine) Close() error {
	m.life.closeOnce.Do(func() {
		m.life.mu.Lock()
		m.life.closed = true // Start refuses from now on
		started := m.life.started.Load()
		m.life.mu.Unlock()
		m.Stop()
		if started {
			<-m.life.done
			<-m.life.drainerDone
		} else {
			close(m.life.done) // nobody else will: wake Done and WaitSerial
		}
		m.finishRecording(m.life.result) // after the last drain, before RAM goes
		m.life.closeErr = m.release()
		m.serial.close() // everything the guest sent reaches SerialOut
	})
	return m.life.closeErr
}
