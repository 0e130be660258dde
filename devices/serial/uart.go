package serial

import (
	"io"

	"github.com/pollscope/pollscope/devices"
)

// UART is one 16550A. It implements devices.PortDevice.
type UART struct {
	s   State
	irq devices.IRQLine
	out io.Writer
}

// State is everything the UART holds, for display, save and restore.
type State struct {
	IER uint8 // interrupt enable register (bits 3-0)
	LCR uint8 // line control register
	MCR uint8 // modem control register (bits 4-0)
	LSR uint8 // the sticky error bits of LSR (OE); DR, THRE and TEMT are derived
	MSR uint8 // modem status register, delta bits included
	SCR uint8 // scratch register
	DLL uint8 // divisor latch, low byte
	DLM uint8 // divisor latch, high byte
	FCR uint8 // FIFO control in effect: enable, DMA mode and trigger bits

	RX    [rxFIFOBytes]byte // receive FIFO, oldest byte first
	RXLen uint8             // bytes in RX

	THREPending bool   // a THR-empty interrupt is waiting to be reported
	IRQ         bool   // level last driven on the interrupt line
	Overruns    uint64 // received bytes lost to a full FIFO
}

// New returns a UART in its power-on state. irq is the line to the PIC
// (IRQ 4 for COM1); out receives every transmitted byte.
func New(irq devices.IRQLine, out io.Writer) *UART {
	return &UART{
		irq: irq,
		out: out,
		s:   State{DLL: resetDivisor, MSR: HostModemInputs},
	}
}

// In reads each byte of the access from consecutive registers.
func (u *UART) In(off uint16, data []byte) {
	for i := range data {
		o := off + uint16(i)
		if o >= nRegs {
			data[i] = 0xFF
			continue
		}
		data[i] = u.read(o)
		u.updateIRQ()
	}
}

// Out writes each byte of the access to consecutive registers.
func (u *UART) Out(off uint16, data []byte) {
	for i, v := range data {
		o := off + uint16(i)
		if o >= nRegs {
			continue
		}
		u.write(o, v)
		u.updateIRQ()
	}
}

func (u *UART) dlab() bool { return u.s.LCR&LCRDLAB != 0 }

// read returns a register's value and applies the read's side effects.
func (u *UART) read(off uint16) uint8 {
	switch off {
	case RegRBR:
		if u.dlab() {
			return u.s.DLL
		}
		return u.popRX()
	case RegIER:
		if u.dlab() {
			return u.s.DLM
		}
		return u.s.IER
	case RegIIR:
		return u.readIIR()
	case RegLCR:
		return u.s.LCR
	case RegMCR:
		return u.s.MCR
	case RegLSR:
		v := u.lsr()
		u.s.LSR &^= lsrErrors
		return v
	case RegMSR:
		v := u.s.MSR
		u.s.MSR &^= msrDelta
		return v
	default: // RegSCR
		return u.s.SCR
	}
}

// write stores a register and applies the write's side effects.
func (u *UART) write(off uint16, v uint8) {
	switch off {
	case RegTHR:
		if u.dlab() {
			u.s.DLL = v
			return
		}
		u.transmit(v)
	case RegIER:
		if u.dlab() {
			u.s.DLM = v
			return
		}
		u.writeIER(v)
	case RegFCR:
		u.writeFCR(v)
	case RegLCR:
		u.s.LCR = v
	case RegMCR:
		u.writeMCR(v)
	case RegLSR, RegMSR:
		// Read-only; the 16550A's factory-test writes are ignored.
	default: // RegSCR
		u.s.SCR = v
	}
}

// lsr composes the line status register.
func (u *UART) lsr() uint8 {
	v := u.s.LSR&lsrErrors | lsrTxIdle
	if u.s.RXLen > 0 {
		v |= LSRDR
	}
	return v
}

// transmit sends a byte written to THR. The guest's write clears a pending
// THR-empty interrupt; the byte leaves at once (to the output, or in loopback
// to the receiver), THR is empty again and the interrupt comes back.
func (u *UART) transmit(b uint8) {
	if u.s.MCR&MCRLOOP != 0 {
		u.pushRX(b)
	} else if u.out != nil {
		_, _ = u.out.Write([]byte{b}) // a failing sink loses the byte, as a cut cable would
	}
	u.s.THREPending = u.s.IER&IERETBEI != 0
}

// Receive delivers bytes from the host to the receiver, as if they arrived on
// the wire, and returns how many were stored in the receive FIFO. Bytes that
// find it full are lost and counted as overruns. In loopback the receiver
// input is disconnected and nothing is accepted.
func (u *UART) Receive(b []byte) int {
	if u.s.MCR&MCRLOOP != 0 {
		return 0
	}
	n := 0
	for _, c := range b {
		if u.pushRX(c) {
			n++
		}
	}
	u.updateIRQ()
	return n
}

// Overruns returns the number of received bytes lost to a full FIFO.
func (u *UART) Overruns() uint64 { return u.s.Overruns }

// State returns a copy of the UART's state.
func (u *UART) State() State { return u.s }

// SetState replaces the UART's state (registers masked to the bits that
// exist), then drives the interrupt line if its level differs from the one
// last driven.
func (u *UART) SetState(s State) {
	s.IER &= ierMask
	s.MCR &= mcrMask
	s.LSR &= lsrErrors
	s.FCR &= fcrKept
	if s.RXLen > rxFIFOBytes {
		s.RXLen = rxFIFOBytes
	}
	s.IRQ = u.s.IRQ // the level actually on the wire
	u.s = s
	u.updateIRQ()
}
