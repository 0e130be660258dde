package emutest

import (
	"bufio"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pollscope/pollscope/emulator"
)

// A guest test line, the blog_os way: "heap::box_alloc... [ok]" or
// "... [failed]", a failure followed by "Error: message".
var guestTestLine = regexp.MustCompile(`^(\S+)\.\.\.\s+\[(ok|failed)\]$`)

// GuestTest is one in-kernel test's outcome as the guest reported it.
type GuestTest struct {
	Name   string
	Passed bool
	Error  string // the guest's message for a failed test
}

// ParseGuestTests reads blog_os-style test output.
func ParseGuestTests(serial string) []GuestTest {
	var out []GuestTest
	sc := bufio.NewScanner(strings.NewReader(serial))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if m := guestTestLine.FindStringSubmatch(line); m != nil {
			out = append(out, GuestTest{Name: m[1], Passed: m[2] == "ok"})
		} else if msg, ok := strings.CutPrefix(line, "Error: "); ok && len(out) > 0 && !out[len(out)-1].Passed {
			out[len(out)-1].Error = msg
		}
	}
	return out
}

// KernelTests boots a kernel that runs its own tests and reports them the
// blog_os way (a line per test on serial, the overall status through
// isa-debug-exit, value 0 for success), then reports each guest test as a
// subtest of t: a kernel's test suite in one call. The demo kernel runs its
// tests with "test" on its command line.
func KernelTests(t *testing.T, cfg emulator.Config, timeout time.Duration) []GuestTest {
	t.Helper()
	m := Boot(t, cfg)
	res := WaitExit(t, m, timeout)
	tests := ParseGuestTests(m.Serial())
	for _, gt := range tests {
		t.Run(gt.Name, func(t *testing.T) {
			if !gt.Passed {
				t.Errorf("guest test failed: %s", gt.Error)
			}
		})
	}
	if len(tests) == 0 {
		t.Errorf("the guest reported no tests; serial:\n%s", m.Serial())
	}
	if res.Outcome != emulator.OutcomeExit {
		t.Errorf("the guest did not exit through isa-debug-exit: %v", res)
	} else if failed := countFailed(tests); (res.ExitValue == 0) != (failed == 0) {
		t.Errorf("the guest exited with value %d but reported %d failed tests", res.ExitValue, failed)
	}
	return tests
}

func countFailed(tests []GuestTest) int {
	n := 0
	for _, gt := range tests {
		if !gt.Passed {
			n++
		}
	}
	return n
}
