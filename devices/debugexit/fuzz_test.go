package debugexit

import (
	"testing"

	"github.com/pollscope/pollscope/devices"
)

// FuzzPorts replays a sequence of port accesses, four bytes each: offset,
// width selector, value byte, direction. Every write must reach onExit with
// exactly the value written, and every read must answer all ones.
func FuzzPorts(f *testing.F) {
	f.Add([]byte{0, 0, 0x10, 1, 0, 1, 0x11, 0})
	f.Fuzz(func(t *testing.T, ops []byte) {
		var got []uint32
		d := New(func(v uint32) { got = append(got, v) })
		for len(ops) >= 4 {
			off, width, val, out := uint16(ops[0]&3), 1<<(ops[1]%3), ops[2], ops[3]&1 == 1
			ops = ops[4:]
			data := make([]byte, width)
			if out {
				for i := range data {
					data[i] = val + byte(i)
				}
				got = got[:0]
				d.Out(off, data)
				if len(got) != 1 || got[0] != devices.Value(data) {
					t.Fatalf("Out(%d, % x): onExit got %#x", off, data, got)
				}
				if Status(got[0])&1 != 1 {
					t.Fatalf("Status(%#x) is even", got[0])
				}
				continue
			}
			d.In(off, data)
			for _, b := range data {
				if b != 0xFF {
					t.Fatalf("In(%d) = % x, want all 0xFF", off, data)
				}
			}
		}
	})
}
