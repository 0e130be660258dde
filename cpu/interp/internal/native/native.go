//go:build linux && amd64

// Package native runs single x86-64 instructions on the host CPU, for
// tests that compare the software CPU's results (registers, flags, XMM
// registers, memory) with the hardware's. Each instruction is placed in an
// executable page between a prologue that loads a State into the
// registers and an epilogue that stores them back, and called from a tiny
// assembly trampoline. Only user-level instructions that cannot fault may
// be run (a fault kills the test process), and RSP is not part of the
// state: the instruction must not use the stack.
package native

import (
	"encoding/binary"
	"fmt"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// State is the register file an instruction sees and leaves. Regs are in
// encoding order (RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8-R15); RSP is
// ignored. Flags are RFLAGS (only the status flags and DF are loaded).
type State struct {
	Regs  [16]uint64
	Flags uint64
	XMM   [8][16]byte
}

// Offsets in State.
const (
	offFlags = 128
	offXMM   = 136
)

func call(fn uintptr, st *State)

var (
	mu    sync.Mutex
	pages = map[string]uintptr{}
)

// Run executes code (one or more instructions, no RET) with st loaded and
// stores the resulting registers into st.
func Run(code []byte, st *State) error {
	mu.Lock()
	fn, ok := pages[string(code)]
	if !ok {
		var err error
		if fn, err = build(code); err != nil {
			mu.Unlock()
			return err
		}
		pages[string(code)] = fn
	}
	mu.Unlock()
	in := *st
	in.Flags = st.Flags&0x8d5 | 0x202 // status flags; IF as user space has it
	call(fn, &in)
	*st = in
	return nil
}

// build makes prologue + code + epilogue executable.
func build(code []byte) (uintptr, error) {
	var b []byte
	emit := func(x ...byte) { b = append(b, x...) }
	// Save the callee-saved registers and the state pointer.
	emit(0x53, 0x55, 0x41, 0x54, 0x41, 0x55, 0x41, 0x56, 0x41, 0x57) // push rbx, rbp, r12-r15
	emit(0x57)                                                       // push rdi
	// Flags: push qword [rdi+offFlags]; popfq.
	emit(0xff, 0xb7)
	b = binary.LittleEndian.AppendUint32(b, offFlags)
	emit(0x9d)
	// XMM0-7: movdqu xmmN, [rdi+offXMM+16N].
	for n := 0; n < 8; n++ {
		emit(0xf3, 0x0f, 0x6f, 0x87|byte(n)<<3)
		b = binary.LittleEndian.AppendUint32(b, uint32(offXMM+16*n))
	}
	// mov reg, [rdi+8*reg] for every register but RSP and RDI, then RDI.
	for r := 0; r < 16; r++ {
		if r == 4 || r == 7 {
			continue
		}
		emit(0x48|byte(r>>3)<<2, 0x8b, 0x87|byte(r&7)<<3)
		b = binary.LittleEndian.AppendUint32(b, uint32(8*r))
	}
	emit(0x48, 0x8b, 0x7f, 8*7) // mov rdi, [rdi+56]
	emit(code...)
	// Store: pushfq; push rdi; mov rdi, [rsp+16] (the state pointer).
	emit(0x9c, 0x57)
	emit(0x48, 0x8b, 0x7c, 0x24, 0x10)
	for r := 0; r < 16; r++ {
		if r == 4 || r == 7 {
			continue
		}
		emit(0x48|byte(r>>3)<<2, 0x89, 0x87|byte(r&7)<<3)
		b = binary.LittleEndian.AppendUint32(b, uint32(8*r))
	}
	for n := 0; n < 8; n++ {
		emit(0xf3, 0x0f, 0x7f, 0x87|byte(n)<<3)
		b = binary.LittleEndian.AppendUint32(b, uint32(offXMM+16*n))
	}
	emit(0x58)                  // pop rax (the instruction's RDI)
	emit(0x48, 0x89, 0x47, 8*7) // mov [rdi+56], rax
	emit(0x58)                  // pop rax (its RFLAGS)
	emit(0x48, 0x89, 0x87)      // mov [rdi+offFlags], rax
	b = binary.LittleEndian.AppendUint32(b, offFlags)
	emit(0x68, 0x02, 0x02, 0, 0, 0x9d)                               // push 0x202; popfq: DF and AC clear for Go
	emit(0x5f)                                                       // pop rdi
	emit(0x41, 0x5f, 0x41, 0x5e, 0x41, 0x5d, 0x41, 0x5c, 0x5d, 0x5b) // pop r15-r12, rbp, rbx
	emit(0xc3)
	if len(b) > 4096 {
		return 0, fmt.Errorf("native: code too long")
	}
	mem, err := unix.Mmap(-1, 0, 4096, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		return 0, err
	}
	copy(mem, b)
	if err := unix.Mprotect(mem, unix.PROT_READ|unix.PROT_EXEC); err != nil {
		return 0, err
	}
	return uintptr(unsafe.Pointer(&mem[0])), nil
}
