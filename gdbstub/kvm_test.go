package gdbstub

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/pollscope/pollscope/cpu"
	kvmcpu "github.com/pollscope/pollscope/cpu/kvm"
)

// kvmTarget is a Target over a bare KVM vCPU running a program in 32-bit
// protected mode with paging off (the PVH entry state), so that linear is
// physical: the machine's Target in miniature. Its vCPU lives on one
// locked OS thread that runs every request; Resume kicks it when its
// context ends; breakpoints go through DebugPlan and cpu.Debugger.
type kvmTarget struct {
	ram    []byte
	vcpu   *kvmcpu.VCPU
	reqs   chan func()
	breaks []Breakpoint
	exited bool
	code   uint8
}

func newKVMTarget(t *testing.T, program []byte) *kvmTarget {
	t.Helper()
	if err := kvmcpu.Available(); err != nil {
		t.Skipf("skipping: %v", err)
	}
	ram, err := unix.Mmap(-1, 0, 1<<20, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		t.Fatal(err)
	}
	copy(ram[fakeCodeAddr:], program)
	v, err := kvmcpu.New(ram)
	if err != nil {
		t.Fatal(err)
	}
	k := &kvmTarget{ram: ram, vcpu: v, reqs: make(chan func())}
	started := make(chan error)
	go k.thread(started)
	if err := <-started; err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		k.do(func() { v.Close() })
		close(k.reqs)
		unix.Munmap(ram)
	})
	err = k.doErr(func() error {
		s, err := v.SRegs()
		if err != nil {
			return err
		}
		code := cpu.Segment{Limit: 0xffffffff, Selector: 0x08, Type: 11, Present: true, S: true, DB: true, G: true}
		data := cpu.Segment{Limit: 0xffffffff, Selector: 0x10, Type: 3, Present: true, S: true, DB: true, G: true}
		s.CS, s.DS, s.ES, s.FS, s.GS, s.SS = code, data, data, data, data, data
		s.CR0, s.CR4, s.EFER = cpu.CR0PE|cpu.CR0ET, 0, 0
		if err := v.SetSRegs(s); err != nil {
			return err
		}
		return v.SetRegs(cpu.Regs{RIP: fakeCodeAddr, RSP: 0x8000, RFLAGS: cpu.RFLAGSReserved})
	})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// thread is the vCPU thread: every call on the vCPU runs here.
func (k *kvmTarget) thread(started chan<- error) {
	runtime.LockOSThread() // never unlocked: BindThread changed its signal mask
	started <- k.vcpu.BindThread()
	for f := range k.reqs {
		f()
	}
}

func (k *kvmTarget) do(f func()) {
	done := make(chan struct{})
	k.reqs <- func() { f(); close(done) }
	<-done
}

func (k *kvmTarget) doErr(f func() error) error {
	var err error
	k.do(func() { err = f() })
	return err
}

func (k *kvmTarget) Halt(context.Context) (Stop, error) {
	if k.exited {
		return Stop{Reason: StopExited, ExitCode: k.code}, nil
	}
	return Stop{Reason: StopHalted}, nil
}

func (k *kvmTarget) Regs() (r cpu.Regs, err error) {
	k.do(func() { r, err = k.vcpu.Regs() })
	return
}
func (k *kvmTarget) SetRegs(r cpu.Regs) error {
	return k.doErr(func() error { return k.vcpu.SetRegs(r) })
}
func (k *kvmTarget) SRegs() (s cpu.SRegs, err error) {
	k.do(func() { s, err = k.vcpu.SRegs() })
	return
}
func (k *kvmTarget) SetSRegs(s cpu.SRegs) error {
	return k.doErr(func() error { return k.vcpu.SetSRegs(s) })
}
func (k *kvmTarget) FPU() (x cpu.FXSave, err error) {
	k.do(func() { x, err = k.vcpu.FPU() })
	return
}
func (k *kvmTarget) SetFPU(cpu.FXSave) error {
	return errors.New("cpu.VCPU has no way to write the FPU state")
}

func (k *kvmTarget) ReadMemory(_ Space, addr uint64, buf []byte) (int, error) {
	if addr >= uint64(len(k.ram)) {
		return 0, fmt.Errorf("%#x is past RAM", addr)
	}
	return copy(buf, k.ram[addr:]), nil
}

func (k *kvmTarget) WriteMemory(_ Space, addr uint64, data []byte) (int, error) {
	if addr >= uint64(len(k.ram)) {
		return 0, fmt.Errorf("%#x is past RAM", addr)
	}
	return copy(k.ram[addr:], data), nil
}

// plan turns gdb's breakpoints into a debug configuration: software
// breakpoints in the debug registers, since this host may not be able to
// intercept INT3.
func (k *kvmTarget) plan(bps []Breakpoint, step bool) (DebugPlan, error) {
	return PlanDebug(bps, step, PlanOptions{SoftwareAsHardware: true})
}

