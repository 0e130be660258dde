package serial

import (
	"errors"
	"testing"
)

func TestDivisorLatch(t *testing.T) {
	for _, tc := range []struct {
		name     string
		dll, dlm uint8
	}{
		{"115200 baud", 0x01, 0x00},
		{"9600 baud", 0x0C, 0x00},
		{"50 baud", 0x00, 0x09},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			r.outb(0x0F, RegIER) // IER must survive the divisor write
			r.outb(LCRDLAB|0x03, RegLCR)
			r.outb(tc.dll, RegDLL)
			r.outb(tc.dlm, RegDLM)
			r.want(RegDLL, "DLL", tc.dll)
			r.want(RegDLM, "DLM", tc.dlm)
			r.outb(0x03, RegLCR)
			r.want(RegLCR, "LCR", 0x03)
			r.want(RegIER, "IER", 0x0F)
			if r.out.Len() != 0 {
				t.Errorf("divisor writes transmitted % x", r.out.Bytes())
			}
			r.outb(LCRDLAB, RegLCR)
			r.want(RegDLL, "DLL after DLAB cycle", tc.dll)
		})
	}
}

func TestScratchAndIERProbe(t *testing.T) {
	r := newRig(t)
	for _, v := range []uint8{0x55, 0xAA, 0x00, 0xFF} {
		r.outb(v, RegSCR)
		r.want(RegSCR, "SCR", v)
	}
	// Linux's autoconfig: IER takes 0 and 0x0F; the upper nibble reads 0 (no
	// XScale UUE bit, no sleep mode).
	r.outb(0x00, RegIER)
	r.want(RegIER, "IER", 0x00)
	r.outb(0xFF, RegIER)
	r.want(RegIER, "IER", 0x0F)
}

func TestLinuxAutoconfigFinds16550A(t *testing.T) {
	r := newRig(t)
	r.outb(MCRLOOP|0x0A, RegMCR)
	if got := r.inb(RegMSR) & 0xF0; got != 0x90 {
		t.Fatalf("MSR in loopback with OUT2|RTS = %#x, want 0x90", got)
	}
	r.outb(0, RegMCR)
	r.outb(0xBF, RegLCR) // UART_LCR_CONF_MODE_B
	r.outb(0, RegFCR)    // UART_EFR on enhanced parts; FCR here
	r.outb(0, RegLCR)
	r.outb(FCREnable, RegFCR)
	if got := r.inb(RegIIR) >> 6; got != 3 {
		t.Fatalf("IIR>>6 = %d, want 3 (16550A)", got)
	}
	r.outb(FCREnable|0x20, RegFCR) // UART_FCR7_64BYTE probe for a 16750
	if got := r.inb(RegIIR) >> 5; got != 6 {
		t.Errorf("IIR>>5 = %d, want 6 (no 64-byte FIFO)", got)
	}
}

func TestTransmit(t *testing.T) {
	r := newRig(t)
	r.setup()
	r.want(RegLSR, "LSR idle", LSRTHRE|LSRTEMT)
	for _, c := range []byte("hi\n") {
		if r.inb(RegLSR)&LSRTHRE == 0 {
			t.Fatal("THRE clear before a write")
		}
		r.outb(c, RegTHR)
		r.want(RegLSR, "LSR after TX", LSRTHRE|LSRTEMT)
	}
	if got := r.out.String(); got != "hi\n" {
		t.Errorf("output %q, want %q", got, "hi\n")
	}
	r.wantIRQ(false)
}

type failingWriter struct{ calls int }

func (w *failingWriter) Write(p []byte) (int, error) {
	w.calls++
	return 0, errors.New("broken pipe")
}

func TestOutputErrorsAreSwallowed(t *testing.T) {
	w := &failingWriter{}
	u := New(nil, w)
	u.Out(RegTHR, []byte{'x'})
	b := []byte{0}
	u.In(RegLSR, b)
	if w.calls != 1 || b[0] != LSRTHRE|LSRTEMT {
		t.Errorf("writer calls %d, LSR %#x: want 1 call and an idle transmitter", w.calls, b[0])
	}
	New(nil, nil).Out(RegTHR, []byte{'y'}) // no writer at all
}

