package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A run recorded with -record prints back with view -summary: metadata,
// time range, the demo's tasks with statistics, lints; -at shows an
// earlier time with fewer events; -screen and -serial show the console.
func TestRecordThenViewSummary(t *testing.T) {
	requireKVM(t)
	dir := t.TempDir()
	rec := filepath.Join(dir, "run.pollscope")
	script := filepath.Join(dir, "type.script")
	os.WriteFile(script, []byte("expect serial /executor: \\w+ scenario=\\w+ started/ 20s\nsleep 200ms\nsend \"typed in a session\\n\"\nexpect screen /typed in a session/ 20s\n"), 0o644)
	if status, _, errOut := runCLI(t, "-display", "none", "-serial", "none", "-script", script, "-record", rec); status != 0 {
		t.Fatalf("the recorded run: status %d, stderr %q", status, errOut)
	}

	status, out, errOut := runCLI(t, "view", "-summary", rec)
	if status != 0 {
		t.Fatalf("view -summary: status %d, stderr %q", status, errOut)
	}
	for _, want := range []string{"bytes, complete", `backend="kvm"`, "ended     stopped", "executor \"waker\"", "keyboard", "heartbeat-250ms", "wake→poll p99", "lints"} {
		if !strings.Contains(out, want) {
			t.Errorf("view -summary does not say %q:\n%s", want, out)
		}
	}
	events := func(out string) int {
		m := regexp.MustCompile(`(?m)^at .*: (\d+) events`).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("no event count in:\n%s", out)
		}
		n, _ := strconv.Atoi(m[1])
		return n
	}
	_, early, _ := runCLI(t, "view", "-summary", "-at", "150ms", rec)
	if e, l := events(early), events(out); e == 0 || e >= l {
		t.Errorf("at 150ms: %d events, at the end %d", e, l)
	}
	_, console, _ := runCLI(t, "view", "-screen", "-serial", rec)
	if strings.Count(console, "typed in a session") != 2 {
		t.Errorf("-screen -serial at the end do not both show the typed text:\n%s", console)
	}
	_, before, _ := runCLI(t, "view", "-screen", "-at", "1ms", rec)
	if strings.Contains(before, "typed") {
		t.Errorf("the screen at 1ms shows the text typed later:\n%s", before)
	}
}

func TestViewUsage(t *testing.T) {
	dir := t.TempDir()
	notSession := filepath.Join(dir, "trace.json")
	os.WriteFile(notSession, []byte(`{"traceEvents": []}`), 0o644)
	for _, tc := range []struct {
		name   string
		args   []string
		status int
		want   string
	}{
		{"no file", []string{"view"}, statusUsage, "name the session file"},
		{"two files", []string{"view", "a", "b"}, statusUsage, "one session file at a time"},
		{"a missing file", []string{"view", "-summary", filepath.Join(dir, "missing")}, statusBadSession, "no such file"},
		{"not a session", []string{"view", "-summary", notSession}, statusBadSession, "not a pollscope session file"},
		{"not a session, for the window", []string{"view", notSession}, statusBadSession, "not a pollscope session file"},
		{"a missing file to replay", []string{"replay", filepath.Join(dir, "missing")}, statusBadSession, "no such file"},
		{"a bad -at", []string{"view", "-at", "soon", notSession}, statusUsage, "-at soon"},
		{"a negative -at", []string{"view", "-at", "-1s", notSession}, statusUsage, "-at -1s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, out, errOut := runCLI(t, tc.args...)
			if status != tc.status || !strings.Contains(errOut, tc.want) || out != "" {
				t.Fatalf("status %d, stdout %q, stderr %q; want status %d saying %q", status, out, errOut, tc.status, tc.want)
			}
		})
	}
}

// -record writes as the run goes: a run killed with SIGKILL leaves a
// session that opens up to its last flush, and says it was cut short.
func TestRecordSurvivesSIGKILL(t *testing.T) {
	requireKVM(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "pollscope")
	if out, err := exec.Command(goTool(t), "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	rec := filepath.Join(dir, "killed.pollscope")
	cmd := exec.Command(bin, "-display", "none", "-record", rec)
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "executor:") {
				ready <- true
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(60 * time.Second):
		t.Fatal("the guest never started its executor")
	}
	// Let the recorder flush a few times (every 250 ms), then kill.
	for deadline := time.Now().Add(30 * time.Second); ; {
		if st, err := os.Stat(rec); err == nil && st.Size() > 4096 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the session file never grew")
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()

	status, out, errOut := runCLI(t, "view", "-summary", rec)
	if status != 0 {
		t.Fatalf("view -summary of the killed run: status %d, stderr %q", status, errOut)
	}
	for _, want := range []string{"ended     not recorded", "executor \"waker\"", "heartbeat-250ms"} {
		if !strings.Contains(out, want) {
			t.Errorf("the killed run's summary does not say %q:\n%s", want, out)
		}
	}
	if !regexp.MustCompile(`read up to byte \d+: session recording unfinished|session file truncated`).MatchString(out) {
		t.Errorf("the summary does not say the session was cut short:\n%s", out)
	}
}

func TestViewWithoutAWindow(t *testing.T) {
	requireKVM(t)
	rec := filepath.Join(t.TempDir(), "run.pollscope")
	if status, _, errOut := runCLI(t, "-display", "none", "-serial", "none", "-duration", "300ms", "-record", rec); status != 0 {
		t.Fatalf("status %d: %s", status, errOut)
	}
	if viewWindow != nil {
		t.Skip("this build has the viewer window")
	}
	status, _, errOut := runCLI(t, "view", rec)
	if status != statusNoDisplay || !strings.Contains(errOut, "pollscope view -summary") {
		t.Fatalf("status %d, stderr %q: want %d and a pointer to -summary", status, errOut, statusNoDisplay)
	}
}

// The -record file is created before the guest runs: a path that cannot
// be written is bad usage.
func TestRecordInAMissingDirectoryIsBadUsage(t *testing.T) {
	status, out, errOut := runCLI(t, "-display", "none", "-record", filepath.Join(t.TempDir(), "no", "dir", "run.pollscope"))
	if status != statusUsage || !strings.Contains(errOut, "-record:") || out != "" {
		t.Fatalf("status %d, stdout %q, stderr %q", status, out, errOut)
	}
}
