package emulator_test

import (
	"os/exec"
	"strings"
	"testing"
)

// `go doc ./emulator`, which the README points to, shows how to script a
// guest: go doc prints no examples, so the package comment carries one.
func TestGoDocShowsAScript(t *testing.T) {
	out, err := exec.Command("go", "doc", ".").CombinedOutput()
	if err != nil {
		t.Skipf("go doc unavailable: %v\n%s", err, out)
	}
	for _, want := range []string{"emulator.New(emulator.Config{", "m.TypeText(ctx", "m.WaitScreen(ctx"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("go doc ./emulator lacks %q:\n%s", want, out)
		}
	}
}
