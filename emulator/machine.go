// Package emulator is pollscope's machine and its scripting API: it boots a
// kernel in a KVM virtual machine with the PC's legacy devices, runs it, and
// lets Go code watch the console and learn how the guest ended.
//
// A run goes: New(Config) loads the kernel (the embedded demo kernel by
// default) and creates the VM; Start runs the guest on its own vCPU thread
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
// For Go tests, package emutest wraps this API for *testing.T.
package emulator

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pollscope/pollscope/cpu"
	"github.com/pollscope/pollscope/devices"
	"github.com/pollscope/pollscope/devices/debugexit"
	"github.com/pollscope/pollscope/devices/pic"
	"github.com/pollscope/pollscope/devices/pit"
	"github.com/pollscope/pollscope/devices/ps2"
	"github.com/pollscope/pollscope/devices/serial"
	"github.com/pollscope/pollscope/devices/vga"
	"github.com/pollscope/pollscope/guest"
	"github.com/pollscope/pollscope/trace"
)

// Standard PC I/O ports of the devices pollscope emulates.
const (
	portPICMaster  = 0x20
	portPICSlave   = 0xa0
	portELCR       = 0x4d0
	portPIT        = 0x40
	portB          = 0x61
	portPOST       = 0x80 // POST code / I/O delay port
	portCOM1       = 0x3f8
	portPS2Data    = 0x60
	portPS2Command = 0x64
	portVGACRTC    = 0x3d4
	portDebugExit  = 0xf4 // QEMU's isa-debug-exit default iobase

	irqTimer    = 0
	irqKeyboard = 1
	irqCOM1     = 4
	irqMouse    = 12
)

// Machine is one guest: its RAM, its vCPU, its devices and its run state.
// Its methods are safe for concurrent use, Close included: after Close the
// console and trace read as empty and the controls do nothing.
type Machine struct {
	ram     []byte
	backend string
	vcpu    cpu.VCPU

	// devMu serialises every call into a device model: port accesses from
	// the vCPU thread, timer updates and host input.
	devMu      sync.Mutex
	bus        portBus
	clock      cpu.Clock
	pic        *pic.Pair
	pit        *pit.PIT
	timerLine  devices.IRQLine // IRQ 0's wire to the PIC
	ticksDue   uint64          // timer ticks produced (see timer.go)
	ticksTaken uint64          // timer interrupts the guest acknowledged
	uart       *serial.UART
	kbd        *ps2.Controller
	vga        *vga.VGA
	guestExit  *uint32 // set by isa-debug-exit, read by the vCPU loop
	reset      bool    // the guest pulsed the reset line
	onVCPU     bool    // the vCPU thread holds the device lock
	host       hostLog

	serialLog   *outputLog
	tracer      tracer
	drainMu     sync.Mutex // serialises ring draining (see FlushTrace)
	drainerDone chan struct{}

	exits   [cpu.NumExitKinds]atomic.Uint64
	exitLog exitLog
	intrUp  atomic.Bool // the PIC's INT output, mirrored for the run loop

	// Run state.
	pauseMu     sync.Mutex
	pauseCond   *sync.Cond
	pauseWanted atomic.Bool // Pause asked, Resume not yet
	pausedNow   bool        // the vCPU thread is parked
	lifeMu      sync.Mutex  // orders Start against Close
	closed      bool        // Close has begun (lifeMu)
	started     atomic.Bool
	stopping    atomic.Bool
	stopCh      chan struct{}
	stopOnce    sync.Once
	// PIT timing, owned by the vCPU thread (see timer.go).
	pitDeadline     time.Duration
	pitDirty        bool
	windowRequested bool // vCPU thread only
	done            chan struct{}
	result          Result
	closeOnce       sync.Once
	closeErr        error
}

// New creates a machine ready to Start: it allocates guest RAM, creates the
// KVM VM and vCPU, loads the kernel with its PVH boot information and sets
// the processor to the PVH entry state. Close releases all of it.
func New(cfg Config) (*Machine, error) {
	newVCPU, backend, err := cfg.backend()
	if err != nil {
		return nil, err
	}
	image, name, err := cfg.kernelBytes()
	if err != nil {
		return nil, err
	}
	kernel, err := parseKernel(image)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	m := &Machine{
		stopCh:    make(chan struct{}),
		done:      make(chan struct{}),
		serialLog: newOutputLog(cfg.SerialOut),
		backend:   backend,
	}
	m.tracer.collector = trace.NewCollector(cfg.Trace)
	m.pauseCond = sync.NewCond(&m.pauseMu)
	if m.ram, err = allocRAM(cfg.memoryMiB()); err != nil {
		m.serialLog.close()
		return nil, err
	}
	if err := m.boot(newVCPU, kernel, name, cfg.Cmdline); err != nil {
		m.release()
		m.serialLog.close()
		return nil, err
	}
	return m, nil
}

func (m *Machine) boot(newVCPU vcpuFactory, kernel *kernelImage, name, cmdline string) error {
	if err := loadKernel(m.ram, kernel); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	startInfo, err := writeStartInfo(m.ram, cmdline)
	if err != nil {
		return err
	}
	if m.vcpu, err = newVCPU(m.ram); err != nil {
		return err
	}
	m.clock = m.vcpu.Clock()
	if err := m.attachDevices(); err != nil {
		return err
	}
	if hz, err := m.vcpu.TSCFrequency(); err == nil {
		m.tracer.tscHz = hz
	}
	regs, sregs := pvhState(kernel.entry, startInfo)
	if err := m.vcpu.SetSRegs(sregs); err != nil {
		return err
	}
	return m.vcpu.SetRegs(regs)
}

