package emulator_test

import (
	"context"
	"path/filepath"
	"strings"
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

// echoCOM1 reads eight bytes from COM1, polling its line status, echoes
// each to COM1's transmitter and exits with the last.
var echoCOM1 = []byte{
	0x66, 0xb9, 0x08, 0x00, // mov cx, 8
	0x66, 0xba, 0xfd, 0x03, // next: mov dx, 0x3fd (LSR)
	0xec,       // in al, dx
	0xa8, 0x01, // test al, 1 (DR: data ready)
	0x74, 0xfb, // jz back to the in
	0x66, 0xba, 0xf8, 0x03, // mov dx, 0x3f8 (RBR, THR)
	0xec,             // in al, dx
	0xee,             // out dx, al
	0x66, 0xff, 0xc9, // dec cx
	0x75, 0xec, // jnz next
	0xe6, 0xf4, // out 0xf4, al
	0xf4, // hlt
}

// Serial input is part of a recorded session: a deterministic run typed
// into over COM1 replays with the bytes taken at the same instructions,
// and its echo and exit come out the same.
func TestSerialInputReplays(t *testing.T) {
	path := filepath.Join(t.TempDir(), "serial.session")
	kernel := emutest.TinyKernel(echoCOM1...)
	m := emutest.Boot(t, emulator.Config{Backend: emulator.BackendTCG, ICount: true, Record: path, Kernel: kernel})
	m.SendSerial([]byte("abc"))
	time.Sleep(50 * time.Millisecond)
	m.SendSerial([]byte("defgh"))
	if res := emutest.WaitExit(t, m, 20*time.Second); res.Outcome != emulator.OutcomeExit || res.ExitValue != 'h' {
		t.Fatalf("result %v, want the guest to exit with 'h'", res)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := emulator.OpenSession(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var got []byte
	for _, in := range s.Inputs() {
		got = append(got, in.Serial...)
	}
	if string(got) != "abcdefgh" {
		t.Fatalf("the session's serial inputs hold %q, want the bytes sent", got)
	}
	if _, err := s.ReplayConfig(); err == nil || !strings.Contains(err.Error(), "ReplayConfigFor") {
		t.Fatalf("ReplayConfig of a session whose kernel was given as bytes: %v, want an error naming ReplayConfigFor", err)
	}
	cfg, err := s.ReplayConfigFor(kernel)
	if err != nil {
		t.Fatal(err)
	}
	r := emutest.New(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if res, err := r.Run(ctx); err != nil || res.Outcome != emulator.OutcomeExit || res.ExitValue != 'h' {
		t.Fatalf("the replay ended with %v, %v; want the guest to exit with 'h' again", res, err)
	}
	summary, err := s.CompareReplay(r)
	if err != nil {
		t.Fatal(err)
	}
	if r.Serial() != "abcdefgh" {
		t.Fatalf("the replay echoed %q, want \"abcdefgh\"", r.Serial())
	}
	t.Log(summary)
}
