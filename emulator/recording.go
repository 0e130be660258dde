package emulator

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// Recording reports whether the machine records its session
// (Config.Record, Record, RecordTemp): a front end that saves sessions on
// demand (the GUI's Ctrl+Alt+T) starts a recording of its own when it
// does not.
func (m *Machine) Recording() bool { return m.rec.Load() != nil }

// RecordTemp records the session, as Record does, to an unnamed temporary
// file (created in os.TempDir and unlinked at once) that the machine
// closes, and so frees, when it closes: for a front end that may save the
// session later (SaveSession) and otherwise wants none. The file grows
// with the run, by some 3.5 bytes a trace event; at limit bytes the
// recording stops (RecordError says so, the run goes on, and SaveSession
// still saves what was recorded until then). Call it before Start.
func (m *Machine) RecordTemp(limit int64) error {
	f, err := os.CreateTemp("", "pollscope-session-*.pollscope")
	if err != nil {
		return fmt.Errorf("recording a session: %w", err)
	}
	os.Remove(f.Name())
	if err := m.record(&cappedFile{File: f, left: limit}, f, "", f); err != nil {
		f.Close()
		return err
	}
	return nil
}

// errRecordingFull is what a recording to RecordTemp's file meets at its
// limit.
var errRecordingFull = errors.New("the session recording reached its size limit and stopped (the run goes on; a saved session ends there)")

// cappedFile takes writes until left bytes were written, then refuses
// them: the session writer, meeting the error, stops recording.
type cappedFile struct {
	*os.File
	left int64
}

func (c *cappedFile) Write(p []byte) (int, error) {
	if int64(len(p)) > c.left {
		return 0, errRecordingFull
	}
	c.left -= int64(len(p))
	return c.File.Write(p)
}

var _ io.Writer = (*cappedFile)(nil)
