package trace

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pollscope/pollscope/guest"
)

type chromeTrace struct {
	TraceEvents     []chromeEventJSON `json:"traceEvents"`
	DisplayTimeUnit string            `json:"displayTimeUnit"`
	Metadata        map[string]any    `json:"metadata"`
}

type chromeEventJSON struct {
	Ph      string         `json:"ph"`
	Name    string         `json:"name"`
	Cat     string         `json:"cat"`
	Pid     int            `json:"pid"`
	Tid     int            `json:"tid"`
	Ts      json.Number    `json:"ts"`
	Dur     json.Number    `json:"dur"`
	S       string         `json:"s"`
	FlowIn  bool           `json:"flow_in"`
	FlowOut bool           `json:"flow_out"`
	BindID  string         `json:"bind_id"`
	Args    map[string]any `json:"args"`
}

func (e chromeEventJSON) ns(n json.Number) int64 {
	f, _ := n.Float64()
	return int64(f*1000 + 0.5)
}

// exportStream is the keyboard scenario followed by a task that yields and
// wakes another task, with VM exits on the host side.
func exportStream() *stream {
	s := keyboardStream()
	s.after(time.Microsecond).idleExit()
	s.spawn(2, "spin\"ner\x01\xff").spawn(3, "consumer")
	for range 3 {
		s.after(time.Microsecond).begin(2).after(time.Microsecond)
		s.wakeBy(2, guest.WakeTask, 2).wakeBy(3, guest.WakeTask, 2).after(123*time.Nanosecond).end(2, false, 0)
		s.after(time.Microsecond).pollOnce(3, time.Microsecond)
	}
	for range 5 {
		s.hostExit(1, "port-io").after(10 * time.Microsecond)
	}
	return s
}

func exportJSON(t *testing.T, m *Model) (chromeTrace, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := m.WritePerfetto(&buf); err != nil {
		t.Fatalf("WritePerfetto: %v", err)
	}
	var tr chromeTrace
	dec := json.NewDecoder(bytes.NewReader(buf.Bytes()))
	dec.UseNumber()
	if err := dec.Decode(&tr); err != nil {
		t.Fatalf("the export is not JSON: %v\n%s", err, buf.Bytes())
	}
	return tr, buf.Bytes()
}

func TestWritePerfetto(t *testing.T) {
	m := collect(t, Options{}, exportStream().evs)
	tr, raw := exportJSON(t, m)
	if tr.DisplayTimeUnit != "ns" || tr.Metadata["executor"] != "waker" {
		t.Errorf("displayTimeUnit %q, metadata %v", tr.DisplayTimeUnit, tr.Metadata)
	}

	threads := map[[2]int]string{} // pid, tid → name
	procs := map[int]string{}
	for _, e := range tr.TraceEvents {
		if e.Ph == "M" && e.Name == "thread_name" {
			threads[[2]int{e.Pid, e.Tid}] = e.Args["name"].(string)
		}
		if e.Ph == "M" && e.Name == "process_name" {
			procs[e.Pid] = e.Args["name"].(string)
		}
	}
	tidOf := map[string]int{}
	for k, name := range threads {
		tidOf[name] = k[1]
	}
	if procs[guestPID] != "guest executor" || procs[hostPID] != "host" {
		t.Errorf("processes = %v", procs)
	}
	for _, name := range []string{"keyboard (task 1)", "spin\"ner \uFFFD (task 2)", "consumer (task 3)",
		"interrupts", "idle (hlt)", "IRQ lines", "injections", "keyboard"} {
		if _, ok := tidOf[name]; !ok {
			t.Errorf("no thread named %q; threads: %v", name, threads)
		}
	}

	count := map[string]int{} // ph/cat/name → events
	flowOut, flowIn := map[string]int{}, map[string]int{}
	var irqs, wakes []chromeEventJSON
	for _, e := range tr.TraceEvents {
		count[e.Ph+"/"+e.Cat+"/"+e.Name]++
		if e.FlowOut {
			flowOut[e.BindID]++
			if e.Ph != "X" || e.Cat != "wake" {
				t.Errorf("flow_out on %s %s/%s, want on wake X slices", e.Ph, e.Cat, e.Name)
			}
		}
		if e.FlowIn {
			flowIn[e.BindID]++
			if e.Ph != "X" || e.Cat != "poll" {
				t.Errorf("flow_in on %s %s/%s, want on poll X slices", e.Ph, e.Cat, e.Name)
			}
		}
		switch {
		case e.Ph == "X" && e.Cat == "irq":
			irqs = append(irqs, e)
		case e.Ph == "X" && e.Cat == "wake":
			wakes = append(wakes, e)
		}
	}
	for _, c := range []struct {
		key  string
		want int
	}{
		{"X/poll/keyboard", 2}, {"X/poll/consumer", 3}, {"X/irq/IRQ1 keyboard", 1}, {"X/idle/hlt", 2},
		{"X/wake/wake consumer", 3}, {"C//ready queue", len(m.Queue)}, {"i/host/raise IRQ1 keyboard", 1},
		{"i/host/inject IRQ1 keyboard", 1}, {"i/host/key a", 1},
	} {
		if count[c.key] != c.want {
			t.Errorf("%d events %s, want %d", count[c.key], c.key, c.want)
		}
	}
	if count["C//events/s"] == 0 || count["C//vm exits/ms"] == 0 {
		t.Errorf("counters: %d events/s, %d vm exits/ms; want both", count["C//events/s"], count["C//vm exits/ms"])
	}
	if strings.Contains(string(raw), `"exit`) {
		t.Errorf("VM exits exported one by one; want them only counted")
	}

	linked := 0
	for _, p := range m.Polls {
		if p.Wake >= 0 {
			linked++
		}
	}
	if len(flowOut) != linked || linked == 0 {
		t.Errorf("%d flows, want one per poll with a wake (%d)", len(flowOut), linked)
	}
	for id, n := range flowOut {
		if n != 1 || flowIn[id] != 1 {
			t.Errorf("flow %s: %d flow_out, %d flow_in; want 1 and 1", id, n, flowIn[id])
		}
	}
	for id := range flowIn {
		if flowOut[id] == 0 {
			t.Errorf("flow %s ends at a poll but starts nowhere", id)
		}
	}

	// The keyboard wake sits inside the IRQ1 slice on the interrupts track;
	// the consumer's wakes on the spinner's track.
	for _, w := range wakes {
		switch w.Name {
		case "wake keyboard":
			irq := irqs[0]
			if w.Tid != tidOf["interrupts"] || w.ns(w.Ts) < irq.ns(irq.Ts) ||
				w.ns(w.Ts)+w.ns(w.Dur) > irq.ns(irq.Ts)+irq.ns(irq.Dur) {
				t.Errorf("keyboard wake %+v not inside the IRQ1 slice %+v", w, irq)
			}
		case "wake consumer":
			if w.Tid != tidOf["spin\"ner \uFFFD (task 2)"] {
				t.Errorf("consumer wake on tid %d, want the spinner's", w.Tid)
			}
		}
	}

	// Times are µs with exact ns.
	if !strings.Contains(string(raw), `"dur":1.123,`) {
		t.Errorf("no spinner poll of 1.123µs in the export")
	}
	p := m.Polls[0]
	for _, e := range tr.TraceEvents {
		if e.Ph == "X" && e.Cat == "poll" && e.Name == "keyboard" {
			if e.ns(e.Ts) != p.Start || e.ns(e.Dur) != p.End-p.Start {
				t.Errorf("first keyboard poll at ts %s dur %s µs, want %d ns for %d ns", e.Ts, e.Dur, p.Start, p.End-p.Start)
			}
			break
		}
	}
}

