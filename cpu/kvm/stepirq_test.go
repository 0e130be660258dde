package kvm

import (
	"encoding/binary"
	"runtime"
	"testing"

	"github.com/pollscope/pollscope/cpu"
)

// An interrupt must not be injected while a Run single-steps, least of all
// the step over the breakpoint a debugger's continue starts with: KVM sets
// RFLAGS.TF behind the guest's back for the step, an interrupt delivered
// then pushes that TF into the guest's interrupt frame, and the handler's
// IRETQ later turns it into a #DB for the guest (the demo kernel reported
// "EXCEPTION: debug" one instruction after a breakpoint gdb had continued
// from). So the vCPU refuses injection until the step is done and opens
// the interrupt window after it.
func TestNoInterruptDuringStepOver(t *testing.T) {
	const irq, rflagsTF = 0x40, 1 << 8
	// sti; nop; nop (the breakpoint, out of STI's shadow); nop; out 0x83,
	// al (an exit where the machine can inject, as it can at a kick);
	// nop; out portDone, al.
	const bp, portOther = codeAddr + 2, 0x83
	code := []byte{0xfb, 0x90, 0x90, 0x90, 0xe6, portOther, 0x90, 0xe6, portDone}
	for _, m := range modesWithDebug() {
		if !m.long {
			continue // the test guest's protected mode has no IDT
		}
		t.Run(m.name, func(t *testing.T) {
			g := newTestGuest(t, m, code)
			v := g.vcpu
			if err := v.SetDebug(cpu.DebugConfig{Breakpoints: []uint64{bp}}); err != nil {
				t.Fatal(err)
			}
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			e, err := v.Run()
			if err != nil || e.Kind != cpu.ExitDebug || e.Debug.Addr != bp {
				t.Fatalf("first Run: %+v, %v; want the breakpoint at %#x", e, err, bp)
			}
			// The debugger detaches: no breakpoints; an interrupt is pending.
			if err := v.SetDebug(cpu.DebugConfig{}); err != nil {
				t.Fatal(err)
			}
			if v.CanInjectInterrupt() {
				t.Error("CanInjectInterrupt at a breakpoint the next Run steps over")
			}
			// The machine's run loop: inject when it may, else ask for the
			// window.
			pending := true
			for i := 0; i < 10 && (e.Kind != cpu.ExitPortIO || e.Port == portOther); i++ {
				if pending && v.CanInjectInterrupt() {
					v.RequestInterruptWindow(false)
					if err := v.InjectInterrupt(irq); err != nil {
						t.Fatal(err)
					}
					pending = false
				} else if pending {
					v.RequestInterruptWindow(true)
				}
				if e, err = v.Run(); err != nil {
					t.Fatal(err)
				}
			}
			if e.Kind != cpu.ExitPortIO || e.Port != portFault || len(e.Data) != 1 || e.Data[0] != irq {
				t.Fatalf("the guest ended with %+v, want its handler reporting vector %#x", e, irq)
			}
			// The handler's frame: RIP, CS, RFLAGS, RSP, SS.
			r, err := v.Regs()
			if err != nil {
				t.Fatal(err)
			}
			frame := g.ram[r.RSP:]
			rip, rflags := binary.LittleEndian.Uint64(frame), binary.LittleEndian.Uint64(frame[16:])
			if rflags&rflagsTF != 0 {
				t.Errorf("the interrupt frame holds RFLAGS %#x: the host's single-step TF leaked into the guest", rflags)
			}
			// Where the window opens after the step: at once on hardware
			// virtualisation, at the next exit where KVM emulates (PVM).
			if rip <= bp {
				t.Errorf("interrupted at %#x, before the instruction at the breakpoint %#x ran", rip, bp)
			}
		})
	}
}
