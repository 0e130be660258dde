package gdbstub

import (
	"bytes"
	"testing"
)

func TestPatchedBreakpoints(t *testing.T) {
	f := newFakeTarget(counterProgram)
	var p PatchedBreakpoints
	if err := p.Sync(f, []uint64{0x1005, 0x1011}); err != nil {
		t.Fatal(err)
	}
	if f.mem[0x1005] != int3 || f.mem[0x1011] != int3 || !p.At(0x1005) || p.At(0x1006) {
		t.Fatalf("code after Sync: % x", f.mem[0x1000:0x1013])
	}
	// Reads see the original code.
	buf := make([]byte, 0x20)
	f.ReadMemory(Linear, 0x1000, buf)
	p.Hide(0x1000, buf)
	if !bytes.Equal(buf[:len(counterProgram)], counterProgram) {
		t.Errorf("hidden read % x, want % x", buf[:len(counterProgram)], counterProgram)
	}
	// A write over a patch changes the original and keeps the patch.
	data := []byte{0x90, 0x90}
	p.Keep(0x1004, data)
	if !bytes.Equal(data, []byte{0x90, int3}) {
		t.Errorf("data to write became % x", data)
	}
	f.WriteMemory(Linear, 0x1004, data)
	if err := p.Sync(f, []uint64{0x1011}); err != nil {
		t.Fatal(err)
	}
	if f.mem[0x1005] != 0x90 || f.mem[0x1011] != int3 {
		t.Errorf("after removing one: % x", f.mem[0x1004:0x1012])
	}
	if err := p.Sync(f, nil); err != nil || f.mem[0x1011] != 0x75 {
		t.Errorf("after removing all: %#x, %v", f.mem[0x1011], err)
	}
	if err := p.Sync(f, []uint64{0x40000000}); err == nil {
		t.Error("a breakpoint in unmapped memory was patched")
	}
}
