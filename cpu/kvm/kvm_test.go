package kvm

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/pollscope/pollscope/cpu/cpuid"
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

// The table KVM_SET_CPUID2 gets is cpuid.Filter's: no APIC, nothing
// beyond the software CPU's features, no paravirtual feature that needs an
// in-kernel irqchip.
func TestCPUIDIsFiltered(t *testing.T) {
	if err := Available(); err != nil {
		t.Skipf("skipping: %v", err)
	}
	c, err := filteredCPUID(uintptr(mustOpenKVM(t)))
	if err != nil {
		t.Fatal(err)
	}
	base := map[uint32]cpuid.Leaf{}
	for _, l := range cpuid.Baseline() {
		base[l.Function] = l
	}
	for _, e := range toLeaves(c.Entries) {
		switch e.Function {
		case cpuid.LeafFeatures, cpuid.LeafExtFeatures7, cpuid.LeafExtFeatures:
			b := base[e.Function]
			if e.ECX&^b.ECX != 0 || e.EDX&^b.EDX != 0 {
				t.Errorf("leaf %#x offers ecx=%#x edx=%#x beyond the baseline's %#x %#x", e.Function, e.ECX, e.EDX, b.ECX, b.EDX)
			}
		case cpuid.LeafKVMFeatures:
			if e.EAX&^cpuid.KVMFeaturesKept != 0 {
				t.Errorf("leaf 0x40000001 EAX %#x offers paravirtual features that need an in-kernel irqchip (%#x)", e.EAX, e.EAX&^cpuid.KVMFeaturesKept)
			}
		case 0xd:
			t.Errorf("the XSAVE leaf 0xd is offered")
		}
		if e.Function == cpuid.LeafFeatures && e.EDX&cpuid.F1EdxAPIC != 0 {
			t.Errorf("leaf 1 still advertises an APIC: edx=%#x", e.EDX)
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
