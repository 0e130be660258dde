package gdbstub

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/pollscope/pollscope/cpu"
)

// Exchanges written by hand for what gdb itself never sends: malformed,
// oversized and corrupted packets, a client that goes away mid-packet,
// and the corners of each command.

// startFake serves a fake target running program and connects to it.
func startFake(t *testing.T, program []byte) (*fakeTarget, *servedSession, *rspClient) {
	t.Helper()
	f := newFakeTarget(program)
	s := serveOne(t, &Server{Target: f}, nil)
	return f, s, dialStub(t, s.addr)
}

func TestQueries(t *testing.T) {
	_, _, c := startFake(t, counterProgram)
	cases := []struct{ name, packet, want string }{
		{"qSupported offers what the stub does", "qSupported:swbreak+;hwbreak+", "PacketSize=1000;qXfer:features:read+;swbreak+;hwbreak+;vContSupported+;QStartNoAckMode+"},
		{"the initial stop is a SIGTRAP", "?", "T05thread:1;"},
		{"one thread", "qfThreadInfo", "m1"},
		{"and no more", "qsThreadInfo", "l"},
		{"the current thread", "qC", "QC1"},
		{"attached to a running guest", "qAttached", "1"},
		{"the thread is alive", "T1", "OK"},
		{"another is not", "T2", "E01"},
		{"thread selection", "Hg0", "OK"},
		{"vCont's actions", "vCont?", "vCont;c;C;s;S"},
		{"no symbols wanted", "qSymbol::", "OK"},
		{"unknown packets get the empty reply", "qTStatus", ""},
		{"vMustReplyEmpty", "vMustReplyEmpty", ""},
		{"extended mode is not offered", "!", ""},
		{"an unknown command letter", "j", ""},
		{"an empty packet", "", ""},
		{"another target description", "qXfer:features:read:i386.xml:0,100", "E00"},
		{"an unknown qXfer object", "qXfer:libraries:read::0,100", ""},
		{"past the description's end", "qXfer:features:read:target.xml:100000,100", "l"},
		{"physical mode is off", "qqemu.PhyMemMode", "0"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.t = t
			if got := c.call(tc.packet); got != tc.want {
				t.Errorf("%q: got %q, want %q", tc.packet, got, tc.want)
			}
		})
	}
}

// The target description reads back whole in small pieces, each within
// the length asked even after escaping.
func TestTargetDescriptionInPieces(t *testing.T) {
	_, _, c := startFake(t, counterProgram)
	var doc []byte
	for off := 0; ; {
		reply := c.call("qXfer:features:read:target.xml:" + hexNum(off) + ",40")
		data, err := unescape([]byte(reply[1:]))
		if err != nil {
			t.Fatal(err)
		}
		if len(reply)-1 > 0x40 {
			t.Fatalf("a piece of %d bytes for a window of 64", len(reply)-1)
		}
		doc = append(doc, data...)
		off += len(data)
		if reply[0] == 'l' {
			break
		}
		if reply[0] != 'm' || len(data) == 0 {
			t.Fatalf("reply %q is neither more nor last", reply)
		}
	}
	if string(doc) != string(targetXML) {
		t.Fatalf("reassembled %d bytes differ from the %d-byte description", len(doc), len(targetXML))
	}
}

func hexNum(n int) string { return strconv.FormatInt(int64(n), 16) }

// Malformed commands get an error reply; the session and the target go
// on as before.
func TestMalformedPackets(t *testing.T) {
	f, _, c := startFake(t, counterProgram)
	before := f.regs
	cases := []struct{ packet, want string }{
		{"mzz,4", "E01"},
		{"m1000", "E01"},
		{"m1000,", "E01"},
		{"m11112222333344445,1", "E01"},
		{"M1000,2:4", "E01"},
		{"M1000,2:414243", "E01"},
		{"M1000", "E01"},
		{"X1000,2:A", "E01"},
		{"X1000,1:}", "E01"},
		{"pzz", "E01"},
		{"p41", "E01"},
		{"P0=12", "E01"},
		{"P0", "E01"},
		{"Pff=0000000000000000", "E01"},
		{"G0011", "E01"},
		{"Gzz", "E01"},
		{"G" + strings.Repeat("00", registerFileSize+1), "E01"},
		{"Z9,1000,1", "E01"},
		{"Z0,1000", "E01"},
		{"Z0,1000,1;X1,0", "E01"},
		{"Z2,2000,0", "E01"},
		{"z0,zz,1", "E01"},
		{"czz", "E01"},
		{"vCont;x", "E01"},
		{"vCont;c:zz", "E01"},
		{"vCont;", "E01"},
		{"qXfer:features:read:target.xml:zz", "E01"},
		{"qRcmd,zz", "E01"},
		{"Qqemu.PhyMemMode:7", "E01"},
	}
	for _, tc := range cases {
		t.Run(tc.packet, func(t *testing.T) {
			c.t = t
			if got := c.call(tc.packet); got != tc.want {
				t.Errorf("%q: got %q, want %q", tc.packet, got, tc.want)
			}
		})
	}
	c.t = t
	if got := c.call("?"); got != "T05thread:1;" {
		t.Errorf("after the malformed packets, ? = %q", got)
	}
	if f.regs != before || len(f.breaks) != 0 {
		t.Errorf("the malformed packets changed the target: regs %+v, breakpoints %v", f.regs, f.breaks)
	}
}

