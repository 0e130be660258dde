package emulator

// HostCounters are the losses the host counts on its side, so that nothing
// is dropped silently. The guest's own count of trace records it could not
// write is trace.Model.Dropped.
type HostCounters struct {
	// HostEventsLost: IRQ-raise, injection and key events that found the
	// host event buffer full between two drains.
	HostEventsLost uint64
	// ExitsLost: VM exits the exit log overwrote before the drainer read
	// them.
	ExitsLost uint64
	// RingClamped: drain passes that found write_seq more than a ring ahead
	// of read_seq (a broken writer) and skipped ahead.
	RingClamped uint64
	// BadAnnouncements: writes to the trace port that did not name a valid
	// ring (or came after one did).
	BadAnnouncements uint64
	// SerialForwardLost: serial bytes Config.SerialOut never got because it
	// fell more than a MiB behind.
	SerialForwardLost uint64
	// SerialWriteFailed: serial bytes Config.SerialOut refused with an
	// error (a full disk, a file that cannot be written); see
	// Machine.SerialOutError for the error itself.
	SerialWriteFailed uint64
	// KeyboardDropped: host key events the keyboard's FIFO had no room for.
	KeyboardDropped uint64
}

// HostCounters returns the host-side loss counters, asking each part of
// the machine for its own.
func (m *Machine) HostCounters() HostCounters {
	var c HostCounters
	c.HostEventsLost, c.ExitsLost, c.RingClamped = m.tracer.counters()
	c.KeyboardDropped, c.BadAnnouncements = m.board.counters()
	c.SerialForwardLost = m.serial.lost()
	_, c.SerialWriteFailed = m.serial.writeError()
	return c
}

// SerialOutError is the first error Config.SerialOut returned, or nil. The
// machine keeps going (the output stays readable with Serial); a caller
// that cares says so at the end of the run.
func (m *Machine) SerialOutError() error {
	err, _ := m.serial.writeError()
	return err
}
