package rtc

// The guest reaches the 128 registers through two ports: it writes a
// register number to 0x70 (with bit 7 masking NMI), then reads or writes
// that register at 0x71. The index stays selected, so a driver may access
// the same register again at 0x71 alone. Linux's CMOS_READ and CMOS_WRITE
// always write the index first.

// In reads each byte of the access from consecutive ports. Port 0x70 is
// write-only and reads as 0xFF, as on QEMU's PC; so does anything beyond
// 0x71.
func (r *RTC) In(off uint16, data []byte) {
	r.catchUp(r.now())
	for i := range data {
		if off+uint16(i) == PortData {
			data[i] = r.read(r.s.Index & indexMask)
		} else {
			data[i] = 0xFF
		}
	}
	r.updateIRQ()
}

// Out writes each byte of the access to consecutive ports: a 16-bit write to
// 0x70 selects a register and writes it in one instruction. Writes beyond
// 0x71 are dropped.
func (r *RTC) Out(off uint16, data []byte) {
	now := r.now()
	r.catchUp(now)
	for i, v := range data {
		switch off + uint16(i) {
		case PortIndex:
			r.s.Index = v
		case PortData:
			r.write(r.s.Index&indexMask, v, now)
		}
	}
	r.updateIRQ()
}

// read returns a register's value and applies the read's side effects.
func (r *RTC) read(reg uint8) uint8 {
	switch reg {
	case RegA:
		v := r.s.CMOS[RegA]
		if r.updateInProgress(r.s.Last) {
			v |= AUIP
		}
		return v
	case RegC:
		return r.readC()
	case RegD:
		return DVRT
	default:
		return r.s.CMOS[reg]
	}
}

// write stores a register and applies the write's side effects. Writing a
// time register sets the clock's count to what the time registers now say,
// SET or not (with SET clear, the next update may come before the guest
// has written them all, as on the part).
func (r *RTC) write(reg, v uint8, now nanos) {
	switch {
	case reg == RegA:
		r.writeA(v, now)
	case reg == RegB:
		r.writeB(v)
	case reg == RegC || reg == RegD:
		// Read only.
	case isTimeRegister(reg):
		r.s.CMOS[reg] = v
		r.s.Seconds = r.parse()
	default:
		r.s.CMOS[reg] = v
	}
}