// A wrong checksum is refused with '-'; the packet sent again with the
// right one is answered.
func TestWrongChecksum(t *testing.T) {
	_, _, c := startFake(t, counterProgram)
	c.raw("$qC#00")
	c.expect("-")
	c.raw("$qC#zz") // not even hex
	c.expect("-")
	if got := c.call("qC"); got != "QC1" {
		t.Errorf("qC = %q after the corrupted copies", got)
	}
}

// A '-' from gdb makes the stub send its last packet again.
func TestRetransmitOnNak(t *testing.T) {
	_, _, c := startFake(t, counterProgram)
	c.packet("qC")
	c.expect("+", "$QC1#c5")
	c.raw("-")
	c.expect("$QC1#c5")
	c.raw("+")
}

// Bytes between packets that are none of '$', '+', '-', 0x03 are noise.
func TestNoiseBetweenPackets(t *testing.T) {
	_, _, c := startFake(t, counterProgram)
	c.raw("hello\r\n")
	if got := c.call("qC"); got != "QC1" {
		t.Errorf("qC = %q after noise", got)
	}
}

// A '$' inside a packet means the one before was cut: the new one counts.
func TestPacketRestartedMidway(t *testing.T) {
	_, _, c := startFake(t, counterProgram)
	c.raw("$m10")
	if got := c.call("qC"); got != "QC1" {
		t.Errorf("qC = %q after a cut packet", got)
	}
}

// A packet longer than PacketSize is read to its end, not kept, and
// answered with an error; the session goes on.
func TestOversizedPacket(t *testing.T) {
	_, s, c := startFake(t, counterProgram)
	huge := "M1000,1000:" + strings.Repeat("41", 4096)
	got := c.call(huge)
	if !strings.HasPrefix(got, "E.") || !strings.Contains(got, "longer than the PacketSize of 4096") {
		t.Errorf("oversized packet: reply %q, want an E. error naming the PacketSize", got)
	}
	if got := c.call("qC"); got != "QC1" {
		t.Errorf("qC = %q after the oversized packet", got)
	}
	if !strings.Contains(s.logText(), "longer than the PacketSize") {
		t.Errorf("the log does not mention the oversized packet: %q", s.logText())
	}
}

// After QStartNoAckMode neither side acks.
func TestNoAckMode(t *testing.T) {
	_, _, c := startFake(t, counterProgram)
	if got := c.call("QStartNoAckMode"); got != "OK" {
		t.Fatalf("QStartNoAckMode = %q", got)
	}
	c.packet("qC")
	c.expect("$QC1#c5") // no '+' first
	c.raw("$qC#00")     // a bad checksum is not NAKed in no-ack mode
	c.packet("qAttached")
	c.expect("$1#31")
}

func TestRegisters(t *testing.T) {
	f, _, c := startFake(t, counterProgram)
	g := c.call("g")
	if len(g) != 2*registerFileSize {
		t.Fatalf("g reply is %d hex digits, want %d", len(g), 2*registerFileSize)
	}
	// rip is register 16, at byte 128; cr3 register 61.
	if g[2*128:2*136] != "0010000000000000" {
		t.Errorf("rip in g = %s, want 0x1000 little-endian", g[2*128:2*136])
	}
	if got := c.call("p3d"); got != "0090000000000000" {
		t.Errorf("p3d (cr3) = %q", got)
	}
	if got := c.call("p10=1"); got != "E01" {
		t.Errorf("p with junk = %q", got)
	}
	if got := c.call("P0=efbeadde00000000"); got != "OK" || f.regs.RAX != 0xdeadbeef {
		t.Errorf("P0 = %q, RAX = %#x", got, f.regs.RAX)
	}
	// A selector cannot change: its descriptor cache would not follow.
	if got := c.call("P12=2b000000"); got != "E16" || f.sregs.CS.Selector != 0x10 {
		t.Errorf("P12 (cs) = %q, CS = %#x", got, f.sregs.CS.Selector)
	}
	// Writing EFER goes through SRegs; an XMM register through the FPU.
	if got := c.call("P40=0000000000000000"); got != "OK" || f.sregs.EFER != 0 {
		t.Errorf("P40 (efer) = %q, EFER = %#x", got, f.sregs.EFER)
	}
	if got := c.call("P28=" + strings.Repeat("11", 16)); got != "OK" || f.fpu[fxXMM] != 0x11 {
		t.Errorf("P28 (xmm0) = %q", got)
	}
	// G with the file read back unchanged but RBX changes RBX only.
	g = c.call("g")
	g2 := g[:16] + "0700000000000000" + g[32:]
	if got := c.call("G" + g2); got != "OK" || f.regs.RBX != 7 || f.regs.RAX != 0xdeadbeef {
		t.Errorf("G = %q: RAX %#x RBX %#x", got, f.regs.RAX, f.regs.RBX)
	}
	// A G shorter than the file writes the registers it covers.
	if got := c.call("G" + "0800000000000000"); got != "OK" || f.regs.RAX != 8 || f.regs.RBX != 7 {
		t.Errorf("short G = %q: RAX %#x RBX %#x", got, f.regs.RAX, f.regs.RBX)
	}
}

