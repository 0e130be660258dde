package interp

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"os"
	"strconv"
	"testing"

	"golang.org/x/arch/x86/x86asm"
	"golang.org/x/sys/unix"

	"github.com/pollscope/pollscope/cpu"
	"github.com/pollscope/pollscope/cpu/interp/internal/kvmstep"
	"github.com/pollscope/pollscope/cpu/interp/internal/testpc"
	"github.com/pollscope/pollscope/guest"
)

// The differential test: the demo kernel boots on this host's KVM, single-
// stepped (KVM_SET_GUEST_DEBUG, KVM_GUESTDBG_SINGLESTEP), and on the
// software CPU in lockstep. After every instruction the general registers,
// RIP and RFLAGS must agree; the system registers are compared every
// sysEvery instructions and RAM at the end. Both CPUs get the same CPUID
// (cpuid.Baseline, set on KVM with KVM_SET_CPUID2), the same port-I/O
// results (the devices run once, for KVM; the software CPU replays what
// KVM read and must write what KVM wrote) and the same interrupts at the
// same instruction. RDTSC results are copied from KVM, whose TSC runs in
// real time.
//
// The default run compares the first instructions of three of
// diffScenarios (the boot and some way into each; about 30 s in all);
// -diff.long (3 million instructions) or INTERP_DIFF_STEPS=n runs every
// scenario that far.
// INTERP_DIFF_KERNEL=path compares another PVH kernel's boot instead (a
// stock Linux vmlinux).

var diffLong = flag.Bool("diff.long", false, "run the differential test over 3 million instructions a scenario")

const sysEvery = 64

type lockstep struct {
	t      *testing.T
	kvm    *kvmstep.VM
	c      *CPU
	pc     *testpc.PC
	kram   []byte
	iram   []byte
	steps  int
	ios    []ioRecord
	events int
	// catchUps counts the extra software-CPU steps taken to follow KVM.
	catchUps int
	// kvmHLTQuirks counts HLT exits KVM reported for instructions that
	// are not HLT.
	kvmHLTQuirks int
	// cpuidFixes counts CPUID results KVM answered differently.
	cpuidFixes int
}

type ioRecord struct {
	port  uint16
	write bool
	data  []byte
}

// diffScenarios are the demo kernel's runs compared, each from power-on:
// the boot, then what each exercises beyond the demo's executor start.
// ring=0 throughout: this host's KVM (PVM) runs CPL 3 code natively,
// without single-stepping it, so only CPL 0 code can be compared step by
// step.
var diffScenarios = []struct {
	name, cmdline string
	steps         int  // how far the default run compares (the boot is about 140,000)
	long          bool // only with -diff.long or INTERP_DIFF_STEPS
}{
	{"demo", "scenario=demo", 150_000, false},
	{"executor-tests", "test=task::", 400_000, false},                                        // the kernel's tests of the queue, channel, executors, timers, AtomicWaker
	{"threads", "bench=preempt-yield-2,preempt-pingpong,irq-wake benchn=50", 500_000, false}, // FXSAVE context switches and an IRQ's wake, to the end
	{"lostwaker", "scenario=lostwaker", 250_000, true},                                       // a waker dropped on purpose
	{"longpoll", "scenario=longpoll", 250_000, true},                                         // a task that spins in its poll
	{"simple-executor", "executor=simple", 250_000, true},                                    // the busy-polling executor
}

func TestDifferentialAgainstKVM(t *testing.T) {
	if _, err := os.Stat("/dev/kvm"); err != nil {
		t.Skipf("skipping: no /dev/kvm (%v)", err)
	}
	steps := 0
	if *diffLong {
		steps = 3_000_000
	}
	if s := os.Getenv("INTERP_DIFF_STEPS"); s != "" {
		steps, _ = strconv.Atoi(s)
	}
	if p := os.Getenv("INTERP_DIFF_KERNEL"); p != "" {
		// Another PVH kernel, e.g. a stock Linux vmlinux.
		kernel, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if steps == 0 {
			steps = 150_000
		}
		runLockstep(t, kernel, "console=ttyS0 earlyprintk=ttyS0 noapic nolapic acpi=off pci=off", steps)
		return
	}
	for _, sc := range diffScenarios {
		t.Run(sc.name, func(t *testing.T) {
			n := sc.steps
			switch {
			case *diffLong || os.Getenv("INTERP_DIFF_STEPS") != "":
				n = steps
			case sc.long:
				t.Skip("skipping: runs with -diff.long or INTERP_DIFF_STEPS")
			}
			runLockstep(t, guest.Kernel, sc.cmdline+" hz=1000 ring=0", n)
		})
	}
}

