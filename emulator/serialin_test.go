package emulator_test

import (
	"testing"
	"time"

	"github.com/pollscope/pollscope/emulator"
	"github.com/pollscope/pollscope/emulator/emutest"
)

// readCOM1 polls COM1's line status for a received byte, reads it and
// writes it to isa-debug-exit.
var readCOM1 = []byte{
	0x66, 0xba, 0xfd, 0x03, // mov dx, 0x3fd (LSR)
	0xec,       // in al, dx
	0xa8, 0x01, // test al, 1 (DR: data ready)
	0x74, 0xfb, // jz back to the in
	0x66, 0xba, 0xf8, 0x03, // mov dx, 0x3f8 (RBR)
	0xec,       // in al, dx
	0xe6, 0xf4, // out 0xf4, al
	0xf4, // hlt
}

// Bytes sent with SendSerial arrive on COM1's receive line.
func TestSendSerialReachesTheUART(t *testing.T) {
	emutest.ForEachBackend(t, func(t *testing.T, backend string) {
		m := emutest.Boot(t, emulator.Config{Backend: backend, Kernel: emutest.TinyKernel(readCOM1...)})
		m.SendSerial([]byte("A"))
		if res := emutest.WaitExit(t, m, 20*time.Second); res.Outcome != emulator.OutcomeExit || res.ExitValue != 'A' {
			t.Fatalf("result %v, want the guest to exit with 'A' (%d)", res, 'A')
		}
	})
}
