package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pollscope/pollscope/emulator"
	"github.com/pollscope/pollscope/trace"
)

// viewOptions are `pollscope view`'s flags.
type viewOptions struct {
	path    string
	summary bool
	at      time.Duration
	atGiven bool
	screen  bool
	serial  bool
}

// viewWindow opens the session at path in the GUI's viewer (timeline,
// scrubber), in builds that have one (gui_view.go); nil in a build
// without the GUI. It opens the session while the window comes up; opened
// is when opening began, for the first frame's timing; at is where the
// cursor starts (-at), or -1 for the end. An error opening the session is
// a *sessionError.
var viewWindow func(path string, at int64, opened time.Time, log io.Writer) error

// sessionError is the viewer window's failure to open the session, as
// opposed to its failure to open a window.
type sessionError struct{ err error }

func (e *sessionError) Error() string { return e.err.Error() }
func (e *sessionError) Unwrap() error { return e.err }

// runView is `pollscope view`: a recorded session, shown again.
func runView(args []string, stdout, stderr io.Writer) int {
	o, err := parseViewFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "pollscope view: %v\n", err)
		return statusUsage
	}
	opened := time.Now()
	if !o.summary && !o.screen && !o.serial {
		// A file that is not a session is said so before any window.
		if _, err := emulator.PeekSession(o.path); err != nil {
			fmt.Fprintf(stderr, "pollscope view: %v\n", err)
			return statusBadSession
		}
		if viewWindow == nil {
			fmt.Fprintf(stderr, "pollscope view: this pollscope was built without the GUI (build it with make build); "+
				"print the session with: pollscope view -summary %s\n", o.path)
			return statusNoDisplay
		}
		if os.Getenv("DISPLAY") == "" {
			fmt.Fprintf(stderr, "pollscope view: no display available ($DISPLAY is not set); "+
				"print the session with: pollscope view -summary %s\n", o.path)
			return statusNoDisplay
		}
		at := int64(-1)
		if o.atGiven {
			at = int64(o.at)
		}
		if err := viewWindow(o.path, at, opened, stderr); err != nil {
			if se := (*sessionError)(nil); errors.As(err, &se) {
				fmt.Fprintf(stderr, "pollscope view: %v\n", se.err)
				return statusBadSession
			}
			fmt.Fprintf(stderr, "pollscope view: %v; print the session with: pollscope view -summary %s\n", err, o.path)
			return statusNoDisplay
		}
		return 0
	}
	s, err := emulator.OpenSession(o.path)
	if err != nil {
		fmt.Fprintf(stderr, "pollscope view: %v\n", err)
		return statusBadSession
	}
	defer s.Close()
	_, end := s.Range()
	at := end
	if o.atGiven {
		at = int64(o.at)
	}
	if o.summary {
		writeSummary(stdout, s, o.path, at)
	}
	if o.screen {
		sc, _ := s.Screen(at)
		fmt.Fprintf(stdout, "--- screen at %v ---\n%s\n", time.Duration(min(at, end)), sc.Text())
	}
	if o.serial {
		fmt.Fprintf(stdout, "--- serial output by %v ---\n%s", time.Duration(min(at, end)), s.Serial(at))
	}
	return 0
}

func parseViewFlags(args []string, stderr io.Writer) (*viewOptions, error) {
	o := &viewOptions{}
	var at string
	fs := flag.NewFlagSet("pollscope view", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&o.summary, "summary", false, "print the session's metadata, time range, tasks with their statistics, and lints")
	fs.StringVar(&at, "at", "", "show the run as it was at this machine time, from the machine's start (e.g. 1.5s; default: its end)")
	fs.BoolVar(&o.screen, "screen", false, "print the VGA text screen")
	fs.BoolVar(&o.serial, "serial", false, "print the serial output")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: pollscope view [flags] FILE\n\nOpens a session that pollscope -record (or the GUI's save) wrote.\n"+
			"Without flags it opens the viewer window; -summary, -screen and -serial print instead.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, usageError{err.Error()}
	}
	switch fs.NArg() {
	case 0:
		return nil, usagef("name the session file: pollscope view [-summary] FILE")
	case 1:
		o.path = fs.Arg(0)
	default:
		return nil, usagef("one session file at a time (got %q and %q); flags go before the file", fs.Arg(0), fs.Arg(1))
	}
	if at != "" {
		d, err := time.ParseDuration(at)
		if err != nil || d < 0 {
			return nil, usagef("-at %s: give a machine time from the machine's start, such as 1.5s", at)
		}
		o.at, o.atGiven = d, true
	}
	return o, nil
}

