package emulator

import (
	"github.com/pollscope/pollscope/devices"
	"github.com/pollscope/pollscope/trace"
)

// isaLine is ISA IRQ n: the wire from a device to the PIC input. The host
// records each rising edge, so a trace shows when a device asked for
// service. Devices drive it with the device lock held.
type isaLine struct {
	m     *Machine
	n     int
	input devices.IRQLine
	high  bool
}

func (l *isaLine) SetLevel(high bool) {
	if high && !l.high {
		l.m.host.add(trace.Event{Time: int64(l.m.clock.Now()), Kind: trace.HostIRQRaise, Arg: uint64(l.n)})
	}
	l.high = high
	l.input.SetLevel(high)
}

// irqLine returns ISA IRQ n's wire.
func (m *Machine) irqLine(n int) devices.IRQLine {
	return &isaLine{m: m, n: n, input: m.pic.IRQ(n)}
}

// intrPin is the PIC's INT output to the CPU. When it rises the vCPU must
// notice: it is kicked out of KVM_RUN or out of its halt sleep so the run
// loop can inject the interrupt. When the vCPU thread raised it itself (an
// EOI unmasked the next request, or a timer edge came due) the run loop
// looks before it re-enters the guest, so no kick is needed.
type intrPin struct{ m *Machine }

func (p intrPin) SetLevel(high bool) {
	p.m.intrUp.Store(high)
	if !high {
		return
	}
	if !p.m.onVCPU && p.m.vcpu != nil {
		p.m.vcpu.Kick()
	}
}

// acknowledgeIfReady reports whether the PIC's INT output is up and, when
// the guest is ready, runs the INTA cycle that returns the vector.
func (m *Machine) acknowledgeIfReady(ready bool) (bool, uint8) {
	if !m.intrUp.Load() {
		return false, 0 // the common case, without the device lock
	}
	m.devMu.Lock()
	defer m.devMu.Unlock()
	m.onVCPU = true
	defer func() { m.onVCPU = false }()
	if !m.pic.INTR() {
		return false, 0
	}
	if !ready {
		return true, 0
	}
	v := m.pic.Acknowledge()
	m.reinjectTick(v)
	m.host.add(trace.Event{Time: int64(m.clock.Now()), Kind: trace.HostInject, Arg: uint64(v)})
	return true, v
}
