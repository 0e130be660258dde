package emulator

import (
	"bytes"
	"testing"
	"time"

	"github.com/pollscope/pollscope/devices"
	"github.com/pollscope/pollscope/devices/rtc"
)

func newTestBoard(t *testing.T) (*board, *bytes.Buffer, *[]int) {
	t.Helper()
	var out bytes.Buffer
	var raised []int
	b, err := newBoard(boardWiring{
		clock:     &devices.ManualClock{},
		wallTime:  rtc.WallTime{Sec: time.Date(2026, 12, 1, 11, 42, 7, 0, time.UTC).Unix()},
		ramBytes:  128 << 20,
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

// The RTC sits at 0x70/0x71 with the board's wall time (read the way
// Linux's mach_get_cmos_time does: index, then data, BCD by default) and
// its periodic interrupt arrives on IRQ 8, the slave's input 0.
func TestBoardRTC(t *testing.T) {
	b, _, _ := newTestBoard(t)
	cmos := func(reg byte) byte {
		b.portIO(0x70, true, 1, 1, []byte{reg})
		d := []byte{0}
		b.portIO(0x71, false, 1, 1, d)
		return d[0]
	}
	if h, m, s := cmos(4), cmos(2), cmos(0); h != 0x11 || m != 0x42 || s != 0x07 {
		t.Fatalf("RTC reads %02x:%02x:%02x, want 11:42:07 (BCD)", h, m, s)
	}
	if d, mo, y, c := cmos(7), cmos(8), cmos(9), cmos(0x32); d != 0x01 || mo != 0x12 || y != 0x26 || c != 0x20 {
		t.Fatalf("RTC date %02x/%02x/%02x%02x, want 01/12/2026", d, mo, c, y)
	}
	if lo, hi := cmos(0x34), cmos(0x35); uint(hi)<<8|uint(lo) != (128-16)<<4 {
		t.Fatalf("CMOS memory above 16 MiB = %d x 64 KiB, want %d", uint(hi)<<8|uint(lo), (128-16)<<4)
	}
	outb := func(port uint16, v byte) { b.portIO(port, true, 1, 1, []byte{v}) }
	for _, w := range [][2]uint16{{0x20, 0x11}, {0x21, 0x20}, {0x21, 0x04}, {0x21, 0x01},
		{0xa0, 0x11}, {0xa1, 0x28}, {0xa1, 0x02}, {0xa1, 0x01}, {0x21, 0xfb}, {0xa1, 0xfe}} {
		outb(w[0], byte(w[1]))
	}
	outb(0x70, 0x0b)
	outb(0x71, cmos(0x0b)|0x40) // register B: PIE
	next, ok := b.rtc.NextDeadline()
	if !ok {
		t.Fatal("no RTC deadline with the periodic interrupt on")
	}
	b.rtc.Advance(next)
	if pending, v := b.acknowledge(true); !pending || v != 0x28 {
		t.Fatalf("INTA: pending %v vector %#x, want 0x28 (IRQ 8)", pending, v)
	}
}
