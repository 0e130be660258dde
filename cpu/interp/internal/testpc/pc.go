package testpc

import (
	"bytes"
	"fmt"
	"time"

	"github.com/pollscope/pollscope/cpu"
	"github.com/pollscope/pollscope/devices"
	"github.com/pollscope/pollscope/devices/debugexit"
	"github.com/pollscope/pollscope/devices/pic"
	"github.com/pollscope/pollscope/devices/pit"
	"github.com/pollscope/pollscope/devices/ps2"
	"github.com/pollscope/pollscope/devices/serial"
)

// PC is the machine: RAM, a vCPU and the legacy devices.
type PC struct {
	RAM    []byte
	CPU    cpu.VCPU
	Serial bytes.Buffer
	// ExitValue is set when the guest wrote isa-debug-exit.
	ExitValue *uint32
	// PortLog, if set, sees every port access after the device handled
	// it (the data an IN returned).
	PortLog func(port uint16, write bool, data []byte)

	pic      *pic.Pair
	pit      *pit.PIT
	uart     *serial.UART
	kbd      *ps2.Controller
	ports    map[uint16]portSlot
	timed    []devices.Timed
	intr     bool
	deadline time.Duration
	pitDirty bool
}

// devClock is the vCPU's clock as the devices read it.
type devClock struct{ c cpu.Clock }

func (d devClock) Now() devices.Time { return devices.Time(d.c.Now()) }

type portSlot struct {
	dev devices.PortDevice
	off uint16
}

// New wires the devices to vcpu. The vCPU's registers are the caller's to
// set (Load returns the PVH entry state).
func New(vcpu cpu.VCPU, ram []byte) *PC {
	p := &PC{RAM: ram, CPU: vcpu, ports: make(map[uint16]portSlot), pitDirty: true}
	clock := devClock{vcpu.Clock()}
	p.pic = pic.New(devices.LineFunc(func(high bool) { p.intr = high }))
	p.pit = pit.New(clock, p.pic.IRQ(0))
	p.uart = serial.New(p.pic.IRQ(4), &p.Serial)
	p.kbd = ps2.New(clock, p.pic.IRQ(1), p.pic.IRQ(12), func() {})
	p.timed = []devices.Timed{p.pit, p.kbd}
	exit := debugexit.New(func(v uint32) { p.ExitValue = &v })
	p.attach(0x40, 4, pitPorts{p})
	p.attach(0x61, 1, p.pit.PortB())
	p.attach(0x60, 1, p.kbd.Data())
	p.attach(0x64, 1, p.kbd.Command())
	p.attach(0x20, 2, p.pic.Master())
	p.attach(0xa0, 2, p.pic.Slave())
	p.attach(0x4d0, 2, p.pic.ELCR())
	p.attach(0x3f8, 8, p.uart)
	p.attach(0xf4, 4, exit)
	return p
}

func (p *PC) attach(base, n uint16, d devices.PortDevice) {
	for i := uint16(0); i < n; i++ {
		p.ports[base+i] = portSlot{d, i}
	}
}

type pitPorts struct{ p *PC }

func (w pitPorts) In(off uint16, data []byte) { w.p.pit.Ports().In(off, data) }
func (w pitPorts) Out(off uint16, data []byte) {
	w.p.pit.Ports().Out(off, data)
	w.p.pitDirty = true
}

// Access performs one port access on the bus (unclaimed reads see 0xff).
func (p *PC) Access(port uint16, write bool, data []byte) {
	s, ok := p.ports[port]
	switch {
	case !ok && !write:
		for i := range data {
			data[i] = 0xff
		}
	case !ok:
	case write:
		s.dev.Out(s.off, data)
	default:
		s.dev.In(s.off, data)
	}
	if p.PortLog != nil {
		p.PortLog(port, write, data)
	}
}

// SerialInput delivers bytes to COM1's receiver, as a terminal typing on
// the serial line would; it returns how many the receive FIFO took.
func (p *PC) SerialInput(b []byte) int { return p.uart.Receive(b) }

