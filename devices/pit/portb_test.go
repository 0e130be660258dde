package pit

import (
	"testing"

	"github.com/pollscope/pollscope/devices"
)

// TestLinuxPITCalibrateTSC replays arch/x86/kernel/tsc.c's pit_calibrate_tsc:
// GATE2 high with the speaker off, counter 2 in mode 0 with a 50 ms count,
// then spin on port 0x61 until OUT2 (bit 5) rises.
func TestLinuxPITCalibrateTSC(t *testing.T) {
	for _, tc := range []struct {
		name  string
		ms    int
		start devices.Time
	}{
		{"50 ms at boot", 50, 0},
		{"10 ms after an hour", 10, hour + 333},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, tc.start)
			latch := Hz / (1000 / tc.ms)
			r.outb(r.inb(port61)&^PortBSpeakerData|PortBGate2, port61)
			r.outb(0xB0, port43)
			r.outb(uint8(latch), port42)
			r.outb(uint8(latch>>8), port42)
			begin := r.clock.T
			polls := 0
			for r.inb(port61)&PortBOUT2 == 0 {
				r.clock.Advance(microsecond)
				polls++
				if polls > 1e6 {
					t.Fatal("OUT2 never rose")
				}
			}
			elapsed := r.clock.T - begin
			want := devices.Time(latch) * second / Hz
			if elapsed < want-microsecond || elapsed > want+microsecond {
				t.Errorf("OUT2 rose after %v, want %v", elapsed, want)
			}
			if polls < 1000 {
				t.Errorf("only %d polls: Linux rejects fewer than 1000", polls)
			}
		})
	}
}

func TestPortB(t *testing.T) {
	t.Run("bits 0-3 read back, 6-7 read 0", func(t *testing.T) {
		r := newRig(t, 0)
		r.outb(0xFF, port61)
		if got := r.inb(port61) &^ (PortBRefresh | PortBOUT2); got != 0x0F {
			t.Errorf("port 0x61 = %#x, want 0x0f in bits 0-3 and 7-6 clear", got)
		}
		r.outb(0x00, port61)
		if got := r.inb(port61) & 0xCF; got != 0 {
			t.Errorf("port 0x61 = %#x after writing 0", got)
		}
	})
	t.Run("refresh bit toggles every 15.085 µs", func(t *testing.T) {
		r := newRig(t, 0)
		var seen []bool
		for i := 0; i < 6; i++ {
			r.clock.T = devices.Time(i)*RefreshPeriod + RefreshPeriod/2
			seen = append(seen, r.inb(port61)&PortBRefresh != 0)
		}
		for i, v := range seen {
			if v != (i%2 == 1) {
				t.Fatalf("refresh bit %v, want alternating from clear", seen)
			}
		}
	})
	t.Run("OUT2 follows counter 2 in square wave mode", func(t *testing.T) {
		r := newRig(t, 0)
		r.outb(PortBGate2|PortBSpeakerData, port61) // as the PC speaker driver does
		r.program(0xB6, port42, 1193)               // 1 kHz beep
		if got := r.outTrace(1193); got[596] != '1' || got[597] != '0' || got[1192] != '0' {
			t.Errorf("OUT2 edges wrong around ticks 596/597/1192")
		}
	})
	t.Run("power-on: counter 2 stopped, OUT2 high", func(t *testing.T) {
		r := newRig(t, 0)
		r.advance(1e6)
		if !r.out2() {
			t.Error("OUT2 low with GATE2 low in mode 3")
		}
	})
}

func TestWideAccessSplitsIntoBytes(t *testing.T) {
	r := newRig(t, 0)
	r.outb(PortBGate2, port61)
	r.program(0xB0, port42, 0x1234)
	r.p.Ports().Out(2, []byte{0x00, 0xB0}) // outw at 0x42: count byte, then 0x43
	r.p.Ports().Out(2, []byte{0x34, 0x12})
	b := []byte{0, 0, 0}
	r.p.Ports().In(2, b)
	if b[0] != 0x34 || b[1] != 0 || b[2] != 0xFF {
		t.Errorf("inl-ish read at 0x42 = % x, want 34 (LSB) 00 (0x43) ff", b)
	}
}
