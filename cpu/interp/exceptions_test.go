package interp

import (
	"encoding/binary"
	"testing"

	"github.com/pollscope/pollscope/cpu"
)

func TestDivideErrorFrame(t *testing.T) {
	// xor ecx, ecx; div ecx; hlt
	c, ram := newTestCPU(t, modeLong, []byte{0x31, 0xc9, 0xf7, 0xf1, 0xf4})
	runToHalt(t, c)
	if c.rip != handlerPad+16*vecDE+1 {
		t.Fatalf("stopped at %#x, want the #DE handler", c.rip)
	}
	// No error code: RIP (the DIV), CS, RFLAGS, RSP, SS.
	if rip := binary.LittleEndian.Uint64(ram[c.regs[4]:]); rip != codeAddr+2 {
		t.Errorf("pushed RIP %#x, want the faulting DIV at %#x", rip, codeAddr+2)
	}
	if c.InstructionCount() != 2 {
		t.Errorf("%d instructions retired, want 2 (XOR and the handler's HLT: the DIV did not retire)", c.InstructionCount())
	}
}

func TestUnimplementedInstructionRaisesUDAndIsCounted(t *testing.T) {
	// fbstp [rdi] (packed-BCD stores are not implemented); hlt
	c, _ := newTestCPU(t, modeLong, []byte{0xdf, 0x37, 0xf4})
	runToHalt(t, c)
	if c.rip != handlerPad+16*vecUD+1 {
		t.Fatalf("stopped at %#x, want the #UD handler", c.rip)
	}
	if n := c.Unimplemented()["FBSTP"]; n != 1 {
		t.Errorf("Unimplemented() = %v, want FBSTP once", c.Unimplemented())
	}
}

func TestDoubleAndTripleFault(t *testing.T) {
	t.Run("double", func(t *testing.T) {
		// The #GP gate is not present: #GP -> #NP while delivering it,
		// two contributory faults -> #DF.
		// mov ds, ax with AX = 0x50, beyond the GDT: #GP.
		c, ram := newTestCPU(t, modeLong, []byte{0x8e, 0xd8, 0xf4})
		c.regs[0] = 0x50
		ram[testIDT+16*vecGP+5] &^= 0x80 // clear P
		runToHalt(t, c)
		if c.rip != handlerPad+16*vecDF+1 {
			t.Fatalf("stopped at %#x, want the #DF handler", c.rip)
		}
		if e := binary.LittleEndian.Uint64(ram[c.regs[4]:]); e != 0 {
			t.Errorf("#DF error code %#x, want 0", e)
		}
	})
	t.Run("triple", func(t *testing.T) {
		c, _ := newTestCPU(t, modeLong, []byte{0x0f, 0x0b}) // ud2
		c.idtr.Limit = 0
		if e := runToHalt(t, c); e.Kind != cpu.ExitShutdown {
			t.Fatalf("exit %v, want shutdown", e.Kind)
		}
	})
}

func TestRealModeInterrupt(t *testing.T) {
	// int 0x10; hlt — IVT[0x10] points at 0x0000:0x0500, which holds
	// mov ax, 0x1234; iret.
	c, ram := newTestCPU(t, modeReal, []byte{0xcd, 0x10, 0xf4})
	binary.LittleEndian.PutUint16(ram[0x40:], 0x500)
	binary.LittleEndian.PutUint16(ram[0x42:], 0)
	copy(ram[0x500:], []byte{0xb8, 0x34, 0x12, 0xcf})
	runToHalt(t, c)
	if c.regs[0]&0xffff != 0x1234 || c.seg[segCS].sel != 0xffff || c.rip != codeAddr-0xffff0+3 {
		t.Fatalf("AX=%#x CS=%#x IP=%#x after INT 10h and IRET", c.regs[0], c.seg[segCS].sel, c.rip)
	}
}

func TestProtectedModeInterruptGate(t *testing.T) {
	// A 32-bit IDT with one interrupt gate (vector 0x21 -> 0x100010:
	// mov eax, 7; iretd) and INT 0x21 at CPL 0.
	code := []byte{0xcd, 0x21, 0xf4}
	c, ram := newTestCPU(t, modeProt32, code)
	copy(ram[codeAddr+0x10:], []byte{0xb8, 0x07, 0x00, 0x00, 0x00, 0xcf})
	gate := uint64(codeAddr+0x10)&0xffff | 0x18<<16 | 0x8e<<40 | (uint64(codeAddr+0x10)>>16)<<48
	binary.LittleEndian.PutUint64(ram[testIDT+8*0x21:], gate)
	c.idtr = cpu.Table{Base: testIDT, Limit: 0x7ff}
	runToHalt(t, c)
	if c.regs[0] != 7 || c.rip != codeAddr+3 {
		t.Fatalf("EAX=%d EIP=%#x after INT 21h", c.regs[0], c.rip)
	}
}

func TestPortIO(t *testing.T) {
	// mov dx, 0x60; in al, dx; out 0x80, al; mov rsi, 0x200000; mov ecx, 5; rep outsb; hlt
	code := []byte{0x66, 0xba, 0x60, 0x00, 0xec, 0xe6, 0x80,
		0x48, 0xc7, 0xc6, 0x00, 0x00, 0x20, 0x00, 0xb9, 0x05, 0x00, 0x00, 0x00, 0xf3, 0x6e, 0xf4}
	c, ram := newTestCPU(t, modeLong, code)
	copy(ram[dataAddr:], "hello")
	e, _ := c.Run()
	if e.Kind != cpu.ExitPortIO || e.Write || e.Port != 0x60 || e.Size != 1 || e.Count != 1 {
		t.Fatalf("first exit %+v, want IN from 0x60", e)
	}
	if c.rip != codeAddr+4 {
		t.Errorf("RIP %#x during the IN, want the IN itself", c.rip)
	}
	e.Data[0] = 0x5a
	e, _ = c.Run()
	if e.Kind != cpu.ExitPortIO || !e.Write || e.Port != 0x80 || e.Data[0] != 0x5a {
		t.Fatalf("second exit %+v, want OUT 0x5a to 0x80", e)
	}
	e, _ = c.Run()
	if e.Kind != cpu.ExitPortIO || !e.Write || e.Port != 0x60 || e.Count != 5 || string(e.Data) != "hello" {
		t.Fatalf("third exit %+v, want one REP OUTSB exit with all five bytes", e)
	}
	if e := runToHalt(t, c); e.Kind != cpu.ExitHLT || c.regs[1] != 0 || c.regs[6] != dataAddr+5 {
		t.Fatalf("after REP OUTSB: %v RCX=%d RSI=%#x", e.Kind, c.regs[1], c.regs[6])
	}
}