func formatMicros(ns int64) string { return string(appendMicros(nil, ns)) }

func TestAppendMicros(t *testing.T) {
	for _, tt := range []struct {
		ns   int64
		want string
	}{{0, "0.000"}, {1, "0.001"}, {999, "0.999"}, {1000, "1.000"}, {1234567, "1234.567"}, {-1500, "-1.500"}} {
		if got := formatMicros(tt.ns); got != tt.want {
			t.Errorf("appendMicros(%d) = %q, want %q", tt.ns, got, tt.want)
		}
	}
}

func TestWritePerfettoEmptyModel(t *testing.T) {
	tr, _ := exportJSON(t, NewCollector(Options{}).Snapshot())
	for _, e := range tr.TraceEvents {
		if e.Ph != "M" {
			t.Errorf("an empty model exported %s event %q", e.Ph, e.Name)
		}
	}
}

type failingWriter struct{ err error }

func (w failingWriter) Write([]byte) (int, error) { return 0, w.err }

func TestWritePerfettoReportsWriteErrors(t *testing.T) {
	m := collect(t, Options{}, exportStream().evs)
	disk := errors.New("disk full")
	if err := m.WritePerfetto(failingWriter{disk}); !errors.Is(err, disk) {
		t.Errorf("WritePerfetto to a failing writer = %v, want it to wrap %v", err, disk)
	}
}

func TestWritePerfettoOpenSpans(t *testing.T) {
	us := time.Microsecond
	s := &stream{}
	s.executor(true).spawn(1, "t").begin(1).at(10 * us).pending(1)
	s.at(12*us).irqEnter(32).wakeBy(1, guest.WakeInterrupt, 32).at(13 * us).irqExit(32)
	s.at(20*us).begin(1).at(30*us).wakeBy(1, guest.WakeTask, 1) // a self-wake at End: no room for 1ns
	s.irqEnter(33)
	m := collect(t, Options{}, s.evs)
	tr, _ := exportJSON(t, m)
	var sawRunning, sawOpenIRQ bool
	for _, e := range tr.TraceEvents {
		switch {
		case e.Cat == "poll" && e.Args["result"] == "running":
			sawRunning = true
			if e.ns(e.Ts)+e.ns(e.Dur) != m.End || !e.FlowIn {
				t.Errorf("running poll %+v: want it to end at End (%d) and carry its wake's flow", e, m.End)
			}
		case e.Cat == "irq" && e.Args["open"] == "true":
			sawOpenIRQ = true
		case e.Cat == "wake" && e.Args["self"] == "true":
			if e.ns(e.Dur) != 0 {
				t.Errorf("self-wake at its poll's end has dur %s, want 0 to stay inside the poll", e.Dur)
			}
		}
	}
	if !sawRunning || !sawOpenIRQ {
		t.Errorf("running poll exported: %v, open interrupt exported: %v; want both", sawRunning, sawOpenIRQ)
	}
}
