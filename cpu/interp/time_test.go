package interp

import (
	"bytes"
	"testing"
	"time"

	"github.com/pollscope/pollscope/cpu"
)

// spin: inc rax; jmp spin.
var spin = []byte{0x48, 0xff, 0xc0, 0xeb, 0xfb}

func TestKickAtStopsAtTheExactInstruction(t *testing.T) {
	for _, ns := range []uint64{1, 3} {
		for _, at := range []uint64{1, 2, 7, 1000, 123457} {
			c, _ := newTestCPU(t, modeLong, spin)
			c.opts.NsPerInstruction = ns
			if err := c.KickAt(time.Duration(at * ns)); err != nil {
				t.Fatal(err)
			}
			e, _ := c.Run()
			if e.Kind != cpu.ExitKicked || c.InstructionCount() != at || c.Clock().Now() != time.Duration(at*ns) {
				t.Errorf("KickAt(%d ns) at %d ns/instruction: %v after %d instructions, clock %v", at*ns, ns, e.Kind, c.InstructionCount(), c.Clock().Now())
			}
			// The next Run continues: no second stop for the same deadline.
			c.KickAt(time.Duration((at + 10) * ns))
			if e, _ := c.Run(); e.Kind != cpu.ExitKicked || c.InstructionCount() != at+10 {
				t.Errorf("second deadline: %v after %d", e.Kind, c.InstructionCount())
			}
		}
	}
}

// rdtscLoop: rdtsc; mov rbx, rax; rdtsc; sub rax, rbx; hlt.
func TestTSCCountsInstructionsUnderICount(t *testing.T) {
	c, _ := newTestCPU(t, modeLong, []byte{0x0f, 0x31, 0x48, 0x89, 0xc3, 0x0f, 0x31, 0x48, 0x29, 0xd8, 0xf4})
	runToHalt(t, c)
	if c.regs[0] != 2 {
		t.Errorf("two RDTSCs two instructions apart differ by %d", c.regs[0])
	}
}

// sti; hlt; then spin: a halted guest with a deadline skips to it at once.
func TestSleepSkipsToTheDeadlineUnderICount(t *testing.T) {
	c, _ := newTestCPU(t, modeLong, append([]byte{0xfb, 0xf4}, spin...))
	if e, _ := c.Run(); e.Kind != cpu.ExitHLT {
		t.Fatalf("exit %v", e.Kind)
	}
	deadline := 10 * time.Millisecond
	c.KickAt(deadline)
	start := time.Now()
	c.Sleep()
	if c.Clock().Now() != deadline {
		t.Errorf("after Sleep the clock reads %v, want %v", c.Clock().Now(), deadline)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("Sleep waited in real time")
	}
	if c.InstructionCount() != 2 {
		t.Errorf("%d instructions, want 2", c.InstructionCount())
	}
	if err := c.AdvanceTo(deadline + time.Second); err != nil || c.Clock().Now() != deadline+time.Second {
		t.Errorf("AdvanceTo: %v, clock %v", err, c.Clock().Now())
	}
	if c.AdvanceTo(0) == nil {
		t.Error("AdvanceTo backwards accepted")
	}
}

func TestKickFromAnotherGoroutineEndsRunAndSleep(t *testing.T) {
	c, _ := newTestCPU(t, modeLong, spin)
	c.opts.ICount = false
	c.host = cpu.NewHostClock()
	c.clock = c.host
	go func() {
		time.Sleep(10 * time.Millisecond)
		c.Kick()
	}()
	if e, _ := c.Run(); e.Kind != cpu.ExitKicked {
		t.Fatalf("exit %v", e.Kind)
	}
	done := make(chan struct{})
	go func() { c.Sleep(); close(done) }()
	time.Sleep(5 * time.Millisecond)
	c.Kick()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Sleep did not return after a Kick")
	}
	// A kick with nobody running makes the next Run return at once.
	c.Kick()
	if e, _ := c.Run(); e.Kind != cpu.ExitKicked {
		t.Fatalf("pending kick: exit %v", e.Kind)
	}
}

// A long REP MOVSB lets an event in between chunks and completes exactly.
func TestLongRepMovsIsInterruptible(t *testing.T) {
	// mov rsi, 0x200000; mov rdi, 0x280000; mov ecx, 0x60000; rep movsb; hlt
	code := []byte{0x48, 0xc7, 0xc6, 0x00, 0x00, 0x20, 0x00, 0x48, 0xc7, 0xc7, 0x00, 0x00, 0x28, 0x00,
		0xb9, 0x00, 0x00, 0x06, 0x00, 0xf3, 0xa4, 0xf4}
	c, ram := newTestCPU(t, modeLong, code)
	for i := 0; i < 0x60000; i++ {
		ram[dataAddr+i] = byte(i * 7)
	}
	c.KickAt(3 + 1000) // the three MOVs, then 1000 iterations
	e, _ := c.Run()
	if e.Kind != cpu.ExitKicked {
		t.Fatalf("exit %v", e.Kind)
	}
	if c.rip != codeAddr+19 || c.regs[1] != 0x60000-1000 {
		t.Fatalf("stopped at %#x with RCX %#x, want in the REP MOVSB after 1000 bytes", c.rip, c.regs[1])
	}
	if !c.CanInjectInterrupt() && c.rflags&flagIF != 0 {
		t.Fatal("an interrupt could not be taken in the middle of REP MOVSB")
	}
	runToHalt(t, c)
	if !bytes.Equal(ram[dataAddr:dataAddr+0x60000], ram[0x280000:0x280000+0x60000]) || c.regs[1] != 0 {
		t.Fatal("the copy is wrong after resuming")
	}
	if c.InstructionCount() != 3+0x60000+1 {
		t.Errorf("%d instructions, want one per iteration", c.InstructionCount())
	}
}

// CompleteInstruction finishes a pending IN without running further.
func TestCompleteInstruction(t *testing.T) {
	// in al, 0x60; hlt
	c, _ := newTestCPU(t, modeLong, []byte{0xe4, 0x60, 0xf4})
	e, _ := c.Run()
	if e.Kind != cpu.ExitPortIO {
		t.Fatalf("exit %v", e.Kind)
	}
	e.Data[0] = 0x42
	if err := c.CompleteInstruction(); err != nil {
		t.Fatal(err)
	}
	if c.regs[0]&0xff != 0x42 || c.rip != codeAddr+2 {
		t.Fatalf("after CompleteInstruction: AL=%#x RIP=%#x", c.regs[0]&0xff, c.rip)
	}
	if err := c.CompleteInstruction(); err != nil || c.rip != codeAddr+2 {
		t.Fatalf("a second CompleteInstruction changed something: %v %#x", err, c.rip)
	}
	if e := runToHalt(t, c); e.Kind != cpu.ExitHLT || c.rip != codeAddr+3 {
		t.Fatalf("then: %v at %#x", e.Kind, c.rip)
	}
	// SetFPU round-trips with FPU.
	var img cpu.FXSave
	img[0], img[1] = 0x7f, 0x03
	img[24], img[25] = 0x80, 0x1f
	img[160] = 0xaa
	if err := c.SetFPU(img); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.FPU(); got[160] != 0xaa || got[0] != 0x7f || got[25] != 0x1f {
		t.Fatalf("FPU after SetFPU: %x", got[:32])
	}
	img[27] = 0x80 // reserved MXCSR bit
	if c.SetFPU(img) == nil {
		t.Fatal("SetFPU accepted a reserved MXCSR bit")
	}
}
