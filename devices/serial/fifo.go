package serial

// pushRX appends a received byte to the receive FIFO. When the FIFO is full
// the byte is lost: the 16550A overwrites its shift register, sets LSR's OE
// and keeps the FIFO as it is.
func (u *UART) pushRX(b uint8) bool {
	if int(u.s.RXLen) == rxFIFOBytes {
		u.s.LSR |= LSROE
		u.s.Overruns++
		return false
	}
	u.s.RX[u.s.RXLen] = b
	u.s.RXLen++
	return true
}

// popRX takes the oldest byte from the receive FIFO, the guest's RBR read. An
// empty FIFO reads as 0.
func (u *UART) popRX() uint8 {
	if u.s.RXLen == 0 {
		return 0
	}
	b := u.s.RX[0]
	copy(u.s.RX[:], u.s.RX[1:u.s.RXLen])
	u.s.RXLen--
	u.s.RX[u.s.RXLen] = 0
	return b
}

func (u *UART) fifoEnabled() bool { return u.s.FCR&FCREnable != 0 }

// writeFCR enables or disables the FIFOs (either change empties them), clears
// them on request and sets the receive trigger level. Writes with FCREnable
// clear only ever disable the FIFOs: the other bits need it set.
func (u *UART) writeFCR(v uint8) {
	if (v^u.s.FCR)&FCREnable != 0 {
		u.clearRX()
	}
	if v&FCREnable == 0 {
		u.s.FCR = 0
		return
	}
	if v&FCRClearRX != 0 {
		u.clearRX()
	}
	u.s.FCR = v & fcrKept
}

func (u *UART) clearRX() {
	u.s.RX = [rxFIFOBytes]byte{}
	u.s.RXLen = 0
}

// triggerLevel is the number of received bytes that raises "data available".
func (u *UART) triggerLevel() int {
	if !u.fifoEnabled() {
		return 1
	}
	return triggerLevels[u.s.FCR>>6]
}
