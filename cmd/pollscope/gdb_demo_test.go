package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pollscope/pollscope/emulator"
	"github.com/pollscope/pollscope/guest"
)

// A kernel developer's gdb session (issue 14), with Debian's real gdb in
// batch mode against pollscope -S -gdb unix:PATH and the demo kernel's
// debug-info twin: break on the executor's poll function by name,
// continue, read rip and the task id being polled, step, set a hardware
// breakpoint (and a watchpoint where the backend has them), continue to a
// second hit, detach; the guest then runs on and exits by itself. The
// README's "Debugging with gdb" shows the same session.

// pollTask is the executor's poll function (guest/kernel/src/task/
// executor.rs, never inlined so that it can be broken on by name).
const pollTask = "pollscope_kernel::task::executor::poll_task"

// The frame gdb shows for poll_task when the breakpoint hits: BTreeMap's
// lookup is inlined into its first line, two frames deep.
const pollTaskFrame = "2"

// demoKernelDebugInfo builds the debug-info twin of the embedded kernel
// with guest/kernel/build.sh (cargo keeps its build in guest/kernel/target,
// so this is quick after the first time), checks that its stripped build is
// byte for byte the kernel pollscope embeds, and returns the twin's path.
func demoKernelDebugInfo(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("cargo"); err != nil {
		t.Skip("skipping: cargo is not installed: the demo kernel's debug info is built from guest/kernel with it")
	}
	dir := t.TempDir()
	stripped, twin := filepath.Join(dir, "kernel.elf"), filepath.Join(dir, "kernel-debug.elf")
	out, err := exec.Command("../../guest/kernel/build.sh", stripped, twin).CombinedOutput()
	if err != nil {
		t.Fatalf("building the demo kernel's debug info: %v\n%s", err, out)
	}
	built, err := os.ReadFile(stripped)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(built, guest.Kernel) {
		t.Fatal("guest/kernel.elf is not what guest/kernel builds, so the debug info would not match it: run 'make kernel' and commit guest/kernel.elf")
	}
	return twin
}

// What gdb prints for rip at the first hit, for the pc three stepi later
// and for the watched tick counter's change.
var (
	ripAtHit        = `\$1 = \(\*mut fn \(\)\) (0x[0-9a-f]+) <` + pollTask + `\+\d+>`
	pcAfterStepping = `\$3 = \(\*mut fn \(\)\) (0x[0-9a-f]+) <` + pollTask + `\+\d+>`
	tickOld         = `Old value = .*value: (\d+)`
	tickNew         = `New value = .*value: (\d+)`
)

// gdbStep is one gdb command of the session and what gdb must print for
// it (regular expressions, in order, after the previous step's).
type gdbStep struct {
	cmd  string
	want []string
}

func gdbSession(sock string, watch bool) []gdbStep {
	steps := []gdbStep{
		{"set pagination off", nil},
		{"set substitute-path /pollscope/guest/kernel ../../guest/kernel", nil},
		{"target remote " + sock, []string{`0x0000000000100000 in pvh_start32 \(\)`}},
		{"break " + pollTask, []string{`Breakpoint 1 at 0x[0-9a-f]+: file src/task/executor.rs, line \d+\.`}},
		{"continue", []string{`Breakpoint 1, `}},
		{"p $rip", []string{ripAtHit}},
		{"frame " + pollTaskFrame, []string{`#` + pollTaskFrame + `  ` + pollTask + ` \(.*task_id=`, `let Some\(task\) = tasks.get_mut\(&task_id\)`}},
		{"p task_id", []string{`\$2 = pollscope_kernel::task::TaskId \(\d+\)`}},
		{"stepi", []string{`0x[0-9a-f]+\s`}},
		{"stepi", []string{`0x[0-9a-f]+\s`}},
		{"stepi", []string{`0x[0-9a-f]+\s`}},
		{"p $pc", []string{pcAfterStepping}},
		{"delete", nil},
		{"hbreak " + pollTask, []string{`Hardware assisted breakpoint 2 at 0x[0-9a-f]+: file src/task/executor.rs`}},
	}
	if watch {
		// The timer's tick counter: IRQ0's handler writes it. The hardware
		// breakpoint waits meanwhile, or the next poll would come first.
		steps = append(steps,
			gdbStep{"disable 2", nil},
			gdbStep{"watch -l pollscope_kernel::pit::TICKS", []string{`Hardware watchpoint 3: -location pollscope_kernel::pit::TICKS`}},
			gdbStep{"continue", []string{tickOld, tickNew, `pollscope_kernel::interrupts::timer \(\) at src/interrupts.rs`}},
			gdbStep{"delete 3", nil},
			gdbStep{"enable 2", nil},
		)
	}
	return append(steps,
		gdbStep{"continue", []string{`Breakpoint 2, `}},
		gdbStep{"frame " + pollTaskFrame, []string{`#` + pollTaskFrame + `  ` + pollTask + ` \(`}},
		gdbStep{"p task_id", []string{`\$\d+ = pollscope_kernel::task::TaskId \(\d+\)`}},
		gdbStep{"delete", nil},
		gdbStep{"detach", []string{`\[Inferior 1 \(Remote target\) detached\]`}},
	)
}

