package emulator_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pollscope/pollscope/emulator"
	"github.com/pollscope/pollscope/emulator/emutest"
)

// procStatus reads a "Name: value kB"-style field of /proc/self/status.
func procStatus(t *testing.T, field string) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skipf("skipping: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			n, _ := strconv.Atoi(strings.Fields(rest)[0])
			return n
		}
	}
	t.Fatalf("no %s in /proc/self/status", field)
	return 0
}

func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("skipping: %v", err)
	}
	return len(ents)
}

// bootAndExit runs the demo kernel to its exit and closes it.
func bootAndExit(t *testing.T, backend string) {
	t.Helper()
	m, err := emulator.New(emulator.Config{Backend: backend, Cmdline: "exit"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := m.Run(ctx)
	if err != nil || res.Outcome != emulator.OutcomeExit {
		t.Fatalf("run: %v %v", res, err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
}

// Fifty guests one after another leave no fds, threads or memory behind.
func TestSequentialGuestsReleaseEverything(t *testing.T) {
	emutest.ForEachBackend(t, func(t *testing.T, backend string) {
		for i := 0; i < 5; i++ { // warm up the Go runtime's thread and heap pools
			bootAndExit(t, backend)
		}
		fds, threads, rss := openFDs(t), procStatus(t, "Threads"), procStatus(t, "VmRSS")
		for i := 0; i < 50; i++ {
			bootAndExit(t, backend)
		}
		fds2, threads2, rss2 := openFDs(t), procStatus(t, "Threads"), procStatus(t, "VmRSS")
		t.Logf("after 50 guests: fds %d→%d, threads %d→%d, RSS %d→%d KiB", fds, fds2, threads, threads2, rss, rss2)
		if fds2 > fds {
			t.Errorf("open fds grew from %d to %d", fds, fds2)
		}
		if threads2 > threads+2 {
			t.Errorf("threads grew from %d to %d", threads, threads2)
		}
		if rss2 > rss+32*1024 {
			t.Errorf("resident memory grew from %d KiB to %d KiB", rss, rss2)
		}
	})
}

// Four guests run at once, each typed into and checked on its own.
func TestConcurrentGuestsAreIndependent(t *testing.T) {
	emutest.ForEachBackend(t, func(t *testing.T, backend string) {
		machines := make([]*emulator.Machine, 4)
		for i := range machines {
			machines[i] = emutest.Boot(t, emulator.Config{Backend: backend})
		}
		var wg sync.WaitGroup
		errs := make([]error, len(machines))
		for i, m := range machines {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				if _, err := m.WaitSerial(ctx, regexp.MustCompile(`(?m)^ready$`)); err != nil {
					errs[i] = err
					return
				}
				word := fmt.Sprintf("guest number %d says hi", i)
				if err := m.TypeText(ctx, word+"\n"); err != nil {
					errs[i] = err
					return
				}
				if _, err := m.WaitScreen(ctx, regexp.MustCompile(regexp.QuoteMeta(word))); err != nil {
					errs[i] = err
				}
			}()
		}
		wg.Wait()
		for i, m := range machines {
			if errs[i] != nil {
				t.Errorf("guest %d: %v", i, errs[i])
				continue
			}
			for j := range machines {
				if j != i && strings.Contains(m.Serial(), fmt.Sprintf("guest number %d", j)) {
					t.Errorf("guest %d shows guest %d's text", i, j)
				}
			}
		}
	})
}

// A wait that cannot succeed ends with a clear error and the machine closes
// promptly, whatever the guest is doing.
func TestFailedWaitsAreClear(t *testing.T) {
	emutest.ForEachBackend(t, func(t *testing.T, backend string) {
		cases := []struct {
			name   string
			cfg    emulator.Config
			expect []string // in the error
		}{
			{"guest never prints it", emulator.Config{Backend: backend}, []string{"waiting for /never printed/ on the serial", "context deadline exceeded", "ready"}},
			// cli; jmp $
			{"guest spins with interrupts off", emulator.Config{Backend: backend, Kernel: emutest.TinyKernel(0xfa, 0xeb, 0xfe)}, []string{"context deadline exceeded"}},
			// ud2 with no IDT: a triple fault
			{"guest triple-faults", emulator.Config{Backend: backend, Kernel: emutest.TinyKernel(0x0f, 0x0b)}, []string{"the guest ended: shutdown"}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				c.cfg.Backend = backend
				m := emutest.New(t, c.cfg)
				m.Start()
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				defer cancel()
				_, err := m.WaitSerial(ctx, regexp.MustCompile(`never printed`))
				var we *emulator.WaitError
				if !errors.As(err, &we) {
					t.Fatalf("error %v is not a *WaitError", err)
				}
				for _, s := range c.expect {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error lacks %q:\n%v", s, err)
					}
				}
				start := time.Now()
				if err := m.Close(); err != nil {
					t.Fatal(err)
				}
				if d := time.Since(start); d > 5*time.Second {
					t.Errorf("Close took %v", d)
				}
			})
		}
	})
}

func TestPauseAndResume(t *testing.T) {
	emutest.ForEachBackend(t, func(t *testing.T, backend string) {
		m := bootDemo(t, backend, "hz=1000 report=100")
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := m.Pause(ctx); err != nil {
			t.Fatal(err)
		}
		if !m.Paused() {
			t.Fatal("Paused() is false after Pause")
		}
		before := m.Serial()
		time.Sleep(300 * time.Millisecond)
		if after := m.Serial(); after != before {
			t.Fatalf("the paused guest kept printing:\n%s", strings.TrimPrefix(after, before))
		}
		m.Resume()
		// Three more reports, after the pause: the guest runs again.
		emutest.WaitSerial(t, m, regexp.QuoteMeta(before)+`(.|\n)*timer: \d+ ticks\n(.|\n)*timer: \d+ ticks\n(.|\n)*timer: \d+ ticks`, 10*time.Second)
		if m.Paused() {
			t.Fatal("Paused() is true after Resume")
		}
	})
}
