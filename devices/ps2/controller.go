package ps2

import "github.com/pollscope/pollscope/devices"

// OutputBuffer is the controller's one-byte output buffer, which the guest
// reads through port 0x60.
type OutputBuffer struct {
	Data    byte // the byte; stays readable after the guest has taken it
	Full    bool // a byte waits for the guest (StatusOBF)
	Aux     bool // it came from the aux port (StatusAUXB, IRQ 12 rather than IRQ 1)
	Timeout bool // the device did not answer; Data is the controller's 0xFE (StatusTimeout)
}

// State is the controller's complete state, keyboard included. State and
// SetState save and restore it; nothing outside it changes what the device
// does.
type State struct {
	Config       byte         // configuration byte (Config* bits)
	OutputPort   byte         // output port P2 (Output* bits; OBF bits are computed when read)
	SystemFlag   bool         // StatusSYS: the self test has passed
	LastWasCmd   bool         // StatusA2: the last write went to port 0x64
	AwaitParam   byte         // controller command whose parameter the next port 0x60 write is, or 0
	Output       OutputBuffer // what the guest reads next from port 0x60
	Answer       OutputBuffer // a controller answer waiting for the output buffer (Full means present)
	BreakPending bool         // the translator swallowed a 0xF0 and owes bit 7 to the next byte
	IRQ1, IRQ12  bool         // levels the controller drives on its two interrupt lines
	Keyboard     KeyboardState
}

// Controller is the 8042 keyboard controller with its keyboard. It is not
// safe for concurrent use; the machine serialises every call.
type Controller struct {
	s     State
	clock devices.Clock // for the typematic repeat
	irq1  devices.IRQLine
	irq12 devices.IRQLine
	reset func()
}

// New returns a controller in the state SeaBIOS leaves it (see the package
// documentation) driving irq1 for keyboard data and irq12 for aux data, with
// clock timing the typematic repeat.
// A nil line is left unconnected. reset, if not nil, is called when the guest pulses the reset line (command
// 0xFE and the other pulse commands with bit 0 clear) or writes an output
// port value with bit 0 clear.
func New(clock devices.Clock, irq1, irq12 devices.IRQLine, reset func()) *Controller {
	if irq1 == nil {
		irq1 = devices.LineFunc(func(bool) {})
	}
	if irq12 == nil {
		irq12 = devices.LineFunc(func(bool) {})
	}
	return &Controller{
		s: State{
			Config:     PowerOnConfig,
			OutputPort: PowerOnOutputPort,
			SystemFlag: true,
			Keyboard:   powerOnKeyboard(),
		},
		clock: clock,
		irq1:  irq1,
		irq12: irq12,
		reset: reset,
	}
}

// State returns a copy of the controller's state.
func (c *Controller) State() State {
	s := c.s
	s.Keyboard = s.Keyboard.clone()
	return s
}

// SetState replaces the controller's state with a copy of s, repairing what
// a hand-edited state could make inconsistent (an over-full FIFO, an event
// longer than MaxEventLen), and drives both interrupt lines to the levels s
// records.
func (c *Controller) SetState(s State) {
	s.Keyboard = s.Keyboard.clone()
	s.Keyboard.repair()
	c.s = s
	c.irq1.SetLevel(s.IRQ1)
	c.irq12.SetLevel(s.IRQ12)
	c.service()
}

// Dropped returns how many host key events were lost because the FIFO held
// QueueCap events already.
func (c *Controller) Dropped() uint64 { return c.s.Keyboard.Dropped }

// Discarded returns how many host key events the keyboard threw away because
// the guest had disabled scanning (command 0xF5) or cleared its buffer.
func (c *Controller) Discarded() uint64 { return c.s.Keyboard.Discarded }

// Pending returns how many bytes of host key events wait in the keyboard's
// FIFO, not yet moved into the output buffer (counted as the keyboard sends
// them, before translation). A host that types long text can pace itself on
// it, so the FIFO never overflows however slowly the guest reads.
func (c *Controller) Pending() int {
	k := &c.s.Keyboard
	n := -k.Sent
	for _, e := range k.Events {
		n += int(e.Len)
	}
	return n
}

// KeyDown reports that the host pressed key k. While k is the last key
// pressed and still held, the keyboard repeats it at the guest's typematic
// rate (typematic.go); the host sends presses and releases only.
func (c *Controller) KeyDown(k Key) {
	c.s.Keyboard.key(k, true)
	c.s.Keyboard.startRepeat(k, c.clock.Now())
	c.service()
}

// KeyUp reports that the host released key k.
func (c *Controller) KeyUp(k Key) {
	c.s.Keyboard.key(k, false)
	c.s.Keyboard.stopRepeat(k)
	c.service()
}

// status returns the status register.
func (c *Controller) status() byte {
	st := byte(StatusINH)
	if c.s.Output.Full {
		st |= StatusOBF
		if c.s.Output.Aux {
			st |= StatusAUXB
		}
		if c.s.Output.Timeout {
			st |= StatusTimeout
		}
	}
	if c.s.SystemFlag {
		st |= StatusSYS
	}
	if c.s.LastWasCmd {
		st |= StatusA2
	}
	return st
}

// readData is the guest's read of port 0x60: it takes the byte in the output
// buffer. The interrupt line drops, and if another byte moves in at once it
// rises again, so an edge-triggered PIC sees one edge per byte. With the
// buffer empty the read returns the last byte again and changes nothing.
func (c *Controller) readData() byte {
	v := c.s.Output.Data
	if c.s.Output.Full {
		c.s.Output.Full = false
		c.updateIRQ()
		c.service()
	}
	return v
}

// answer puts a controller-generated byte in line for the output buffer,
// replacing an earlier answer the guest has not read.
func (c *Controller) answer(b byte, aux, timeout bool) {
	c.s.Answer = OutputBuffer{Data: b, Full: true, Aux: aux, Timeout: timeout}
}

// service refills an empty output buffer, the controller's own answer first,
// then the keyboard's next byte unless the keyboard interface is disabled,
// and brings the interrupt lines up to date.
func (c *Controller) service() {
	c.refill()
	c.updateIRQ()
}

func (c *Controller) refill() {
	if c.s.Output.Full {
		return
	}
	if c.s.Answer.Full {
		c.s.Output = c.s.Answer
		c.s.Answer = OutputBuffer{}
		return
	}
	if c.s.Config&ConfigDisableKbd != 0 {
		return
	}
	for {
		b, ok := c.s.Keyboard.next()
		if !ok {
			return
		}
		if c.s.Config&ConfigXLATE != 0 {
			if b, ok = translateByte(b, &c.s.BreakPending); !ok {
				continue
			}
		}
		c.s.Output = OutputBuffer{Data: b, Full: true}
		return
	}
}

// updateIRQ drives IRQ 1 high while the output buffer holds keyboard-port
// data and ConfigINT is set, IRQ 12 high while it holds aux data and
// ConfigINT2 is set, touching a line only when its level changes.
func (c *Controller) updateIRQ() {
	o := c.s.Output
	kbd := o.Full && !o.Aux && c.s.Config&ConfigINT != 0
	aux := o.Full && o.Aux && c.s.Config&ConfigINT2 != 0
	if kbd != c.s.IRQ1 {
		c.s.IRQ1 = kbd
		c.irq1.SetLevel(kbd)
	}
	if aux != c.s.IRQ12 {
		c.s.IRQ12 = aux
		c.irq12.SetLevel(aux)
	}
}

// pulseReset asks the machine to reset, as the 8042 does by pulling the
// CPU's reset line low.
func (c *Controller) pulseReset() {
	if c.reset != nil {
		c.reset()
	}
}
