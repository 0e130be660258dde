package benchmarks

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pollscope/pollscope/emulator"
	"github.com/pollscope/pollscope/emulator/emutest"
)

// exitLoopKernel runs n port accesses in a loop (out 0x80, al when out,
// in al, 0x80 otherwise), then exits through isa-debug-exit.
func exitLoopKernel(n uint32, out bool) []byte {
	op := []byte{0xe4, 0x80} // in al, 0x80
	if out {
		op = []byte{0xe6, 0x80} // out 0x80, al
	}
	code := append([]byte{0xb9}, binary.LittleEndian.AppendUint32(nil, n)...) // mov ecx, n
	code = append(code, op...)
	code = append(code, 0x49, 0x75, 0xfb)       // dec ecx; jnz loop
	code = append(code, 0xb0, 0x00, 0xe6, 0xf4) // mov al, 0; out 0xf4, al
	return emutest.TinyKernel(code...)
}

// runLoop times one whole run of an exit-loop kernel on pollscope.
func runLoop(b *testing.B, n uint32, out bool) time.Duration {
	m, err := emulator.New(emulator.Config{Kernel: exitLoopKernel(n, out)})
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Now()
	res, err := m.Run(ctx)
	d := time.Since(start)
	if err != nil || res.Outcome != emulator.OutcomeExit {
		b.Fatalf("exit loop: %v %v", res, err)
	}
	return d
}

const exitLoopN = 20000

// perExit measures the round trip of one port exit: the difference between
// a run of exitLoopN exits and a run of one, divided by exitLoopN-1, so
// machine creation and boot drop out.
func perExit(b *testing.B, out bool) {
	requireKVM(b)
	var total time.Duration
	for i := 0; i < b.N; i++ {
		total += runLoop(b, exitLoopN, out) - runLoop(b, 1, out)
	}
	b.ReportMetric(float64(total.Nanoseconds())/float64(b.N)/(exitLoopN-1), "ns/exit")
}

// BenchmarkPortOutExit is pollscope's round trip for a guest OUT: KVM exit,
// port bus dispatch, re-entry.
func BenchmarkPortOutExit(b *testing.B) { perExit(b, true) }

// BenchmarkPortInExit is the same for IN.
func BenchmarkPortInExit(b *testing.B) { perExit(b, false) }

// BenchmarkExitFloorC is the floor: a minimal C program (floor/exitloop.c)
// that re-enters a bare KVM VM after each OUT and does nothing else.
func BenchmarkExitFloorC(b *testing.B) {
	requireKVM(b)
	cc, err := exec.LookPath("cc")
	if err != nil {
		b.Skip("skipping: no C compiler")
	}
	bin := filepath.Join(b.TempDir(), "exitloop")
	if out, err := exec.Command(cc, "-O2", "-o", bin, "floor/exitloop.c").CombinedOutput(); err != nil {
		b.Fatalf("building floor/exitloop.c: %v\n%s", err, out)
	}
	var sum float64
	for i := 0; i < b.N; i++ {
		out, err := exec.Command(bin, strconv.Itoa(exitLoopN)).Output()
		if err != nil {
			b.Fatal(err)
		}
		var exits int
		var ns float64
		if _, err := fmt.Sscanf(string(out), "%d exits %f ns/exit", &exits, &ns); err != nil {
			b.Fatalf("exitloop printed %q", out)
		}
		sum += ns
	}
	b.ReportMetric(sum/float64(b.N), "ns/exit")
}

// BenchmarkQEMUPortOutExit runs the same exit-loop kernel under
// qemu-system-x86_64 -accel kvm, whose port 0x80 is also handled in its
// userspace: the difference between two loop lengths over the difference in
// exits.
func BenchmarkQEMUPortOutExit(b *testing.B) {
	requireKVM(b)
	qemu, err := exec.LookPath("qemu-system-x86_64")
	if err != nil {
		b.Skip("skipping: qemu-system-x86_64 is not installed")
	}
	dir := b.TempDir()
	run := func(n uint32) time.Duration {
		path := filepath.Join(dir, fmt.Sprintf("loop%d.elf", n))
		if err := os.WriteFile(path, exitLoopKernel(n, true), 0o644); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		cmd := exec.Command(qemu, "-accel", "kvm", "-kernel", path, "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
			"-display", "none", "-serial", "none", "-monitor", "none", "-no-reboot", "-m", "128")
		err := cmd.Run()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
			b.Fatalf("QEMU: %v", err)
		}
		return time.Since(start)
	}
	const long = 200000
	var total time.Duration
	for i := 0; i < b.N; i++ {
		total += run(long) - run(1)
	}
	b.ReportMetric(float64(total.Nanoseconds())/float64(b.N)/(long-1), "ns/exit")
}

// BenchmarkQEMUBootToBanner times qemu-system-x86_64 -accel kvm from its
// start to the demo kernel's banner on its serial port, as
// BenchmarkBootToBanner does for pollscope.
func BenchmarkQEMUBootToBanner(b *testing.B) {
	requireKVM(b)
	qemu, err := exec.LookPath("qemu-system-x86_64")
	if err != nil {
		b.Skip("skipping: qemu-system-x86_64 is not installed")
	}
	kernel, _ := filepath.Abs("../guest/kernel.elf")
	var total time.Duration
	for i := 0; i < b.N; i++ {
		cmd := exec.Command(qemu, "-accel", "kvm", "-kernel", kernel, "-append", "exit", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
			"-display", "none", "-serial", "stdio", "-monitor", "none", "-no-reboot", "-m", "128")
		out, _ := cmd.StdoutPipe()
		start := time.Now()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		buf := make([]byte, 64)
		got := ""
		for !strings.Contains(got, "pollscope demo kernel") {
			n, err := out.Read(buf)
			if err != nil {
				b.Fatalf("QEMU printed %q", got)
			}
			got += string(buf[:n])
		}
		total += time.Since(start)
		cmd.Wait()
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms/boot")
}
