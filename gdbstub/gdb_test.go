package gdbstub

import (
	"bytes"
	"context"
	"flag"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

var record = flag.Bool("record", false, "rewrite testdata/*.rsp from sessions with the real gdb")

// gdbScenario is a gdb batch session against the stub serving a fake
// target: the commands after "target remote", what gdb must print (in
// that order), and the fake's state after.
type gdbScenario struct {
	name   string
	target func() *fakeTarget
	script []string
	// interrupt sends gdb a SIGINT once the target runs, as a user's
	// Ctrl-C: gdb then sends the stub 0x03.
	interrupt bool
	want      []string
	check     func(*testing.T, *fakeTarget)
}

var gdbScenarios = []gdbScenario{
	{
		name:   "session",
		target: func() *fakeTarget { return newFakeTarget(counterProgram) },
		script: []string{
			"info registers rip eflags cs fs_base gs_base cr0 cr3 efer",
			"p $st0", "p/x $ftag", "p $mxcsr",
			"stepi", "stepi", "p $rax",
			"watch *(int *)0x2000", "continue", "delete",
			"break *0x1011", "continue", "p $rax", "continue", "p $rax", "delete",
			"hbreak *0x1013", "continue", "delete",
			"rwatch *(int *)0x2000", "continue", "delete",
			"monitor info registers", "monitor x/3i 0x1000", "monitor xp/4x 0x1000", "monitor bogus",
			"set *(char *)0x3000 = 0x41", "x/2xb 0x3000",
			"p $rbx = 5", "p $rbx",
			"x/2i $pc",
			"continue",
		},
		want: []string{
			"rip            0x1000", "eflags         0x2", "cs             0x10", "fs_base        0x0",
			"gs_base        0xffff888000001000", "cr0            0x80000011          [ PE ET PG ]",
			"cr3            0x9000", "efer           0x500               [ LME LMA ]",
			"$1 = 1", "$2 = 0x3fff", "$3 = [ IM DM ZM OM UM PM ]",
			"0x0000000000001005 in ?? ()", "0x0000000000001007 in ?? ()", "$4 = 1",
			"Hardware watchpoint 1: *(int *)0x2000", "Old value = 0", "New value = 1",
			"Breakpoint 2, 0x0000000000001011 in ?? ()", "$5 = 1", "Breakpoint 2, 0x0000000000001011 in ?? ()", "$6 = 2",
			"Hardware assisted breakpoint 3 at 0x1013", "Breakpoint 3, 0x0000000000001013 in ?? ()",
			"Hardware read watchpoint 4: *(int *)0x2000", "Value = 3",
			"RAX=0000000000000003 RBX=0000000000000003", "RIP=000000000000101a RFL=00000042 [---Z---] CPL=0 long mode (64-bit code)",
			"CS =0010 0000000000000000 ffffffff 00a09b00 DPL=0 CS64 [-RA]", "CR0=80000011",
			"0000000000001000: b800000000", "mov eax, 0x0", "0000000000001007: 89042500200000", "mov dword ptr [0x2000], eax",
			"0000000000001000: b8 00 00 00",
			`unknown monitor command "bogus"`,
			"0x3000:\t0x41\t0x00",
			"$7 = 5", "$8 = 5",
			"=> 0x101a:\thlt",
			"the test guest halted", "[Inferior 1 (Remote target) exited with code 03]",
		},
		check: func(t *testing.T, f *fakeTarget) {
			if f.mem[0x3000] != 0x41 || f.regs.RBX != 5 {
				t.Errorf("memory at 0x3000 = %#x, RBX = %d: gdb's writes did not land", f.mem[0x3000], f.regs.RBX)
			}
		},
	},
	{
		name:      "interrupt",
		target:    func() *fakeTarget { return newFakeTarget(spinProgram) },
		script:    []string{"continue", "p $pc", "detach"},
		interrupt: true,
		want:      []string{"Program received signal SIGINT, Interrupt.", "0x0000000000001000 in ?? ()", "$1 = (void (*)()) 0x1000", "detached"},
		check: func(t *testing.T, f *fakeTarget) {
			if !f.detached || f.killed {
				t.Errorf("detached %v, killed %v: want the guest left running", f.detached, f.killed)
			}
		},
	},
	{
		name:   "detach",
		target: func() *fakeTarget { return newFakeTarget(counterProgram) },
		script: []string{"break *0x1011", "continue", "detach"},
		want:   []string{"Breakpoint 1, 0x0000000000001011 in ?? ()", "[Inferior 1 (Remote target) detached]"},
		check: func(t *testing.T, f *fakeTarget) {
			if !f.detached || len(f.breaks) != 0 {
				t.Errorf("detached %v with breakpoints %v: want detached without any", f.detached, f.breaks)
			}
		},
	},
	{
		name:   "kill",
		target: func() *fakeTarget { return newFakeTarget(counterProgram) },
		script: []string{"stepi", "kill"},
		want:   []string{"0x0000000000001005 in ?? ()", "[Inferior 1 (Remote target) killed]"},
		check: func(t *testing.T, f *fakeTarget) {
			if !f.killed {
				t.Error("gdb's kill did not reach the target")
			}
		},
	},
	{
		name: "refusals",
		target: func() *fakeTarget {
			f := newFakeTarget(counterProgram)
			f.refuse = map[BreakpointKind]bool{HardwareBreakpoint: true, ReadWatchpoint: true}
			f.refuseStep = true
			return f
		},
		script: []string{"hbreak *0x1013", "continue", "delete", "rwatch *(int *)0x2000", "continue", "stepi", "detach"},
		want: []string{
			"Cannot insert hardware breakpoint 1:Remote failure reply: not supported by this CPU backend: a hardware breakpoint (hbreak) is not offered by this test target.",
			// gdb falls back to an access watchpoint and checks the value.
			"Hardware read watchpoint 2: *(int *)0x2000", "Value = 3",
			"Remote failure reply: E.not supported by this CPU backend: single-stepping (stepi) is not offered by this test target",
		},
	},
}

func scenarioByName(name string) (gdbScenario, bool) {
	for _, s := range gdbScenarios {
		if s.name == name {
			return s, true
		}
	}
	return gdbScenario{}, false
}

// TestGDB drives Debian's gdb in batch mode against the stub. With
// -record it also writes each session's packets to testdata.
func TestGDB(t *testing.T) {
	gdb, err := exec.LookPath("gdb")
	if err != nil {
		t.Skip("skipping: gdb is not installed (scripts/setup.sh test installs Debian's)")
	}
	for _, sc := range gdbScenarios {
		t.Run(sc.name, func(t *testing.T) {
			f := sc.target()
			rec := &recorder{}
			s := serveOne(t, &Server{Target: f}, rec.wrap)
			args := []string{"-nx", "-batch", "-ex", "set pagination off", "-ex", "target remote " + s.addr}
			for _, c := range sc.script {
				args = append(args, "-ex", c)
			}
			ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
			defer cancel()
			cmd := exec.CommandContext(ctx, gdb, args...)
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			if sc.interrupt {
				select {
				case <-f.running:
				case <-ctx.Done():
				}
				cmd.Process.Signal(syscall.SIGINT)
			}
			if err := cmd.Wait(); err != nil {
				t.Fatalf("gdb: %v\n%s", err, out.String())
			}
			if err := s.wait(t); err != nil {
				t.Errorf("session: %v", err)
			}
			checkInOrder(t, out.String(), sc.want)
			if sc.check != nil {
				sc.check(t, f)
			}
			if *record && !t.Failed() {
				path := filepath.Join("testdata", sc.name+".rsp")
				if err := writeTranscript(path, sc.name, rec.transcript()); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// checkInOrder checks that each of want appears in text after the one
// before.
func checkInOrder(t *testing.T, text string, want []string) {
	t.Helper()
	rest := text
	for _, w := range want {
		i := strings.Index(rest, w)
		if i < 0 {
			t.Fatalf("gdb's output lacks %q (after the lines before it):\n%s", w, text)
		}
		rest = rest[i+len(w):]
	}
}
