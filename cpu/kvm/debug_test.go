package kvm

import (
	"errors"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/pollscope/pollscope/cpu"
)

func TestEncodeDebugRegs(t *testing.T) {
	const on = dr7GE | dr7Reserved
	cases := []struct {
		name        string
		breakpoints []uint64
		watchpoints []cpu.Watchpoint
		wantAddr    [4]uint64
		wantDR7     uint64
		wantErr     string
	}{
		{name: "nothing", wantDR7: 0},
		{name: "one execute breakpoint in DR0", breakpoints: []uint64{0x1000},
			wantAddr: [4]uint64{0x1000}, wantDR7: on | 1<<1},
		{name: "breakpoints first, then a 4-byte write watch in DR1",
			breakpoints: []uint64{0x1000},
			watchpoints: []cpu.Watchpoint{{Addr: 0x2000, Len: 4, Kind: cpu.WatchWrite}},
			wantAddr:    [4]uint64{0x1000, 0x2000},
			wantDR7:     on | 1<<1 | 1<<3 | dr7RWWrite<<20 | 0b11<<22},
		{name: "an 8-byte access watch in DR0",
			watchpoints: []cpu.Watchpoint{{Addr: 0x2008, Len: 8, Kind: cpu.WatchReadWrite}},
			wantAddr:    [4]uint64{0x2008},
			wantDR7:     on | 1<<1 | dr7RWAccess<<16 | 0b10<<18},
		{name: "four fill DR0-DR3", breakpoints: []uint64{1, 2, 3, 4},
			wantAddr: [4]uint64{1, 2, 3, 4}, wantDR7: on | 1<<1 | 1<<3 | 1<<5 | 1<<7},
		{name: "five do not fit", breakpoints: []uint64{1, 2, 3, 4, 5}, wantErr: "hold 4"},
		{name: "a misaligned watch", watchpoints: []cpu.Watchpoint{{Addr: 0x2002, Len: 4, Kind: cpu.WatchWrite}}, wantErr: "aligned"},
		{name: "a 3-byte watch", watchpoints: []cpu.Watchpoint{{Addr: 0x2000, Len: 3, Kind: cpu.WatchWrite}}, wantErr: "aligned"},
		{name: "a read-only watch", watchpoints: []cpu.Watchpoint{{Addr: 0x2000, Len: 1, Kind: cpu.WatchRead}}, wantErr: "rwatch"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := encodeDebugRegs(c.breakpoints, c.watchpoints)
			if c.wantErr != "" {
				if !errors.Is(err, cpu.ErrDebugUnsupported) || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want ErrDebugUnsupported saying %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d.addr != c.wantAddr || d.dr7 != c.wantDR7 {
				t.Errorf("DR0-3 = %#x, DR7 = %#x; want %#x, %#x", d.addr, d.dr7, c.wantAddr, c.wantDR7)
			}
		})
	}
}

