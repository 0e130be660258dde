package interp

import (
	"encoding/binary"
	"errors"
	"testing"

	"github.com/pollscope/pollscope/cpu"
)

// countLoop: mov ecx, 3; l: inc rax; mov [0x200000], rax; dec ecx; jnz l;
// mov rbx, [0x200000]; int3; hlt.
var countLoop = []byte{
	0xb9, 0x03, 0x00, 0x00, 0x00, // 0x00 mov ecx, 3
	0x48, 0xff, 0xc0, // 0x05 inc rax
	0x48, 0x89, 0x04, 0x25, 0x00, 0x00, 0x20, 0x00, // 0x08 mov [0x200000], rax
	0xff, 0xc9, // 0x10 dec ecx
	0x75, 0xf1, // 0x12 jnz 0x05
	0x48, 0x8b, 0x1c, 0x25, 0x00, 0x00, 0x20, 0x00, // 0x14 mov rbx, [0x200000]
	0xcc, // 0x1c int3
	0xf4, // 0x1d hlt
}

func TestSingleStepVisitsEveryInstruction(t *testing.T) {
	c, _ := newTestCPU(t, modeLong, countLoop)
	if err := c.SetDebug(cpu.DebugConfig{SingleStep: true, TrapBreakpointInstruction: true}); err != nil {
		t.Fatal(err)
	}
	want := []uint64{0x05, 0x08, 0x10, 0x12, 0x05, 0x08, 0x10, 0x12, 0x05, 0x08, 0x10, 0x12, 0x14, 0x1c}
	for i, w := range want {
		e, _ := c.Run()
		if e.Kind != cpu.ExitDebug || e.Debug.Reason != cpu.DebugStep || e.Debug.Addr != codeAddr+w {
			t.Fatalf("step %d: %v %+v, want a step stop at %#x", i, e.Kind, e.Debug, codeAddr+w)
		}
		if c.InstructionCount() != uint64(i+1) {
			t.Fatalf("step %d: %d instructions counted", i, c.InstructionCount())
		}
	}
	e, _ := c.Run()
	if e.Kind != cpu.ExitDebug || e.Debug.Reason != cpu.DebugBreakInstruction || e.Debug.Addr != codeAddr+0x1c {
		t.Fatalf("at the INT3: %v %+v", e.Kind, e.Debug)
	}
}

func TestBreakpointsStopBeforeTheInstruction(t *testing.T) {
	c, _ := newTestCPU(t, modeLong, countLoop)
	bps := []uint64{codeAddr + 0x10, codeAddr + 0x14}
	if err := c.SetDebug(cpu.DebugConfig{Breakpoints: bps}); err != nil {
		t.Fatal(err)
	}
	var hits []uint64
	for {
		e, _ := c.Run()
		if e.Kind == cpu.ExitHLT || e.Kind == cpu.ExitShutdown {
			break
		}
		if e.Kind != cpu.ExitDebug || e.Debug.Reason != cpu.DebugBreakpoint {
			t.Fatalf("exit %v %+v", e.Kind, e.Debug)
		}
		if c.rip != e.Debug.Addr-codeAddr+codeAddr {
			t.Fatalf("stopped with RIP %#x at breakpoint %#x", c.rip, e.Debug.Addr)
		}
		hits = append(hits, e.Debug.Addr)
		if len(hits) > 10 {
			t.Fatal("breakpoints fire forever")
		}
	}
	want := []uint64{codeAddr + 0x10, codeAddr + 0x10, codeAddr + 0x10, codeAddr + 0x14}
	if len(hits) != len(want) {
		t.Fatalf("breakpoint hits %#x, want %#x", hits, want)
	}
	for i := range want {
		if hits[i] != want[i] {
			t.Fatalf("breakpoint hits %#x, want %#x", hits, want)
		}
	}
	if c.regs[3] != 3 {
		t.Errorf("RBX = %d after the loop, want 3", c.regs[3])
	}
}

func TestWatchpointsStopAfterTheAccess(t *testing.T) {
	for _, tc := range []struct {
		name string
		kind cpu.WatchKind
		want []uint64 // RIP after each stop
	}{
		{"write", cpu.WatchWrite, []uint64{0x10, 0x10, 0x10}},
		{"read", cpu.WatchRead, []uint64{0x1c}},
		{"access", cpu.WatchReadWrite, []uint64{0x10, 0x10, 0x10, 0x1c}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newTestCPU(t, modeLong, countLoop)
			w := []cpu.Watchpoint{{Addr: dataAddr, Len: 8, Kind: tc.kind}}
			if err := c.SetDebug(cpu.DebugConfig{Watchpoints: w}); err != nil {
				t.Fatal(err)
			}
			var stops []uint64
			for {
				e, _ := c.Run()
				if e.Kind == cpu.ExitHLT {
					break
				}
				if e.Kind != cpu.ExitDebug || e.Debug.Reason != cpu.DebugWatchpoint || e.Debug.Addr != dataAddr {
					t.Fatalf("exit %v %+v", e.Kind, e.Debug)
				}
				stops = append(stops, c.rip-codeAddr)
				if len(stops) > 10 {
					t.Fatal("watchpoints fire forever")
				}
			}
			if len(stops) != len(tc.want) {
				t.Fatalf("stops at %#x, want %#x", stops, tc.want)
			}
			for i := range stops {
				if stops[i] != tc.want[i] {
					t.Fatalf("stops at %#x, want %#x", stops, tc.want)
				}
			}
		})
	}
}

func TestSetDebugRefusesBadWatchpoints(t *testing.T) {
	c, _ := newTestCPU(t, modeLong, countLoop)
	for _, w := range []cpu.Watchpoint{{Addr: 0x1000, Len: 3, Kind: cpu.WatchWrite}, {Addr: 0x1001, Len: 2, Kind: cpu.WatchWrite}, {Addr: 0x1000, Len: 4, Kind: 9}} {
		if err := c.SetDebug(cpu.DebugConfig{Watchpoints: []cpu.Watchpoint{w}}); err == nil || errors.Is(err, cpu.ErrDebugUnsupported) {
			t.Errorf("SetDebug(%+v) = %v, want a plain error", w, err)
		}
	}
}

// The guest's own single-stepping: with TF set, #DB traps after each
// instruction.
func TestTrapFlagRaisesDebugAfterEachInstruction(t *testing.T) {
	// pushfq; or qword [rsp], 0x100; popfq; nop; nop
	code := []byte{0x9c, 0x48, 0x81, 0x0c, 0x24, 0x00, 0x01, 0x00, 0x00, 0x9d, 0x90, 0x90}
	c, ram := newTestCPU(t, modeLong, code)
	runToHalt(t, c)
	if c.rip != handlerPad+16*vecDB+1 {
		t.Fatalf("stopped at %#x, want the #DB handler", c.rip)
	}
	// The trap comes after the first NOP (POPF set TF; it traps after the
	// instruction that starts with TF set).
	if rip := binary.LittleEndian.Uint64(ram[c.regs[4]:]); rip != codeAddr+11 {
		t.Errorf("#DB return address %#x, want %#x (after the first NOP)", rip, codeAddr+11)
	}
	if c.dr[6]&(1<<14) == 0 {
		t.Errorf("DR6 = %#x, want BS set", c.dr[6])
	}
}
