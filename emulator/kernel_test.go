package emulator_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pollscope/pollscope/emulator"
	"github.com/pollscope/pollscope/emulator/emutest"
)

// The demo kernel's banner, its first serial line.
const banner = "pollscope demo kernel"

func TestDemoKernelBootsAndExits(t *testing.T) {
	emutest.ForEachBackend(t, func(t *testing.T, backend string) {
		m := emutest.Boot(t, emulator.Config{Backend: backend, Cmdline: "exit"})
		res := emutest.WaitExit(t, m, 20*time.Second)
		if res.Outcome != emulator.OutcomeExit || res.ExitValue != 0 {
			t.Fatalf("result = %v, want exit value 0; serial:\n%s", res, m.Serial())
		}
		if !strings.HasPrefix(m.Serial(), banner) {
			t.Fatalf("serial does not start with the banner:\n%s", m.Serial())
		}
		if !strings.Contains(m.ScreenText(), banner) {
			t.Fatalf("VGA screen lacks the banner:\n%s", m.ScreenText())
		}
	})
}

func TestDemoKernelExceptionsAreDiagnosed(t *testing.T) {
	emutest.ForEachBackend(t, func(t *testing.T, backend string) {
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
				m := emutest.Boot(t, emulator.Config{Backend: backend, Cmdline: "crash=" + c.crash})
				res := emutest.WaitExit(t, m, 20*time.Second)
				if res.Outcome != emulator.OutcomeExit || res.ExitValue != c.value {
					t.Fatalf("result = %v, want exit value %d; serial:\n%s", res, c.value, m.Serial())
				}
				if !regexp.MustCompile(c.line).MatchString(m.Serial()) {
					t.Fatalf("serial lacks /%s/:\n%s", c.line, m.Serial())
				}
			})
		}
	})
}

// bootDemo starts the demo kernel and waits until it is ready for input.
func bootDemo(t *testing.T, backend, cmdline string) *emulator.Machine {
	t.Helper()
	m := emutest.Boot(t, emulator.Config{Backend: backend, Cmdline: cmdline})
	emutest.WaitSerial(t, m, `(?m)^ready$`, 20*time.Second)
	return m
}

func TestDemoKernelEchoesTypedText(t *testing.T) {
	emutest.ForEachBackend(t, func(t *testing.T, backend string) {
		m := bootDemo(t, backend, "")
		const sentence = "The quick brown fox: JUMPS over 13 lazy dogs! (a+b)*c = 'x'; \"ok\" ~ #42?"
		emutest.Type(t, m, sentence+"\n", 20*time.Second)
		emutest.WaitSerial(t, m, regexp.QuoteMeta(sentence)+"\n", 20*time.Second)
		emutest.WaitScreen(t, m, regexp.QuoteMeta(sentence), 20*time.Second)
		if d := m.KeyboardDropped(); d != 0 {
			t.Fatalf("the keyboard dropped %d key events", d)
		}
	})
}

func TestDemoKernelTimerRate(t *testing.T) {
	emutest.ForEachBackend(t, func(t *testing.T, backend string) {
		const hz, every, reports = 250, 50, 10
		m := bootDemo(t, backend, "hz=250 report=50 scenario=keyboard")
		at := func(n int) time.Time {
			t.Helper()
			emutest.WaitSerial(t, m, fmt.Sprintf(`timer: %d ticks`, n), 30*time.Second)
			return time.Now()
		}
		start := at(every)
		end := at(every * (reports + 1))
		ticks := float64(every * reports)
		rate := ticks / end.Sub(start).Seconds()
		t.Logf("guest counted %.0f ticks in %v: %.1f Hz (programmed %d Hz); exits %v", ticks, end.Sub(start), rate, hz, m.ExitCounts())
		if rate < hz*0.98 || rate > hz*1.02 {
			t.Fatalf("timer rate %.1f Hz is not within 2%% of %d Hz", rate, hz)
		}
	})
}
