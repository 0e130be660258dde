package rtc

import "testing"

func TestIndexPortAndNMIMask(t *testing.T) {
	g := newRig(t, wall(bootWall, 0))
	g.outb(IndexNMIDisable|RegD, port70)
	if !g.r.NMIDisabled() || g.r.State().Index != 0x8D {
		t.Fatalf("after index 0x8d: NMIDisabled %v, Index %#x", g.r.NMIDisabled(), g.r.State().Index)
	}
	if v := g.inb(port71); v != DVRT {
		t.Errorf("register D through index 0x8d = %#x, want 0x80", v)
	}
	if v := g.inb(port70); v != 0xFF {
		t.Errorf("port 0x70 reads %#x, want 0xff", v)
	}
	// The index stays selected: a second data read needs no new index.
	if v := g.inb(port71); v != DVRT {
		t.Errorf("register D again = %#x", v)
	}
	g.outb(RegD, port70)
	if g.r.NMIDisabled() {
		t.Error("NMI still disabled after index 0x0d")
	}
}

func TestRAM(t *testing.T) {
	g := newRig(t, wall(bootWall, 0))
	for reg := firstRAM; reg < nRegs; reg++ {
		if reg == RegCentury {
			continue // the century counter; see TestWritingTimeRegisters
		}
		g.cmosWrite(uint8(reg)^0xA5, uint8(reg))
	}
	g.wait(3 * second)
	for reg := firstRAM; reg < nRegs; reg++ {
		if reg != RegCentury {
			g.wantReg(uint8(reg), "RAM byte", uint8(reg)^0xA5)
		}
	}
	// Registers C and D ignore writes.
	g.cmosWrite(0xFF, RegD)
	g.wantReg(RegD, "register D after a write", DVRT)
	g.cmosRead(RegC)
	g.cmosWrite(0xFF, RegC)
	if c := g.cmosRead(RegC); c != 0 {
		t.Errorf("register C = %#x after a write of 0xff", c)
	}
	// Register A's UIP is read only.
	g.cmosWrite(0xA6, RegA)
	if a := g.r.State().CMOS[RegA]; a != 0x26 {
		t.Errorf("register A holds %#x after writing 0xa6, want 0x26", a)
	}
}

func TestWideAccesses(t *testing.T) {
	g := newRig(t, wall(bootWall, 0))
	// outw 0x0A30, 0x70: index 0x30 and its data in one instruction.
	g.r.Out(PortIndex, []byte{0x30, 0x0A})
	g.wantReg(0x30, "RAM byte 0x30 after a word write", 0x0A)
	g.outb(RegSeconds, port70)
	w := []byte{0, 0, 0, 0}
	g.r.In(PortIndex, w)
	if w[0] != 0xFF || w[1] != 0x58 || w[2] != 0xFF || w[3] != 0xFF {
		t.Errorf("inl from 0x70 = % x, want ff 58 ff ff", w)
	}
	g.r.Out(PortData, []byte{0x42, 0x99, 0x99}) // bytes beyond 0x71 are dropped
	g.wantReg(RegSeconds, "seconds", 0x42)
}

func TestMemorySize(t *testing.T) {
	for _, tc := range []struct {
		name             string
		below, above     uint64
		ext, high, over4 uint32
	}{
		{"32 MiB", 32 << 20, 0, 31 * 1024, 16 * 16, 0},
		{"128 MiB: extended memory caps at 64 MiB", 128 << 20, 0, 0xFFFF, 112 * 16, 0},
		{"512 KiB", 512 << 10, 0, 0, 0, 0},
		{"3 GiB plus 2 GiB above 4 GiB", 3 << 30, 2 << 30, 0xFFFF, (3<<30 - 16<<20) >> 16, 2 << 14},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := newRig(t, wall(bootWall, 0))
			g.r.SetMemorySize(tc.below, tc.above)
			word := func(lo uint8) uint32 { return uint32(g.cmosRead(lo)) | uint32(g.cmosRead(lo+1))<<8 }
			if v := word(CMOSBaseMemLo); v != 640 {
				t.Errorf("base memory %d KiB, want 640", v)
			}
			if v := word(CMOSExtMemLo); v != tc.ext {
				t.Errorf("extended memory %d KiB, want %d", v, tc.ext)
			}
			if v := word(CMOSExtMemPostLo); v != tc.ext {
				t.Errorf("extended memory (POST copy) %d KiB, want %d", v, tc.ext)
			}
			if v := word(CMOSHighMemLo); v != tc.high {
				t.Errorf("memory above 16 MiB %d blocks, want %d", v, tc.high)
			}
			if v := word(CMOSAbove4GLo) | uint32(g.cmosRead(CMOSAbove4GHi))<<16; v != tc.over4 {
				t.Errorf("memory above 4 GiB %d blocks, want %d", v, tc.over4)
			}
			var sum uint16
			for reg := uint8(0x10); reg <= 0x2D; reg++ {
				sum += uint16(g.cmosRead(reg))
			}
			if got := uint16(g.cmosRead(CMOSChecksumHi))<<8 | uint16(g.cmosRead(CMOSChecksumLo)); got != sum {
				t.Errorf("checksum %#x, want %#x", got, sum)
			}
		})
	}
}

func TestSaveRestore(t *testing.T) {
	g := newRig(t, wall(bootWall, 300*ms))
	g.cmosWrite(BPIE|BAIE|B24H, RegB)
	g.cmosWrite(ADivider32kHz|0x0F, RegA) // 2 Hz
	g.cmosWrite(0xC0, RegHoursAlarm)
	g.cmosWrite(0xC0, RegMinutesAlarm)
	g.cmosWrite(0x05, RegSecondsAlarm)
	g.outb(IndexNMIDisable|0x40, port70)
	g.wait(1234 * ms)
	g.r.advance(g.now())

	h := newRig(t, wall(0, 0))
	h.at(g.now())
	h.r.SetState(g.r.State())
	if h.r.State() != g.r.State() {
		t.Fatalf("restored state %+v, want %+v", h.r.State(), g.r.State())
	}
	h.wantIRQ(g.irq())
	for i := 0; i < 8; i++ {
		for _, r := range []*rig{g, h} {
			if r.irq() {
				r.interrupt()
			}
		}
		dg, dh := g.deadline(), h.deadline()
		if dg != dh {
			t.Fatalf("deadline %d: %d after restore, %d before", i, dh, dg)
		}
		g.runToDeadline()
		h.runToDeadline()
		if cg, ch := g.cmosRead(RegC), h.cmosRead(RegC); cg != ch {
			t.Fatalf("register C at deadline %d: %#x restored, %#x original", i, ch, cg)
		}
	}
}
