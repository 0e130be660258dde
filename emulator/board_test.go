package emulator

import (
	"bytes"
	"testing"

	"github.com/pollscope/pollscope/devices"
)

func newTestBoard(t *testing.T) (*board, *bytes.Buffer, *[]int) {
	t.Helper()
	var out bytes.Buffer
	var raised []int
	b, err := newBoard(boardWiring{
		clock:     &devices.ManualClock{},
		serialOut: &out,
		announce:  func(uint32) bool { return false },
		onRaise:   func(n int) { raised = append(raised, n) },
	})
	if err != nil {
		t.Fatal(err)
	}
	return b, &out, &raised
}

// The board's port map answers where a PC's devices are, and nothing else.
func TestBoardPortMap(t *testing.T) {
	b, out, _ := newTestBoard(t)
	for _, tc := range []struct {
		name string
		port uint16
		want byte // what a byte read returns
	}{
		{"8042 status: system flag set, nothing to read", 0x64, 0x14},
		{"COM1 line status: transmitter empty", 0x3fd, 0x60},
		{"an unclaimed port reads all ones", 0x2f8, 0xff},
		{"POST latch starts at zero", 0x80, 0x00},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := []byte{0}
			b.portIO(tc.port, false, 1, 1, d)
			if d[0] != tc.want {
				t.Fatalf("inb %#x = %#x, want %#x", tc.port, d[0], tc.want)
			}
		})
	}
	b.portIO(0x3f8, true, 1, 3, []byte("pc\n"))
	if out.String() != "pc\n" {
		t.Fatalf("rep outsb to COM1 sent %q", out.String())
	}
	if u := b.bus.unclaimedAccesses(); len(u) != 1 || u[0].Port != 0x2f8 {
		t.Fatalf("unclaimed accesses %v, want one at 0x2f8", u)
	}
	if exit, _ := b.portIO(0xf4, true, 4, 1, []byte{3, 0, 0, 0}); exit == nil || *exit != 3 {
		t.Fatalf("isa-debug-exit write of 3 reported %v", exit)
	}
}

// The 8259A pair is wired as on a PC: COM1 interrupts on IRQ 4 reach the
// CPU as the master's vector base + 4 once the guest programs the PIC, and
// the board reports each raise.
func TestBoardIRQWiring(t *testing.T) {
	b, _, raised := newTestBoard(t)
	outb := func(port uint16, v byte) { b.portIO(port, true, 1, 1, []byte{v}) }
	// Linux's init_8259A: ICW1-4 to master and slave, then masks.
	for _, w := range [][2]uint16{{0x20, 0x11}, {0x21, 0x20}, {0x21, 0x04}, {0x21, 0x01},
		{0xa0, 0x11}, {0xa1, 0x28}, {0xa1, 0x02}, {0xa1, 0x01}, {0x21, 0xef}, {0xa1, 0xff}} {
		outb(w[0], byte(w[1]))
	}
	outb(0x3fc, 0x08) // UART: OUT2, which gates the IRQ on a PC
	outb(0x3f9, 0x02) // and interrupt when the transmitter is empty
	if pending, v := b.acknowledge(true); !pending || v != 0x24 {
		t.Fatalf("INTA: pending %v vector %#x, want 0x24 (IRQ 4)", pending, v)
	}
	if len(*raised) == 0 || (*raised)[len(*raised)-1] != irqCOM1 {
		t.Fatalf("raised lines %v, want IRQ 4 last", *raised)
	}
}
