package benchmarks

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	kvmcpu "github.com/pollscope/pollscope/cpu/kvm"
	"github.com/pollscope/pollscope/emulator"
)

var pollscopeBinary string

// TestMain builds the pollscope command once for the process-level
// benchmarks.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "pollscope-bench")
	if err == nil {
		bin := filepath.Join(dir, "pollscope")
		if out, err := exec.Command("go", "build", "-o", bin, "github.com/pollscope/pollscope/cmd/pollscope").CombinedOutput(); err == nil {
			pollscopeBinary = bin
		} else {
			os.Stderr.Write(out)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func requireKVM(b testing.TB) {
	b.Helper()
	if err := kvmcpu.Available(); err != nil {
		b.Skipf("skipping: %v", err)
	}
}

// bootReady boots the demo kernel with cmdline and waits for its "ready".
func bootReady(b testing.TB, cmdline string) *emulator.Machine {
	b.Helper()
	requireKVM(b)
	m, err := emulator.New(emulator.Config{Cmdline: cmdline})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { m.Close() })
	if err := m.Start(); err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := m.WaitSerial(ctx, regexp.MustCompile(`(?m)^ready$`)); err != nil {
		b.Fatal(err)
	}
	return m
}
