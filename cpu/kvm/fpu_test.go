package kvm

import (
	"testing"

	"github.com/pollscope/pollscope/cpu"
)

// What SetFPU writes, FPU reads back, field by field of the FXSAVE image.
func TestFPURoundTrip(t *testing.T) {
	if err := Available(); err != nil {
		t.Skipf("skipping: %v", err)
	}
	ram := make([]byte, 1<<20)
	v, err := New(ram)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	var want cpu.FXSave
	want[0], want[1] = 0x7f, 0x03 // FCW 0x037f
	want[4] = 0x81                // abridged tag: st0 and st7 valid
	want[24], want[25] = 0xa0, 0x1f
	for i := range 10 {
		want[32+i] = byte(i + 1) // st0
	}
	for i := range 16 {
		want[160+16*3+i] = byte(0xf0 | i) // xmm3
	}
	if err := v.SetFPU(want); err != nil {
		t.Fatal(err)
	}
	got, err := v.FPU()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		name     string
		from, to int
	}{{"FCW", 0, 2}, {"FTW", 4, 5}, {"MXCSR", 24, 28}, {"st0", 32, 42}, {"xmm3", 208, 224}} {
		if string(got[f.from:f.to]) != string(want[f.from:f.to]) {
			t.Errorf("%s: read % x, wrote % x", f.name, got[f.from:f.to], want[f.from:f.to])
		}
	}
}
