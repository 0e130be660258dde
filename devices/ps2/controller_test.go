package ps2

import (
	"testing"

	"github.com/pollscope/pollscope/devices"
)

// TestLinuxI8042Probe replays, byte for byte, what Linux's
// drivers/input/serio/i8042.c does at boot: i8042_controller_check,
// i8042_controller_selftest, i8042_controller_init, i8042_check_aux and
// i8042_enable_kbd_port / i8042_enable_aux_port.
func TestLinuxI8042Probe(t *testing.T) {
	r := newRig(t)
	steps := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"flush finds an empty output buffer", func(t *testing.T) {
			if st := r.status(); st != StatusINH|StatusSYS {
				t.Fatalf("status %#02x, want %#02x", st, StatusINH|StatusSYS)
			}
			r.expect("flush")
		}},
		{"self test 0xAA answers 0x55", func(t *testing.T) {
			r.command(CmdSelfTest)
			if st := r.status(); st != StatusOBF|StatusA2|StatusINH|StatusSYS {
				t.Fatalf("status %#02x after 0xAA", st)
			}
			r.expect("self test", SelfTestPassed)
		}},
		{"two CTR reads agree on 0x61", func(t *testing.T) {
			a, b := r.readConfig(), r.readConfig()
			if a != 0x61 || b != 0x61 {
				t.Fatalf("CTR reads %#02x %#02x, want 0x61 0x61", a, b)
			}
		}},
		{"keylock is open", func(t *testing.T) {
			if r.status()&StatusINH == 0 {
				t.Fatal("status says the keyboard is inhibited")
			}
		}},
		{"CTR write disables keyboard and its interrupt", func(t *testing.T) {
			r.writeConfig((0x61 | ConfigDisableKbd) &^ ConfigINT)
			if st := r.status(); st&StatusA2 != 0 {
				t.Fatalf("status %#02x: A2 set after a data write", st)
			}
			if got := r.readConfig(); got != 0x70 {
				t.Fatalf("CTR %#02x, want 0x70", got)
			}
			r.expect("flush after CTR write")
		}},
		{"aux loop 0xD3 0x5A returns 0x5A as aux data", func(t *testing.T) {
			r.command(CmdWriteAuxOut)
			r.write(0x5A)
			if st := r.status(); st&(StatusOBF|StatusAUXB) != StatusOBF|StatusAUXB {
				t.Fatalf("status %#02x, want OBF and AUXB", st)
			}
			r.expect("loop", 0x5A)
			if r.irq12.rises != 0 {
				t.Fatal("IRQ 12 raised with INT2 clear")
			}
		}},
		{"aux interface test 0xA9 answers 0x00", func(t *testing.T) {
			r.command(CmdTestAux)
			r.expect("0xA9", InterfaceOK)
		}},
		{"0xA7 sets AUXDIS in the CTR", func(t *testing.T) {
			r.command(CmdDisableAux)
			if got := r.readConfig(); got&ConfigDisableAux == 0 {
				t.Fatalf("CTR %#02x: AUXDIS clear after 0xA7", got)
			}
		}},
		{"0xA8 clears AUXDIS in the CTR", func(t *testing.T) {
			r.command(CmdEnableAux)
			if got := r.readConfig(); got != 0x50 {
				t.Fatalf("CTR %#02x after 0xA8, want 0x50", got)
			}
		}},
		{"aux IRQ test: 0xD3 0xA5 raises IRQ 12 once", func(t *testing.T) {
			r.writeConfig(0x50 | ConfigINT2)
			irq1Before := r.irq1.rises
			r.command(CmdWriteAuxOut)
			r.write(0xA5)
			if r.irq12.rises != 1 || !r.irq12.level {
				t.Fatalf("IRQ 12 rises %d level %v, want 1 high", r.irq12.rises, r.irq12.level)
			}
			if r.irq1.rises != irq1Before {
				t.Fatal("aux data raised IRQ 1")
			}
			r.expect("irq test", 0xA5)
			if r.irq12.level {
				t.Fatal("IRQ 12 still high after the read")
			}
		}},
		{"aux port disabled again", func(t *testing.T) {
			r.writeConfig(0x70)
			r.expect("flush")
		}},
		{"keyboard interface test 0xAB answers 0x00", func(t *testing.T) {
			r.command(CmdTestKbd)
			r.expect("0xAB", InterfaceOK)
		}},
		{"keyboard port enabled with its interrupt", func(t *testing.T) {
			r.writeConfig(0x61)
			if got := r.readConfig(); got != 0x61 {
				t.Fatalf("CTR %#02x, want 0x61", got)
			}
			r.expect("nothing pending")
		}},
		{"psmouse probe through 0xD4 fails fast with a timeout", func(t *testing.T) {
			r.writeConfig(0x61&^ConfigDisableAux | ConfigINT2)
			r.command(CmdWriteAux)
			r.write(0xF2) // PSMOUSE_CMD_GETID
			st := r.status()
			want := byte(StatusOBF | StatusAUXB | StatusTimeout)
			if st&want != want {
				t.Fatalf("status %#02x, want OBF, AUXB and timeout", st)
			}
			r.expect("mouse answer", AuxNoDevice)
			if r.status()&StatusTimeout != 0 {
				t.Fatal("timeout bit outlived its byte")
			}
		}},
	}
	for _, s := range steps {
		if !t.Run(s.name, s.run) {
			return
		}
	}
}

