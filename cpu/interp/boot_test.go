package interp_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/pollscope/pollscope/emulator"
)

func TestBootCmdline(t *testing.T) {
	cmd := os.Getenv("INTERP_CMDLINE")
	if cmd == "" {
		cmd = "test"
	}
	m, err := emulator.New(emulator.Config{Backend: emulator.BackendTCG, Cmdline: cmd})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := m.Run(ctx)
	t.Logf("result: %+v err=%v", res, err)
	if res.Dump != nil {
		t.Logf("dump:\n%s", res.Dump)
	}
	t.Logf("serial:\n%s", m.Serial())
	t.Logf("exits: %v", m.ExitCounts())
}
