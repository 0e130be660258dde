package emulator

import (
	"context"
	"testing"
	"time"

	kvmcpu "github.com/pollscope/pollscope/cpu/kvm"
)

// requireKVM skips a test, saying why, where this host cannot run KVM.
func requireKVM(t testing.TB) {
	t.Helper()
	if err := kvmcpu.Available(); err != nil {
		t.Skipf("skipping: %v", err)
	}
}

// runGuest boots cfg and waits up to timeout for the guest to end.
func runGuest(t *testing.T, cfg Config, timeout time.Duration) (Result, *Machine) {
	t.Helper()
	requireKVM(t)
	m, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	res, err := m.Run(ctx)
	if err != nil {
		t.Fatalf("guest did not end within %v (%v); serial so far:\n%s", timeout, err, m.Serial())
	}
	return res, m
}
