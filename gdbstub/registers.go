package gdbstub

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/pollscope/pollscope/cpu"
)

// The register file as gdb numbers it: the order of the target
// description (tdesc.go), which is also the layout of the g and G packets.
// Each value travels in target (little-endian) byte order.

// regPart is the group of vCPU registers a gdb register lives in: what a
// write must send back to the target.
type regPart uint8

const (
	partGeneral regPart = iota // cpu.Regs
	partSystem                 // cpu.SRegs
	partFPU                    // cpu.FXSave
)

// regFile is a snapshot of the target's registers.
type regFile struct {
	regs  cpu.Regs
	sregs cpu.SRegs
	fpu   cpu.FXSave
	// fpuErr is why the FPU state could not be read; its registers then
	// read as unavailable.
	fpuErr error
}

// register is one gdb register: its place in the target description and
// how to read and write it in the snapshot.
type register struct {
	name    string
	bits    int
	feature string
	typ     string
	group   string // gdb's register group, when not the default
	part    regPart
	get     func(*regFile, []byte)       // fill bits/8 bytes
	set     func(*regFile, []byte) error // from bits/8 bytes
}

func (r *register) size() int { return r.bits / 8 }

var errSelectorWrite = errors.New("a segment selector cannot be changed from the debugger: its descriptor cache would not follow")

// registers is the x86-64 register file in gdb's numbering.
var registers = buildRegisters()

func buildRegisters() []register {
	le := binary.LittleEndian
	var rs []register
	gpr := func(name, typ string, field func(*cpu.Regs) *uint64) {
		rs = append(rs, register{name: name, bits: 64, feature: featureCore, typ: typ, part: partGeneral,
			get: func(f *regFile, b []byte) { le.PutUint64(b, *field(&f.regs)) },
			set: func(f *regFile, b []byte) error { *field(&f.regs) = le.Uint64(b); return nil }})
	}
	gpr("rax", "int64", func(r *cpu.Regs) *uint64 { return &r.RAX })
	gpr("rbx", "int64", func(r *cpu.Regs) *uint64 { return &r.RBX })
	gpr("rcx", "int64", func(r *cpu.Regs) *uint64 { return &r.RCX })
	gpr("rdx", "int64", func(r *cpu.Regs) *uint64 { return &r.RDX })
	gpr("rsi", "int64", func(r *cpu.Regs) *uint64 { return &r.RSI })
	gpr("rdi", "int64", func(r *cpu.Regs) *uint64 { return &r.RDI })
	gpr("rbp", "data_ptr", func(r *cpu.Regs) *uint64 { return &r.RBP })
	gpr("rsp", "data_ptr", func(r *cpu.Regs) *uint64 { return &r.RSP })
	gpr("r8", "int64", func(r *cpu.Regs) *uint64 { return &r.R8 })
	gpr("r9", "int64", func(r *cpu.Regs) *uint64 { return &r.R9 })
	gpr("r10", "int64", func(r *cpu.Regs) *uint64 { return &r.R10 })
	gpr("r11", "int64", func(r *cpu.Regs) *uint64 { return &r.R11 })
	gpr("r12", "int64", func(r *cpu.Regs) *uint64 { return &r.R12 })
	gpr("r13", "int64", func(r *cpu.Regs) *uint64 { return &r.R13 })
	gpr("r14", "int64", func(r *cpu.Regs) *uint64 { return &r.R14 })
	gpr("r15", "int64", func(r *cpu.Regs) *uint64 { return &r.R15 })
	gpr("rip", "code_ptr", func(r *cpu.Regs) *uint64 { return &r.RIP })
	// gdb shows RFLAGS as the 32-bit eflags; its upper half is reserved.
	rs = append(rs, register{name: "eflags", bits: 32, feature: featureCore, typ: "i386_eflags", part: partGeneral,
		get: func(f *regFile, b []byte) { le.PutUint32(b, uint32(f.regs.RFLAGS)) },
		set: func(f *regFile, b []byte) error {
			f.regs.RFLAGS = f.regs.RFLAGS&^0xffffffff | uint64(le.Uint32(b))
			return nil
		}})
	seg := func(name string, field func(*cpu.SRegs) *cpu.Segment) {
		rs = append(rs, register{name: name, bits: 32, feature: featureCore, typ: "int32", part: partSystem,
			get: func(f *regFile, b []byte) { le.PutUint32(b, uint32(field(&f.sregs).Selector)) },
			set: func(f *regFile, b []byte) error {
				if le.Uint32(b) != uint32(field(&f.sregs).Selector) {
					return errSelectorWrite
				}
				return nil
			}})
	}
	seg("cs", func(s *cpu.SRegs) *cpu.Segment { return &s.CS })
	seg("ss", func(s *cpu.SRegs) *cpu.Segment { return &s.SS })
	seg("ds", func(s *cpu.SRegs) *cpu.Segment { return &s.DS })
	seg("es", func(s *cpu.SRegs) *cpu.Segment { return &s.ES })
	seg("fs", func(s *cpu.SRegs) *cpu.Segment { return &s.FS })
	seg("gs", func(s *cpu.SRegs) *cpu.Segment { return &s.GS })
	rs = append(rs, x87Registers()...)
	for i := range 16 {
		off := fxXMM + 16*i
		rs = append(rs, register{name: fmt.Sprintf("xmm%d", i), bits: 128, feature: featureSSE, typ: "vec128", part: partFPU,
			get: func(f *regFile, b []byte) { copy(b, f.fpu[off:off+16]) },
			set: func(f *regFile, b []byte) error { copy(f.fpu[off:off+16], b); return nil }})
	}
	rs = append(rs, register{name: "mxcsr", bits: 32, feature: featureSSE, typ: "i386_mxcsr", group: "vector", part: partFPU,
		get: func(f *regFile, b []byte) { copy(b, f.fpu[fxMXCSR:fxMXCSR+4]) },
		set: func(f *regFile, b []byte) error { copy(f.fpu[fxMXCSR:fxMXCSR+4], b); return nil }})
	sys := func(name, feature, typ string, field func(*cpu.SRegs) *uint64) {
		rs = append(rs, register{name: name, bits: 64, feature: feature, typ: typ, part: partSystem,
			get: func(f *regFile, b []byte) { le.PutUint64(b, *field(&f.sregs)) },
			set: func(f *regFile, b []byte) error { *field(&f.sregs) = le.Uint64(b); return nil }})
	}
	sys("fs_base", featureSegments, "int64", func(s *cpu.SRegs) *uint64 { return &s.FS.Base })
	sys("gs_base", featureSegments, "int64", func(s *cpu.SRegs) *uint64 { return &s.GS.Base })
	sys("cr0", featureSystem, "cr0_flags", func(s *cpu.SRegs) *uint64 { return &s.CR0 })
	sys("cr2", featureSystem, "int64", func(s *cpu.SRegs) *uint64 { return &s.CR2 })
	sys("cr3", featureSystem, "int64", func(s *cpu.SRegs) *uint64 { return &s.CR3 })
	sys("cr4", featureSystem, "cr4_flags", func(s *cpu.SRegs) *uint64 { return &s.CR4 })
	sys("cr8", featureSystem, "int64", func(s *cpu.SRegs) *uint64 { return &s.CR8 })
	sys("efer", featureSystem, "efer_flags", func(s *cpu.SRegs) *uint64 { return &s.EFER })
	return rs
}