func TestMemory(t *testing.T) {
	f, _, c := startFake(t, counterProgram)
	cases := []struct{ name, packet, want string }{
		{"read code", "m1000,5", "b800000000"},
		{"the higher half maps to the same RAM", "mffffffff80001000,2", "b800"},
		{"a read running off RAM stops there", "mfffff,4", "00"},
		{"unmapped", "m40000000,4", "E0e"},
		{"a read longer than a packet is cut to fit", "m0,100000", strings.Repeat("00", 0x1000)},
		{"write hex", "M3000,2:4142", "OK"},
		{"write binary with escapes", "X3002,2:}\x03}\x04", "OK"},
		{"X probe", "X3000,0:", "OK"},
		{"read them back", "m3000,4", "41422324"},
		{"write unmapped", "M40000000,1:00", "E0e"},
		{"physical mode on", "Qqemu.PhyMemMode:1", "OK"},
		{"physical reads", "m1000,1", "b8"},
		{"the higher half is not physical", "mffffffff80001000,1", "E0e"},
		{"and off", "Qqemu.PhyMemMode:0", "OK"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.t = t
			got := c.call(tc.packet)
			if tc.name == "a read longer than a packet is cut to fit" {
				if len(got) > 4096 || !strings.HasPrefix(got, "0000") {
					t.Errorf("read of 1 MiB: %d hex digits, want at most the packet size", len(got))
				}
				return
			}
			if got != tc.want {
				t.Errorf("%q: got %q, want %q", tc.packet, got, tc.want)
			}
		})
	}
	if string(f.mem[0x3000:0x3004]) != "AB#$" {
		t.Errorf("memory at 0x3000 = %q", f.mem[0x3000:0x3004])
	}
}

func TestBreakpointBookkeeping(t *testing.T) {
	f, _, c := startFake(t, counterProgram)
	f.refuse = map[BreakpointKind]bool{WriteWatchpoint: true, ReadWatchpoint: true}
	steps := []struct {
		name, packet, want string
		breaks             int
	}{
		{"insert", "Z0,1011,1", "OK", 1},
		{"insert the same again", "Z0,1011,1", "OK", 1},
		{"a hardware one at the same address is another", "Z1,1011,1", "OK", 2},
		{"an access watchpoint", "Z4,2000,4", "OK", 3},
		{"a refused write watchpoint says why", "Z2,2000,4", "E.02.not supported by this CPU backend: a write watchpoint (watch) is not offered by this test target", 3},
		{"a refused read watchpoint is unsupported, so gdb uses an access one", "Z3,2000,4", "", 3},
		{"remove", "z0,1011,1", "OK", 2},
		{"remove one not there", "z0,1011,1", "OK", 2},
		{"remove the rest", "z1,1011,1", "OK", 1},
		{"and the watchpoint", "z4,2000,4", "OK", 0},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			c.t = t
			if got := c.call(st.packet); got != st.want {
				t.Errorf("%q: got %q, want %q", st.packet, got, st.want)
			}
			if len(f.breaks) != st.breaks {
				t.Errorf("the target has %d breakpoints, want %d: %v", len(f.breaks), st.breaks, f.breaks)
			}
		})
	}
}

