package interp

import (
	"testing"
)

func TestMSRsAKernelTouches(t *testing.T) {
	c, _ := newTestCPU(t, modeLong, nil)
	readOnly := map[uint32]uint64{
		msrMTRRCap:     mtrrCapValue,
		msrAPICBase:    apicBaseValue,
		msrMTRRDefType: mtrrDefTypeBoot,
		msrPAT:         patPowerOn,
		msrAMDHWCR:     hwcrBoot,
	}
	for idx, want := range readOnly {
		if v, err := c.MSR(idx); err != nil || v != want {
			t.Errorf("MSR %#x = %#x, %v; want the power-on value %#x", idx, v, err, want)
		}
	}
	writable := []struct {
		idx uint32
		v   uint64
	}{
		{msrSTAR, 0x0023001000000000}, {msrLSTAR, 0xffffffff81000000}, {msrCSTAR, 0xffffffff81000100},
		{msrSFMASK, 0x47700}, {msrFSBase, 0x7fff00001000}, {msrGSBase, 0xffff888000000000},
		{msrKernelGSBase, 0x1000}, {msrTSCAux, 3}, {msrPAT, 0x0007010600070106},
		{msrMTRRVarBase, 0x6}, {msrMTRRVarBase + 1, 0xff8000800}, {msrMTRRFix64K, 0x0606060606060606},
		{msrMTRRFix4K + 7, 0x0505050505050505}, {msrSysenterCS, 0x10}, {msrSysenterESP, 0x1234},
		{msrSysenterEIP, 0x5678}, {msrMiscEnable, 1},
	}
	for _, w := range writable {
		if err := c.SetMSR(w.idx, w.v); err != nil {
			t.Errorf("SetMSR(%#x, %#x): %v", w.idx, w.v, err)
			continue
		}
		if v, _ := c.MSR(w.idx); v != w.v {
			t.Errorf("MSR %#x reads %#x after writing %#x", w.idx, v, w.v)
		}
	}
	if c.segBase[segFS] != 0x7fff00001000 || c.segBase[segGS] != 0xffff888000000000 {
		t.Errorf("FS/GS base MSRs do not reach the address path: %#x %#x", c.segBase[segFS], c.segBase[segGS])
	}
	refused := []struct {
		idx uint32
		v   uint64
	}{
		{msrLSTAR, 1 << 50}, {msrFSBase, 0x8000000000000000}, {msrPAT, 0x02}, {msrEFER, 1 << 20},
		{msrAPICBase, 1 << 11}, {0xdeadbeef, 0}, {0x4b564d06, 0xf3},
	}
	for _, r := range refused {
		if err := c.SetMSR(r.idx, r.v); err == nil {
			t.Errorf("SetMSR(%#x, %#x) accepted", r.idx, r.v)
		}
	}
	// RDMSR of an unknown MSR raises #GP in the guest: rdmsr; hlt.
	code := []byte{0x0f, 0x32, 0xf4}
	c2, _ := newTestCPU(t, modeLong, code)
	c2.regs[1] = 0x4b564d00
	runToHalt(t, c2)
	if c2.rip != handlerPad+16*vecGP+1 {
		t.Fatalf("RDMSR of an unknown MSR: stopped at %#x, want the #GP handler", c2.rip)
	}
	// The TSC MSR moves RDTSC.
	c.SetMSR(msrTSC, 1_000_000)
	if v, _ := c.MSR(msrTSC); v < 1_000_000 || v > 1_000_100 {
		t.Errorf("TSC after writing 1e6: %d", v)
	}
}

// Compatibility mode: a far return into a 32-bit code segment under long
// mode runs 32-bit code (PUSH is 4 bytes there), and a far jump returns
// to 64-bit mode.
func TestCompatibilityMode(t *testing.T) {
	// 64-bit: push 0x18; lea rax, [rip+5]; push rax; retfq (to compat)
	// compat (32-bit): push eax; pop ebx; ljmp 0x08:back
	// back (64-bit): hlt
	code := []byte{
		0x6a, 0x18, // push 0x18
		0x48, 0x8d, 0x05, 0x03, 0x00, 0x00, 0x00, // lea rax, [rip+3]
		0x50,       // push rax
		0x48, 0xcb, // retfq
		// compat at offset 12:
		0x50,                                     // push eax
		0x5b,                                     // pop ebx
		0xea, 0x15, 0x00, 0x10, 0x00, 0x08, 0x00, // ljmp 0x08:0x100015
		// back at offset 0x15:
		0xf4,
	}
	c, _ := newTestCPU(t, modeLong, code)
	// The first block must see the 32-bit segment as 32-bit code: check
	// each stop.
	runToHalt(t, c)
	if c.rip != codeAddr+0x16 || c.mode != 64 {
		t.Fatalf("stopped at %#x in %d-bit mode, want the HLT after returning to 64-bit mode", c.rip, c.mode)
	}
	if c.regs[3] != c.regs[0]&0xffffffff {
		t.Errorf("EBX = %#x after push eax; pop ebx in compatibility mode, want %#x", c.regs[3], c.regs[0]&0xffffffff)
	}
	if c.regs[4] != stackTop {
		t.Errorf("RSP = %#x, want it back at %#x", c.regs[4], stackTop)
	}
}