func (k *kvmTarget) SetBreakpoints(bps []Breakpoint) error {
	p, err := k.plan(bps, false)
	if err == nil {
		err = k.doErr(func() error { return k.vcpu.SetDebug(p.Config) })
	}
	if err != nil {
		return err
	}
	k.breaks = bps
	return nil
}

func (k *kvmTarget) Resume(ctx context.Context, step bool) (Stop, error) {
	if k.exited {
		return Stop{Reason: StopExited, ExitCode: k.code}, nil
	}
	p, err := k.plan(k.breaks, step)
	if err != nil {
		return Stop{}, err
	}
	var stop Stop
	err = k.doErr(func() error {
		if err := k.vcpu.SetDebug(p.Config); err != nil {
			return err
		}
		kick := context.AfterFunc(ctx, k.vcpu.Kick)
		defer kick()
		for {
			e, err := k.vcpu.Run()
			if err != nil {
				return err
			}
			switch e.Kind {
			case cpu.ExitDebug:
				stop = p.Stop(e.Debug)
				return nil
			case cpu.ExitHLT:
				r, err := k.vcpu.Regs()
				k.exited, k.code = true, uint8(r.RAX)
				stop = Stop{Reason: StopExited, ExitCode: k.code}
				return err
			case cpu.ExitKicked:
				if ctx.Err() != nil {
					stop = Stop{Reason: StopHalted}
					return nil
				}
			default:
				stop = Stop{Reason: StopFault, Message: fmt.Sprintf("the test guest stopped with a %v exit", e.Kind)}
				return nil
			}
		}
	})
	return stop, err
}

func (k *kvmTarget) Detach() error {
	return k.doErr(func() error { return k.vcpu.SetDebug(cpu.DebugConfig{}) })
}

func (k *kvmTarget) Kill() error { k.exited = true; return nil }

// TestGDBOnKVM: Debian's gdb against the stub against this host's KVM,
// stepping, breaking and watching in CPL0 code, and told what the host
// cannot do.
func TestGDBOnKVM(t *testing.T) {
	gdb, err := exec.LookPath("gdb")
	if err != nil {
		t.Skip("skipping: gdb is not installed (scripts/setup.sh test installs Debian's)")
	}
	_, err = os.Stat("/sys/module/kvm_pvm")
	pvm := err == nil
	t.Run("breakpoints and a hardware watchpoint", func(t *testing.T) {
		want := []string{"0x0000000000001005 in ?? ()", "0x0000000000001007 in ?? ()", "$1 = 1"}
		if pvm {
			// PVM refuses watchpoints; gdb can only say it could not
			// insert one, the stub's log says why.
			want = append(want, "Could not insert hardware watchpoint 1.")
		} else {
			want = append(want, "Hardware watchpoint 1: *(int *)0x2000", "Old value = 0", "New value = 1")
		}
		want = append(want,
			"Breakpoint 2, 0x0000000000001011 in ?? ()", "$2 = 1", "Breakpoint 2, 0x0000000000001011 in ?? ()", "$3 = 2",
			"Breakpoint 3, 0x0000000000001013 in ?? ()",
			"[Inferior 1 (Remote target) exited with code 03]")
		log := runGDBOnKVM(t, gdb, []string{
			"stepi", "stepi", "p $rax",
			"watch *(int *)0x2000", "continue", "delete",
			"break *0x1011", "continue", "p $rax", "continue", "p $rax", "delete",
			"hbreak *0x1013", "continue", "delete",
			"continue",
		}, want)
		if pvm && !strings.Contains(log, "hardware watchpoints (watch, awatch) on this host's KVM (PVM)") {
			t.Errorf("the stub's log does not say why the watchpoint was refused:\n%s", log)
		}
	})
	// Where the host has no data breakpoints, gdb's own software
	// watchpoints work: gdb single-steps and compares.
	t.Run("a software watchpoint", func(t *testing.T) {
		runGDBOnKVM(t, gdb, []string{
			"set can-use-hw-watchpoints 0",
			"watch *(int *)0x2000", "continue", "continue", "p $rax", "delete", "continue",
		}, []string{
			"Watchpoint 1: *(int *)0x2000", "Old value = 0", "New value = 1",
			"Old value = 1", "New value = 2", "$1 = 2",
			"[Inferior 1 (Remote target) exited with code 03]",
		})
	})
}

// runGDBOnKVM runs gdb's commands against a fresh KVM target running the
// counter program, checks gdb's output, and returns the stub's log.
func runGDBOnKVM(t *testing.T, gdb string, commands, want []string) string {
	t.Helper()
	k := newKVMTarget(t, counterProgram)
	s := serveOne(t, &Server{Target: k}, nil)
	args := []string{"-nx", "-batch", "-ex", "set pagination off", "-ex", "target remote " + s.addr}
	for _, c := range commands {
		args = append(args, "-ex", c)
	}
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, gdb, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("gdb: %v\n%s", err, out.String())
	}
	if err := s.wait(t); err != nil {
		t.Errorf("session: %v", err)
	}
	checkInOrder(t, out.String(), want)
	return s.logText()
}