func TestControllerCommands(t *testing.T) {
	cases := []struct {
		name string
		do   func(r *rig)
		want []byte
	}{
		{"0x20 reads the power-on CTR", func(r *rig) { r.command(CmdReadConfig) }, []byte{PowerOnConfig}},
		{"0x60 then 0x20 reads back what was written", func(r *rig) {
			r.writeConfig(0x47)
			r.command(CmdReadConfig)
		}, []byte{0x47}},
		{"0xC0 reads the input port", func(r *rig) { r.command(CmdReadInput) }, []byte{InputPortValue}},
		{"0xD0 reads the output port: reset high, A20 on", func(r *rig) { r.command(CmdReadOutput) }, []byte{0xCF}},
		{"0xD0 shows OBF in bit 4 when a key byte waits", func(r *rig) {
			r.c.KeyDown(KeyA)
			r.command(CmdReadOutput)
		}, []byte{0x1E, 0xDF}},
		{"0xDD clears A20", func(r *rig) {
			r.command(CmdDisableA20)
			r.command(CmdReadOutput)
		}, []byte{0xCD}},
		{"0xD1 writes the output port", func(r *rig) {
			r.command(CmdWriteOutput)
			r.write(0x03)
			r.command(CmdReadOutput)
		}, []byte{0x03}},
		{"0xD2 returns its byte as keyboard data, untranslated", func(r *rig) {
			r.command(CmdWriteKbdOut)
			r.write(0x1C)
		}, []byte{0x1C}},
		{"0xAA self test leaves the CTR alone", func(r *rig) {
			r.writeConfig(0x25)
			r.command(CmdSelfTest)
			r.command(CmdReadConfig)
		}, []byte{SelfTestPassed, 0x25}},
		{"a later answer replaces an unread one", func(r *rig) {
			r.writeConfig(ConfigDisableKbd)
			r.c.KeyDown(KeyA)
			r.command(CmdEnableKbd)
			r.command(CmdSelfTest)
			r.command(CmdTestKbd)
		}, []byte{0x1C, InterfaceOK}},
		{"a new command abandons one awaiting its parameter", func(r *rig) {
			r.command(CmdWriteConfig)
			r.command(CmdReadConfig)
		}, []byte{PowerOnConfig}},
		{"unknown commands are ignored", func(r *rig) {
			r.command(0xA1)
			r.command(0xC1)
		}, nil},
		{"0xAD holds keyboard bytes back, 0xAE lets them through", func(r *rig) {
			r.command(CmdDisableKbd)
			r.tap(KeyA)
			r.command(CmdReadConfig) // answers still come
			r.command(CmdEnableKbd)
		}, []byte{PowerOnConfig | ConfigDisableKbd, 0x1E, 0x9E}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			tc.do(r)
			r.expect("answer", tc.want...)
		})
	}
}

func TestControllerAnswerGoesBeforeQueuedKeys(t *testing.T) {
	r := newRig(t)
	r.tap(KeyB) // 0x30 in the output buffer, 0xB0 queued
	r.command(CmdReadConfig)
	r.expect("bytes", 0x30, PowerOnConfig, 0xB0)
}

func TestResetLine(t *testing.T) {
	cases := []struct {
		name   string
		do     func(r *rig)
		resets int
	}{
		{"0xFE pulses reset", func(r *rig) { r.command(CmdPulseReset) }, 1},
		{"0xF0 pulses bits 0-3, reset among them", func(r *rig) { r.command(0xF0) }, 1},
		{"0xFC pulses bits 0 and 1", func(r *rig) { r.command(0xFC) }, 1},
		{"0xFF pulses nothing", func(r *rig) { r.command(0xFF) }, 0},
		{"0xFD pulses bit 1 only", func(r *rig) { r.command(0xFD) }, 0},
		{"0xD1 with bit 0 clear resets", func(r *rig) {
			r.command(CmdWriteOutput)
			r.write(0xFE)
		}, 1},
		{"0xD1 with bit 0 set does not", func(r *rig) {
			r.command(CmdWriteOutput)
			r.write(0xDF)
		}, 0},
		{"0xFE written to the data port is a keyboard command", func(r *rig) {
			r.write(0xFE)
		}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			tc.do(r)
			if r.resets != tc.resets {
				t.Fatalf("reset called %d times, want %d", r.resets, tc.resets)
			}
		})
	}
}

