package emulator_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/pollscope/pollscope/emulator"
	"github.com/pollscope/pollscope/emulator/emutest"
	"github.com/pollscope/pollscope/session"
)

// RecordTemp records to a file of the machine's own, which SaveSession
// copies and Close frees; at its limit the recording stops, says so, and
// the run goes on with what was recorded still saveable.
func TestRecordTemp(t *testing.T) {
	for _, tc := range []struct {
		name  string
		limit int64
		full  bool
	}{
		{"under the limit", 64 << 20, false},
		{"at the limit", 2 << 10, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := openFDs(t)
			m := emutest.New(t, emulator.Config{Backend: emulator.BackendTCG})
			if err := m.RecordTemp(tc.limit); err != nil {
				t.Fatal(err)
			}
			if !m.Recording() {
				t.Fatal("Recording() is false after RecordTemp")
			}
			if err := m.Start(); err != nil {
				t.Fatal(err)
			}
			emutest.WaitSerial(t, m, `executor: \w+ scenario=demo started`, 30*time.Second)
			time.Sleep(1200 * time.Millisecond) // several flushes
			err := m.RecordError()
			if full := err != nil && strings.Contains(err.Error(), "size limit"); full != tc.full {
				t.Fatalf("RecordError: %v; want the limit reached: %v", err, tc.full)
			}
			var saved bytes.Buffer
			if err := m.SaveSession(&saved); err != nil {
				t.Fatal(err)
			}
			s, err := session.Open(bytes.NewReader(saved.Bytes()), int64(saved.Len()))
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Damage(); err != nil {
				t.Fatalf("the saved session is damaged: %v", err)
			}
			if !tc.full && s.EventCount() == 0 {
				t.Fatal("the saved session holds no events")
			}
			if tc.full && int64(saved.Len()) > tc.limit+4096 {
				t.Fatalf("the saved session is %d bytes, past the %d-byte limit", saved.Len(), tc.limit)
			}
			m.Close()
			if after := openFDs(t); after > before {
				t.Fatalf("%d file descriptors open after Close, %d before: the temporary file was not closed", after, before)
			}
		})
	}
}