func TestClassifyDebugStop(t *testing.T) {
	slots := [numDebugRegs]debugSlot{
		{used: true, index: 0, addr: 0x1000},
		{used: true, watch: true, index: 0, addr: 0x2000},
		{used: true, watch: true, index: 1, addr: 0x3000},
	}
	cases := []struct {
		name      string
		exception uint32
		dr6       uint64
		want      cpu.DebugStop
	}{
		{"INT3", vectorBP, 0, cpu.DebugStop{Reason: cpu.DebugBreakInstruction, Addr: 0x500}},
		{"single step", vectorDB, dr6BS, cpu.DebugStop{Reason: cpu.DebugStep, Addr: 0x500}},
		{"DR0 execute breakpoint", vectorDB, 1, cpu.DebugStop{Reason: cpu.DebugBreakpoint, Addr: 0x1000}},
		{"DR2 watchpoint is watch 1", vectorDB, 1 << 2, cpu.DebugStop{Reason: cpu.DebugWatchpoint, Addr: 0x3000, Watch: 1}},
		{"a watchpoint wins over the step that hit it", vectorDB, dr6BS | 1<<1, cpu.DebugStop{Reason: cpu.DebugWatchpoint, Addr: 0x2000}},
		{"an unused slot's bit is not a stop reason", vectorDB, 1 << 3, cpu.DebugStop{Addr: 0x500}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := classifyDebugStop(c.exception, 0x500, c.dr6|0xffff0ff0, &slots); got != c.want {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestGuestDebugControl(t *testing.T) {
	all := uint32(basicGuestDebugFlags | guestDbgBlockIRQ)
	cases := []struct {
		name string
		c    cpu.DebugConfig
		host uint32
		want uint32
	}{
		{"off", cpu.DebugConfig{}, all, 0},
		{"step blocks interrupts where the host can", cpu.DebugConfig{SingleStep: true}, all, guestDbgEnable | guestDbgSingleStep | guestDbgBlockIRQ},
		{"step on an older host", cpu.DebugConfig{SingleStep: true}, basicGuestDebugFlags, guestDbgEnable | guestDbgSingleStep},
		{"breakpoints use the debug registers", cpu.DebugConfig{Breakpoints: []uint64{1}}, all, guestDbgEnable | guestDbgUseHWBP},
		{"INT3 interception", cpu.DebugConfig{TrapBreakpointInstruction: true}, all, guestDbgEnable | guestDbgUseSWBP},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			regs, err := encodeDebugRegs(c.c.Breakpoints, c.c.Watchpoints)
			if err != nil {
				t.Fatal(err)
			}
			if got := guestDebugFor(c.c, &regs, c.host).control; got != c.want {
				t.Errorf("control = %#x, want %#x", got, c.want)
			}
		})
	}
}

func onPVM() bool {
	_, err := os.Stat(pvmModule)
	return err == nil
}

// cpl0Modes are the modes whose code KVM emulates on PVM.
func cpl0Modes() []guestMode {
	return slices.DeleteFunc(slices.Clone(guestModes), func(m guestMode) bool { return m.cpl != 0 })
}

// modesWithDebug are the modes where this host's KVM stops the guest for a
// debugger: all of them on hardware virtualisation, CPL0 only on PVM.
func modesWithDebug() []guestMode {
	if onPVM() {
		return cpl0Modes()
	}
	return guestModes
}

func checkStops(t *testing.T, got []guestStop, want ...string) {
	t.Helper()
	if s := summaries(got); !slices.Equal(s, want) {
		t.Errorf("stops %q, want %q", s, want)
	}
}

// Single-stepping stops after every instruction, an OUT included: the step
// that an I/O exit interrupts is reported once the access completes.
func TestSingleStep(t *testing.T) {
	for _, m := range modesWithDebug() {
		t.Run(m.name, func(t *testing.T) {
			g := newTestGuest(t, m, codeIO)
			if err := g.vcpu.SetDebug(cpu.DebugConfig{SingleStep: true}); err != nil {
				t.Fatal(err)
			}
			checkStops(t, g.runUntilDone(t, 20),
				"step@10001", "step@10002", "out 80@10004", "step@10004", "step@10005", "step@10006", "done")
		})
	}
}

// A stepped IN has its value in AL when the step is reported.
func TestSingleStepCompletesIN(t *testing.T) {
	for _, m := range modesWithDebug() {
		t.Run(m.name, func(t *testing.T) {
			// in al, 0x80; out portDone, al
			g := newTestGuest(t, m, []byte{0xe4, 0x80, 0xe6, portDone, 0xeb, 0xfe})
			if err := g.vcpu.SetDebug(cpu.DebugConfig{SingleStep: true}); err != nil {
				t.Fatal(err)
			}
			e, err := g.vcpu.Run()
			if err != nil || e.Kind != cpu.ExitPortIO || e.Write {
				t.Fatalf("Run = %+v, %v; want the IN", e, err)
			}
			e.Data[0] = 0x5a
			checkStops(t, g.runUntilDone(t, 1), "step@10002")
			if r, err := g.vcpu.Regs(); err != nil || r.RAX&0xff != 0x5a {
				t.Errorf("AL = %#x (%v), want 0x5a", r.RAX&0xff, err)
			}
		})
	}
}

// CompleteInstruction puts an IN's value in AL without running on: the
// next Run starts at the instruction after it.
func TestCompleteInstruction(t *testing.T) {
	for _, m := range guestModes {
		t.Run(m.name, func(t *testing.T) {
			// in al, 0x80; out 0x80, al; out portDone, al
			g := newTestGuest(t, m, []byte{0xe4, 0x80, 0xe6, 0x80, 0xe6, portDone, 0xeb, 0xfe})
			e, err := g.vcpu.Run()
			if err != nil || e.Kind != cpu.ExitPortIO || e.Write {
				t.Fatalf("Run = %+v, %v; want the IN", e, err)
			}
			e.Data[0] = 0x5a
			if err := g.vcpu.CompleteInstruction(); err != nil {
				t.Fatal(err)
			}
			if r, err := g.vcpu.Regs(); err != nil || r.RAX&0xff != 0x5a || r.RIP != 0x10002 {
				t.Errorf("after CompleteInstruction: AL %#x RIP %#x (%v), want 0x5a at 0x10002", r.RAX&0xff, r.RIP, err)
			}
			if err := g.vcpu.CompleteInstruction(); err != nil { // nothing pending: nothing happens
				t.Fatal(err)
			}
			checkStops(t, g.runUntilDone(t, 3), "out 80@10004", "done")
		})
	}
}

// An execute breakpoint stops before the instruction, at the first one
// too; the next Run executes it instead of stopping again.
func TestExecuteBreakpoints(t *testing.T) {
	for _, m := range modesWithDebug() {
		t.Run(m.name, func(t *testing.T) {
			g := newTestGuest(t, m, codeIO)
			// At the first instruction, at an OUT (stepped over through its
			// I/O exit) and just after it.
			if err := g.vcpu.SetDebug(cpu.DebugConfig{Breakpoints: []uint64{0x10000, 0x10002, 0x10004}}); err != nil {
				t.Fatal(err)
			}
			checkStops(t, g.runUntilDone(t, 20),
				"break 10000@10000", "break 10002@10002", "out 80@10004", "break 10004@10004", "done")
		})
	}
}

// Stepping from a breakpoint executes the instruction at it, once.
func TestStepFromBreakpoint(t *testing.T) {
	for _, m := range modesWithDebug() {
		t.Run(m.name, func(t *testing.T) {
			g := newTestGuest(t, m, codeIO)
			bp := cpu.DebugConfig{Breakpoints: []uint64{0x10001}}
			if err := g.vcpu.SetDebug(bp); err != nil {
				t.Fatal(err)
			}
			checkStops(t, g.runUntilDone(t, 1), "break 10001@10001")
			bp.SingleStep = true
			if err := g.vcpu.SetDebug(bp); err != nil {
				t.Fatal(err)
			}
			checkStops(t, g.runUntilDone(t, 1), "step@10002")
		})
	}
}

// Watchpoints stop after the access. PVM refuses them
// (TestPVMRefusesWhatItCannotDo).
func TestWatchpoints(t *testing.T) {
	if onPVM() {
		t.Skip("skipping: this host's KVM is PVM, whose data breakpoints never fire (TestPVMDebugFacts)")
	}
	for _, m := range guestModes {
		t.Run(m.name+"/write", func(t *testing.T) {
			g := newTestGuest(t, m, codeData)
			w := cpu.DebugConfig{Watchpoints: []cpu.Watchpoint{{Addr: dataAddr, Len: 4, Kind: cpu.WatchWrite}}}
			if err := g.vcpu.SetDebug(w); err != nil {
				t.Fatal(err)
			}
			checkStops(t, g.runUntilDone(t, 10), "watch0 20000@10009", "done")
		})
		t.Run(m.name+"/access", func(t *testing.T) {
			g := newTestGuest(t, m, codeData)
			w := cpu.DebugConfig{Watchpoints: []cpu.Watchpoint{{Addr: dataAddr, Len: 4, Kind: cpu.WatchReadWrite}}}
			if err := g.vcpu.SetDebug(w); err != nil {
				t.Fatal(err)
			}
			checkStops(t, g.runUntilDone(t, 10), "watch0 20000@10009", "watch0 20000@10010", "done")
		})
	}
}

// With TrapBreakpointInstruction an INT3 stops the vCPU instead of
// reaching the guest. PVM refuses it.
func TestTrapBreakpointInstruction(t *testing.T) {
	if onPVM() {
		t.Skip("skipping: on this host's KVM (PVM) INT3 cannot be intercepted (TestPVMDebugFacts)")
	}
	for _, m := range guestModes {
		t.Run(m.name, func(t *testing.T) {
			g := newTestGuest(t, m, codeInt3)
			if err := g.vcpu.SetDebug(cpu.DebugConfig{TrapBreakpointInstruction: true}); err != nil {
				t.Fatal(err)
			}
			stops := g.runUntilDone(t, 1)
			if len(stops) != 1 || stops[0].exit.Debug.Reason != cpu.DebugBreakInstruction {
				t.Fatalf("stops %q, want an INT3 stop", summaries(stops))
			}
		})
	}
}

// On PVM SetDebug refuses, naming the feature as gdb does, what the host
// would silently get wrong.
func TestPVMRefusesWhatItCannotDo(t *testing.T) {
	if !onPVM() {
		t.Skip("skipping: this host's KVM is not PVM")
	}
	cases := []struct {
		name string
		mode guestMode
		c    cpu.DebugConfig
		want string
	}{
		{"watchpoints", guestModes[1], cpu.DebugConfig{Watchpoints: []cpu.Watchpoint{{Addr: dataAddr, Len: 4, Kind: cpu.WatchWrite}}}, "hardware watchpoints (watch, awatch)"},
		{"INT3 interception", guestModes[1], cpu.DebugConfig{TrapBreakpointInstruction: true}, "software breakpoints"},
		{"single-step at CPL3", guestModes[2], cpu.DebugConfig{SingleStep: true}, "single-stepping (stepi) CPL3 code"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := newTestGuest(t, c.mode, codeData)
			err := g.vcpu.SetDebug(c.c)
			if !errors.Is(err, cpu.ErrDebugUnsupported) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("SetDebug = %v, want ErrDebugUnsupported naming %q", err, c.want)
			}
		})
	}
}

