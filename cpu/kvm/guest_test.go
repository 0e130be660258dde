package kvm

import (
	"encoding/binary"
	"fmt"
	"runtime"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/pollscope/pollscope/cpu"
)

// A tiny test guest: code at codeAddr, data at dataAddr, in one of the modes
// the demo kernel uses. Long mode has identity-mapped 2 MiB user pages, a
// Linux-layout GDT (kernel code 0x10, kernel data 0x18, user data 0x2b,
// user code 0x33, TSS 0x40) and an IDT whose every gate leads to a handler
// that reports the vector on port portFault. Protected mode is the PVH
// entry state: flat 32-bit segments, paging off.

const (
	guestRAMSize = 4 << 20
	codeAddr     = 0x10000
	dataAddr     = 0x20000
	faultHandler = 0x11000
	stackTop     = 0x200000

	portDone  = 0x81 // the test code's last instruction writes here
	portFault = 0x82 // an exception handler writes its vector here
)

type guestMode struct {
	name string
	cpl  int
	long bool
}

var guestModes = []guestMode{
	{name: "protected-cpl0", cpl: 0},
	{name: "long-cpl0", cpl: 0, long: true},
	{name: "long-cpl3", cpl: 3, long: true},
}

// testGuest is a vCPU on a fresh VM running the test code.
type testGuest struct {
	vcpu *VCPU
	ram  []byte
}

func newTestGuest(t testing.TB, m guestMode, code []byte) *testGuest {
	t.Helper()
	if err := Available(); err != nil {
		t.Skipf("skipping: %v", err)
	}
	ram, err := unix.Mmap(-1, 0, guestRAMSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		t.Fatal(err)
	}
	copy(ram[codeAddr:], code)
	v, err := New(ram)
	if err != nil {
		unix.Munmap(ram)
		t.Fatal(err)
	}
	t.Cleanup(func() {
		v.Close()
		unix.Munmap(ram)
	})
	regs, sregs := setUpMode(t, v, ram, m)
	if err := v.SetSRegs(sregs); err != nil {
		t.Fatal(err)
	}
	if err := v.SetRegs(regs); err != nil {
		t.Fatal(err)
	}
	return &testGuest{vcpu: v, ram: ram}
}

func setUpMode(t testing.TB, v *VCPU, ram []byte, m guestMode) (cpu.Regs, cpu.SRegs) {
	s, err := v.SRegs()
	if err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	// One exception handler per vector, 8 bytes apart: it reports its
	// vector on portFault (mov al, vector; out portFault, al; jmp $).
	for vec := 0; vec < 256; vec++ {
		copy(ram[faultHandler+8*vec:], []byte{0xb0, byte(vec), 0xe6, portFault, 0xeb, 0xfe})
	}
	flat := func(code bool, dpl uint8, sel uint16) cpu.Segment {
		seg := cpu.Segment{Limit: 0xffffffff, Selector: sel, Present: true, DPL: dpl, S: true, G: true, Type: 3}
		if code {
			seg.Type = 11
		}
		return seg
	}
	if !m.long {
		cs := flat(true, 0, 0x08)
		cs.DB = true
		ds := flat(false, 0, 0x10)
		ds.DB = true
		s.CS, s.DS, s.ES, s.FS, s.GS, s.SS = cs, ds, ds, ds, ds, ds
		s.CR0 = cpu.CR0PE | cpu.CR0ET
		s.CR4, s.EFER = 0, 0
		return cpu.Regs{RIP: codeAddr, RSP: stackTop, RFLAGS: cpu.RFLAGSReserved}, s
	}
	// Page tables at 0x1000: PML4 → PDPT → PD with two 2 MiB user pages.
	le.PutUint64(ram[0x1000:], 0x2000|7)
	le.PutUint64(ram[0x2000:], 0x3000|7)
	le.PutUint64(ram[0x3000:], 0x000000|0x87)
	le.PutUint64(ram[0x3008:], 0x200000|0x87)
	gdt := 0x5000
	for i, d := range []uint64{0, 0x00cf9b000000ffff, 0x00af9b000000ffff, 0x00cf93000000ffff, 0x00cffb000000ffff, 0x00cff3000000ffff, 0x00affb000000ffff} {
		le.PutUint64(ram[gdt+8*i:], d)
	}
	const tss, tssLimit = 0x7000, 0x67
	le.PutUint64(ram[gdt+8*8:], tssLimit|(tss&0xffffff)<<16|0x89<<40|(tss>>24&0xff)<<56)
	le.PutUint64(ram[tss+4:], stackTop-0x10000) // RSP0
	idt := 0x6000
	for vec := 0; vec < 256; vec++ {
		h := uint64(faultHandler + 8*vec)
		le.PutUint64(ram[idt+16*vec:], h&0xffff|0x10<<16|0xEE<<40|(h>>16&0xffff)<<48)
		le.PutUint64(ram[idt+16*vec+8:], h>>32)
	}
	s.CR3, s.CR4, s.CR0, s.EFER = 0x1000, cpu.CR4PAE|1<<9, cpu.CR0PG|cpu.CR0PE|cpu.CR0ET, cpu.EFERLME|cpu.EFERLMA
	cs := flat(true, uint8(m.cpl), 0x10)
	cs.L = true
	ds := flat(false, uint8(m.cpl), 0x18)
	ds.DB = true
	if m.cpl == 3 {
		cs.Selector, ds.Selector = 0x33, 0x2b
	}
	s.CS, s.DS, s.ES, s.FS, s.GS, s.SS = cs, ds, ds, ds, ds, ds
	s.TR = cpu.Segment{Base: tss, Limit: tssLimit, Selector: 0x40, Type: 11, Present: true}
	s.GDT = cpu.Table{Base: uint64(gdt), Limit: 10*8 - 1}
	s.IDT = cpu.Table{Base: uint64(idt), Limit: 256*16 - 1}
	// IOPL 3, so that CPL3 code may reach the done port.
	return cpu.Regs{RIP: codeAddr, RSP: stackTop, RFLAGS: cpu.RFLAGSReserved | 3<<12}, s
}

