package emulator

// Recording reports whether the machine records its session
// (Config.Record, Record): a front end that saves sessions on demand
// (the GUI's Ctrl+Alt+T) starts a recording of its own when it does not.
func (m *Machine) Recording() bool { return m.rec.Load() != nil }
