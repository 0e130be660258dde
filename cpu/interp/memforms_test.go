package interp

import (
	"encoding/binary"
	"testing"
	"unsafe"

	"github.com/pollscope/pollscope/cpu/interp/internal/native"
)

// Memory-operand forms against the host: RDI points at a 64-byte buffer
// (a host one natively, guest memory here); the buffer, the registers but
// RDI, and the flags must agree.
func TestMemoryFormsAgainstHost(t *testing.T) {
	r := newNativeRig(t)
	vals := testValues(24, 14)
	cases := []struct {
		name string
		code []byte
	}{
		{"add [rdi], rcx", []byte{0x48, 0x01, 0x0f}},
		{"adc [rdi+8], ecx", []byte{0x11, 0x4f, 0x08}},
		{"sub [rdi], cx", []byte{0x66, 0x29, 0x0f}},
		{"and [rdi+3], cl", []byte{0x20, 0x4f, 0x03}},
		{"xor rcx, [rdi]", []byte{0x48, 0x33, 0x0f}},
		{"cmp [rdi], rcx", []byte{0x48, 0x39, 0x0f}},
		{"test [rdi], ecx", []byte{0x85, 0x0f}},
		{"add dword [rdi], 0x7f", []byte{0x83, 0x07, 0x7f}},
		{"or qword [rdi], -2", []byte{0x48, 0x83, 0x0f, 0xfe}},
		{"inc dword [rdi]", []byte{0xff, 0x07}},
		{"dec byte [rdi+5]", []byte{0xfe, 0x4f, 0x05}},
		{"neg word [rdi]", []byte{0x66, 0xf7, 0x1f}},
		{"not qword [rdi]", []byte{0x48, 0xf7, 0x17}},
		{"shl qword [rdi], cl", []byte{0x48, 0xd3, 0x27}},
		{"sar dword [rdi], 3", []byte{0xc1, 0x3f, 0x03}},
		{"rol word [rdi], cl", []byte{0x66, 0xd3, 0x07}},
		{"shld [rdi], rdx, cl", []byte{0x48, 0x0f, 0xa5, 0x17}},
		{"xadd [rdi], rcx", []byte{0x48, 0x0f, 0xc1, 0x0f}},
		{"lock cmpxchg [rdi], rdx", []byte{0xf0, 0x48, 0x0f, 0xb1, 0x17}},
		{"xchg [rdi], ecx", []byte{0x87, 0x0f}},
		{"bts [rdi], rsi", []byte{0x48, 0x0f, 0xab, 0x37}},
		{"btr dword [rdi], 33", []byte{0x0f, 0xba, 0x37, 0x21}},
		{"lock cmpxchg8b [rdi]", []byte{0xf0, 0x0f, 0xc7, 0x0f}},
		{"cmpxchg16b [rdi]", []byte{0x48, 0x0f, 0xc7, 0x0f}},
		{"mul qword [rdi]", []byte{0x48, 0xf7, 0x27}},
		{"imul ecx, [rdi], 1000", []byte{0x69, 0x0f, 0xe8, 0x03, 0x00, 0x00}},
		{"movzx ecx, byte [rdi+1]", []byte{0x0f, 0xb6, 0x4f, 0x01}},
		{"cmovne rcx, [rdi]", []byte{0x48, 0x0f, 0x45, 0x0f}},
		{"setb [rdi]", []byte{0x0f, 0x92, 0x07}},
		{"popcnt rcx, [rdi]", []byte{0xf3, 0x48, 0x0f, 0xb8, 0x0f}},
	}
	for _, cs := range cases {
		t.Run(cs.name, func(t *testing.T) {
			r.t = t
			for i, a := range vals {
				var buf [64]byte
				for j := 0; j < 8; j++ {
					binary.LittleEndian.PutUint64(buf[8*j:], vals[(i+j)%len(vals)]^a)
				}
				if i%3 == 0 {
					copy(buf[:16], []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
				}
				var st native.State
				st.Regs[0], st.Regs[1], st.Regs[2], st.Regs[3] = binary.LittleEndian.Uint64(buf[:]), a, a*7, ^a
				st.Regs[6] = a & 127 // bit offsets inside the buffer
				st.Flags = a & flagCF
				// A 16-byte-aligned host buffer (CMPXCHG16B requires it).
				var backing [80]byte
				off := (16 - uintptr(unsafe.Pointer(&backing[0]))%16) % 16
				host := backing[off : off+64]
				copy(host, buf[:])
				nst := st
				nst.Regs[7] = uint64(uintptr(unsafe.Pointer(&host[0])))
				if err := native.Run(cs.code, &nst); err != nil {
					t.Fatal(err)
				}
				copy(r.ram[dataAddr:], buf[:])
				st.Regs[7] = dataAddr
				got, _ := r.interp(cs.code, st)
				if r.c.rip != codeAddr+uint64(len(cs.code))+1 {
					t.Fatalf("%s stopped at %#x", cs.name, r.c.rip)
				}
				if string(r.ram[dataAddr:dataAddr+64]) != string(host[:]) {
					t.Fatalf("%s from %x: memory\n host %x\n cpu  %x", cs.name, buf[:24], host[:24], r.ram[dataAddr:dataAddr+24])
				}
				for k := range got.Regs {
					if k != 4 && k != 7 && got.Regs[k] != nst.Regs[k] {
						t.Fatalf("%s: reg %d = %#x, host %#x", cs.name, k, got.Regs[k], nst.Regs[k])
					}
				}
				if (got.Flags^nst.Flags)&statusFlags != 0 {
					t.Fatalf("%s from %x: flags %s, host %s", cs.name, buf[:16], flagString(got.Flags&statusFlags), flagString(nst.Flags&statusFlags))
				}
			}
		})
	}
}
