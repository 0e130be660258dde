package native

import "testing"

func TestRunAdd(t *testing.T) {
	st := State{}
	st.Regs[0], st.Regs[1] = 0xffffffffffffffff, 1
	if err := Run([]byte{0x48, 0x01, 0xc8}, &st); err != nil { // add rax, rcx
		t.Fatal(err)
	}
	if st.Regs[0] != 0 || st.Regs[1] != 1 || st.Flags&1 == 0 || st.Flags&0x40 == 0 {
		t.Fatalf("add: rax=%#x rcx=%#x flags=%#x", st.Regs[0], st.Regs[1], st.Flags)
	}
	st = State{}
	st.Regs[15], st.Regs[7] = 5, 7
	if err := Run([]byte{0x4c, 0x01, 0xff}, &st); err != nil { // add rdi, r15
		t.Fatal(err)
	}
	if st.Regs[7] != 12 || st.Regs[15] != 5 {
		t.Fatalf("add rdi, r15: rdi=%d r15=%d", st.Regs[7], st.Regs[15])
	}
	st = State{}
	st.XMM[1][0] = 0xff
	if err := Run([]byte{0x66, 0x0f, 0xef, 0xc1}, &st); err != nil { // pxor xmm0, xmm1
		t.Fatal(err)
	}
	if st.XMM[0][0] != 0xff {
		t.Fatalf("pxor: xmm0=%x", st.XMM[0])
	}
}
