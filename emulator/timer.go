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
	return m.vcpu.KickAt(next)
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

// Timer ticks can be lost twice over: the host can wake late, and then the
// PIT folds several due edges into one (counting the rest as missed); or the
// guest can be slow to take them, and then an edge finds IRQ 0 already
// requested and the PIC latches nothing new. Either way the guest's tick
// count falls behind the programmed rate. Like KVM's in-kernel PIT in its
// default "reinject" mode, the machine counts the ticks due (every edge the
// PIT produced, plus the ones it folded) and the ticks the guest took (INTA
// cycles for IRQ 0's vector); after each taken tick, while ticks are owed,
// it raises another edge, which the PIC delivers after the guest's EOI.

// pitOutput is the PIT's OUT0 wire on its way to IRQ 0: it counts the rising
// edges the PIT produces.
type pitOutput struct {
	m    *Machine
	high bool
}

func (o *pitOutput) SetLevel(high bool) {
	if high && !o.high {
		o.m.ticksDue++
	}
	o.high = high
	o.m.timerLine.SetLevel(high)
}

// reinjectTick is called with the device lock held after an INTA that
// returned vector.
func (m *Machine) reinjectTick(vector uint8) {
	st := m.pic.State()
	if vector != st.Master.VectorBase+irqTimer {
		return
	}
	m.ticksTaken++
	due := m.ticksDue + m.pit.MissedTicks()
	if due > m.ticksTaken+maxOwedTicks {
		m.ticksTaken = due - maxOwedTicks
	}
	if m.ticksTaken < due {
		m.timerLine.SetLevel(false)
		m.timerLine.SetLevel(true)
	}
}

// forgiveTicks drops the ticks owed so far, after a pause.
func (m *Machine) forgiveTicks() {
	m.ticksTaken = m.ticksDue + m.pit.MissedTicks()
}
