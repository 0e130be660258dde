package emulator

import (
	"errors"
	"io"
	"sync"
	"sync/atomic"

	"github.com/pollscope/pollscope/devices"
	"github.com/pollscope/pollscope/devices/debugexit"
	"github.com/pollscope/pollscope/devices/pic"
	"github.com/pollscope/pollscope/devices/pit"
	"github.com/pollscope/pollscope/devices/postcode"
	"github.com/pollscope/pollscope/devices/ps2"
	"github.com/pollscope/pollscope/devices/rtc"
	"github.com/pollscope/pollscope/devices/serial"
	"github.com/pollscope/pollscope/devices/traceport"
	"github.com/pollscope/pollscope/devices/vga"
	"github.com/pollscope/pollscope/guest"
)

// The PC's ISA interrupt lines, as the 8259A pair numbers its inputs.
const (
	irqTimer    = 0  // 8254 counter 0
	irqKeyboard = 1  // 8042 keyboard port
	irqCascade  = 2  // the slave 8259A's output
	irqCOM1     = 4  // 16550A at 0x3f8
	irqRTC      = 8  // MC146818 (the slave 8259A's input 0)
	irqMouse    = 12 // 8042 aux port
)

// board is the PC pollscope emulates: every device, the I/O ports it
// answers on and the interrupt line it drives, wired in one place
// (attach's table below). It owns the device lock: every call into a device
// model happens with mu held, on the vCPU thread (port accesses, timer
// advances, host input) or from a reader taking a snapshot.
type board struct {
	mu  sync.Mutex
	bus portBus

	pic   *pic.Pair
	pit   *pit.PIT
	ticks *tickReinjector // the PIT's OUT0 on its way to IRQ 0
	kbd   *ps2.Controller
	rtc   *rtc.RTC
	uart  *serial.UART
	vga   *vga.VGA
	post  *postcode.Port
	trace *traceport.Port
	exit  *debugexit.Device

	// timed lists the devices with deadlines, for the timer service.
	timed []devices.Timed

	// What the devices tell the run loop, set with mu held.
	intr      atomic.Bool // the PIC's INT output, read without mu by the run loop
	guestExit *uint32     // the value written to isa-debug-exit
	reset     bool        // the guest pulsed the reset line

	// onRaise records a device raising ISA IRQ n (for the trace).
	onRaise func(irq int)
}

// boardWiring is what the board needs from the machine: the device clock,
// the wall time at power-on (for the RTC: devices never read the host's
// clock), the RAM size (for the CMOS memory bytes), where COM1's output
// goes, the trace's announcement handler and a hook for every IRQ raised.
type boardWiring struct {
	clock     devices.Clock
	wallTime  rtc.WallTime
	ramBytes  uint64
	serialOut io.Writer
	announce  func(addr uint32) bool
	onRaise   func(irq int)
}

// newBoard builds the PC: the devices first, each given its interrupt line,
// then their ports on the bus.
func newBoard(w boardWiring) (*board, error) {
	b := &board{onRaise: w.onRaise}
	b.pic = pic.New(devices.LineFunc(b.intr.Store))
	b.ticks = newTickReinjector(b.line(irqTimer))
	b.pit = pit.New(w.clock, b.ticks)
	b.ticks.missed = b.pit.MissedTicks
	b.kbd = ps2.New(w.clock, b.line(irqKeyboard), b.line(irqMouse), func() { b.reset = true })
	b.rtc = rtc.New(w.clock, b.line(irqRTC), w.wallTime)
	b.rtc.SetMemorySize(w.ramBytes, 0)
	b.uart = serial.New(b.line(irqCOM1), w.serialOut)
	b.vga = vga.New()
	b.post = postcode.New()
	b.trace = traceport.New(w.announce)
	b.exit = debugexit.New(func(v uint32) { b.guestExit = &v })
	b.timed = []devices.Timed{b.pit, b.kbd, b.rtc}
	return b, b.attach()
}

// attach puts every device on the I/O bus: the PC's port map.
func (b *board) attach() error {
	return errors.Join(
		//              name                            base   ports  device
		b.bus.register("8259A master", 0x20, 2, b.pic.Master()),
		b.bus.register("8254 PIT", 0x40, 4, b.pit.Ports()),
		b.bus.register("8042 data", 0x60, 1, b.kbd.Data()),
		b.bus.register("port B (speaker, PIT gate 2)", 0x61, 1, b.pit.PortB()),
		b.bus.register("8042 status/command", 0x64, 1, b.kbd.Command()),
		b.bus.register("MC146818 RTC/CMOS", 0x70, 2, b.rtc),
		b.bus.register("POST code", 0x80, 1, b.post),
		b.bus.register("8259A slave", 0xa0, 2, b.pic.Slave()),
		b.bus.register("isa-debug-exit", 0xf4, 4, b.exit),
		b.bus.register("VGA CRTC", 0x3d4, 2, b.vga),
		b.bus.register("16550A UART (COM1)", 0x3f8, 8, b.uart),
		b.bus.register("8259A ELCR", 0x4d0, 2, b.pic.ELCR()),
		b.bus.register("pollscope trace announcement", guest.TracePort, 4, b.trace),
	)
}

// line returns ISA IRQ n's wire from a device to the PIC input. The board
// reports each rising edge, so a trace shows when a device asked for service.
func (b *board) line(n int) devices.IRQLine {
	return &isaLine{n: n, input: b.pic.IRQ(n), onRaise: b.onRaise}
}

// isaLine is one ISA interrupt line.
type isaLine struct {
	n       int
	input   devices.IRQLine
	high    bool
	onRaise func(int)
}

func (l *isaLine) SetLevel(high bool) {
	if high && !l.high && l.onRaise != nil {
		l.onRaise(l.n)
	}
	l.high = high
	l.input.SetLevel(high)
}

// portIO performs an IN or OUT (a string instruction repeats it count
// times) on the bus and reports whether the guest asked to exit (with its
// value) or reset.
func (b *board) portIO(port uint16, write bool, size, count int, data []byte) (exit *uint32, reset bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i := range count {
		b.bus.access(port, write, data[i*size:(i+1)*size])
	}
	return b.guestExit, b.reset
}

// acknowledge runs the INTA cycle if the PIC's output is up: it returns
// whether an interrupt is pending and, when ready, acknowledges it and
// returns its vector.
func (b *board) acknowledge(ready bool) (pending bool, vector uint8) {
	if !b.intr.Load() {
		return false, 0 // the common case, without the lock
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.pic.INTR() {
		return false, 0
	}
	if !ready {
		return true, 0
	}
	vector = b.pic.Acknowledge()
	if vector == b.pic.State().Master.VectorBase+irqTimer {
		b.ticks.taken()
	}
	return true, vector
}

// counters returns what the devices dropped or refused.
func (b *board) counters() (keyboardDropped, traceRefused uint64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.kbd.Dropped(), b.trace.State().Refused
}