// TypeRune presses and releases the key that types r.
func (p *PC) TypeRune(r rune) error {
	k, shift, ok := ps2.KeyForRune(r)
	if !ok {
		return fmt.Errorf("no key types %q", r)
	}
	if shift {
		p.kbd.KeyDown(ps2.KeyLeftShift)
	}
	p.kbd.KeyDown(k)
	p.kbd.KeyUp(k)
	if shift {
		p.kbd.KeyUp(ps2.KeyLeftShift)
	}
	return nil
}

// InterruptPending reports whether the PIC's INTR output is up.
func (p *PC) InterruptPending() bool { return p.intr && p.pic.INTR() }

// Acknowledge runs the PIC's INTA cycle and returns the vector.
func (p *PC) Acknowledge() uint8 { return p.pic.Acknowledge() }

// ServiceTimer brings the timed devices (PIT, keyboard typematic) up to
// the vCPU's clock and arms the earliest next deadline, as the emulator's
// timer service does.
func (p *PC) ServiceTimer() error {
	now := p.CPU.Clock().Now()
	if !p.pitDirty && now < p.deadline {
		return nil
	}
	p.pitDirty = false
	next := time.Duration(1<<63 - 1)
	for _, d := range p.timed {
		t, ok := d.NextDeadline()
		if ok && time.Duration(t) <= now {
			d.Advance(devices.Time(now))
			t, ok = d.NextDeadline()
		}
		if ok {
			next = min(next, time.Duration(t))
		}
	}
	p.deadline = next
	if next == 1<<63-1 {
		return p.CPU.KickAt(0)
	}
	return p.CPU.KickAt(next)
}

// deliver injects the PIC's pending vector or asks for the window.
func (p *PC) deliver() error {
	if !p.intr || !p.pic.INTR() {
		p.CPU.RequestInterruptWindow(false)
		return nil
	}
	if !p.CPU.CanInjectInterrupt() {
		p.CPU.RequestInterruptWindow(true)
		return nil
	}
	p.CPU.RequestInterruptWindow(false)
	return p.CPU.InjectInterrupt(p.pic.Acknowledge())
}

// Step runs the vCPU once and handles the exit. done reports that the
// guest ended (isa-debug-exit, shutdown, an error, or a halt with
// interrupts off).
func (p *PC) Step() (e cpu.Exit, done bool, err error) {
	if err := p.ServiceTimer(); err != nil {
		return e, true, err
	}
	if err := p.deliver(); err != nil {
		return e, true, err
	}
	e, err = p.CPU.Run()
	if err != nil {
		return e, true, err
	}
	switch e.Kind {
	case cpu.ExitPortIO:
		for i := 0; i < e.Count; i++ {
			p.Access(e.Port, e.Write, e.Data[i*e.Size:(i+1)*e.Size])
		}
		return e, p.ExitValue != nil, nil
	case cpu.ExitMMIO:
		if !e.Write {
			for i := range e.Data {
				e.Data[i] = 0xff
			}
		}
	case cpu.ExitHLT:
		return e, p.halt(), nil
	case cpu.ExitKicked, cpu.ExitInterruptWindow, cpu.ExitDebug:
	default:
		return e, true, fmt.Errorf("guest stopped: %v (reason %d)", e.Kind, e.Reason)
	}
	return e, false, nil
}

// halt sleeps until an interrupt is pending; true if it never can be.
func (p *PC) halt() bool {
	for {
		if err := p.ServiceTimer(); err != nil {
			return true
		}
		if p.intr && p.pic.INTR() {
			return false
		}
		if !p.CPU.InterruptsEnabled() {
			return true
		}
		p.CPU.Sleep()
	}
}

// Run steps until the guest ends, until stop returns true (checked after
// every exit), or until maxExits exits.
func (p *PC) Run(stop func() bool, maxExits int) error {
	for i := 0; i < maxExits; i++ {
		_, done, err := p.Step()
		if err != nil || done {
			return err
		}
		if stop != nil && stop() {
			return nil
		}
	}
	return fmt.Errorf("no end after %d exits; serial so far:\n%s", maxExits, p.Serial.String())
}
