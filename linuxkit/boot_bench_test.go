package linuxkit

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pollscope/pollscope/emulator"
)

// BenchmarkBootToShell is the time from a process's start to the kit's
// shell prompt on its serial console, for pollscope on each backend and
// for QEMU (TCG and KVM) on the same kernel, initramfs and command line.
// Each iteration starts the process afresh; the figure, s/boot, is the
// wall time until the prompt's bytes arrive on the process's stdout.
// Run by `make bench-linux`.
func BenchmarkBootToShell(b *testing.B) {
	k := requireKit(b)
	pollscope := buildPollscope(b)
	for _, backend := range []string{emulator.BackendTCG, emulator.BackendKVM} {
		b.Run("pollscope/"+backend, func(b *testing.B) {
			if err := emulator.BackendAvailable(backend); err != nil {
				b.Skipf("skipping: %v", err)
			}
			skipKVMWhereCPL0IsEmulated(b, backend)
			args := []string{"-display", "none", "-accel", backend, "-m", fmt.Sprint(MemoryMiB),
				"-kernel", k.VMLinux, "-initrd", k.Initrd, "-append", k.Append}
			timeToPrompt(b, k.Ready, k.Prompt, pollscope, args...)
		})
	}
	for _, accel := range []string{"tcg", "kvm"} {
		b.Run("qemu/"+accel, func(b *testing.B) {
			qemu, err := exec.LookPath("qemu-system-x86_64")
			if err != nil {
				b.Skip("skipping: qemu-system-x86_64 is not installed (Debian package qemu-system-x86)")
			}
			if accel == "kvm" {
				if err := emulator.BackendAvailable(emulator.BackendKVM); err != nil {
					b.Skipf("skipping: %v", err)
				}
				// QEMU's KVM runs the kernel through the same KVM: on a
				// host that emulates CPL0 it stops at the same
				// cmpxchg16b ("KVM internal error. Suberror: 1") and then
				// waits, paused, for ever.
				if host := emulator.DetectHostKind(); host.EmulatesCPL0 {
					b.Skipf("skipping: QEMU's KVM cannot boot a stock kernel on %s either (it stops at cmpxchg16b in SLUB, KVM internal error)", host.Name())
				}
			}
			timeToPrompt(b, k.Ready, k.Prompt, qemu, k.QEMUArgs(accel)...)
		})
	}
}

// buildPollscope builds the command (without the GUI) for the benchmark.
func buildPollscope(b *testing.B) string {
	out := filepath.Join(b.TempDir(), "pollscope")
	cmd := exec.Command("go", "build", "-o", out, "../cmd/pollscope")
	if msg, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("building pollscope: %v\n%s", err, msg)
	}
	return out
}

// promptTimeout bounds one boot.
const promptTimeout = 10 * time.Minute

// timeToPrompt runs the command b.N times, each until prompt appears on
// its stdout, and reports the mean time to it, and the guest's own uptime
// when its /init said the shells were ready (ready, then the console's
// name and the uptime: scripts/linux-kit.sh).
func timeToPrompt(b *testing.B, ready, prompt, name string, args ...string) {
	initUptime := regexp.MustCompile(regexp.QuoteMeta(ready) + ` on \S+, up ([\d.]+)s`)
	var total time.Duration
	var uptime float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d, out, err := oneBoot(prompt, name, args...)
		if err != nil {
			b.Fatal(err)
		}
		total += d
		m := initUptime.FindStringSubmatch(out)
		if m == nil {
			b.Fatalf("%s: the kit's init printed no uptime (%s)", filepath.Base(name), initUptime)
		}
		up, _ := strconv.ParseFloat(m[1], 64)
		uptime += up
	}
	b.StopTimer()
	b.ReportMetric(total.Seconds()/float64(b.N), "s/boot")
	b.ReportMetric(uptime/float64(b.N), "s/guest-uptime-at-init")
}

// oneBoot starts the command and returns the time until prompt appears
// on its output (stdout and stderr together) and the output until then,
// or why it never did.
func oneBoot(prompt, name string, args ...string) (time.Duration, string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), promptTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	var tail syncBuffer
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, "", err
	}
	go func() {
		cmd.Wait()
		pw.Close()
	}()
	defer cmd.Process.Kill()
	found := make(chan time.Duration, 1)
	go func() {
		defer close(found)
		r := bufio.NewReader(io.TeeReader(pr, &tail))
		var seen strings.Builder
		for {
			c, err := r.ReadByte()
			if err != nil {
				return
			}
			seen.WriteByte(c)
			if c == '\n' && strings.Contains(seen.String()[max(0, seen.Len()-200):], "KVM internal error") {
				return // QEMU pauses the guest and waits
			}
			if strings.HasSuffix(seen.String(), prompt) {
				found <- time.Since(start)
				io.Copy(io.Discard, r)
				return
			}
		}
	}()
	select {
	case d, ok := <-found:
		if ok {
			return d, tail.String(), nil
		}
		return 0, "", fmt.Errorf("%s stopped before its prompt %q; its output ended:\n%s", filepath.Base(name), prompt, lastLines(tail.String(), 15))
	case <-ctx.Done():
		return 0, "", fmt.Errorf("%s did not show its prompt %q within %v; its output ended:\n%s", filepath.Base(name), prompt, promptTimeout, lastLines(tail.String(), 15))
	}
}

func lastLines(s string, n int) string {
	l := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(l[max(0, len(l)-n):], "\n")
}

// syncBuffer is a bytes.Buffer two goroutines may write (stdout's reader
// and exec's stderr copier).
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
