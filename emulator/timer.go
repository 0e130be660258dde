package emulator

import (
	"encoding/binary"
	"fmt"

	"golang.org/x/sys/unix"

	"github.com/pollscope/pollscope/devices"
)

// pitTimer wakes the PIT exactly when channel 0's output is due to rise. Go's
// own timers can fire a millisecond late, which at 1000 Hz would swallow
// ticks, so the timer runs on a timerfd armed at the absolute deadline, and
// an eventfd interrupts its wait when the guest reprograms the PIT or the
// machine stops.
type pitTimer struct {
	timerFd, eventFd int
}

func newPITTimer() (*pitTimer, error) {
	tfd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("timerfd_create: %w", err)
	}
	efd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		unix.Close(tfd)
		return nil, fmt.Errorf("eventfd: %w", err)
	}
	return &pitTimer{timerFd: tfd, eventFd: efd}, nil
}

// poke interrupts the timer's wait. Safe from any goroutine.
func (t *pitTimer) poke() {
	var one [8]byte
	binary.LittleEndian.PutUint64(one[:], 1)
	_, _ = unix.Write(t.eventFd, one[:])
}

func (t *pitTimer) close() error {
	return errorsJoin(unix.Close(t.timerFd), unix.Close(t.eventFd))
}

// runTimer drives the PIT from the host's clock: it brings the PIT up to
// date (which raises IRQ 0 on a due edge), arms the timerfd at the next edge
// and waits for it or a poke; until the machine stops.
func (m *Machine) runTimer() {
	t := m.timer
	var buf [8]byte
	fds := []unix.PollFd{{Fd: int32(t.timerFd), Events: unix.POLLIN}, {Fd: int32(t.eventFd), Events: unix.POLLIN}}
	for !m.stopping.Load() {
		m.devMu.Lock()
		m.pit.Update()
		next, ok := m.pit.NextDeadline()
		m.devMu.Unlock()
		spec := unix.ItimerSpec{} // zero disarms
		if ok {
			spec.Value = m.clock.absolute(next)
			if spec.Value.Sec == 0 && spec.Value.Nsec == 0 {
				spec.Value.Nsec = 1
			}
		}
		if err := unix.TimerfdSettime(t.timerFd, unix.TFD_TIMER_ABSTIME, &spec, nil); err != nil {
			return
		}
		if _, err := unix.Poll(fds, -1); err != nil && err != unix.EINTR {
			return
		}
		if fds[0].Revents&unix.POLLIN != 0 {
			_, _ = unix.Read(t.timerFd, buf[:])
		}
		if fds[1].Revents&unix.POLLIN != 0 {
			_, _ = unix.Read(t.eventFd, buf[:])
		}
	}
}

// pitPorts forwards the PIT's counter and control ports, then pokes the
// timer so it re-reads the deadline a new count set.
type pitPorts struct {
	devices.PortDevice
	timer *pitTimer
}

func (p pitPorts) Out(off uint16, data []byte) {
	p.PortDevice.Out(off, data)
	p.timer.poke()
}

// maxOwedTicks bounds how many lost timer ticks the machine still delivers
// late: enough to ride out a host hiccup, not a flood after a long stall.
const maxOwedTicks = 64

// reinjectTick makes up for one timer tick the host's lateness cost the
// guest, as KVM's in-kernel PIT does in its default "reinject" mode. When
// the host wakes late, the PIT folds several due edges into one (the PIC
// could latch only one anyway) and counts the rest as missed; each time the
// guest acknowledges a timer interrupt and a tick is owed, another edge is
// raised, to be delivered after the guest's EOI. Called with the device
// lock held, after an INTA that returned vector.
func (m *Machine) reinjectTick(vector uint8) {
	st := m.pic.State()
	if vector != st.Master.VectorBase+irqTimer {
		return
	}
	missed := m.pit.MissedTicks()
	if missed-m.ticksReinjected > maxOwedTicks {
		m.ticksReinjected = missed - maxOwedTicks
	}
	if m.ticksReinjected < missed {
		m.ticksReinjected++
		m.timerLine.SetLevel(false)
		m.timerLine.SetLevel(true)
	}
}
