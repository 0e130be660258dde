package kvm

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// Without /dev/kvm, or without permission, the error says so plainly and
// what to do.
func TestOpenErrorsAreExplained(t *testing.T) {
	cases := []struct {
		err  error
		want string
	}{
		{&os.PathError{Op: "open", Path: DevicePath, Err: os.ErrNotExist}, "does not exist"},
		{&os.PathError{Op: "open", Path: DevicePath, Err: os.ErrPermission}, "kvm group"},
		{errors.New("device busy"), "device busy"},
	}
	for _, c := range cases {
		err := explainOpenError(c.err)
		if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("explainOpenError(%v) = %v, want ErrUnavailable saying %q", c.err, err, c.want)
		}
	}
}

func TestCPUIDHidesTheAPIC(t *testing.T) {
	if err := Available(); err != nil {
		t.Skipf("skipping: %v", err)
	}
	c, err := filteredCPUID(uintptr(mustOpenKVM(t)))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range c.Entries {
		if e.Function == leafFeatures && (e.Edx&featEDXAPIC != 0 || e.Ecx&featECXX2APIC != 0) {
			t.Fatalf("leaf 1 still advertises an APIC: edx=%#x ecx=%#x", e.Edx, e.Ecx)
		}
	}
}

func mustOpenKVM(t *testing.T) int {
	f, err := os.OpenFile(DevicePath, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return int(f.Fd())
}
