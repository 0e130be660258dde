package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pollscope/pollscope/devices/ps2"
	"github.com/pollscope/pollscope/emulator/emutest"
)

func TestParseScript(t *testing.T) {
	good := `# a comment
expect serial /ready/
expect screen /a\/b c/ 3s
send "hi\n"
key enter
key down leftshift
key up leftshift
sleep 150ms
wait-exit 5s value 0
save-trace out.json
`
	steps, err := parseScript(strings.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	want := []stepKind{stepExpectSerial, stepExpectScreen, stepSend, stepKey, stepKeyDown, stepKeyUp, stepSleep, stepWaitExit, stepSaveTrace}
	if len(steps) != len(want) {
		t.Fatalf("%d steps, want %d", len(steps), len(want))
	}
	for i, s := range steps {
		if s.kind != want[i] {
			t.Errorf("step %d kind %d, want %d", i, s.kind, want[i])
		}
	}
	if steps[0].timeout != defaultStepTimeout || steps[1].timeout != 3*time.Second || steps[1].re.String() != "a/b c" {
		t.Errorf("expect steps parsed as %+v %+v", steps[0], steps[1])
	}
	if steps[2].str != "hi\n" || steps[3].key != ps2.KeyEnter || steps[7].value != 0 || steps[7].timeout != 5*time.Second || steps[1].line != 3 {
		t.Errorf("steps parsed as %+v", steps)
	}

	bad := []struct{ script, want string }{
		{"expect serial ready", "line 1: expect a pattern between slashes"},
		{"expect serial /(/", "line 1: pattern /(/"},
		{"expect serial /x", "no closing slash"},
		{"expect disk /x/", "say expect serial or expect screen"},
		{"expect serial /x/ soon", "timeout \"soon\""},
		{"\nsend hi", "line 2: send takes a double-quoted string"},
		{"key hyperspace", "no key named"},
		{"key sideways a", "say key NAME"},
		{"sleep forever", "give a duration"},
		{"wait-exit value x", "give a number"},
		{"save-trace", "needs a file name"},
		{"reboot", "unknown step \"reboot\""},
	}
	for _, c := range bad {
		_, err := parseScript(strings.NewReader(c.script))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("script %q: error %v, want %q", c.script, err, c.want)
		}
	}
}

// FuzzParseScript: any script text parses or fails with an error naming a
// line, and never panics.
func FuzzParseScript(f *testing.F) {
	f.Add("expect serial /ready/ 5s\nsend \"x\\n\"\nkey enter\nwait-exit value 0\n")
	f.Add("expect screen /\\//\n")
	f.Fuzz(func(t *testing.T, script string) {
		if _, err := parseScript(strings.NewReader(script)); err != nil && !strings.HasPrefix(err.Error(), "line ") && !strings.Contains(err.Error(), "token too long") {
			t.Fatalf("error %q does not name a line", err)
		}
	})
}

// readmeScript extracts the script example from the README.
func readmeScript(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)<!-- script-example -->\\s*```text\n(.*?)```").FindSubmatch(b)
	if m == nil {
		t.Fatal("README.md has no script example after <!-- script-example -->")
	}
	return string(m[1])
}

// The README's script example runs and passes against the demo kernel.
func TestReadmeScriptExample(t *testing.T) {
	emutest.ForEachBackend(t, func(t *testing.T, backend string) {
		dir := t.TempDir()
		path := filepath.Join(dir, "demo.script")
		os.WriteFile(path, []byte(readmeScript(t)), 0o644)
		t.Chdir(dir)
		status, _, errOut := runCLI(t, "-accel", backend, "-display", "none", "-serial", "none", "-script", path)
		if status != 0 {
			t.Fatalf("status %d: %s", status, errOut)
		}
		if _, err := os.Stat(filepath.Join(dir, "demo-trace.json")); err != nil {
			t.Fatalf("the script's save-trace step wrote nothing: %v", err)
		}
	})
}

// A failing step stops the script with its line and a clear reason.
func TestScriptFailureNamesTheStep(t *testing.T) {
	emutest.ForEachBackend(t, func(t *testing.T, backend string) {
		path := filepath.Join(t.TempDir(), "fail.script")
		os.WriteFile(path, []byte("expect serial /ready/\nexpect serial /no such line/ 500ms\nsend \"never sent\"\n"), 0o644)
		status, _, errOut := runCLI(t, "-accel", backend, "-display", "none", "-serial", "none", "-script", path)
		if status != statusScriptFailed || !strings.Contains(errOut, "fail.script:2: expect serial /no such line/ 500ms") || !strings.Contains(errOut, "last serial lines") {
			t.Fatalf("status %d, stderr:\n%s", status, errOut)
		}
	})
}

// A save-trace step that cannot write says so in its own words: the step,
// not the -trace flag (issue 13, item 7).
func TestSaveTraceStepErrorNamesTheStep(t *testing.T) {
	path := filepath.Join(t.TempDir(), "save.script")
	os.WriteFile(path, []byte("expect serial /ready/ 30s\nsave-trace /no/such/dir/t.json\n"), 0o644)
	status, _, errOut := runCLI(t, "-display", "none", "-serial", "none", "-script", path)
	if status != statusScriptFailed || !strings.Contains(errOut, "save-trace /no/such/dir/t.json") || strings.Contains(errOut, "-trace:") {
		t.Fatalf("status %d, stderr:\n%s", status, errOut)
	}
}

// send serial puts bytes on COM1's receive line: a guest that reads its
// serial port gets them.
func TestScriptSendSerial(t *testing.T) {
	dir := t.TempDir()
	kernel := filepath.Join(dir, "echo.elf")
	// Wait for a byte on COM1 and exit with it (see emulator's readCOM1).
	os.WriteFile(kernel, emutest.TinyKernel(0x66, 0xba, 0xfd, 0x03, 0xec, 0xa8, 0x01, 0x74, 0xfb, 0x66, 0xba, 0xf8, 0x03, 0xec, 0xe6, 0xf4, 0xf4), 0o644)
	path := filepath.Join(dir, "serial.script")
	os.WriteFile(path, []byte("send serial \"Z\"\nwait-exit 20s value 90\n"), 0o644)
	if status, _, errOut := runCLI(t, "-display", "none", "-serial", "none", "-kernel", kernel, "-script", path); status != 0 {
		t.Fatalf("status %d: %s", status, errOut)
	}
}
