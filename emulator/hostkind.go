package emulator

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/pollscope/pollscope/emulator/internal/pvhelf"
)

// HostKind says what kind of KVM host pollscope runs on, which decides what
// its guest figures mean: on hardware-virtualised KVM every guest
// instruction runs natively; on KVM that emulates CPL0 (PVM, the
// nested-virtualisation KVM of many cloud VMs, which has no VMX/SVM to
// use) guest code at CPL3 runs natively but code at CPL0 goes through
// KVM's instruction emulator, about a microsecond per instruction.
type HostKind struct {
	// EmulatesCPL0 is true on a host whose KVM runs the guest's CPL0 code
	// through its instruction emulator.
	EmulatesCPL0 bool
	// Known is false when nothing said which kind it is (then EmulatesCPL0
	// is false and How says what was missing).
	Known bool
	// How says what the answer rests on.
	How string
}

// The two kinds, as pollscope names them to the user.
const (
	HostHardwareKVM  = "hardware-virtualised KVM"
	HostEmulatedCPL0 = "KVM that emulates CPL0 (PVM/nested)"
	hostUnknown      = "KVM of an unknown kind"
)

// Name is the kind in a few words: HostHardwareKVM or HostEmulatedCPL0.
func (k HostKind) Name() string {
	switch {
	case !k.Known:
		return hostUnknown
	case k.EmulatesCPL0:
		return HostEmulatedCPL0
	default:
		return HostHardwareKVM
	}
}

// String is the name and how it was found, for a banner or a report.
func (k HostKind) String() string {
	return k.Name() + " (" + k.How + ")"
}

// pvmModule is where a loaded kvm_pvm module shows.
const pvmModule = "/sys/module/kvm_pvm"

// DetectHostKind tells the host's kind from what the host exposes, without
// running a guest: a loaded kvm_pvm module means PVM; otherwise the CPU
// flags in /proc/cpuinfo say whether KVM has VMX or SVM to use.
func DetectHostKind() HostKind {
	cpuinfo, err := os.ReadFile("/proc/cpuinfo")
	_, pvmErr := os.Stat(pvmModule)
	return classifyHost(pvmErr == nil, string(cpuinfo), err)
}

// classifyHost is DetectHostKind's decision, given whether the kvm_pvm
// module is loaded and /proc/cpuinfo's text (or why it could not be read).
func classifyHost(pvmLoaded bool, cpuinfo string, cpuinfoErr error) HostKind {
	if pvmLoaded {
		return HostKind{EmulatesCPL0: true, Known: true, How: "the kvm_pvm module is loaded: " + pvmModule + " exists"}
	}
	if cpuinfoErr != nil {
		return HostKind{How: fmt.Sprintf("no kvm_pvm module, and the CPU flags could not be read: %v", cpuinfoErr)}
	}
	flags := cpuFlags(cpuinfo)
	for _, f := range []string{"vmx", "svm"} {
		if flags[f] {
			return HostKind{Known: true, How: "the CPU flags list " + f}
		}
	}
	if len(flags) == 0 {
		return HostKind{How: "no kvm_pvm module, and /proc/cpuinfo lists no CPU flags"}
	}
	return HostKind{EmulatesCPL0: true, Known: true, How: "the CPU flags list neither vmx nor svm, so KVM has no hardware virtualisation to use"}
}

// cpuFlags is the set of words on /proc/cpuinfo's first "flags" line.
func cpuFlags(cpuinfo string) map[string]bool {
	flags := map[string]bool{}
	for _, line := range strings.Split(cpuinfo, "\n") {
		name, value, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(name) != "flags" {
			continue
		}
		for _, f := range strings.Fields(value) {
			flags[f] = true
		}
		break
	}
	return flags
}

// emulatedLoopNs is the per-iteration cost of `dec ecx; jnz` above which
// CPL0 code counts as emulated: natively it is under a nanosecond, through
// KVM's instruction emulator about a microsecond.
const emulatedLoopNs = 100

// MeasureHostKind tells the host's kind by measurement: it boots a tiny
// guest that loops `dec ecx; jnz` at CPL0 (32-bit protected mode, as a PVH
// kernel starts) and times it against a run of one iteration, so boot and
// machine creation drop out. It takes a few tens of milliseconds where
// CPL0 is emulated and needs /dev/kvm.
func MeasureHostKind() (HostKind, error) {
	const n = 20000
	long, err := timeLoopGuest(n)
	if err != nil {
		return HostKind{}, err
	}
	short, err := timeLoopGuest(1)
	if err != nil {
		return HostKind{}, err
	}
	return classifyLoop(float64(long-short) / (n - 1)), nil
}

// classifyLoop is MeasureHostKind's decision from the per-iteration cost.
func classifyLoop(ns float64) HostKind {
	how := fmt.Sprintf("a CPL0 loop ran at %.1f ns per iteration", max(ns, 0))
	return HostKind{EmulatesCPL0: ns > emulatedLoopNs, Known: true, How: how}
}

// timeLoopGuest runs the loop guest with n iterations and returns how long
// the whole run took.
func timeLoopGuest(n uint32) (time.Duration, error) {
	code := append([]byte{0xb9}, binary.LittleEndian.AppendUint32(nil, n)...) // mov ecx, n
	code = append(code, 0x49, 0x75, 0xfd)                                     // dec ecx; jnz -3
	code = append(code, 0xb0, 0x00, 0xe6, 0xf4)                               // mov al, 0; out 0xf4, al
	m, err := New(Config{Kernel: pvhelf.Tiny(code).Build(), Backend: BackendKVM})
	if err != nil {
		return 0, err
	}
	defer m.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := time.Now()
	res, err := m.Run(ctx)
	d := time.Since(start)
	if err != nil {
		return 0, err
	}
	if res.Outcome != OutcomeExit {
		return 0, errors.New("the host-kind probe guest did not exit: " + res.String())
	}
	return d, nil
}