func (m *Machine) attachDevices() error {
	m.pic = pic.New(intrPin{m})
	m.uart = serial.New(m.irqLine(irqCOM1), m.serialLog)
	m.timerLine = m.irqLine(irqTimer)
	m.pit = pit.New(m.clock, &pitOutput{m: m})
	m.pitDirty = true
	m.kbd = ps2.New(m.irqLine(irqKeyboard), m.irqLine(irqMouse), func() { m.reset = true })
	m.vga = vga.New()
	exit := debugexit.New(func(v uint32) { m.guestExit = &v })
	return errors.Join(
		m.bus.register("8254 PIT", portPIT, 4, pitPorts{m.pit.Ports(), m}),
		m.bus.register("port B (speaker, PIT gate 2)", portB, 1, m.pit.PortB()),
		m.bus.register("POST code", portPOST, 1, &postPort{}),
		m.bus.register("8042 data", portPS2Data, 1, m.kbd.Data()),
		m.bus.register("8042 status/command", portPS2Command, 1, m.kbd.Command()),
		m.bus.register("VGA CRTC", portVGACRTC, 2, m.vga),
		m.bus.register("8259A master", portPICMaster, 2, m.pic.Master()),
		m.bus.register("8259A slave", portPICSlave, 2, m.pic.Slave()),
		m.bus.register("8259A ELCR", portELCR, 2, m.pic.ELCR()),
		m.bus.register("serial (COM1)", portCOM1, 8, m.uart),
		m.bus.register("isa-debug-exit", portDebugExit, 4, exit),
		m.bus.register("trace announcement", guest.TracePort, 4, tracePort{m}),
	)
}

// Start boots the guest on its own vCPU goroutine and returns at once.
func (m *Machine) Start() error {
	m.lifeMu.Lock()
	defer m.lifeMu.Unlock()
	if m.closed {
		return errors.New("the machine is closed")
	}
	if !m.started.Load() {
		m.drainerDone = make(chan struct{})
		m.started.Store(true)
		go m.runDrainer()
		go func() {
			m.result = m.runVCPU()
			close(m.done)
			m.setPaused(false) // wake Pause callers, after done is closed
		}()
	}
	return nil
}

// kick makes the vCPU re-check its state: out of KVM_RUN or its halt sleep.
// The device lock keeps Close from releasing the vCPU meanwhile.
func (m *Machine) kick() {
	m.devMu.Lock()
	if m.vcpu != nil {
		m.vcpu.Kick()
	}
	m.devMu.Unlock()
}

// Wait blocks until the guest ends or ctx is done. It returns the result, or
// ctx's error while the guest keeps running.
func (m *Machine) Wait(ctx context.Context) (Result, error) {
	if !m.started.Load() {
		return Result{}, errors.New("the machine has not been started")
	}
	select {
	case <-m.done:
		return m.result, nil
	case <-ctx.Done():
		return Result{Outcome: OutcomeRunning}, ctx.Err()
	}
}

// Run starts the guest and waits for it to end. When ctx is done first it
// stops the guest and returns its result (OutcomeStopped) with ctx's error.
func (m *Machine) Run(ctx context.Context) (Result, error) {
	if err := m.Start(); err != nil {
		return Result{}, err
	}
	res, err := m.Wait(ctx)
	if err != nil {
		m.Stop()
		<-m.done
		return m.result, err
	}
	return res, nil
}

// Stop asks the vCPU to stop and returns at once; Wait then reports
// OutcomeStopped unless the guest had already ended.
func (m *Machine) Stop() {
	m.stopOnce.Do(func() {
		m.stopping.Store(true)
		close(m.stopCh)
		m.kick()
	})
}

// Done is closed when the guest has ended.
func (m *Machine) Done() <-chan struct{} { return m.done }

// Close stops the guest, waits for its vCPU goroutine and releases every
// file descriptor and mapping. It is safe to call more than once.
func (m *Machine) Close() error {
	m.closeOnce.Do(func() {
		m.lifeMu.Lock()
		m.closed = true // Start refuses from now on
		started := m.started.Load()
		m.lifeMu.Unlock()
		m.Stop()
		if started {
			<-m.done
			<-m.drainerDone
		} else {
			close(m.done) // nobody else will: wake Done and WaitSerial
		}
		m.closeErr = m.release()
		m.serialLog.close() // everything the guest sent reaches SerialOut
	})
	return m.closeErr
}

// release frees everything. The drain and device locks keep FlushTrace,
// Screen and kick from touching RAM or the vCPU while they go.
func (m *Machine) release() error {
	m.drainMu.Lock()
	defer m.drainMu.Unlock()
	m.devMu.Lock()
	defer m.devMu.Unlock()
	var errs []error
	if m.vcpu != nil {
		errs = append(errs, m.vcpu.Close())
		m.vcpu = nil
	}
	errs = append(errs, freeRAM(m.ram))
	m.ram = nil
	return errors.Join(errs...)
}

// Serial returns everything the guest has sent on COM1 so far (the last
// MiB of it).
func (m *Machine) Serial() string {
	b, _ := m.serialLog.snapshot()
	return string(b)
}

// UnclaimedPorts lists the I/O ports the guest accessed that no device
// claims, with how often.
func (m *Machine) UnclaimedPorts() []UnclaimedAccess { return m.bus.unclaimedAccesses() }

// ExitCounts returns how many VM exits of each kind the vCPU has taken.
func (m *Machine) ExitCounts() map[cpu.ExitKind]uint64 {
	out := make(map[cpu.ExitKind]uint64)
	for k := range m.exits {
		if n := m.exits[k].Load(); n > 0 {
			out[cpu.ExitKind(k)] = n
		}
	}
	return out
}

// Backend names the CPU backend running the guest: BackendKVM or
// BackendTCG.
func (m *Machine) Backend() string { return m.backend }
