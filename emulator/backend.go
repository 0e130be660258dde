package emulator

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pollscope/pollscope/cpu"
	"github.com/pollscope/pollscope/cpu/interp"
	kvmcpu "github.com/pollscope/pollscope/cpu/kvm"
)

// The CPU backends, by the names -accel takes (QEMU's: kvm for the host's
// hypervisor, tcg for its software CPU).
const (
	BackendKVM = "kvm"
	BackendTCG = "tcg"
)

// vcpuFactory makes a backend's vCPU over guest RAM at physical address 0,
// as the configuration asks.
type vcpuFactory func(ram []byte, cfg *Config) (cpu.VCPU, error)

// backendInfo is one CPU backend: how to make its vCPU and whether this
// host can run it (nil, or why not).
type backendInfo struct {
	newVCPU   vcpuFactory
	available func() error
}

// backends is every CPU backend pollscope has. A new backend is a package
// implementing cpu.VCPU and one entry here.
var backends = map[string]backendInfo{
	BackendKVM: {
		newVCPU:   func(ram []byte, cfg *Config) (cpu.VCPU, error) { return kvmcpu.New(ram) },
		available: kvmcpu.Available,
	},
	BackendTCG: {
		newVCPU: func(ram []byte, cfg *Config) (cpu.VCPU, error) {
			return interp.New(ram, interp.Options{ICount: cfg.ICount, PaceIdle: cfg.ICount && !cfg.NoIdlePacing})
		},
	},
}

// backendNames lists the backends for messages.
func backendNames() string { return strings.Join(Backends(), ", ") }

// DefaultBackend is the backend an empty Config.Backend selects: KVM where
// /dev/kvm is usable, else the software CPU (where this build has one).
func DefaultBackend() string {
	if _, ok := backends[BackendTCG]; ok && kvmcpu.Available() != nil {
		return BackendTCG
	}
	return BackendKVM
}

// backend resolves Config.Backend to a vCPU factory and the backend's name.
func (c *Config) backend() (vcpuFactory, string, error) {
	name := c.Backend
	if name == "" {
		name = DefaultBackend()
	}
	b, ok := backends[name]
	if !ok {
		return nil, "", fmt.Errorf("backend %q is not available: choose one of %s", name, backendNames())
	}
	if c.ICount && name != BackendTCG {
		return nil, "", fmt.Errorf("deterministic time (ICount, -icount) needs the software CPU (-accel %s): %s runs in real time", BackendTCG, name)
	}
	return b.newVCPU, name, nil
}

// Backends lists the CPU backends this build has, for -accel's help.
func Backends() []string {
	names := make([]string, 0, len(backends))
	for n := range backends {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// BackendAvailable says whether this host can run the named backend, and
// if not, why.
func BackendAvailable(name string) error {
	b, ok := backends[name]
	if !ok {
		return fmt.Errorf("there is no CPU backend %q: choose one of %s", name, backendNames())
	}
	if b.available == nil {
		return nil
	}
	return b.available()
}
