package serial

import (
	"bytes"
	"testing"
)

// FuzzPorts replays a sequence of three-byte operations on a UART: register
// accesses (any offset, width and direction), host bytes arriving through
// Receive, and save/restore. After each operation it checks the invariants a
// driver and the machine rely on.
//
// Operation bytes: kind, arg, value. kind%3: 0 register access (arg bits 0-3
// offset 0..15, bits 4-5 width 1/2/4, bit 6 write); 1 Receive of arg%24
// bytes starting at value; 2 State/SetState round trip.
func FuzzPorts(f *testing.F) {
	f.Add([]byte{
		0, 0x43, 0x80, 0, 0x40, 0x01, 0, 0x43, 0x03, 0, 0x42, 0xC7, 0, 0x44, 0x0B, 0, 0x41, 0x0F, // 8250 setup
		1, 20, 'a', 0, 0x02, 0, 0, 0x05, 0, 0, 0x00, 0, 0, 0x40, 'x', 2, 0, 0,
	})
	f.Add([]byte{0, 0x44, 0x1F, 0, 0x40, 'l', 0, 0x00, 0, 0, 0x06, 0, 0, 0x41, 0x0A, 0, 0x02, 0})
	f.Fuzz(func(t *testing.T, ops []byte) {
		var levels []bool
		var out bytes.Buffer
		u := New(lineRecorder(&levels), &out)
		sent := 0
		for ; len(ops) >= 3; ops = ops[3:] {
			kind, arg, val := ops[0]%3, ops[1], ops[2]
			switch kind {
			case 0:
				data := make([]byte, 1<<((arg>>4&3)%3))
				off := uint16(arg & 0x0F)
				if arg&0x40 == 0 {
					u.In(off, data)
					checkReads(t, off, data)
					break
				}
				for i := range data {
					data[i] = val + byte(i)
					o := off + uint16(i)
					s := u.State()
					if o == RegTHR && s.LCR&LCRDLAB == 0 && s.MCR&MCRLOOP == 0 {
						sent++
					}
					u.Out(o, data[i:i+1])
				}
			case 1:
				msg := make([]byte, arg%24)
				for i := range msg {
					msg[i] = val + byte(i)
				}
				before := u.State()
				n := u.Receive(msg)
				after := u.State()
				switch {
				case before.MCR&MCRLOOP != 0 && (n != 0 || after.Overruns != before.Overruns):
					t.Fatalf("Receive in loopback stored %d, overran %d", n, after.Overruns-before.Overruns)
				case before.MCR&MCRLOOP == 0 && uint64(len(msg)-n) != after.Overruns-before.Overruns:
					t.Fatalf("Receive(%d bytes) stored %d but counted %d overruns", len(msg), n, after.Overruns-before.Overruns)
				case int(after.RXLen) != int(before.RXLen)+n:
					t.Fatalf("Receive stored %d but the FIFO went from %d to %d", n, before.RXLen, after.RXLen)
				}
			case 2:
				s := u.State()
				q := New(nil, nil)
				q.SetState(s)
				if q.State() != s {
					t.Fatalf("State round trip: got %+v, want %+v", q.State(), s)
				}
			}
			checkInvariants(t, u, levels)
		}
		if out.Len() != sent {
			t.Fatalf("%d bytes reached the output, %d THR writes outside DLAB and loopback", out.Len(), sent)
		}
	})
}

// checkReads checks what a guest read returned.
func checkReads(t *testing.T, off uint16, data []byte) {
	for i, b := range data {
		switch o := off + uint16(i); {
		case o >= nRegs && b != 0xFF:
			t.Fatalf("read beyond the UART at offset %d = %#x, want 0xff", o, b)
		case o == RegLSR && b&lsrTxIdle != lsrTxIdle:
			t.Fatalf("LSR = %#x: transmitter not idle", b)
		case o == RegMCR && b&^mcrMask != 0:
			t.Fatalf("MCR = %#x has bits 7-5", b)
		}
	}
}

func checkInvariants(t *testing.T, u *UART, levels []bool) {
	for i, h := range levels {
		if h == (i%2 == 1) {
			t.Fatalf("IRQ driven %v: not alternating from low", levels)
		}
	}
	s := u.State()
	if s.RXLen > rxFIFOBytes || s.IER&^ierMask != 0 || s.MCR&^mcrMask != 0 || s.LSR&^lsrErrors != 0 {
		t.Fatalf("state out of range: %+v", s)
	}
	if s.MSR&^msrDelta != modemInputs(s.MCR) {
		t.Fatalf("MSR %#x does not show the inputs %#x for MCR %#x", s.MSR, modemInputs(s.MCR), s.MCR)
	}
	// Ask a copy what IIR says, without disturbing the original.
	q := New(nil, nil)
	q.SetState(s)
	iir := []byte{0}
	q.In(RegIIR, iir)
	if iir[0]&0x30 != 0 || (iir[0]&IIRFIFOEnabled != 0) != (s.FCR&FCREnable != 0) || iir[0]&0xC0 == 0x40 || iir[0]&0xC0 == 0x80 {
		t.Fatalf("IIR = %#x with FCR %#x", iir[0], s.FCR)
	}
	pending := iir[0]&IIRNoInterrupt == 0
	want := pending && s.MCR&MCROUT2 != 0 && s.MCR&MCRLOOP == 0
	if got := len(levels) > 0 && levels[len(levels)-1]; got != want || s.IRQ != want {
		t.Fatalf("IRQ line %v (state %v), want %v: IIR %#x MCR %#x", got, s.IRQ, want, iir[0], s.MCR)
	}
}