func TestNilLinesAndResetAreAllowed(t *testing.T) {
	c := New(&devices.ManualClock{}, nil, nil, nil)
	c.Command().Out(0, []byte{CmdPulseReset})
	c.KeyDown(KeyA)
	var b [1]byte
	c.Data().In(0, b[:])
	if b[0] != 0x1E {
		t.Fatalf("read %#02x, want 0x1E", b[0])
	}
}

// TestIRQ1EdgePerByte plays an interrupt handler that reads one byte per
// interrupt, as the demo kernel's does: typing Shift+A must give one rising
// edge per byte, even though each next byte moves in during the read.
func TestIRQ1EdgePerByte(t *testing.T) {
	r := newRig(t)
	r.c.KeyDown(KeyLeftShift)
	r.tap(KeyA)
	r.c.KeyUp(KeyLeftShift)

	var got []byte
	handled := 0
	for handled < r.irq1.rises && len(got) < 100 {
		handled++
		got = append(got, r.read()) // the handler; then EOI
	}
	want := []byte{0x2A, 0x1E, 0x9E, 0xAA}
	if hex(got) != hex(want) {
		t.Fatalf("handler read % X, want % X", got, want)
	}
	if r.irq1.rises != 4 || r.irq1.falls != 4 || r.irq1.level {
		t.Fatalf("IRQ 1 rose %d, fell %d, level %v; want 4, 4, low", r.irq1.rises, r.irq1.falls, r.irq1.level)
	}
}

func TestIRQ1FollowsConfigINT(t *testing.T) {
	cases := []struct {
		name      string
		config    byte
		wantRises int
	}{
		{"INT set: a key raises IRQ 1", ConfigINT | ConfigXLATE, 1},
		{"INT clear: a polling guest gets no IRQ", ConfigXLATE, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			r.writeConfig(tc.config)
			r.c.KeyDown(KeyA)
			if r.irq1.rises != tc.wantRises {
				t.Fatalf("IRQ 1 rose %d times, want %d", r.irq1.rises, tc.wantRises)
			}
			if r.status()&StatusOBF == 0 {
				t.Fatal("OBF clear with a key byte waiting")
			}
			r.expect("key", 0x1E)
		})
	}
}

func TestIRQ1RisesWhenINTIsEnabledOverWaitingData(t *testing.T) {
	r := newRig(t)
	r.writeConfig(ConfigXLATE)
	r.c.KeyDown(KeyA)
	r.writeConfig(ConfigXLATE | ConfigINT)
	if r.irq1.rises != 1 || !r.irq1.level {
		t.Fatalf("IRQ 1 rose %d times, level %v; want 1, high", r.irq1.rises, r.irq1.level)
	}
}

func TestEmptyReadRepeatsLastByte(t *testing.T) {
	r := newRig(t)
	r.c.KeyDown(KeyA)
	first, again := r.read(), r.read()
	if first != 0x1E || again != 0x1E {
		t.Fatalf("reads %#02x %#02x, want 0x1E twice", first, again)
	}
	if r.irq1.rises != 1 {
		t.Fatalf("IRQ 1 rose %d times, want 1", r.irq1.rises)
	}
}

func TestWideAccessActsOnLowByte(t *testing.T) {
	r := newRig(t)
	r.c.KeyDown(KeyA)
	d := make([]byte, 2)
	r.data.In(0, d)
	if d[0] != 0x1E || d[1] != 0xFF {
		t.Fatalf("16-bit read % X, want 1E FF", d)
	}
	r.cmdPort.Out(0, []byte{CmdReadConfig, 0x99, 0x99, 0x99})
	r.expect("answer", PowerOnConfig)
}

func TestStateRoundTrip(t *testing.T) {
	r := newRig(t)
	r.command(CmdDisableKbd)
	r.c.KeyDown(KeyUp)
	r.c.KeyDown(KeyA)
	saved := r.c.State()

	r2 := newRig(t)
	r2.c.SetState(saved)
	r.command(CmdEnableKbd)
	r2.command(CmdEnableKbd)
	a, b := r.drain(64), r2.drain(64)
	if hex(a) != hex(b) || hex(a) != "E0 48 1E" {
		t.Fatalf("original read % X, restored read % X, want E0 48 1E", a, b)
	}
}
