package serial

import (
	"testing"

	"github.com/pollscope/pollscope/devices"
)

func lineRecorder(levels *[]bool) devices.IRQLine {
	return devices.LineFunc(func(h bool) { *levels = append(*levels, h) })
}

func TestIIRPriorities(t *testing.T) {
	r := newRig(t)
	r.setup()
	r.outb(IERERBFI|IERETBEI|IERELSI|IEREDSSI, RegIER)
	r.u.Receive(make([]byte, 17))                 // 16 stored, 1 overrun
	r.outb(MCRDTR|MCRRTS|MCROUT2|MCROUT1, RegMCR) // no modem delta outside loopback
	r.outb(MCRLOOP|MCROUT2, RegMCR)               // loopback changes every input: deltas
	r.outb(MCRDTR|MCRRTS|MCROUT2, RegMCR)         // and back
	steps := []struct {
		name  string
		iir   uint8
		clear func()
	}{
		{"line status first", IIRLineStatus, func() { r.inb(RegLSR) }},
		{"then data available", IIRRDA, func() {
			for i := 0; i < 16; i++ {
				r.inb(RegRBR)
			}
		}},
		{"then THR empty", IIRTHRE, func() {}}, // the IIR read itself clears it
		{"then modem status", IIRModemStatus, func() { r.inb(RegMSR) }},
		{"then nothing", IIRNoInterrupt, func() {}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			r.t = t
			r.wantIRQ(s.iir != IIRNoInterrupt)
			r.want(RegIIR, "IIR", IIRFIFOEnabled|s.iir)
			s.clear()
		})
	}
}

// TestTHREProtocol replays how Linux's 8250 driver transmits with interrupts:
// start_tx sets ETBEI, the interrupt handler reads IIR, finds THRE and writes
// bytes, and stop_tx clears ETBEI when the buffer is empty.
func TestTHREProtocol(t *testing.T) {
	r := newRig(t)
	r.setup()
	r.wantIRQ(false)

	r.outb(IERERBFI|IERELSI|IERETBEI, RegIER) // start_tx
	r.wantIRQ(true)
	r.want(RegIIR, "IIR in the handler", IIRFIFOEnabled|IIRTHRE)
	r.wantIRQ(false) // reading IIR acknowledged THRE
	r.want(RegIIR, "IIR", IIRFIFOEnabled|IIRNoInterrupt)

	r.outb('o', RegTHR) // tx_chars
	r.outb('k', RegTHR)
	r.wantIRQ(true) // sent at once: THR empty again
	r.want(RegIIR, "IIR after the burst", IIRFIFOEnabled|IIRTHRE)

	r.outb('!', RegTHR)
	r.outb(IERERBFI|IERELSI, RegIER) // stop_tx: nothing left to send
	r.wantIRQ(false)
	r.want(RegIIR, "IIR after stop_tx", IIRFIFOEnabled|IIRNoInterrupt)
	if r.out.String() != "ok!" {
		t.Errorf("output %q", r.out.String())
	}

	t.Run("writing THR clears a THRE interrupt the driver did not read", func(t *testing.T) {
		r := newRig(t)
		r.outb(MCROUT2, RegMCR)
		r.outb(IERETBEI, RegIER)
		r.wantIRQ(true)
		before := len(r.levels)
		r.outb('x', RegTHR)
		// Cleared by the write, raised again by the instant transmission:
		// the level never drops, so the line is not driven again.
		r.wantIRQ(true)
		if len(r.levels) != before {
			t.Errorf("line driven %v", r.levels[before:])
		}
	})
	t.Run("Linux UART_BUG_THRE test sees THRE re-asserted", func(t *testing.T) {
		r := newRig(t)
		r.outb(IERETBEI, RegIER)
		iir1 := r.inb(RegIIR)
		r.outb(0, RegIER)
		r.outb(IERETBEI, RegIER)
		iir := r.inb(RegIIR)
		r.outb(0, RegIER)
		if iir1&IIRNoInterrupt != 0 || iir&IIRNoInterrupt != 0 {
			t.Errorf("IIR %#x then %#x: THRE not asserted on enabling ETBEI", iir1, iir)
		}
	})
	t.Run("rewriting IER with ETBEI already set does not re-raise", func(t *testing.T) {
		r := newRig(t)
		r.outb(IERETBEI, RegIER)
		r.inb(RegIIR)
		r.outb(IERETBEI|IERERBFI, RegIER)
		r.want(RegIIR, "IIR", IIRNoInterrupt)
	})
}

