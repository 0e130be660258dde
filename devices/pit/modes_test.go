package pit

import (
	"testing"
)

// outTrace samples OUT2 at ticks 0..n-1 after the start, as a string of
// 0s and 1s, advancing the clock one tick at a time.
func (r *rig) outTrace(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = '0'
		if r.out2() {
			b[i] = '1'
		}
		r.advance(1)
	}
	return string(b)
}

func TestOutWaveforms(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cw    uint8
		count int
		want  string // OUT2 at ticks 0, 1, 2, ... after the count is written
	}{
		{"mode 0 count 3: low until TC", 0xB0, 3, "0001111111"},
		{"mode 2 count 4: low one tick in four", 0xB4, 4, "1110111011"},
		{"mode 3 count 4: two high, two low", 0xB6, 4, "1100110011"},
		{"mode 3 count 5: three high, two low", 0xB6, 5, "1110011100"},
		{"mode 3 count 3: two high, one low", 0xB6, 3, "1101101101"},
		{"mode 4 count 3: strobe at tick 3", 0xB8, 3, "1110111111"},
		{"mode 6 is mode 2", 0xBC, 3, "1101101101"},
		{"mode 7 is mode 3", 0xBE, 2, "1010101010"},
		{"mode 2 count 1 (illegal): OUT stays low", 0xB4, 1, "0000000000"},
		{"mode 3 count 1 (illegal): OUT stays high", 0xB6, 1, "1111111111"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, 0)
			r.outb(PortBGate2, port61)
			r.program(tc.cw, port42, tc.count)
			if got := r.outTrace(len(tc.want)); got != tc.want {
				t.Errorf("OUT2 %s, want %s", got, tc.want)
			}
		})
	}
}

func TestControlWordSetsInitialOut(t *testing.T) {
	for _, tc := range []struct {
		name string
		cw   uint8
		want bool
	}{
		{"mode 0 starts low", 0xB0, false},
		{"mode 1 starts high", 0xB2, true},
		{"mode 2 starts high", 0xB4, true},
		{"mode 3 starts high", 0xB6, true},
		{"mode 4 starts high", 0xB8, true},
		{"mode 5 starts high", 0xBA, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, 0)
			r.outb(PortBGate2, port61)
			r.program(0xB0, port42, 2)
			r.advance(5) // mode 0 fired: OUT2 high
			r.program(tc.cw, port42, -1)
			if got := r.out2(); got != tc.want {
				t.Errorf("OUT2 = %v, want %v", got, tc.want)
			}
			if got := r.status(2); got&StatusNullCount == 0 {
				t.Errorf("status %#x: null count clear before any count", got)
			}
			r.advance(1000)
			if got := r.out2(); got != tc.want {
				t.Errorf("OUT2 = %v a while later without a count, want %v", got, tc.want)
			}
		})
	}
}

func TestMode0(t *testing.T) {
	t.Run("first byte of a new count stops counting and lowers OUT", func(t *testing.T) {
		r := newRig(t, 0)
		r.outb(PortBGate2, port61)
		r.program(0xB0, port42, 5)
		r.advance(10)
		r.outb(0x00, port42) // LSB of a new count
		if r.out2() {
			t.Fatal("OUT2 still high after the LSB")
		}
		r.advance(100)
		r.outb(0x80, port43)
		r.wantWord(port42, "count frozen", 0xFFFB) // 5 - 10
		r.outb(0x01, port42)                       // MSB: count 0x100 starts
		r.advance(0xFF)
		if r.out2() {
			t.Fatal("OUT2 high before the new TC")
		}
		r.advance(1)
		if !r.out2() {
			t.Fatal("OUT2 low at the new TC")
		}
	})
	t.Run("GATE low pauses the count", func(t *testing.T) {
		r := newRig(t, 0)
		r.outb(PortBGate2, port61)
		r.program(0xB0, port42, 1000)
		r.advance(300)
		r.outb(0, port61)
		r.advance(5000)
		if r.out2() {
			t.Fatal("OUT2 rose while GATE was low")
		}
		r.outb(0x80, port43)
		r.wantWord(port42, "paused count", 700)
		r.outb(PortBGate2, port61)
		r.advance(699)
		if r.out2() {
			t.Fatal("OUT2 high one tick early")
		}
		r.advance(1)
		if !r.out2() {
			t.Fatal("OUT2 low at TC after the pause")
		}
	})
	t.Run("a count written with GATE low waits", func(t *testing.T) {
		r := newRig(t, 0)
		r.program(0xB0, port42, 10)
		r.advance(50)
		r.wantWord(port42, "count", 10)
		r.outb(PortBGate2, port61)
		r.advance(10)
		if !r.out2() {
			t.Fatal("OUT2 low 10 ticks after GATE rose")
		}
	})
}