func TestGDBDebugsTheDemoKernel(t *testing.T) {
	gdb, err := exec.LookPath("gdb")
	if err != nil {
		t.Skip("skipping: gdb is not installed (scripts/setup.sh test installs Debian's)")
	}
	twin := demoKernelDebugInfo(t)
	cases := []struct {
		backend string
		cmdline string
		watch   bool
		why     string // why there is no watchpoint
	}{
		{backend: emulator.BackendTCG, cmdline: "exitafter=2000", watch: true},
		// On this host's KVM (PVM) breakpoints in CPL3 code never fire and
		// data breakpoints not at all: the executor runs at CPL0.
		{backend: emulator.BackendKVM, cmdline: "ring=0 exitafter=2000",
			why: "no watchpoint: this host's KVM refuses them (its data breakpoints never fire); the software CPU has them"},
	}
	for _, c := range cases {
		t.Run(c.backend, func(t *testing.T) {
			if err := emulator.BackendAvailable(c.backend); err != nil {
				t.Skipf("skipping: %v", err)
			}
			if c.why != "" {
				t.Log(c.why)
			}
			sock := filepath.Join(t.TempDir(), "gdb.sock")
			var stdout, stderr lockedBuffer
			status := make(chan int, 1)
			go func() {
				status <- run([]string{"-display", "none", "-accel", c.backend, "-S", "-gdb", "unix:" + sock, "-append", c.cmdline}, &stdout, &stderr)
			}()
			waitForSocket(t, sock, status, &stderr)

			steps := gdbSession(sock, c.watch)
			args := []string{"-batch", "-nx"}
			for _, s := range steps {
				args = append(args, "-ex", s.cmd)
			}
			args = append(args, twin)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, gdb, args...)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("gdb: %v\n%s", err, out)
			}
			checkGDBOutput(t, string(out), steps, c.watch)

			// Detached, the guest runs on and ends by itself.
			select {
			case st := <-status:
				if st != 1 || !strings.Contains(stdout.String(), "exitafter: 2000 ms, exiting") {
					t.Fatalf("pollscope ended with status %d (want 1: exit value 0)\nstdout:\n%s\nstderr:\n%s", st, stdout.String(), stderr.String())
				}
			case <-time.After(2 * time.Minute):
				t.Fatalf("the guest did not exit after gdb detached\nstdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
			}
		})
	}
}

// waitForSocket waits for pollscope to listen on sock.
func waitForSocket(t *testing.T, sock string, status <-chan int, stderr *lockedBuffer) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(sock); err == nil {
			return
		}
		select {
		case st := <-status:
			t.Fatalf("pollscope ended (status %d) before listening for gdb:\n%s", st, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("pollscope does not listen on %s after 30 s:\n%s", sock, stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// checkGDBOutput finds each step's expected lines in gdb's output, in
// order, and checks what they say: the breakpoint's rip is in poll_task,
// the steps moved it, and the watched tick counter went up.
func checkGDBOutput(t *testing.T, out string, steps []gdbStep, watch bool) {
	t.Helper()
	rest := out
	found := map[string][]string{}
	for _, s := range steps {
		for _, w := range s.want {
			re := regexp.MustCompile(w)
			loc := re.FindStringSubmatchIndex(rest)
			if loc == nil {
				t.Fatalf("after %q gdb printed no line matching %q\n--- gdb ---\n%s", s.cmd, w, out)
			}
			m := re.FindStringSubmatch(rest[loc[0]:])
			found[w] = m
			rest = rest[loc[1]:]
		}
	}
	rip, pc := found[ripAtHit][1], found[pcAfterStepping][1]
	if rip == pc {
		t.Errorf("three stepi left rip at %s", rip)
	}
	if watch {
		old, now := found[tickOld][1], found[tickNew][1]
		if old == now {
			t.Errorf("the watchpoint on TICKS stopped with the value unchanged (%s)", old)
		}
	}
}
