package emulator

import "github.com/pollscope/pollscope/session"

// Session is a recorded run opened again (a file Config.Record, Record or
// SaveSession wrote, `pollscope -record`): what the GUI shows of a run
// without the guest. Its methods, most of them session.Session's, give
// the run's metadata (Meta, End, Range, Damage) and, at any machine time
// of the run, the trace model (Model), the VGA screen (Screen), the serial
// output (Serial) and the host counters (HostCounters), each as it was at
// that time. Close releases the file.
type Session struct {
	*session.Session
}

// The session types a front end meets through Session's methods, named
// here so that it imports the emulator and the trace model only.
type (
	// SessionMeta is what a session says about its run (Session.Meta).
	SessionMeta = session.Meta
	// SessionEnd is how a recorded run ended (Session.End).
	SessionEnd = session.End
	// SessionInput is a host input the run applied (Session.Inputs).
	SessionInput = session.Input
)

// ErrSessionUnfinished is what Session.Damage wraps (errors.Is) when every
// record is sound but the run's end is missing: the recording was not
// closed, or is still being written. Any other damage is a cut or a
// corrupt chunk.
var ErrSessionUnfinished = session.ErrUnfinished

// OpenSession opens a recorded session. A session cut short (a run
// killed before it could close it, a partial copy) or damaged part way
// opens up to its last sound record, and Damage says so; a file that is
// not a session or is in a newer format is an error that says which.
func OpenSession(path string) (*Session, error) {
	s, err := session.OpenFile(path)
	if err != nil {
		return nil, err
	}
	return &Session{s}, nil
}

// HostCounters are the host's loss counters as last recorded at or
// before machine time at.
func (s *Session) HostCounters(at int64) HostCounters {
	return hostCountersFrom(s.Counters(at))
}

// Outcome is how the recorded run ended, OutcomeRunning if the recording
// was not closed (see Damage) or was saved while the guest ran.
func (s *Session) Outcome() Outcome {
	end, ok := s.End()
	if !ok {
		return OutcomeRunning
	}
	for o, name := range outcomeNames {
		if name == end.Outcome {
			return Outcome(o)
		}
	}
	return OutcomeRunning
}
