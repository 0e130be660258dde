package emulator

import (
	"time"

	"github.com/pollscope/pollscope/devices"
)

// The PIT runs on the vCPU's own thread. Before each entry into the guest,
// and whenever the halted vCPU is woken, serviceTimer brings the PIT up to
// the host's clock (raising IRQ 0 on a due edge) and arms the vCPU thread's
// timer for channel 0's next edge, so the thread is kicked out of the guest
// or out of its sleep exactly then. No second thread and no Go timer stand
// between a tick and its injection: Go's timers can fire a millisecond late,
// which at 1000 Hz would swallow ticks.

// noDeadline marks a disarmed timer.
const noDeadline = time.Duration(1<<63 - 1)

// serviceTimer updates the PIT if its deadline has passed or the guest
// reprogrammed it, and re-arms the vCPU thread's timer.
func (m *Machine) serviceTimer() error {
	if !m.pitDirty && m.clock.Now() < m.pitDeadline {
		return nil
	}
	m.devMu.Lock()
	m.onVCPU = true
	m.pit.Update()
	next, ok := m.pit.NextDeadline()
	m.onVCPU = false
	m.pitDirty = false
	m.devMu.Unlock()
	if !ok {
		m.pitDeadline = noDeadline
		return m.vcpu.KickAt(0)
	}
	m.pitDeadline = next
	return m.vcpu.KickAt(m.clock.start + next)
}

// pitPorts forwards the PIT's counter and control ports and marks the
// deadline stale: a new count moves it.
type pitPorts struct {
	devices.PortDevice
	m *Machine
}

func (p pitPorts) Out(off uint16, data []byte) {
	p.PortDevice.Out(off, data)
	p.m.pitDirty = true
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
