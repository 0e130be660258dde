package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	kvmcpu "github.com/pollscope/pollscope/cpu/kvm"
)

func requireKVM(t *testing.T) {
	t.Helper()
	if err := kvmcpu.Available(); err != nil {
		t.Skipf("skipping: %v", err)
	}
}

// A serial sink that refuses writes is reported once, at the end, with how
// much was lost; the run still gets the guest's status (issue 13, item 3).
func TestSerialSinkErrorsAreReported(t *testing.T) {
	for _, sink := range []string{"/dev/full", "/proc/version"} {
		t.Run(sink, func(t *testing.T) {
			status, _, errOut := runCLI(t, "-display", "none", "-append", "exit", "-serial", "file:"+sink)
			if status != 1 {
				t.Fatalf("status %d, want the guest's 1; stderr %q", status, errOut)
			}
			if strings.Count(errOut, "serial output could not be written") != 1 || !strings.Contains(errOut, "bytes of the guest's output are missing") {
				t.Fatalf("stderr does not report the failed serial output once: %q", errOut)
			}
		})
	}
}

// -until can stop the guest in the middle of a line; the run still ends
// the line, and pollscope's own messages start on a line of their own
// (issue 13, item 7).
func TestRunEndsTheGuestsLastLine(t *testing.T) {
	status, out, _ := runCLI(t, "-display", "none", "-until", "pollscope demo")
	if status != statusStopped || !strings.HasSuffix(out, "\n") {
		t.Fatalf("status %d, stdout %q: want 0 and a final newline", status, out)
	}
	var c console
	var o, e strings.Builder
	c.out, c.err = &o, &e
	c.Write([]byte("half a li"))
	c.say("stopped")
	if o.String() != "half a li\n" || e.String() != "pollscope: stopped\n" {
		t.Fatalf("stdout %q stderr %q", o.String(), e.String())
	}
}

// SIGHUP ends the run like SIGTERM: status 0 and the trace written (issue
// 13, item 6). The binary runs as a child so the signal reaches it alone.
func TestSIGHUPStopsTheRunCleanly(t *testing.T) {
	requireKVM(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "pollscope")
	if out, err := exec.Command(goTool(t), "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	tr := filepath.Join(dir, "trace.json")
	cmd := exec.Command(bin, "-display", "none", "-trace", tr)
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan bool)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "executor:") {
				ready <- true
			}
		}
		close(ready)
	}()
	select {
	case <-ready:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the guest never started its executor")
	}
	cmd.Process.Signal(syscall.SIGHUP)
	err := cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("exit status %d after SIGHUP (%v), want 0", code, err)
	}
	if st, err := os.Stat(tr); err != nil || st.Size() == 0 {
		t.Fatalf("no trace written after SIGHUP: %v", err)
	}
}

// goTool is the go command that runs this test.
func goTool(t *testing.T) string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(os.Getenv("GOROOT"), "bin", "go")
}
