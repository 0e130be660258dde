package view

import (
	"strings"
	"testing"
	"time"

	"github.com/pollscope/pollscope/trace"
)

// frameTexts runs one frame and returns every text it draws, joined by |.
func frameTexts(a *App, in FrameInput) string {
	var s Scene
	a.Frame(in, &s)
	var texts []string
	for _, tx := range s.Base.Texts {
		texts = append(texts, tx.S)
	}
	return strings.Join(texts, "|")
}

// keyEventsAt is a model whose last event is a host key event at end: what
// a key typed into a paused guest does to the trace.
func keyEventsAt(ends ...time.Duration) []*trace.Model {
	c := trace.NewCollector(trace.Options{})
	var out []*trace.Model
	for _, e := range ends {
		c.Add(trace.Event{Time: int64(e), Kind: trace.HostKeyEvent, Arg: 4, Name: "D"})
		out = append(out, c.Snapshot())
	}
	return out
}

// While the guest is paused, the timeline says so instead of LIVE, and the
// uptime stands still even though host events move the trace's end; once
// resumed, the uptime leaves the pause out.
func TestPausedGuest(t *testing.T) {
	s := time.Second
	models := keyEventsAt(10*s, 10*s, 14*s, 16*s)
	a := NewApp()
	frames := []struct {
		now    time.Duration
		paused bool
		want   []string
		not    []string
	}{
		{0, false, []string{"Timeline · LIVE", "up 10.0 s"}, nil},
		{1 * s, true, []string{"Timeline · PAUSED", "up 10.0 s"}, []string{"LIVE"}},
		{5 * s, true, []string{"Timeline · PAUSED", "up 10.0 s"}, []string{"LIVE", "up 14.0 s"}},
		{6 * s, false, []string{"Timeline · LIVE", "up 11.0 s"}, []string{"up 16.0 s"}},
	}
	for i, f := range frames {
		st := Status{Backend: "KVM", VM: "running", Paused: f.paused}
		got := frameTexts(a, FrameInput{W: 1600, H: 1000, Model: models[i], Now: f.now, Status: st})
		for _, w := range f.want {
			if !strings.Contains(got, w) {
				t.Errorf("frame %d (paused %v): no %q in %s", i, f.paused, w, got)
			}
		}
		for _, w := range f.not {
			if strings.Contains(got, w) {
				t.Errorf("frame %d (paused %v): %q shown", i, f.paused, w)
			}
		}
	}
}