// runLockstep steps kernel on KVM and on the software CPU for steps
// instructions, or until the guest ends, comparing as it goes.
func runLockstep(t *testing.T, kernel []byte, cmdline string, steps int) {
	ls := newLockstep(t, kernel, cmdline)
	defer ls.kvm.Close()
	for ls.steps < steps {
		if !ls.step() {
			break
		}
	}
	ls.compareRAM()
	t.Logf("compared %d instructions register by register (%d interrupts, %d port accesses, %d catch-up steps, %d spurious KVM HLT exits, %d CPUID answers from KVM replaced); serial:\n%.2000s",
		ls.steps, ls.events, len(ls.ios), ls.catchUps, ls.kvmHLTQuirks, ls.cpuidFixes, ls.pc.Serial.String())
}

func newLockstep(t *testing.T, kernel []byte, cmdline string) *lockstep {
	ramSize := 64 << 20
	if len(kernel) > 16<<20 {
		ramSize = 256 << 20
	}
	kram, err := unix.Mmap(-1, 0, ramSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Munmap(kram) })
	iram := make([]byte, ramSize)
	regs, sregs, err := testpc.Load(kram, kernel, cmdline)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := testpc.Load(iram, kernel, cmdline); err != nil {
		t.Fatal(err)
	}
	k, err := kvmstep.New(kram)
	if err != nil {
		t.Skipf("skipping: KVM cannot single-step here: %v", err)
	}
	if err := k.SetSRegs(sregs); err != nil {
		t.Fatal(err)
	}
	if err := k.SetRegs(regs); err != nil {
		t.Fatal(err)
	}
	c, err := New(iram, Options{ICount: true, Log: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	c.SetSRegs(sregs)
	c.SetRegs(regs)
	if err := c.SetDebug(cpu.DebugConfig{SingleStep: true}); err != nil {
		t.Fatal(err)
	}
	return &lockstep{t: t, kvm: k, c: c, pc: testpc.New(c, iram), kram: kram, iram: iram}
}

// step executes one instruction on both CPUs and compares them; false
// ends the test (the guest ended or they diverged).
func (ls *lockstep) step() bool {
	t, c := ls.t, ls.c
	if err := ls.pc.ServiceTimer(); err != nil {
		t.Fatal(err)
	}
	injected := false
	if ls.pc.InterruptPending() && c.CanInjectInterrupt() && ls.kvm.ReadyForInterrupt() {
		v := ls.pc.Acknowledge()
		if err := ls.kvm.Inject(v); err != nil {
			t.Fatal(err)
		}
		if err := c.InjectInterrupt(v); err != nil {
			t.Fatal(err)
		}
		injected = true
		ls.events++
	}
	op := ls.opAtRIP()
	first := len(ls.ios)
	kvmHalted, ok := ls.stepKVM()
	if !ok {
		return false
	}
	ripBefore := c.rip
	halted := ls.stepInterp(first)
	if isString(op) {
		// KVM's emulator runs a REP string instruction in batches between
		// single-step exits; the software CPU stops after every iteration,
		// as hardware single-stepping does. Catch up to KVM's RCX.
		k, _ := ls.kvm.Regs()
		for c.rip == ripBefore && c.regs[1] != k.RCX {
			ls.stepInterp(len(ls.ios))
		}
		// KVM also takes one more step to leave an exhausted REP.
		if k.RIP == ripBefore && c.rip != ripBefore {
			if _, ok := ls.stepKVM(); !ok {
				return false
			}
		}
	}
	// KVM sometimes runs one instruction more before its single-step
	// exit: after delivering an interrupt (the handler's first
	// instruction), after a port-I/O exit, and after FXSAVE/FXRSTOR, which
	// this host's KVM (PVM) emulates outside its instruction emulator. The
	// software CPU stops exactly (at the handler's entry, after the
	// instruction), as a debugger stepping expects; catch it up.
	for extra := 0; extra < 2 && !halted; extra++ {
		k, _ := ls.kvm.Regs()
		if k.RIP == c.rip {
			break
		}
		if !injected || extra > 0 {
			ls.steps++
		}
		ls.catchUps++
		halted = ls.stepInterp(len(ls.ios))
	}
	if k, _ := ls.kvm.Regs(); k.RIP == c.rip && k.RCX != c.regs[1] && isString(ls.opAtRIP()) {
		// The extra instruction KVM ran was a whole REP string
		// instruction (it then needs one more step to leave it).
		rip := c.rip
		for c.rip == rip && c.regs[1] != k.RCX {
			ls.stepInterp(len(ls.ios))
		}
		if c.rip != rip {
			if _, ok := ls.stepKVM(); !ok {
				return false
			}
		}
	}
	if ls.pc.ExitValue != nil {
		return false
	}
	ls.steps++
	ls.reconcile(op)
	if !ls.compare(op, injected) {
		return false
	}
	if kvmHalted && !halted {
		// KVM's single-stepping reports a HLT exit where the guest did not
		// halt (it halted earlier and an injected interrupt woke it): the
		// instruction did run, and the registers agree.
		kvmHalted = false
		ls.kvmHLTQuirks++
	}
	if halted || kvmHalted {
		// Both are idle: let virtual time reach the next timer deadline.
		if !c.InterruptsEnabled() {
			r, _ := c.Regs()
			t.Logf("the guest halted with interrupts off after %d instructions at %#x", ls.steps, r.RIP)
			return false
		}
		for !ls.pc.InterruptPending() {
			c.Sleep()
			if err := ls.pc.ServiceTimer(); err != nil {
				t.Fatal(err)
			}
		}
	}
	return true
}

// opAtRIP decodes the instruction the software CPU is about to run.
func (ls *lockstep) opAtRIP() x86asm.Op {
	c := ls.c
	lin := (c.seg[segCS].base + c.rip) & c.linMask
	phys, ok := c.tryTranslateFetch(lin)
	if !ok || phys+16 > c.ramSize {
		return 0
	}
	inst, err := decode(c.ram[phys:phys+15], int(c.mode))
	if err != nil {
		return 0
	}
	return inst.Op
}

// stepKVM runs KVM to its next single-step exit, serving its port I/O
// with the devices and recording it.
func (ls *lockstep) stepKVM() (halted, ok bool) {
	for {
		e, err := ls.kvm.Step()
		if err != nil {
			ls.t.Fatal(err)
		}
		switch e.Kind {
		case kvmstep.ExitStep:
			return false, true
		case kvmstep.ExitHLT:
			return true, true
		case kvmstep.ExitIO:
			for i := 0; i < e.Count; i++ {
				d := e.Data[i*e.Size : (i+1)*e.Size]
				ls.pc.Access(e.Port, e.Write, d)
				ls.ios = append(ls.ios, ioRecord{e.Port, e.Write, append([]byte(nil), d...)})
			}
		default:
			ls.t.Errorf("KVM stopped after %d instructions: exit %v (reason %d)", ls.steps, e.Kind, e.Reason)
			return false, false
		}
	}
}

// stepInterp runs the software CPU one instruction, replaying KVM's port
// I/O from ios[first:].
func (ls *lockstep) stepInterp(first int) (halted bool) {
	next := first
	for {
		e, err := ls.c.Run()
		if err != nil {
			ls.t.Fatal(err)
		}
		switch e.Kind {
		case cpu.ExitDebug:
			return false
		case cpu.ExitHLT:
			return true
		case cpu.ExitPortIO:
			for i := 0; i < e.Count; i++ {
				d := e.Data[i*e.Size : (i+1)*e.Size]
				if next >= len(ls.ios) {
					ls.t.Fatalf("step %d: the software CPU accessed port %#x (write=%v) that KVM did not", ls.steps, e.Port, e.Write)
				}
				r := ls.ios[next]
				next++
				if r.port != e.Port || r.write != e.Write || len(r.data) != len(d) {
					ls.t.Fatalf("step %d: port access %#x/%v/%d, KVM made %#x/%v/%d", ls.steps, e.Port, e.Write, len(d), r.port, r.write, len(r.data))
				}
				if e.Write && !bytes.Equal(d, r.data) {
					ls.t.Fatalf("step %d: wrote %x to port %#x, KVM wrote %x", ls.steps, d, e.Port, r.data)
				}
				copy(d, r.data)
			}
		case cpu.ExitKicked, cpu.ExitInterruptWindow:
		default:
			ls.t.Fatalf("step %d: the software CPU stopped with %v", ls.steps, e.Kind)
		}
	}
}

// reconcile copies what legitimately differs: the TSC (KVM's runs in
// real time), and CPUID leaf 1's feature words, which this host's KVM
// (PVM) answers with the host's own bits whatever KVM_SET_CPUID2 said:
// KVM is given the software CPU's answer, so both run the same code.
func (ls *lockstep) reconcile(op x86asm.Op) {
	if op == x86asm.CPUID {
		k, _ := ls.kvm.Regs()
		r, _ := ls.c.Regs()
		if k.RCX != r.RCX || k.RDX != r.RDX {
			ls.cpuidFixes++
		}
		k.RAX, k.RBX, k.RCX, k.RDX = r.RAX, r.RBX, r.RCX, r.RDX
		if err := ls.kvm.SetRegs(k); err != nil {
			ls.t.Fatal(err)
		}
		return
	}
	if op != x86asm.RDTSC && op != x86asm.RDTSCP && op != x86asm.RDMSR {
		return
	}
	k, _ := ls.kvm.Regs()
	r, _ := ls.c.Regs()
	if op == x86asm.RDMSR && uint32(r.RCX) != msrTSC {
		return
	}
	r.RAX, r.RDX = k.RAX, k.RDX
	if op == x86asm.RDTSCP {
		r.RCX = k.RCX
	}
	ls.c.SetRegs(r)
}

func (ls *lockstep) compare(op x86asm.Op, injected bool) bool {
	t := ls.t
	k, err := ls.kvm.Regs()
	if err != nil {
		t.Fatal(err)
	}
	r, _ := ls.c.Regs()
	const ignore = flagRF | flagTF
	k.RFLAGS &^= ignore
	r.RFLAGS &^= ignore
	if k != r {
		t.Errorf("after %d instructions (last %v, interrupt injected: %v) the CPUs disagree:\n%s", ls.steps, op, injected, regDiff(k, r))
		return false
	}
	if ls.steps%sysEvery == 0 || isSystemOp(op) {
		ks, _ := ls.kvm.SRegs()
		is, _ := ls.c.SRegs()
		if d := sregDiff(ks, is); d != "" {
			t.Errorf("after %d instructions (last %v) the system registers disagree:\n%s", ls.steps, op, d)
			return false
		}
	}
	return true
}

func isString(op x86asm.Op) bool {
	switch op {
	case x86asm.MOVSB, x86asm.MOVSW, x86asm.MOVSD, x86asm.MOVSQ, x86asm.STOSB, x86asm.STOSW, x86asm.STOSD, x86asm.STOSQ,
		x86asm.LODSB, x86asm.LODSW, x86asm.LODSD, x86asm.LODSQ, x86asm.SCASB, x86asm.SCASW, x86asm.SCASD, x86asm.SCASQ,
		x86asm.CMPSB, x86asm.CMPSW, x86asm.CMPSD, x86asm.CMPSQ:
		return true
	}
	return false
}

func isSystemOp(op x86asm.Op) bool {
	switch op {
	case x86asm.MOV, x86asm.LGDT, x86asm.LIDT, x86asm.LTR, x86asm.LJMP, x86asm.LRET, x86asm.IRETQ, x86asm.IRETD, x86asm.WRMSR:
		return true
	}
	return false
}

func regDiff(k, r cpu.Regs) string {
	names := []string{"RAX", "RBX", "RCX", "RDX", "RSI", "RDI", "RSP", "RBP", "R8", "R9", "R10", "R11", "R12", "R13", "R14", "R15", "RIP", "RFLAGS"}
	kv := []uint64{k.RAX, k.RBX, k.RCX, k.RDX, k.RSI, k.RDI, k.RSP, k.RBP, k.R8, k.R9, k.R10, k.R11, k.R12, k.R13, k.R14, k.R15, k.RIP, k.RFLAGS}
	rv := []uint64{r.RAX, r.RBX, r.RCX, r.RDX, r.RSI, r.RDI, r.RSP, r.RBP, r.R8, r.R9, r.R10, r.R11, r.R12, r.R13, r.R14, r.R15, r.RIP, r.RFLAGS}
	var b bytes.Buffer
	for i := range names {
		mark := ""
		if kv[i] != rv[i] {
			mark = "   <--"
		}
		fmt.Fprintf(&b, "  %-6s kvm=%#018x interp=%#018x%s\n", names[i], kv[i], rv[i], mark)
	}
	return b.String()
}

func sregDiff(k, r cpu.SRegs) string {
	var b bytes.Buffer
	seg := func(name string, a, c cpu.Segment) {
		// Descriptor-cache details KVM fills in its own way for unusable
		// and null segments (a null SS in 64-bit mode) are not compared.
		if a.Unusable && c.Unusable || a.Selector&^3 == 0 && c.Selector&^3 == 0 && (a.Unusable || c.Unusable) {
			a, c = cpu.Segment{Selector: a.Selector}, cpu.Segment{Selector: c.Selector}
		}
		a.Type &^= 1 // the accessed bit
		c.Type &^= 1
		if a != c {
			fmt.Fprintf(&b, "  %s kvm=%+v\n  %s int=%+v\n", name, a, name, c)
		}
	}
	seg("CS", k.CS, r.CS)
	seg("SS", k.SS, r.SS)
	seg("DS", k.DS, r.DS)
	seg("ES", k.ES, r.ES)
	seg("FS", k.FS, r.FS)
	seg("GS", k.GS, r.GS)
	seg("TR", k.TR, r.TR)
	for _, x := range []struct {
		name string
		a, c uint64
	}{{"CR0", k.CR0, r.CR0}, {"CR2", k.CR2, r.CR2}, {"CR3", k.CR3, r.CR3}, {"CR4", k.CR4, r.CR4}, {"EFER", k.EFER, r.EFER},
		{"GDT.base", k.GDT.Base, r.GDT.Base}, {"GDT.limit", uint64(k.GDT.Limit), uint64(r.GDT.Limit)},
		{"IDT.base", k.IDT.Base, r.IDT.Base}, {"IDT.limit", uint64(k.IDT.Limit), uint64(r.IDT.Limit)}} {
		if x.a != x.c {
			fmt.Fprintf(&b, "  %s kvm=%#x interp=%#x\n", x.name, x.a, x.c)
		}
	}
	return b.String()
}

// compareRAM reports the first places where guest memory differs. The
// MXCSR_MASK field of FXSAVE images is allowed to differ: this host's
// hardware reports 0x2ffff (bit 17, AMD's misaligned-SSE mask, which
// cpuid.Baseline does not offer), the software CPU 0xffff. So is a
// descriptor's accessed bit, which the software CPU sets on every segment
// load as the SDM says and PVM's native CPL 3 transitions do not.
func (ls *lockstep) compareRAM() {
	bad := 0
	for p := 0; p < len(ls.kram); p += pageSize {
		if bytes.Equal(ls.kram[p:p+pageSize], ls.iram[p:p+pageSize]) {
			continue
		}
		for i := p; i < p+pageSize; i += 4 {
			kw := binary.LittleEndian.Uint32(ls.kram[i:])
			iw := binary.LittleEndian.Uint32(ls.iram[i:])
			if kw == iw || kw == 0x2ffff && iw == mxcsrMask || kw^iw == 0x100 && iw&0x1100 == 0x1100 {
				continue
			}
			a := i &^ 15
			ls.t.Errorf("RAM differs at %#x: kvm=%#x interp=%#x\n kvm %x\n int %x", i, kw, iw, ls.kram[a-16:a+32], ls.iram[a-16:a+32])
			if bad++; bad > 8 {
				return
			}
			break
		}
	}
}
