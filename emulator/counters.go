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
}

// HostCounters returns the host-side loss counters.
func (m *Machine) HostCounters() HostCounters {
	var c HostCounters
	m.host.mu.Lock()
	c.HostEventsLost = m.host.dropped
	m.host.mu.Unlock()
	m.drainMu.Lock()
	c.ExitsLost = m.exitLog.lost
	if ring := m.tracer.ring.Load(); ring != nil {
		c.RingClamped = ring.clamped
	}
	m.drainMu.Unlock()
	c.BadAnnouncements = m.tracer.badAnnouncements.Load()
	m.serialLog.mu.Lock()
	c.SerialForwardLost = uint64(m.serialLog.lostForward)
	m.serialLog.mu.Unlock()
	return c
}
