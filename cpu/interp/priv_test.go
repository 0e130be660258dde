package interp

import (
	"encoding/binary"
	"testing"

	"github.com/pollscope/pollscope/cpu"
)

// userCode drops to CPL 3 with IRETQ (Linux's selectors: user data 0x2b,
// user code 0x33), makes a SYSCALL that increments RAX and returns with
// SYSRETQ, reads SS and CS, and executes HLT, which faults (#GP) at CPL 3
// into a CPL 0 handler on the TSS's RSP0 stack. Assembled with GNU as:
//
//	start: mov ecx, 0xC0000081; xor eax, eax; mov edx, 0x00230008; wrmsr  // STAR
//	       mov ecx, 0xC0000082; lea rax, [rip + entry]; xor edx, edx; wrmsr // LSTAR
//	       mov ecx, 0xC0000084; mov eax, 0x200; xor edx, edx; wrmsr      // SFMASK = IF
//	       push 0x2b; push 0x2f0000; push 0x202; push 0x33; lea rax, [rip + user]; push rax; iretq
//	user:  mov rax, 42; syscall; mov rbx, rax; mov cx, ss; mov dx, cs; hlt
//	entry: inc rax; sysretq
var userCode = []byte{
	0xb9, 0x81, 0x00, 0x00, 0xc0, 0x31, 0xc0, 0xba, 0x08, 0x00, 0x23, 0x00,
	0x0f, 0x30, 0xb9, 0x82, 0x00, 0x00, 0xc0, 0x48, 0x8d, 0x05, 0x3d, 0x00,
	0x00, 0x00, 0x31, 0xd2, 0x0f, 0x30, 0xb9, 0x84, 0x00, 0x00, 0xc0, 0xb8,
	0x00, 0x02, 0x00, 0x00, 0x31, 0xd2, 0x0f, 0x30, 0x6a, 0x2b, 0x68, 0x00,
	0x00, 0x2f, 0x00, 0x68, 0x02, 0x02, 0x00, 0x00, 0x6a, 0x33, 0x48, 0x8d,
	0x05, 0x03, 0x00, 0x00, 0x00, 0x50, 0x48, 0xcf, 0x48, 0xc7, 0xc0, 0x2a,
	0x00, 0x00, 0x00, 0x0f, 0x05, 0x48, 0x89, 0xc3, 0x66, 0x8c, 0xd1, 0x66,
	0x8c, 0xca, 0xf4, 0x48, 0xff, 0xc0, 0x48, 0x0f, 0x07,
}

const (
	userHLT  = codeAddr + 0x56
	userRSP  = 0x2f0000
	rsp0     = stackTop - 0x8000 // the test TSS's RSP0
	gpVector = 13
)

func TestUserModeSyscallAndFault(t *testing.T) {
	c, ram := newTestCPU(t, modeLong, userCode)
	e := runToHalt(t, c)
	if e.Kind != cpu.ExitHLT {
		t.Fatalf("exit %v", e.Kind)
	}
	r, _ := c.Regs()
	s, _ := c.SRegs()
	if r.RIP != handlerPad+16*gpVector+1 || c.cpl != 0 {
		t.Fatalf("stopped at %#x CPL %d, want the #GP handler at CPL 0", r.RIP, c.cpl)
	}
	if r.RBX != 43 {
		t.Errorf("RBX = %d: the syscall did not return RAX+1", r.RBX)
	}
	if r.RCX&0xffff != 0x2b || r.RDX&0xffff != 0x33 {
		t.Errorf("user SS = %#x, CS = %#x, want 0x2b, 0x33", r.RCX&0xffff, r.RDX&0xffff)
	}
	if s.CS.Selector != 0x08 || s.SS.Selector != 0 {
		t.Errorf("in the handler CS = %#x SS = %#x, want 0x08 and a null SS", s.CS.Selector, s.SS.Selector)
	}
	// The #GP frame on the RSP0 stack: error code, RIP, CS, RFLAGS (RF set:
	// a fault), RSP, SS.
	want := []uint64{0, userHLT, 0x33, 0x10202, userRSP, 0x2b}
	if r.RSP != rsp0-8*uint64(len(want)) {
		t.Fatalf("RSP = %#x, want %#x (RSP0 less the frame)", r.RSP, rsp0-8*uint64(len(want)))
	}
	for i, w := range want {
		if got := binary.LittleEndian.Uint64(ram[r.RSP+8*uint64(i):]); got != w {
			t.Errorf("frame[%d] = %#x, want %#x", i, got, w)
		}
	}
}

