package gdbstub

import (
	"encoding/hex"
	"io"
	"strings"
	"testing"
)

func TestMonitor(t *testing.T) {
	f, _, c := startFake(t, counterProgram)
	cases := []struct{ command, want string }{
		{"help", "info registers         the vCPU's registers"},
		{"info registers", "RIP=0000000000001000 RFL=00000002 [-------] CPL=0 long mode (64-bit code)"},
		{"x/2i 0x1000", "0000000000001000: b800000000                     mov eax, 0x0\n0000000000001005: ffc0                           inc eax\n"},
		{"x/3i $pc", "inc eax"},
		{"x/4x 0xffffffff80001000", "ffffffff80001000: b8 00 00 00\n"},
		{"xp/2x 0x1005", "0000000000001005: ff c0\n"},
		{"x/2x 0xfffff", "00000000000fffff: 00\nx: memory at 0x100000 is not readable\n"},
		{"x 0x40000000", "x: memory at 0x40000000 is not readable\n"},
		{"x/2i", "x: an address is needed"},
		{"x/0i 0x1000", "x: a count from 1 to 4096"},
		{"x/4ix 0x1000", "x: one format letter"},
		{"x/4i nowhere", `x: "nowhere" is not an address`},
		{"physical on", "gdb's memory accesses are physical\n"},
		{"physical", "gdb's memory accesses are physical\n"},
		{"physical off", "gdb's memory accesses are linear\n"},
		{"physical maybe", `physical: say on or off, not "maybe"`},
		{"infox", `unknown monitor command "infox"`},
		{"info", `unknown monitor command "info"`},
	}
	for _, tc := range cases {
		t.Run(tc.command, func(t *testing.T) {
			c.t = t
			out := monitorCall(c, tc.command)
			if !strings.Contains(out, tc.want) {
				t.Errorf("monitor %s printed:\n%s\nwant it to contain:\n%s", tc.command, out, tc.want)
			}
		})
	}
	if f.regs.RIP != fakeCodeAddr {
		t.Errorf("the monitor commands moved RIP to %#x", f.regs.RIP)
	}
}

// monitorCall runs a monitor command and returns what it printed.
func monitorCall(c *rspClient, command string) string {
	c.t.Helper()
	c.packet("qRcmd," + hex.EncodeToString([]byte(command)))
	c.expect("+")
	var out strings.Builder
	for {
		reply := unframe(c.t, c.token())
		c.raw("+")
		if reply == "OK" {
			return out.String()
		}
		if !strings.HasPrefix(reply, "O") {
			c.t.Fatalf("monitor %s: reply %q", command, reply)
		}
		b, err := hex.DecodeString(reply[1:])
		if err != nil {
			c.t.Fatal(err)
		}
		out.Write(b)
	}
}

// The machine's commands join the built-in ones and may replace them.
func TestMachineCommands(t *testing.T) {
	f := newFakeTarget(counterProgram)
	srv := &Server{Target: f, Commands: []Command{
		{Name: "info pic", Help: "the 8259A pair", Run: func(args string, out io.Writer) error {
			_, err := out.Write([]byte("master: irr=01 imr=fe\n"))
			return err
		}},
		{Name: "info registers", Help: "replaced", Run: func(string, io.Writer) error { return errBoom }},
		{Name: "trace", Usage: "FILE", Help: "save the trace", Run: func(args string, out io.Writer) error {
			_, err := out.Write([]byte("saved to " + args + "\n"))
			return err
		}},
	}}
	s := serveOne(t, srv, nil)
	c := dialStub(t, s.addr)
	for _, tc := range []struct{ command, want string }{
		{"info pic", "master: irr=01 imr=fe\n"},
		{"info registers", "info registers: boom\n"},
		{"trace  /tmp/t.json ", "saved to /tmp/t.json\n"},
		{"help", "trace FILE             save the trace\n"},
	} {
		if out := monitorCall(c, tc.command); !strings.Contains(out, tc.want) {
			t.Errorf("monitor %s printed %q, want %q", tc.command, out, tc.want)
		}
	}
}
