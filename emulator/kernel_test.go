package emulator

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The demo kernel's banner, its first serial line.
const banner = "pollscope demo kernel"

func TestDemoKernelBootsAndExits(t *testing.T) {
	res, m := runGuest(t, Config{Cmdline: "exit"}, 20*time.Second)
	if res.Outcome != OutcomeExit || res.ExitValue != 0 {
		t.Fatalf("result = %v, want exit value 0; serial:\n%s", res, m.Serial())
	}
	if !strings.HasPrefix(m.Serial(), banner) {
		t.Fatalf("serial does not start with the banner:\n%s", m.Serial())
	}
	if !strings.Contains(m.ScreenText(), banner) {
		t.Fatalf("VGA screen lacks the banner:\n%s", m.ScreenText())
	}
}

func TestDemoKernelExceptionsAreDiagnosed(t *testing.T) {
	cases := []struct {
		crash string
		line  string
		value uint32
	}{
		{"divide", `EXCEPTION: divide error vector=0 error=0x0 rip=0x[0-9a-f]+ cr2=0x0`, 2},
		{"pagefault", `EXCEPTION: page fault vector=14 error=0x[0-9a-f]+ rip=0x[0-9a-f]+ cr2=0x1000000000`, 2},
		{"ud2", `EXCEPTION: invalid opcode vector=6 `, 2},
		{"panic", `PANIC: requested by the command line`, 1},
	}
	for _, c := range cases {
		t.Run(c.crash, func(t *testing.T) {
			res, m := runGuest(t, Config{Cmdline: "crash=" + c.crash}, 20*time.Second)
			if res.Outcome != OutcomeExit || res.ExitValue != c.value {
				t.Fatalf("result = %v, want exit value %d; serial:\n%s", res, c.value, m.Serial())
			}
			if !regexp.MustCompile(c.line).MatchString(m.Serial()) {
				t.Fatalf("serial lacks /%s/:\n%s", c.line, m.Serial())
			}
		})
	}
}

// bootDemo starts the demo kernel and waits for it to be ready for input.
func bootDemo(t *testing.T, cmdline string) *Machine {
	t.Helper()
	requireKVM(t)
	m, err := New(Config{Cmdline: cmdline})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	if err := m.Start(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := m.WaitSerial(ctx, regexp.MustCompile(`(?m)^ready$`)); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestDemoKernelEchoesTypedText(t *testing.T) {
	m := bootDemo(t, "")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	const sentence = "The quick brown fox: JUMPS over 13 lazy dogs! (a+b)*c = 'x'; \"ok\" ~ #42?"
	if err := m.TypeText(ctx, sentence+"\n"); err != nil {
		t.Fatal(err)
	}
	if _, err := m.WaitSerial(ctx, regexp.MustCompile(regexp.QuoteMeta(sentence)+"\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := m.WaitScreen(ctx, regexp.MustCompile(regexp.QuoteMeta(sentence))); err != nil {
		t.Fatal(err)
	}
	if d := m.KeyboardDropped(); d != 0 {
		t.Fatalf("the keyboard dropped %d key events", d)
	}
}

func TestDemoKernelTimerRate(t *testing.T) {
	const hz, every, reports = 1000, 250, 8
	m := bootDemo(t, "hz=1000 report=250")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	at := func(n int) time.Time {
		t.Helper()
		if _, err := m.WaitSerial(ctx, regexp.MustCompile(fmt.Sprintf(`timer: %d ticks`, n))); err != nil {
			t.Fatal(err)
		}
		return time.Now()
	}
	start := at(every)
	end := at(every * (reports + 1))
	ticks := float64(every * reports)
	rate := ticks / end.Sub(start).Seconds()
	t.Logf("guest counted %.0f ticks in %v: %.1f Hz (programmed %d Hz); PIT missed %d; exits %v", ticks, end.Sub(start), rate, hz, m.missedTicksForTest(), m.ExitCounts())
	if rate < hz*0.98 || rate > hz*1.02 {
		t.Fatalf("timer rate %.1f Hz is not within 2%% of %d Hz", rate, hz)
	}
}

func (m *Machine) missedTicksForTest() uint64 {
	m.devMu.Lock()
	defer m.devMu.Unlock()
	return m.pit.MissedTicks()
}