// An external interrupt arriving at CPL 3 switches to RSP0 and returns
// with IRETQ to the interrupted user code.
func TestUserModeInterrupt(t *testing.T) {
	code := append([]byte{}, userCode...)
	// user: jmp $ instead of the syscall sequence.
	copy(code[0x44:], []byte{0xeb, 0xfe})
	c, ram := newTestCPU(t, modeLong, code)
	// Vector 0x20's handler: iretq (replacing its HLT).
	h := handlerPad + 16*0x20
	ram[h], ram[h+1] = 0x48, 0xcf
	if err := c.KickAt(1000); err != nil {
		t.Fatal(err)
	}
	if e, _ := c.Run(); e.Kind != cpu.ExitKicked {
		t.Fatalf("exit %v, want the deadline", e.Kind)
	}
	if c.cpl != 3 || c.rip != codeAddr+0x44 || !c.CanInjectInterrupt() {
		t.Fatalf("at %#x CPL %d, want spinning at CPL 3 with interrupts on", c.rip, c.cpl)
	}
	if err := c.InjectInterrupt(0x20); err != nil {
		t.Fatal(err)
	}
	c.SetDebug(cpu.DebugConfig{SingleStep: true})
	if e, _ := c.Run(); e.Kind != cpu.ExitDebug || c.rip != uint64(h) || c.cpl != 0 || c.regs[4] != rsp0-40 {
		t.Fatalf("after delivery: %v at %#x CPL %d RSP %#x, want the handler at CPL 0 on RSP0", e.Kind, c.rip, c.cpl, c.regs[4])
	}
	if e, _ := c.Run(); e.Kind != cpu.ExitDebug || c.rip != codeAddr+0x44 || c.cpl != 3 || c.regs[4] != userRSP {
		t.Fatalf("after IRETQ: %v at %#x CPL %d RSP %#x, want back in the user loop", e.Kind, c.rip, c.cpl, c.regs[4])
	}
	if s, _ := c.SRegs(); s.SS.Selector != 0x2b || s.CS.Selector != 0x33 {
		t.Fatalf("after IRETQ CS=%#x SS=%#x", s.CS.Selector, s.SS.Selector)
	}
}

// User code touching a supervisor page takes #PF with the U bit, W bit
// and CR2 set.
func TestUserModePageFault(t *testing.T) {
	code := append([]byte{}, userCode...)
	// user: mov [0x200000], al
	copy(code[0x44:], []byte{0x88, 0x04, 0x25, 0x00, 0x00, 0x20, 0x00, 0xf4})
	c, ram := newTestCPU(t, modeLong, code)
	binary.LittleEndian.PutUint64(ram[pdAddr+8:], 0x200000|0x83) // 2 MiB page at 2 MiB: supervisor only
	runToHalt(t, c)
	if c.rip != handlerPad+16*vecPF+1 {
		t.Fatalf("stopped at %#x, want the #PF handler", c.rip)
	}
	if c.cr2 != 0x200000 {
		t.Errorf("CR2 = %#x", c.cr2)
	}
	if e := binary.LittleEndian.Uint64(ram[c.regs[4]:]); e != pfPresent|pfWrite|pfUser {
		t.Errorf("error code %#x, want present|write|user", e)
	}
}