func TestMode1RetriggeredByGate(t *testing.T) {
	r := newRig(t, 0)
	r.program(0xB2, port42, 5)
	r.advance(20)
	if !r.out2() {
		t.Fatal("OUT2 low before any trigger")
	}
	r.outb(PortBGate2, port61) // trigger
	if got := r.outTrace(7); got != "0000011" {
		t.Fatalf("after the trigger OUT2 %s, want 0000011", got)
	}
	r.outb(0, port61)
	r.outb(PortBGate2, port61) // retrigger
	if got := r.outTrace(3); got != "000" {
		t.Fatalf("after the retrigger OUT2 %s, want low", got)
	}
	if got := r.status(2); got&StatusNullCount != 0 {
		t.Errorf("status %#x: null count set after the trigger loaded the count", got)
	}
}

func TestMode5StrobeOnGate(t *testing.T) {
	r := newRig(t, 0)
	r.program(0xBA, port42, 3)
	r.advance(10)
	if got := r.status(2); got&StatusNullCount == 0 {
		t.Errorf("status %#x: null count clear while waiting for the trigger", got)
	}
	r.outb(PortBGate2, port61)
	if got := r.outTrace(6); got != "111011" {
		t.Fatalf("OUT2 %s, want 111011", got)
	}
}

func TestMode2And3NewCountWaitsForPeriodEnd(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cw    uint8
		first int
		after uint64 // ticks before the new count is written
		next  int
		want  string // OUT2 from the write on
	}{
		{"mode 2: period of 4 runs out, then 2", 0xB4, 4, 1, 2, "11010101"},
		{"mode 3 high half: runs out, then the new low half", 0xB6, 8, 1, 2, "11101010"},
		{"mode 3 low half: runs out, then the new period", 0xB6, 8, 5, 4, "00011001"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, 0)
			r.outb(PortBGate2, port61)
			r.program(tc.cw, port42, tc.first)
			r.advance(tc.after)
			r.outb(uint8(tc.next), port42)
			r.outb(0, port42)
			if got := r.outTrace(len(tc.want)); got != tc.want {
				t.Errorf("OUT2 %s, want %s", got, tc.want)
			}
		})
	}
	t.Run("GATE low forces OUT high and stops; rising restarts", func(t *testing.T) {
		r := newRig(t, 0)
		r.outb(PortBGate2, port61)
		r.program(0xB6, port42, 6)
		r.advance(4) // low half
		r.outb(0, port61)
		if !r.out2() {
			t.Fatal("OUT2 low with GATE low")
		}
		r.advance(100)
		r.outb(PortBGate2, port61)
		if got := r.outTrace(7); got != "1110001" {
			t.Errorf("OUT2 %s after the restart, want 1110001", got)
		}
	})
}

func TestMode3CountsDownByTwo(t *testing.T) {
	for _, tc := range []struct {
		name  string
		count int
		want  []uint16 // latched counts at ticks 0, 1, 2, ...
	}{
		{"even count 6", 6, []uint16{6, 4, 2, 6, 4, 2, 6}},
		{"odd count 5 loads 4 and stays high a tick longer", 5, []uint16{4, 2, 0, 4, 2, 4, 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, 0)
			r.outb(PortBGate2, port61)
			r.program(0xB6, port42, tc.count)
			for i, want := range tc.want {
				r.outb(0x80, port43)
				if got := r.word(port42); got != want {
					t.Fatalf("tick %d: count %d, want %d", i, got, want)
				}
				r.advance(1)
			}
		})
	}
}
