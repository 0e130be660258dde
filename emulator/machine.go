// Package emulator is pollscope's machine and its scripting API: it boots a
// kernel on a virtual CPU (the host's KVM, or the software CPU) with the
// PC's legacy devices, runs it, and lets Go code watch the console and learn
// how the guest ended.
//
// A run goes: New(Config) loads the kernel (the embedded demo kernel by
// default) and creates the vCPU; Start runs the guest on its own vCPU thread
// (Run starts and waits in one call). While it runs: Serial and ScreenText
// read the console, WaitSerial and WaitScreen wait for a regular expression
// (a failure is a *WaitError showing the console's tail), KeyDown, KeyUp,
// PressKey and TypeText drive the PS/2 keyboard, Pause and Resume hold the
// vCPU, Trace and SubscribeTrace give the executor's trace model and live
// events, WritePerfetto exports it. Wait or Done report how the guest
// ended (a Result: its isa-debug-exit value, a triple fault with a register
// dump, ...). Close releases everything; a process can run many machines,
// one after another or at once.
//
// A script in Go, as in the package's examples (example_test.go, shown by
// pkgsite and by `go test -run Example -v ./emulator`):
//
//	m, err := emulator.New(emulator.Config{Cmdline: "hz=100"})
//	if err != nil {
//		return err
//	}
//	defer m.Close()
//	m.Start()
//	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
//	defer cancel()
//	m.WaitSerial(ctx, regexp.MustCompile(`(?m)^ready$`))
//	m.TypeText(ctx, "hello\n")
//	m.WaitScreen(ctx, regexp.MustCompile(`hello`))
//	fmt.Println(m.Trace().Tasks)
//
// For Go tests, package emutest wraps this API for *testing.T.
package emulator

import (
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/pollscope/pollscope/cpu"
	"github.com/pollscope/pollscope/devices"
	"github.com/pollscope/pollscope/session"
)

// Machine is one guest. It is made of a few parts, each with its own lock:
// the vCPU (behind cpu.VCPU, whichever backend), the board (the devices,
// their ports and interrupt wiring), the timer service (devices with
// deadlines), the tracer (the trace ring, host events and loss counters),
// the host's input queue and the serial log; plus the run state (start,
// pause, stop, close). Its methods are safe for concurrent use, Close
// included: after Close the console and trace read as empty and the
// controls do nothing.
type Machine struct {
	backend string
	ram     []byte
	vcpu    cpu.VCPU
	clock   cpu.Clock

	board  *board
	timers *timerService // vCPU thread only
	tracer *tracer
	inputs inputQueue
	serial *outputLog

	life  lifecycle
	pause pauseState
	debug *Debugger

	sessionMeta session.Meta                    // what a recorded session says about this run
	rec         atomic.Pointer[sessionRecorder] // the session recorder, if recording

	symbols *Symbols  // the kernel's symbol table (symbols.go)
	paused  pausedCPU // the vCPU's registers while paused (inspect.go)

	windowRequested bool            // vCPU thread only: the interrupt window is asked for
	replay          *replaySchedule // a recorded run's inputs (Config.Replay), vCPU thread only
}

// New creates a machine ready to Start: it allocates guest RAM, creates the
// vCPU on the configured backend, builds the board, loads the kernel with
// its PVH boot information and sets the processor to the PVH entry state.
// Close releases all of it.
func New(cfg Config) (*Machine, error) {
	newVCPU, backend, err := cfg.backend()
	if err != nil {
		return nil, err
	}
	if cfg.Replay != nil && !cfg.ICount {
		return nil, fmt.Errorf("a replay needs deterministic time: set ICount (and the software CPU, Backend %q)", BackendTCG)
	}
	image, name, err := cfg.kernelBytes()
	if err != nil {
		return nil, err
	}
	kernel, err := parseKernel(image)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if cfg.WallTime.IsZero() {
		cfg.WallTime = time.Now() // once: the RTC and a recorded session agree
	}
	m := &Machine{backend: backend, serial: newOutputLog(cfg.SerialOut), symbols: kernelSymbols(image)}
	m.life.init()
	m.pause.init()
	m.debug = newDebugger(m)
	m.debug.wanted.Store(cfg.StartStopped)
	if cfg.Replay != nil {
		m.replay = &replaySchedule{inputs: cfg.Replay, until: cfg.ReplayUntil}
	}
	if m.ram, err = allocRAM(cfg.memoryMiB()); err != nil {
		m.serial.close()
		return nil, err
	}
	if err := m.build(newVCPU, cfg); err != nil {
		m.release()
		m.serial.close()
		return nil, err
	}
	if err := m.boot(kernel, name, &cfg); err != nil {
		m.release()
		m.serial.close()
		return nil, err
	}
	m.sessionMeta = sessionMetaFor(&cfg, backend, name, image, m.tracer.tscHz)
	if cfg.Record != "" {
		if err := m.recordTo(cfg.Record); err != nil {
			m.release()
			m.serial.close()
			return nil, err
		}
	}
	return m, nil
}