// guestStop is one exit the test guest took, with RIP after it.
type guestStop struct {
	exit cpu.Exit
	rip  uint64
}

func (s guestStop) String() string {
	switch s.exit.Kind {
	case cpu.ExitDebug:
		return fmt.Sprintf("debug(reason %d addr %#x watch %d exception %d) rip=%#x", s.exit.Debug.Reason, s.exit.Debug.Addr, s.exit.Debug.Watch, s.exit.Reason, s.rip)
	case cpu.ExitPortIO:
		return fmt.Sprintf("out %#x value %#x rip=%#x", s.exit.Port, s.exit.Data, s.rip)
	default:
		return fmt.Sprintf("%v (reason %d) rip=%#x", s.exit.Kind, s.exit.Reason, s.rip)
	}
}

// runUntilDone runs the guest until it writes the done port, faults, or
// takes max exits, and returns every exit on the way.
func (g *testGuest) runUntilDone(t *testing.T, max int) []guestStop {
	t.Helper()
	return g.runWith(t, max, g.vcpu.Run)
}

// runRawUntilDone is runUntilDone with bare KVM_RUNs: no step over
// breakpoints, no step completion.
func (g *testGuest) runRawUntilDone(t *testing.T, max int) []guestStop {
	t.Helper()
	return g.runWith(t, max, g.vcpu.runOnce)
}

func (g *testGuest) runWith(t *testing.T, max int, run func() (cpu.Exit, error)) []guestStop {
	t.Helper()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var stops []guestStop
	for len(stops) < max {
		e, err := run()
		if err != nil {
			t.Fatalf("Run after %v: %v", stops, err)
		}
		r, err := g.vcpu.Regs()
		if err != nil {
			t.Fatal(err)
		}
		stops = append(stops, guestStop{exit: e, rip: r.RIP})
		if e.Kind == cpu.ExitPortIO && (e.Port == portDone || e.Port == portFault) {
			break
		}
		if e.Kind != cpu.ExitDebug && e.Kind != cpu.ExitKicked && e.Kind != cpu.ExitPortIO {
			break
		}
	}
	return stops
}

// summary is a stop in a few words, for comparing runs: "step@10001",
// "break 10004@10004", "watch0 20000@10009", "int3 10001@10001",
// "out 80@10004", "done", "fault 1" (the vector the guest's handler
// reported), or the exit kind.
func (s guestStop) summary() string {
	e := s.exit
	switch {
	case e.Kind == cpu.ExitDebug:
		switch e.Debug.Reason {
		case cpu.DebugStep:
			return fmt.Sprintf("step@%x", s.rip)
		case cpu.DebugBreakpoint:
			return fmt.Sprintf("break %x@%x", e.Debug.Addr, s.rip)
		case cpu.DebugWatchpoint:
			return fmt.Sprintf("watch%d %x@%x", e.Debug.Watch, e.Debug.Addr, s.rip)
		case cpu.DebugBreakInstruction:
			return fmt.Sprintf("int3 %x@%x", e.Debug.Addr, s.rip)
		}
		return fmt.Sprintf("debug?@%x", s.rip)
	case e.Kind == cpu.ExitPortIO && e.Port == portDone:
		return "done"
	case e.Kind == cpu.ExitPortIO && e.Port == portFault:
		return fmt.Sprintf("fault %d", e.Data[0])
	case e.Kind == cpu.ExitPortIO:
		return fmt.Sprintf("out %x@%x", e.Port, s.rip)
	}
	return e.Kind.String()
}

func summaries(stops []guestStop) []string {
	out := make([]string, len(stops))
	for i, s := range stops {
		out[i] = s.summary()
	}
	return out
}

// The test programs, at codeAddr (the same bytes in 32- and 64-bit mode).
var (
	// nop; nop; out 0x80, al; nop; nop; out portDone, al; jmp $
	codeIO = []byte{0x90, 0x90, 0xe6, 0x80, 0x90, 0x90, 0xe6, portDone, 0xeb, 0xfe}
	// nop; nop; mov [dataAddr], eax; mov ebx, [dataAddr]; nop;
	// out portDone, al; jmp $
	codeData = []byte{0x90, 0x90, 0x89, 0x04, 0x25, 0, 0, 2, 0, 0x8b, 0x1c, 0x25, 0, 0, 2, 0, 0x90, 0xe6, portDone, 0xeb, 0xfe}
	// nop; int3; out portDone, al; jmp $
	codeInt3 = []byte{0x90, 0xcc, 0xe6, portDone, 0xeb, 0xfe}
)