func TestRunControl(t *testing.T) {
	f, _, c := startFake(t, counterProgram)
	steps := []struct{ name, packet, want string }{
		{"step", "s", "T05thread:1;"},
		{"vCont step for thread 1", "vCont;s:1;c", "T05thread:1;"},
		{"a swbreak reason only once gdb asked for it", "Z0,1011,1", "OK"},
		{"continue to it", "c", "T05thread:1;"},
		{"now gdb says it understands swbreak", "qSupported:swbreak+;hwbreak+", "PacketSize=1000;qXfer:features:read+;swbreak+;hwbreak+;vContSupported+;QStartNoAckMode+"},
		{"continue to it again", "vCont;c", "T05swbreak:;thread:1;"},
		{"remove it", "z0,1011,1", "OK"},
		{"an access watchpoint", "Z4,2000,4", "OK"},
		{"stops after the store", "C05", "T05awatch:2000;thread:1;"},
		{"and after the load", "vCont;C05:1", "T05awatch:2000;thread:1;"},
		{"remove it", "z4,2000,4", "OK"},
		{"continue at an address", "c101a", "W03"},
		{"the guest stays exited", "?", "W03"},
		{"continuing an exited guest", "c", "W03"},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			c.t = t
			got := c.call(st.packet)
			// Stop messages come first as O packets.
			for strings.HasPrefix(got, "O") && st.want != got {
				got = unframe(t, c.token())
				c.raw("+")
			}
			if got != st.want {
				t.Errorf("%q: got %q, want %q", st.packet, got, st.want)
			}
		})
	}
	if f.regs.RIP != 0x101b {
		t.Errorf("RIP = %#x after the exit, want 0x101b", f.regs.RIP)
	}
}

// Ctrl-C stops a running guest with SIGINT.
func TestInterrupt(t *testing.T) {
	f, _, c := startFake(t, spinProgram)
	c.packet("vCont;c")
	c.expect("+")
	<-f.running
	c.raw("\x03")
	c.expect("$T02thread:1;#d4")
	c.raw("+")
	// A stray Ctrl-C while stopped changes nothing.
	c.raw("\x03")
	if got := c.call("?"); got != "T02thread:1;" {
		t.Errorf("? = %q", got)
	}
}

// While the guest runs only Ctrl-C counts; other packets are acked and
// dropped.
func TestPacketsWhileRunning(t *testing.T) {
	f, s, c := startFake(t, spinProgram)
	c.packet("c")
	c.expect("+")
	<-f.running
	c.packet("g")
	c.expect("+")
	c.raw("$g#00")
	c.expect("-")
	c.raw("\x03")
	c.expect("$T02thread:1;#d4")
	if !strings.Contains(s.logText(), "ignoring a packet sent while the guest runs") {
		t.Errorf("log: %q", s.logText())
	}
}

func TestDetachAndKill(t *testing.T) {
	t.Run("detach removes the breakpoints and lets the guest run", func(t *testing.T) {
		f, s, c := startFake(t, counterProgram)
		c.call("Z0,1011,1")
		if got := c.call("D"); got != "OK" {
			t.Errorf("D = %q", got)
		}
		if err := s.wait(t); err != nil {
			t.Error(err)
		}
		if !f.detached || len(f.breaks) != 0 || f.killed {
			t.Errorf("detached %v, breakpoints %v, killed %v", f.detached, f.breaks, f.killed)
		}
	})
	t.Run("kill has no reply and ends the guest", func(t *testing.T) {
		f, s, c := startFake(t, counterProgram)
		c.packet("k")
		c.expect("+")
		if err := s.wait(t); err != nil {
			t.Error(err)
		}
		if !f.killed || f.detached {
			t.Errorf("killed %v, detached %v", f.killed, f.detached)
		}
	})
	t.Run("vKill", func(t *testing.T) {
		f, s, c := startFake(t, counterProgram)
		if got := c.call("vKill;a410"); got != "OK" {
			t.Errorf("vKill = %q", got)
		}
		s.wait(t)
		if !f.killed {
			t.Error("vKill did not kill")
		}
	})
}

// A target whose FPU cannot be read shows its registers as unavailable
// and refuses writes to them, the rest working.
func TestUnavailableFPU(t *testing.T) {
	f := &noFPU{newFakeTarget(counterProgram)}
	s := serveOne(t, &Server{Target: f}, nil)
	c := dialStub(t, s.addr)
	g := c.call("g")
	// st0 is register 24 at byte 24*8+4+6*4 = 220.
	if g[2*220:2*230] != strings.Repeat("x", 20) {
		t.Errorf("st0 in g = %q, want unavailable", g[2*220:2*230])
	}
	if got := c.call("p18"); got != strings.Repeat("x", 20) {
		t.Errorf("p18 (st0) = %q", got)
	}
	if got := c.call("P18=" + strings.Repeat("00", 10)); got != "E16" {
		t.Errorf("P18 = %q, want refused", got)
	}
	// gdb writes back a g it read: unavailable registers as x's.
	g = g[:16] + "0900000000000000" + g[32:]
	if got := c.call("G" + g); got != "OK" || f.regs.RBX != 9 {
		t.Errorf("G with unavailable registers = %q, RBX = %d", got, f.regs.RBX)
	}
}

var errBoom = errors.New("boom")

type noFPU struct{ *fakeTarget }

func (noFPU) FPU() (cpu.FXSave, error) { return cpu.FXSave{}, errBoom }