func TestLoopback(t *testing.T) {
	r := newRig(t)
	r.setup()
	r.outb(MCRLOOP|MCROUT2|MCRRTS|MCRDTR, RegMCR)
	r.outb('A', RegTHR)
	r.outb('B', RegTHR)
	if r.out.Len() != 0 {
		t.Errorf("loopback leaked % x to the output", r.out.Bytes())
	}
	r.want(RegLSR, "LSR", LSRDR|LSRTHRE|LSRTEMT)
	r.wantIRQ(false) // data is pending, but OUT2's pin is inactive in loopback
	r.want(RegIIR, "IIR", IIRFIFOEnabled|IIRCharTimeout)
	r.want(RegRBR, "RBR", 'A')
	r.want(RegRBR, "RBR", 'B')
	r.want(RegLSR, "LSR", LSRTHRE|LSRTEMT)
	if n := r.u.Receive([]byte("xyz")); n != 0 {
		t.Errorf("Receive in loopback stored %d bytes, want 0", n)
	}
	r.want(RegMSR, "MSR (looped outputs match the host's inputs: no deltas)", MSRDCD|MSRDSR|MSRCTS)
	r.outb(MCRLOOP|MCROUT1, RegMCR)
	r.want(RegMSR, "MSR", MSRRI|MSRDDCD|MSRDDSR|MSRDCTS)
	r.outb(MCRLOOP, RegMCR)
	r.want(RegMSR, "MSR after RI falls", MSRTERI)
	r.outb(MCROUT2, RegMCR)
	r.want(RegMSR, "MSR back to the host's inputs", HostModemInputs|MSRDDCD|MSRDDSR|MSRDCTS)
	r.want(RegMSR, "MSR", HostModemInputs)
}

func TestIRQNeedsOUT2(t *testing.T) {
	for _, tc := range []struct {
		name string
		mcr  uint8
		want bool
	}{
		{"DTR|RTS only", MCRDTR | MCRRTS, false},
		{"OUT2", MCROUT2, true},
		{"OUT2|DTR|RTS as Linux sets it", MCROUT2 | MCRDTR | MCRRTS, true},
		{"OUT1 is not the gate", MCROUT1, false},
		{"OUT2 in loopback", MCROUT2 | MCRLOOP, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			r.outb(IERETBEI, RegIER) // THR is empty: an interrupt is pending
			r.wantIRQ(false)
			r.outb(tc.mcr, RegMCR)
			r.wantIRQ(tc.want)
			r.want(RegIIR, "IIR", IIRTHRE) // pending regardless of OUT2
		})
	}
}

func TestSetStateRoundTrip(t *testing.T) {
	r := newRig(t)
	r.setup()
	r.outb(0x5A, RegSCR)
	r.u.Receive([]byte("state"))
	s := r.u.State()
	var levels []bool
	q := New(lineRecorder(&levels), nil)
	q.SetState(s)
	if q.State() != s {
		t.Fatalf("round trip: got %+v, want %+v", q.State(), s)
	}
	if len(levels) != 1 || !levels[0] {
		t.Errorf("restored IRQ line driven %v, want one raise", levels)
	}
	b := make([]byte, 1)
	q.In(RegRBR, b)
	if b[0] != 's' {
		t.Errorf("restored RBR = %q, want 's'", b[0])
	}
}

func TestWideAccessSplitsIntoBytes(t *testing.T) {
	r := newRig(t)
	r.u.Out(RegLCR, []byte{0x03, MCROUT2}) // outw 0x3FB: LCR then MCR
	r.want(RegLCR, "LCR", 0x03)
	r.want(RegMCR, "MCR", MCROUT2)
	b := make([]byte, 4)
	r.u.In(RegLSR, b) // LSR, MSR, SCR, beyond the UART
	if b[0] != LSRTHRE|LSRTEMT || b[1] != HostModemInputs || b[2] != 0 || b[3] != 0xFF {
		t.Errorf("inl at LSR = % x", b)
	}
}