// writeSummary prints what the session holds and the model at machine
// time at.
func writeSummary(w io.Writer, s *emulator.Session, path string, at int64) {
	start, end := s.Range()
	at = min(at, end)
	size, sound := s.Size()
	meta := s.Meta()
	state := "complete"
	if err := s.Damage(); err != nil {
		state = fmt.Sprintf("read up to byte %d: %v", sound, err)
	}
	fmt.Fprintf(w, "session   %s: %d bytes, %s\n", path, size, state)
	fmt.Fprintf(w, "recorded  by pollscope %s, %s\n", meta.Version, meta.Started.UTC().Format("2006-01-02 15:04:05 MST"))
	var cfg []string
	for _, f := range meta.Config {
		cfg = append(cfg, fmt.Sprintf("%s=%q", f.Name, f.Value))
	}
	fmt.Fprintf(w, "run       %s\n", strings.Join(cfg, " "))
	if e, ok := s.End(); ok {
		fmt.Fprintf(w, "ended     %s (status %d): %s\n", e.Outcome, e.Status, firstLine(e.Message))
	} else {
		fmt.Fprintf(w, "ended     not recorded (the recording was cut short)\n")
	}
	fmt.Fprintf(w, "time      %.3fs to %.3fs of machine time, %d events, %d inputs\n",
		seconds(start), seconds(end), s.EventCount(), len(s.Inputs()))
	where := fmt.Sprintf("%.3fs (the end)", seconds(end))
	if at < end {
		where = fmt.Sprintf("%.3fs", seconds(at))
	}
	m := s.Model(at)
	fmt.Fprintf(w, "at        %s: %d events, %d polls, %d wakes, %d interrupts, executor %q\n",
		where, m.EventCount, len(m.Polls), len(m.Wakes), len(m.IRQs), m.Executor)
	writeTasks(w, m)
	writeResources(w, m)
	if len(m.Lints) > 0 {
		fmt.Fprintf(w, "\nlints (%d):\n", len(m.Lints))
		for _, l := range m.Lints {
			fmt.Fprintf(w, "  %9.3fs  %-16s %s\n", seconds(l.Time), l.Kind, l.Message)
		}
	} else {
		fmt.Fprintf(w, "\nlints: none\n")
	}
	hc := s.HostCounters(at)
	fmt.Fprintf(w, "\nlosses    guest ring dropped %d, host rejected %d, unmatched %d, evicted %d; host counters %+v\n",
		m.Dropped, m.Malformed, m.Unmatched, m.Evicted, hc)
}

func writeTasks(w io.Writer, m *trace.Model) {
	fmt.Fprintf(w, "\ntasks (%d):\n", len(m.Tasks))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "id\tname\tstate\tpolls\twakes\tself\tbusy\tscheduled\tidle\tpoll p50\tpoll p99\twake→poll p50\twake→poll p99\t")
	for _, t := range m.Tasks {
		st := &t.Stats
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%d\t%d\t%v\t%v\t%v\t%v\t%v\t%v\t%v\t\n", t.ID, t.Label(), t.State,
			st.Polls, st.Wakes, st.SelfWakes, round(st.Busy), round(st.Scheduled), round(st.Idle),
			round(st.PollTime.Quantile(0.5)), round(st.PollTime.Quantile(0.99)),
			round(st.WakeLatency.Quantile(0.5)), round(st.WakeLatency.Quantile(0.99)))
	}
	tw.Flush()
}

// writeResources prints the executor's resources as the GUI's Resources
// tab lists them.
func writeResources(w io.Writer, m *trace.Model) {
	if len(m.Resources) == 0 {
		return
	}
	fmt.Fprintf(w, "\nresources (%d):\n", len(m.Resources))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "id\tkind\tname\tstate\tmost\twaiting\twaits\twakes\tcreated\tdropped\t")
	for _, r := range m.Resources {
		var waiting []string
		for _, wt := range m.WaitingOn(r.Key) {
			name := fmt.Sprintf("task %d", wt.Task)
			if t, ok := m.Task(wt.Task); ok {
				name = t.Label()
			}
			waiting = append(waiting, name)
		}
		dropped := "alive"
		if !r.Alive {
			dropped = fmt.Sprintf("%.3fs", seconds(r.Dropped))
		}
		fmt.Fprintf(tw, "%d\t%v\t%s\t%d/%d\t%d\t%s\t%d\t%d\t%.3fs\t%s\t\n", r.ID, r.Kind, r.Name, r.Len, r.Capacity, r.MaxLen,
			strings.Join(waiting, ", "), r.Waits, r.Wakes, seconds(r.Created), dropped)
	}
	tw.Flush()
}

func round(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(time.Microsecond)
	}
	return d
}

func seconds(ns int64) float64 { return float64(ns) / 1e9 }

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
