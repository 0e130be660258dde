package rtc

// format is how the time and alarm registers encode numbers, as register B's
// DM and 24/12 bits select: BCD or binary, 24-hour or 12-hour with bit 7 of
// the hours meaning PM.
type format struct {
	binary bool
	hour24 bool
}

// formatOf returns the format register B selects.
func formatOf(b uint8) format {
	return format{binary: b&BDM != 0, hour24: b&B24H != 0}
}

// hourPM is bit 7 of the hours in 12-hour mode.
const hourPM = 0x80

// encode returns v (0-99) as the registers hold it.
func (f format) encode(v int) uint8 {
	if f.binary {
		return uint8(v)
	}
	return uint8(v/10<<4 | v%10)
}

// decode reads a register value. A BCD byte with a nibble above 9 decodes
// to what a decade counter holding it would count to, e.g. 0x5A is 60.
func (f format) decode(b uint8) int {
	if f.binary {
		return int(b)
	}
	return int(b>>4)*10 + int(b&0x0F)
}

// encodeHour returns an hour of the day (0-23) as the hours register holds
// it: 0-23, or 12, 1-11 for AM and the same with bit 7 for PM.
func (f format) encodeHour(h int) uint8 {
	if f.hour24 {
		return f.encode(h)
	}
	h12 := h % 12
	if h12 == 0 {
		h12 = 12
	}
	v := f.encode(h12)
	if h >= 12 {
		v |= hourPM
	}
	return v
}

// decodeHour reads the hours register as an hour of the day.
func (f format) decodeHour(b uint8) int {
	if f.hour24 {
		return f.decode(b)
	}
	h := f.decode(b &^ hourPM)
	if h == 12 {
		h = 0
	}
	if b&hourPM != 0 {
		h += 12
	}
	return h
}
