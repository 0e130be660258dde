package postcode

import "testing"

// Linux's outb_p writes to 0x80 after each slow port access and never reads
// it; firmware writes progress codes a POST card shows. Reads see the latch.
func TestLatchesTheLastCode(t *testing.T) {
	p := New()
	for _, tc := range []struct {
		name  string
		write []byte
		read  int
		want  byte
	}{
		{"power-on reads zero", nil, 1, 0x00},
		{"byte write latches", []byte{0x55}, 1, 0x55},
		{"word read repeats the latch", nil, 2, 0x55},
		{"a word write latches its low byte", []byte{0xaa, 0x12}, 1, 0xaa},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.write != nil {
				p.Out(0, tc.write)
			}
			got := make([]byte, tc.read)
			p.In(0, got)
			for i, b := range got {
				if b != tc.want {
					t.Fatalf("byte %d of the read = %#x, want %#x", i, b, tc.want)
				}
			}
		})
	}
	if p.State().Code != 0xaa {
		t.Fatalf("State().Code = %#x, want 0xaa", p.State().Code)
	}
}