// TestPVMDebugFacts records, with SetDebug's refusals bypassed and bare
// KVM_RUNs, why SetDebug refuses what it refuses on PVM. If one of these
// fails, the host has learnt something and the refusal may go.
func TestPVMDebugFacts(t *testing.T) {
	if !onPVM() {
		t.Skip("skipping: this host's KVM is not PVM")
	}
	watch := cpu.DebugConfig{Watchpoints: []cpu.Watchpoint{{Addr: dataAddr, Len: 4, Kind: cpu.WatchReadWrite}}}
	trapInt3 := cpu.DebugConfig{TrapBreakpointInstruction: true}
	step := cpu.DebugConfig{SingleStep: true}
	cases := []struct {
		name   string
		mode   guestMode
		code   []byte
		config cpu.DebugConfig
		want   []string
	}{
		{"data breakpoints never fire at CPL0", guestModes[1], codeData, watch, []string{"done"}},
		{"data breakpoints never fire at CPL3", guestModes[2], codeData, watch, []string{"done"}},
		{"execute breakpoints never fire at CPL3", guestModes[2], codeIO, cpu.DebugConfig{Breakpoints: []uint64{0x10004}}, []string{"out 80@10004", "done"}},
		{"INT3 at CPL0 is an emulation failure even when intercepted", guestModes[1], codeInt3, trapInt3, []string{"internal-error"}},
		{"INT3 at CPL3 reaches the guest's #BP handler even when intercepted", guestModes[2], codeInt3, trapInt3, []string{"fault 3"}},
		// The #DB handler runs at CPL0, where stepping works again: its
		// first instruction (mov al, 1) is stepped before it reports.
		{"single-stepping at CPL3 delivers a #DB to the guest", guestModes[2], codeIO, step, []string{"step@1100a", "fault 1"}},
		{"a step interrupted by an I/O exit traps no more", guestModes[1], codeIO, step,
			[]string{"step@10001", "step@10002", "out 80@10004", "step@10005", "step@10006", "done"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := newTestGuest(t, c.mode, c.code)
			if err := g.vcpu.programDebug(c.config); err != nil {
				t.Fatal(err)
			}
			checkStops(t, g.runRawUntilDone(t, 10), c.want...)
		})
	}
	t.Run("RFLAGS.RF does not suppress an execute breakpoint at CPL0", func(t *testing.T) {
		g := newTestGuest(t, guestModes[1], codeIO)
		if err := g.vcpu.programDebug(cpu.DebugConfig{Breakpoints: []uint64{0x10000}}); err != nil {
			t.Fatal(err)
		}
		r, err := g.vcpu.Regs()
		if err != nil {
			t.Fatal(err)
		}
		r.RFLAGS |= 1 << 16
		if err := g.vcpu.SetRegs(r); err != nil {
			t.Fatal(err)
		}
		checkStops(t, g.runRawUntilDone(t, 2), "break 10000@10000", "break 10000@10000")
	})
}

// BenchmarkSingleStep is what one stepi costs the host at CPL0 (KVM_RUN
// to the step's KVM_EXIT_DEBUG), the floor under a debugger's software
// watchpoints.
func BenchmarkSingleStep(b *testing.B) {
	g := newTestGuest(b, guestModes[1], []byte{0xeb, 0xfe}) // jmp $
	if err := g.vcpu.SetDebug(cpu.DebugConfig{SingleStep: true}); err != nil {
		b.Fatal(err)
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	for b.Loop() {
		for {
			e, err := g.vcpu.Run()
			if err != nil {
				b.Fatal(err)
			}
			if e.Kind == cpu.ExitDebug {
				break
			}
			// The Go runtime's own signals (no BindThread here) end a
			// KVM_RUN early.
			if e.Kind != cpu.ExitKicked {
				b.Fatalf("Run = %v", e.Kind)
			}
		}
	}
}