// registerFileSize is the g packet's length in bytes.
var registerFileSize = func() int {
	n := 0
	for i := range registers {
		n += registers[i].size()
	}
	return n
}()

// appendRegister appends register n's value in hex, or "xx" per byte
// where the target could not provide it.
func (f *regFile) appendRegister(dst []byte, n int) []byte {
	r := &registers[n]
	if r.part == partFPU && f.fpuErr != nil {
		for range r.size() {
			dst = append(dst, 'x', 'x')
		}
		return dst
	}
	var b [16]byte
	r.get(f, b[:r.size()])
	return appendHexBytes(dst, b[:r.size()])
}

// appendAll appends the whole register file, as a g reply.
func (f *regFile) appendAll(dst []byte) []byte {
	for n := range registers {
		dst = f.appendRegister(dst, n)
	}
	return dst
}

// setRegister writes register n from its bytes.
func (f *regFile) setRegister(n int, b []byte) error {
	r := &registers[n]
	if len(b) != r.size() {
		return fmt.Errorf("register %s is %d bytes, got %d", r.name, r.size(), len(b))
	}
	if r.part == partFPU && f.fpuErr != nil {
		return fmt.Errorf("register %s: the FPU state is unavailable: %v", r.name, f.fpuErr)
	}
	return r.set(f, b)
}

// setAll writes the registers from a G packet's bytes. A G packet may be
// shorter than the whole file: registers past its end keep their values.
// Unavailable registers sent back as they were ("xx") are skipped by the
// caller, which passes nil for them.
func (f *regFile) setAll(values [][]byte) error {
	for n, b := range values {
		if b == nil {
			continue
		}
		if err := f.setRegister(n, b); err != nil {
			return err
		}
	}
	return nil
}

// splitRegisterFile cuts a G packet's hex into per-register bytes; a
// register sent as all "x" is nil.
func splitRegisterFile(s string) ([][]byte, error) {
	if len(s)%2 != 0 {
		return nil, errMalformed
	}
	var out [][]byte
	for n := 0; n < len(registers) && len(s) > 0; n++ {
		size := 2 * registers[n].size()
		if len(s) < size {
			return nil, fmt.Errorf("register %s is cut short", registers[n].name)
		}
		field := s[:size]
		s = s[size:]
		if allX(field) {
			out = append(out, nil)
			continue
		}
		b, err := decodeHexBytes(field)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	if len(s) > 0 {
		return nil, fmt.Errorf("%d hex digits past the register file", len(s))
	}
	return out, nil
}

func allX(s string) bool {
	for i := range len(s) {
		if s[i] != 'x' {
			return false
		}
	}
	return true
}
