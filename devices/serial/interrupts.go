package serial

// pendingIIR returns the IIR identification (bits 3-0) of the
// highest-priority enabled interrupt source, or IIRNoInterrupt. The order is
// the 16550A's: line status, received data (or timeout), THR empty, modem
// status.
func (u *UART) pendingIIR() uint8 {
	ier := u.s.IER
	switch {
	case ier&IERELSI != 0 && u.s.LSR&lsrErrors != 0:
		return IIRLineStatus
	case ier&IERERBFI != 0 && int(u.s.RXLen) >= u.triggerLevel():
		return IIRRDA
	case ier&IERERBFI != 0 && u.s.RXLen > 0:
		return IIRCharTimeout
	case ier&IERETBEI != 0 && u.s.THREPending:
		return IIRTHRE
	case ier&IEREDSSI != 0 && u.s.MSR&msrDelta != 0:
		return IIRModemStatus
	}
	return IIRNoInterrupt
}

// readIIR is the guest's read of IIR. Reporting a THR-empty interrupt clears
// it: a driver that reads IIR and finds THRE has acknowledged it.
func (u *UART) readIIR() uint8 {
	id := u.pendingIIR()
	if id == IIRTHRE {
		u.s.THREPending = false
	}
	if u.fifoEnabled() {
		id |= IIRFIFOEnabled
	}
	return id
}

// writeIER stores the interrupt enables. Turning ETBEI on while THR is empty
// (always, here) makes the THR-empty interrupt pending at once; turning it
// off forgets it.
func (u *UART) writeIER(v uint8) {
	v &= ierMask
	if v&IERETBEI != 0 && u.s.IER&IERETBEI == 0 {
		u.s.THREPending = true
	}
	if v&IERETBEI == 0 {
		u.s.THREPending = false
	}
	u.s.IER = v
}

// updateIRQ drives the interrupt line: high while an interrupt is pending and
// OUT2 connects the UART to the PIC (never in loopback, where the OUT2 pin is
// inactive). The line is driven only when its level changes.
func (u *UART) updateIRQ() {
	level := u.pendingIIR() != IIRNoInterrupt &&
		u.s.MCR&MCROUT2 != 0 && u.s.MCR&MCRLOOP == 0
	if level == u.s.IRQ {
		return
	}
	u.s.IRQ = level
	if u.irq != nil {
		u.irq.SetLevel(level)
	}
}
