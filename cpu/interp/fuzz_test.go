package interp

import (
	"testing"

	"github.com/pollscope/pollscope/cpu"
)

// FuzzExecute runs arbitrary bytes as guest code in real, 32-bit protected
// and 64-bit long mode. Whatever the bytes do, the host must not panic
// (an interpreter bug surfaces as ExitInternalError), each run must end
// within its instruction budget, and memory stays bounded by the guest's
// RAM.
func FuzzExecute(f *testing.F) {
	seeds := [][]byte{
		{0x90, 0xf4},
		{0x48, 0x01, 0xc8, 0xeb, 0xfe}, // add; jmp $
		{0x0f, 0x0b},                   // ud2
		{0xcd, 0x80},                   // int 0x80
		{0xf3, 0x48, 0xa5},             // rep movsq
		{0x0f, 0x22, 0xd8},             // mov cr3, eax
		{0x48, 0xcf},                   // iretq
		{0x0f, 0x01, 0x10},             // lgdt [rax]
		{0xea, 0x00, 0x00, 0x10, 0x00, 0x08, 0x00},       // ljmp
		{0x66, 0x0f, 0xef, 0xc0, 0x0f, 0xae, 0x00},       // pxor; fxsave
		{0xf0, 0x0f, 0xc7, 0x0f},                         // lock cmpxchg8b
		{0x89, 0x05, 0x00, 0x00, 0x10, 0x00, 0xeb, 0xf8}, // store into its own code
		{0xe4, 0x60, 0xec, 0xee, 0x6c},                   // in/out/insb
	}
	for m := uint8(0); m < 3; m++ {
		for _, s := range seeds {
			f.Add(m, s)
		}
	}
	f.Fuzz(func(t *testing.T, mode uint8, code []byte) {
		if len(code) > 4096 {
			code = code[:4096]
		}
		c := fuzzCPU(t, testMode(mode%3), code)
		const budget = 20000
		if err := c.KickAt(budget); err != nil {
			t.Fatal(err)
		}
		for exits := 0; exits < 256; exits++ {
			e, err := c.Run()
			if err != nil {
				t.Fatal(err)
			}
			switch e.Kind {
			case cpu.ExitInternalError:
				t.Fatalf("internal error in mode %d running %x", mode%3, code)
			case cpu.ExitKicked, cpu.ExitShutdown:
				return
			case cpu.ExitHLT:
				if !c.InterruptsEnabled() {
					return
				}
				c.Sleep() // the deadline ends the sleep
			}
			if c.InstructionCount() > 4*budget {
				t.Fatalf("ran %d instructions past a budget of %d", c.InstructionCount(), budget)
			}
		}
	})
}

// fuzzRig is one CPU and RAM reused by the fuzz iterations of a process
// (they run one at a time), so an iteration costs a reset, not 4 MiB.
var fuzzRig struct {
	c   *CPU
	ram []byte
}

func fuzzCPU(t *testing.T, mode testMode, code []byte) *CPU {
	if fuzzRig.c == nil {
		fuzzRig.c, fuzzRig.ram = newTestCPU(t, mode, nil)
	}
	c, ram := fuzzRig.c, fuzzRig.ram
	clear(ram)
	c.code.flushAll()
	c.reset()
	c.icount, c.idleNs, c.deadline = 0, 0, 0
	c.pendingIRQ, c.pendingException, c.pendingIO = -1, nil, pendingIO{}
	copy(ram[codeAddr:], code)
	setupTestMachine(c, ram, mode)
	return c
}
