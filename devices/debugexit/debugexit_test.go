package debugexit

import (
	"testing"

	"github.com/pollscope/pollscope/devices"
)

func TestStatus(t *testing.T) {
	for _, tc := range []struct {
		name  string
		value uint32
		want  int
	}{
		{"zero gives 1", 0, 1},
		{"blog_os success 0x10 gives 33", 0x10, 33},
		{"blog_os failure 0x11 gives 35", 0x11, 35},
		{"0x7f gives 255", 0x7F, 255},
		{"full 32-bit value keeps its top bit", 0xFFFFFFFF, 0x1FFFFFFFF},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Status(tc.value); got != tc.want {
				t.Errorf("Status(%#x) = %d, want %d", tc.value, got, tc.want)
			}
		})
	}
}

func TestOutCallsOnExit(t *testing.T) {
	for _, tc := range []struct {
		name string
		off  uint16
		data []byte
		want uint32
	}{
		{"outb 0x10 as blog_os's exit_qemu", 0, []byte{0x10}, 0x10},
		{"outw is taken whole", 0, []byte{0x34, 0x12}, 0x1234},
		{"outl is taken whole", 0, []byte{0x78, 0x56, 0x34, 0x12}, 0x12345678},
		{"a write at offset 1 counts too", 1, []byte{0x01}, 0x01},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []uint32
			d := New(func(v uint32) { got = append(got, v) })
			d.Out(tc.off, tc.data)
			if len(got) != 1 || got[0] != tc.want {
				t.Errorf("onExit got %#x, want one call with %#x", got, tc.want)
			}
		})
	}
}

func TestInReadsAsUnclaimed(t *testing.T) {
	for _, width := range []int{1, 2, 4} {
		t.Run(map[int]string{1: "inb", 2: "inw", 4: "inl"}[width], func(t *testing.T) {
			called := false
			d := New(func(uint32) { called = true })
			data := make([]byte, width)
			d.In(0, data)
			if want := uint32(1)<<(8*width) - 1; devices.Value(data) != want {
				t.Errorf("In = %#x, want %#x", devices.Value(data), want)
			}
			if called {
				t.Error("a read called onExit")
			}
		})
	}
}

func TestNilCallbackIgnoresWrites(t *testing.T) {
	New(nil).Out(0, []byte{0x10}) // must not panic
}
