package emulator_test

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pollscope/pollscope/emulator"
	"github.com/pollscope/pollscope/emulator/emutest"
	"github.com/pollscope/pollscope/guest"
	"github.com/pollscope/pollscope/session"
	"github.com/pollscope/pollscope/trace"
)

// subscribe collects every event the live model gets, in the order it
// applies them, until the returned function is called.
func subscribe(t *testing.T, m *emulator.Machine) func() []trace.Event {
	ch, stop := m.SubscribeTrace(1 << 22)
	var evs []trace.Event
	done := make(chan struct{})
	go func() {
		defer close(done)
		for e := range ch {
			evs = append(evs, e)
		}
	}()
	return func() []trace.Event {
		stop()
		<-done
		return evs
	}
}

// A run with typing, recorded and reopened with the API the GUI uses,
// shows what the live machine showed: the same model (tasks, polls, wakes
// and their links, statistics, lints), console and inputs at the end, and
// at a time in the middle of the typing the model of the events up to
// then.
func TestSessionOfARunWithTyping(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.pollscope")
	m := emutest.New(t, emulator.Config{Record: path})
	events := subscribe(t, m)
	if err := m.Start(); err != nil {
		t.Fatal(err)
	}
	emutest.WaitSerial(t, m, `executor: \w+ scenario=\w+ started`, 20*time.Second)
	time.Sleep(50 * time.Millisecond) // typing into a running executor, not its first poll
	const text = "Hello, recorded session!"
	emutest.Type(t, m, text+"\n", 20*time.Second)
	emutest.WaitSerial(t, m, text+"\n", 20*time.Second)
	emutest.WaitScreen(t, m, text, 20*time.Second)
	time.Sleep(100 * time.Millisecond) // a heartbeat or two after the typing
	serial, screen := m.Serial(), m.ScreenText()
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if err := m.RecordError(); err != nil {
		t.Fatalf("recording: %v", err)
	}
	live := m.Trace()
	all := events()
	if live.SubscriberDrops != 0 {
		t.Fatalf("the test's subscription lost %d events", live.SubscriberDrops)
	}

	s, err := emulator.OpenSession(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Damage(); err != nil {
		t.Fatalf("the closed recording is damaged: %v", err)
	}
	if s.Outcome() != emulator.OutcomeStopped {
		t.Errorf("Outcome = %v, want stopped", s.Outcome())
	}
	if got := s.EventCount(); got != int64(live.EventCount) {
		t.Errorf("the session holds %d events, the live model got %d", got, live.EventCount)
	}
	meta := s.Meta()
	if meta.Version != emulator.Version() || meta.Get("backend") != emulator.BackendKVM || meta.Get("kernel") == "" || len(meta.Get("kernel.sha256")) != 64 {
		t.Errorf("metadata %+v", meta)
	}
	_, end := s.Range()

	// The end: exactly the live model.
	got := s.Model(end)
	if !reflect.DeepEqual(got, live) {
		t.Fatalf("the session's model at its end differs from the live one: %s", modelDiff(got, live))
	}
	checkDemoModel(t, got, text)
	if s.Serial(end) != serial {
		t.Errorf("the session's serial output at its end is not the machine's:\n%q\nwant\n%q", s.Serial(end), serial)
	}
	if sc, ok := s.Screen(end); !ok || sc.Text() != screen {
		t.Errorf("the session's screen at its end:\n%s\nwant\n%s", sc.Text(), screen)
	}
	if hc := s.HostCounters(end); hc != m.HostCounters() {
		t.Errorf("HostCounters = %+v, want %+v", hc, m.HostCounters())
	}
	inputs := s.Inputs()
	keys := 0
	for _, e := range live.Host {
		if e.Kind == trace.HostKeyEvent {
			keys++
		}
	}
	if len(inputs) != keys || keys < 2*len(text) {
		t.Fatalf("%d inputs recorded, %d key events in the trace; %q takes at least %d", len(inputs), keys, text, 2*len(text))
	}
	for _, in := range inputs {
		if in.Instructions != 0 {
			t.Fatalf("an input on KVM has instruction count %d, want 0", in.Instructions)
		}
	}

	// The middle of the typing: the model of the events up to then.
	mid := inputs[len(inputs)/2].Time
	ref := trace.NewCollector(trace.Options{})
	var upTo []trace.Event
	for _, e := range all {
		if e.Time <= mid {
			upTo = append(upTo, e)
		}
	}
	ref.Add(upTo...)
	ref.SetDropped(got.Dropped) // the ring dropped nothing in this run (checked below)
	want := ref.Snapshot()
	if got.Dropped != 0 || got.Malformed != 0 {
		t.Fatalf("the guest ring dropped %d and the host rejected %d records", got.Dropped, got.Malformed)
	}
	atMid := s.Model(mid)
	if d := modelDiff(atMid, want); d != "" {
		t.Fatalf("Model(%d), in the middle of the typing: %s", mid, d)
	}
	if atMid.EventCount >= got.EventCount || len(atMid.Polls) >= len(got.Polls) {
		t.Fatalf("the model in the middle has %d events and %d polls, the end %d and %d", atMid.EventCount, len(atMid.Polls), got.EventCount, len(got.Polls))
	}
	typed := 0
	for _, in := range inputs {
		if in.Time <= mid && in.Down {
			typed++
		}
	}
	midSerial := s.Serial(mid)
	if !strings.HasPrefix(serial, midSerial) || strings.Contains(midSerial, text) {
		t.Fatalf("the serial output in the middle of the typing is not a prefix without the whole text: %q", midSerial)
	}
	sc, ok := s.Screen(mid)
	if !ok || strings.Contains(sc.Text(), text) {
		t.Fatalf("the screen in the middle of the typing shows the whole text already:\n%s", sc.Text())
	}
	t.Logf("%d events, %d polls, %d wakes in %v of machine time; %d key events (%d presses by the middle); %s",
		got.EventCount, len(got.Polls), len(got.Wakes), time.Duration(end), len(inputs), typed, fileSize(t, path))
}

// checkDemoModel checks that the model is the demo's: its tasks, polls,
// wakes linked to polls, statistics, and the keyboard task woken by
// interrupts while typing.
func checkDemoModel(t *testing.T, m *trace.Model, text string) {
	t.Helper()
	for _, name := range demoTasks {
		if taskByName(m, name) == nil {
			t.Errorf("no task %q in the session's model", name)
		}
	}
	kbd := taskByName(m, "keyboard")
	if kbd == nil || kbd.Stats.Polls < 2 || kbd.Stats.PollTime.Count() != kbd.Stats.Polls {
		t.Fatalf("the keyboard task's statistics do not show it polled for the keys: %+v", kbd)
	}
	byKey := 0
	for _, w := range m.Wakes {
		if w.Task == kbd.ID && w.Source == guest.WakeInterrupt && w.SourceID == 33 {
			byKey++
		}
	}
	if byKey == 0 {
		t.Fatalf("the keyboard interrupt never woke the keyboard task (typing %q)", text)
	}
	linked := 0
	for i := range m.Wakes {
		if m.WakePoll(i) >= 0 {
			linked++
		}
	}
	if linked < len(m.Wakes)/2 {
		t.Fatalf("only %d of %d wakes link to a poll", linked, len(m.Wakes))
	}
}

func fileSize(t *testing.T, path string) string {
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("the session file is %d bytes", st.Size())
}

// modelDiff names the first exported field in which two models differ.
func modelDiff(got, want *trace.Model) string {
	if reflect.DeepEqual(got, want) {
		return ""
	}
	gv, wv := reflect.ValueOf(got).Elem(), reflect.ValueOf(want).Elem()
	for i := range gv.NumField() {
		f := gv.Type().Field(i)
		if f.IsExported() && !reflect.DeepEqual(gv.Field(i).Interface(), wv.Field(i).Interface()) {
			if gv.Field(i).Kind() == reflect.Slice {
				return fmt.Sprintf("%s: %d items, want %d", f.Name, gv.Field(i).Len(), wv.Field(i).Len())
			}
			return fmt.Sprintf("%s: %+v, want %+v", f.Name, gv.Field(i).Interface(), wv.Field(i).Interface())
		}
	}
	return "the unexported indexes differ"
}

// SaveSession copies the session so far into a finished file while the
// guest runs; a copy of the file as it grows (what a killed run leaves)
// opens up to its last flush, unfinished.
func TestSaveSessionWhileRunning(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.pollscope")
	m := emutest.Boot(t, emulator.Config{Record: path})
	emutest.WaitSerial(t, m, `(?m)^ready$`, 20*time.Second)
	emutest.Type(t, m, "saved\n", 20*time.Second)
	emutest.WaitScreen(t, m, "saved", 20*time.Second)
	time.Sleep(600 * time.Millisecond) // two flushes

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
	if end, ok := s.End(); !ok || end.Outcome != "running" {
		t.Fatalf("the saved session ends %+v, want running", end)
	}
	if !strings.Contains(s.Serial(math.MaxInt64), "saved") {
		t.Fatalf("the saved session's serial output lacks the typed text: %q", s.Serial(math.MaxInt64))
	}
	if m := s.Model(math.MaxInt64); taskByName(m, "keyboard") == nil || len(m.Polls) == 0 {
		t.Fatalf("the saved session's model has no keyboard task or no polls")
	}

	// The file as it is now, without its end: what SIGKILL leaves.
	grown, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	g, err := session.Open(bytes.NewReader(grown), int64(len(grown)))
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(g.Damage(), session.ErrUnfinished) && !errors.Is(g.Damage(), session.ErrTruncated) {
		t.Fatalf("the growing file: Damage = %v, want unfinished or truncated", g.Damage())
	}
	if g.EventCount() == 0 || taskByName(g.Model(math.MaxInt64), "keyboard") == nil {
		t.Fatal("the growing file holds no model")
	}

	if err := m.Record(&bytes.Buffer{}); err == nil {
		t.Fatal("Record after Start did not fail")
	}
}

func TestSaveSessionNeedsARecording(t *testing.T) {
	m := emutest.New(t, emulator.Config{})
	if err := m.SaveSession(&bytes.Buffer{}); !errors.Is(err, emulator.ErrNotRecording) {
		t.Fatalf("SaveSession without a recording = %v, want ErrNotRecording", err)
	}
	if err := m.Record(&bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	if err := m.SaveSession(&bytes.Buffer{}); !errors.Is(err, session.ErrNotReadable) {
		t.Fatalf("SaveSession recording to a bytes.Buffer = %v, want ErrNotReadable", err)
	}
}

func TestRecordToAPathThatCannotBeCreated(t *testing.T) {
	emutest.RequireKVM(t)
	_, err := emulator.New(emulator.Config{Record: filepath.Join(t.TempDir(), "no", "such", "dir", "run.pollscope")})
	if err == nil || !strings.Contains(err.Error(), "recording a session") {
		t.Fatalf("New = %v, want a recording error", err)
	}
}