// build makes the parts: the vCPU first, since its clock is the machine's.
func (m *Machine) build(newVCPU vcpuFactory, cfg Config) error {
	var err error
	if m.vcpu, err = newVCPU(m.ram, &cfg); err != nil {
		return err
	}
	m.clock = m.vcpu.Clock()
	tscHz, _ := m.vcpu.TSCFrequency()
	m.tracer = newTracer(m.ram, m.clock, tscHz, cfg.Trace)
	m.board, err = newBoard(boardWiring{
		clock:     deviceClock{m.clock},
		wallTime:  cfg.wallTime(),
		ramBytes:  uint64(len(m.ram)),
		serialOut: m.serial,
		announce:  m.tracer.announce,
		onRaise:   m.recordIRQRaise,
	})
	if err != nil {
		return err
	}
	m.timers = newTimerService(m.board.timed)
	return nil
}

// boot loads the kernel, the initrd and the start info, does what a PC's
// firmware would (firmware.go) and sets the PVH entry state.
func (m *Machine) boot(kernel *kernelImage, name string, cfg *Config) error {
	if err := setFirmwareMSRs(m.vcpu); err != nil {
		return err
	}
	if err := loadKernel(m.ram, kernel); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	var initrd *module
	if data, iname, err := cfg.initrdBytes(); err != nil {
		return err
	} else if data != nil {
		if initrd, err = placeInitrd(m.ram, data, kernel.end(), iname); err != nil {
			return err
		}
	}
	startInfo, err := writeStartInfo(m.ram, cfg.Cmdline, initrd)
	if err != nil {
		return err
	}
	regs, sregs := pvhState(kernel.entry, startInfo)
	if err := m.vcpu.SetSRegs(sregs); err != nil {
		return err
	}
	return m.vcpu.SetRegs(regs)
}

// deviceClock is the vCPU's clock as the devices read it.
type deviceClock struct{ c cpu.Clock }

func (d deviceClock) Now() devices.Time { return devices.Time(d.c.Now()) }

// release frees the vCPU and guest RAM. The tracer and the device lock keep
// FlushTrace and Screen from touching RAM while they go.
func (m *Machine) release() error {
	if m.tracer != nil {
		m.tracer.release()
	}
	var errs []error
	if m.board != nil {
		m.board.mu.Lock()
		defer m.board.mu.Unlock()
	}
	if m.vcpu != nil {
		if err := m.vcpu.Close(); err != nil {
			errs = append(errs, err)
		}
		m.vcpu = nil
	}
	if err := freeRAM(m.ram); err != nil {
		errs = append(errs, err)
	}
	m.ram = nil
	return errors.Join(errs...)
}

// Serial returns everything the guest has sent on COM1 so far (the last
// MiB of it).
func (m *Machine) Serial() string {
	b, _ := m.serial.snapshot()
	return string(b)
}

// UnclaimedPorts lists the I/O ports the guest accessed that no device
// claims, with how often.
func (m *Machine) UnclaimedPorts() []UnclaimedAccess { return m.board.bus.unclaimedAccesses() }

// Backend names the CPU backend running the guest: BackendKVM or
// BackendTCG.
func (m *Machine) Backend() string { return m.backend }
