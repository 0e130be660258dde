package emulator

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/pollscope/pollscope/devices/rtc"
	"github.com/pollscope/pollscope/guest"
	"github.com/pollscope/pollscope/trace"
)

// Config says what to boot and how.
type Config struct {
	// Kernel is an ELF64 image with a PVH entry note. When both Kernel and
	// KernelPath are empty the embedded demo kernel boots.
	Kernel []byte
	// KernelPath names a kernel file to read when Kernel is nil.
	KernelPath string
	// Cmdline is the kernel command line (at most MaxCmdline bytes).
	Cmdline string
	// Initrd is an initial RAM disk (an initramfs) handed to the kernel
	// through the PVH start info's module list, as QEMU's -initrd does;
	// InitrdPath names a file to read when Initrd is nil. It is placed at
	// the top of guest RAM (below 896 MiB) and reserved in the memory map.
	Initrd     []byte
	InitrdPath string
	// MemoryMiB is the guest RAM size; 0 means DefaultMemoryMiB.
	MemoryMiB int
	// Backend selects the CPU: BackendKVM (the host's KVM) or BackendTCG
	// (the software CPU). "" means KVM where /dev/kvm is usable and the
	// software CPU elsewhere.
	Backend string
	// SerialOut, if set, receives every byte the guest transmits on COM1.
	// It is written from a goroutine of its own, in batches, so a slow
	// writer never stalls the guest; everything has been written by the
	// time Close returns. The machine also keeps the output; see
	// Machine.Serial.
	SerialOut io.Writer
	// ICount runs the software CPU (Backend tcg) in deterministic time,
	// QEMU's -icount: the clock, the TSC and so every device's timing
	// follow the instruction count (one nanosecond per instruction), so a
	// run is a function of its inputs and the instructions they arrive at.
	// Time the guest spends halted is skipped ahead, paced to the wall
	// clock unless NoIdlePacing.
	ICount       bool
	NoIdlePacing bool
	// Replay gives a deterministic run (ICount) a recorded run's host
	// inputs (Session.Inputs) instead of live ones: each is applied at the
	// machine time, and so at the instruction, it was recorded at, and
	// the guest repeats the recorded run. ReplayUntil, if not 0, stops the
	// guest when its clock reaches that machine time (the recording's
	// end).
	Replay      []SessionInput
	ReplayUntil time.Duration
	// StartStopped parks the vCPU for the debugger before its first
	// instruction, until Debugger().Resume or Detach (QEMU's -S).
	StartStopped bool
	// WallTime is the date and time the RTC shows at power-on; the zero
	// value means the host's clock now. A deterministic run gives a fixed
	// one.
	WallTime time.Time
	// Trace tunes the trace model (caps, lint thresholds); the zero value
	// selects the defaults.
	Trace trace.Options
	// Record, if set, names a file that New creates (truncating it) and the
	// machine records its session to while it runs, for OpenSession and
	// `pollscope view` (see Machine.Record). Each machine needs a file of
	// its own: two machines made from one Config would write one file.
	Record string
}

// The kernel's names in messages and in a session's metadata when it is
// not a file.
const (
	demoKernelName  = "the embedded demo kernel"
	givenKernelName = "the given kernel image"
)

// kernelBytes returns the bytes to boot and a name for messages.
func (c *Config) kernelBytes() ([]byte, string, error) {
	switch {
	case c.Kernel != nil:
		return c.Kernel, givenKernelName, nil
	case c.KernelPath != "":
		b, err := os.ReadFile(c.KernelPath)
		if err != nil {
			return nil, c.KernelPath, fmt.Errorf("%w: reading the kernel: %w", ErrBadKernel, err)
		}
		return b, c.KernelPath, nil
	default:
		return guest.Kernel, demoKernelName, nil
	}
}

func (c *Config) memoryMiB() int {
	if c.MemoryMiB == 0 {
		return DefaultMemoryMiB
	}
	return c.MemoryMiB
}

// initrdBytes returns the initrd to load, if any, and a name for messages
// and the module's command line.
func (c *Config) initrdBytes() ([]byte, string, error) {
	switch {
	case c.Initrd != nil:
		return c.Initrd, "initrd", nil
	case c.InitrdPath != "":
		b, err := os.ReadFile(c.InitrdPath)
		if err != nil {
			return nil, c.InitrdPath, fmt.Errorf("reading the initrd: %w", err)
		}
		return b, c.InitrdPath, nil
	default:
		return nil, "", nil
	}
}

// wallTime is the RTC's power-on time.
func (c *Config) wallTime() rtc.WallTime {
	t := c.WallTime
	if t.IsZero() {
		t = time.Now()
	}
	return rtc.WallTime{Sec: t.Unix(), Nsec: int64(t.Nanosecond())}
}
