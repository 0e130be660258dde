package serial

// modemInputs returns MSR's input bits 7-4 for the current MCR: the host's
// fixed levels, or in loopback the MCR outputs wired back (DTR to DSR, RTS
// to CTS, OUT1 to RI, OUT2 to DCD). Linux's probe writes MCR 0x1A (LOOP,
// OUT2, RTS) and expects MSR bits 7-4 to read 0x9 (DCD, CTS).
func modemInputs(mcr uint8) uint8 {
	if mcr&MCRLOOP == 0 {
		return HostModemInputs
	}
	var v uint8
	if mcr&MCRDTR != 0 {
		v |= MSRDSR
	}
	if mcr&MCRRTS != 0 {
		v |= MSRCTS
	}
	if mcr&MCROUT1 != 0 {
		v |= MSRRI
	}
	if mcr&MCROUT2 != 0 {
		v |= MSRDCD
	}
	return v
}

// writeMCR stores the modem control outputs and updates MSR: each input that
// changes sets its delta bit (RI only on its trailing edge, on to off).
func (u *UART) writeMCR(v uint8) {
	u.s.MCR = v & mcrMask
	old, now := u.s.MSR&^msrDelta, modemInputs(u.s.MCR)
	changed := old ^ now
	delta := u.s.MSR & msrDelta
	if changed&MSRCTS != 0 {
		delta |= MSRDCTS
	}
	if changed&MSRDSR != 0 {
		delta |= MSRDDSR
	}
	if old&MSRRI != 0 && now&MSRRI == 0 {
		delta |= MSRTERI
	}
	if changed&MSRDCD != 0 {
		delta |= MSRDDCD
	}
	u.s.MSR = now | delta
}