func TestReceiveFIFO(t *testing.T) {
	for _, tc := range []struct {
		name    string
		fcr     uint8
		bytes   int
		wantIIR uint8
	}{
		{"FIFOs off: one byte is data available", 0x00, 1, IIRRDA},
		{"trigger 1", FCREnable, 1, IIRFIFOEnabled | IIRRDA},
		{"trigger 4, 3 bytes: timeout", FCREnable | 0x40, 3, IIRFIFOEnabled | IIRCharTimeout},
		{"trigger 4, 4 bytes", FCREnable | 0x40, 4, IIRFIFOEnabled | IIRRDA},
		{"trigger 8, 7 bytes: timeout", FCREnable | 0x80, 7, IIRFIFOEnabled | IIRCharTimeout},
		{"trigger 14, 14 bytes", FCREnable | 0xC0, 14, IIRFIFOEnabled | IIRRDA},
		{"trigger 14, 13 bytes: timeout", FCREnable | 0xC0, 13, IIRFIFOEnabled | IIRCharTimeout},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			r.setup()
			r.outb(0, RegFCR)
			r.outb(tc.fcr, RegFCR)
			msg := []byte("0123456789abcdef")[:tc.bytes]
			if n := r.u.Receive(msg); n != tc.bytes {
				t.Fatalf("Receive stored %d, want %d", n, tc.bytes)
			}
			r.wantIRQ(true)
			r.want(RegIIR, "IIR", tc.wantIIR)
			for i := range msg {
				if r.inb(RegLSR)&LSRDR == 0 {
					t.Fatalf("DR clear with %d bytes left", len(msg)-i)
				}
				r.want(RegRBR, "RBR", msg[i])
			}
			r.want(RegLSR, "LSR", LSRTHRE|LSRTEMT)
			r.wantIRQ(false)
		})
	}
}

func TestOverrun(t *testing.T) {
	r := newRig(t)
	r.setup()
	msg := []byte("0123456789abcdefXYZ")
	if n := r.u.Receive(msg); n != 16 {
		t.Fatalf("Receive stored %d, want 16", n)
	}
	if got := r.u.Overruns(); got != 3 {
		t.Errorf("Overruns = %d, want 3", got)
	}
	r.want(RegIIR, "IIR", IIRFIFOEnabled|IIRLineStatus)
	r.want(RegLSR, "LSR", LSRDR|LSROE|LSRTHRE|LSRTEMT)
	r.want(RegLSR, "LSR after the read", LSRDR|LSRTHRE|LSRTEMT)
	r.want(RegIIR, "IIR", IIRFIFOEnabled|IIRRDA)
	for i := 0; i < 16; i++ {
		r.want(RegRBR, "RBR", msg[i]) // the FIFO kept the first 16
	}
	r.want(RegRBR, "RBR of an empty FIFO", 0)

	t.Run("FCR clear RX empties the FIFO", func(t *testing.T) {
		r.u.Receive([]byte("abc"))
		r.outb(0xC3, RegFCR)
		r.want(RegLSR, "LSR", LSRTHRE|LSRTEMT)
		r.wantIRQ(false)
	})
	t.Run("disabling the FIFOs empties them", func(t *testing.T) {
		r.u.Receive([]byte("abc"))
		r.outb(0, RegFCR)
		r.want(RegLSR, "LSR", LSRTHRE|LSRTEMT)
		r.want(RegIIR, "IIR", IIRNoInterrupt)
	})
	t.Run("FCR without the enable bit changes nothing else", func(t *testing.T) {
		r.u.Receive([]byte("abc"))
		r.outb(FCRClearRX, RegFCR)
		r.want(RegLSR, "LSR", LSRDR|LSRTHRE|LSRTEMT)
	})
	t.Run("loopback into a full FIFO overruns", func(t *testing.T) {
		r := newRig(t)
		r.outb(FCREnable, RegFCR)
		r.outb(MCRLOOP, RegMCR)
		for i := 0; i < 17; i++ {
			r.outb(byte(i), RegTHR)
		}
		if r.u.Overruns() != 1 {
			t.Errorf("Overruns = %d, want 1", r.u.Overruns())
		}
		r.want(RegLSR, "LSR", LSRDR|LSROE|LSRTHRE|LSRTEMT)
	})
}

func TestModemStatusInterrupt(t *testing.T) {
	r := newRig(t)
	r.outb(IEREDSSI, RegIER)
	r.outb(MCROUT2, RegMCR)
	r.wantIRQ(false)
	r.outb(MCRLOOP|MCROUT2, RegMCR) // CTS/DSR drop: deltas, but the line is cut in loopback
	r.want(RegIIR, "IIR", IIRModemStatus)
	r.outb(MCROUT2, RegMCR)
	r.wantIRQ(true)
	r.want(RegMSR, "MSR", HostModemInputs|MSRDCTS|MSRDDSR)
	r.wantIRQ(false)
	r.want(RegIIR, "IIR", IIRNoInterrupt)
}
