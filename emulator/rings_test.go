package emulator_test

import (
	"testing"
	"time"

	"github.com/pollscope/pollscope/devices/ps2"
	"github.com/pollscope/pollscope/emulator"
	"github.com/pollscope/pollscope/emulator/emutest"
	"github.com/pollscope/pollscope/trace"
)

// Every scenario of the demo kernel at both privilege levels its tasks can
// run at (ring=3, the default, and ring=0): a key press's causality chain
// where a waker executor runs the keyboard task, the lints the scenario
// should (and only those) raise, and nothing dropped or malformed on
// either side.
//
// Two scenarios are checked less: scenario=bench busy-loops through the
// executor on purpose (its tasks yield to each other, and at ring=0 its
// measuring polls are long), so any lints may fire; executor=simple
// busy-polls, which at ring=3 runs at native speed (and on the software CPU
// at either ring at its full speed) and writes millions of records a
// second, more than the host drains (a full ring drops records, counted:
// that is not a fault), so its lints and losses are checked only at ring=0
// on KVM.
func TestScenariosAtBothRings(t *testing.T) {
	emutest.ForEachBackend(t, func(t *testing.T, backend string) {
		type lint struct {
			kind trace.LintKind
			on   string // the task it names
		}
		cases := []struct {
			name     string
			cmdline  string
			key      bool  // check a key press's causality chain
			lints    *lint // the one lint it must raise (nil: none at all)
			anyLints bool  // raises whatever lints; not checked
			floods   bool  // outruns the host's drain at ring=3
			exits    bool  // the scenario exits by itself
		}{
			{name: "demo", cmdline: "scenario=demo", key: true},
			{name: "keyboard", cmdline: "scenario=keyboard", key: true},
			{name: "lostwaker", cmdline: "scenario=lostwaker", key: true, lints: &lint{trace.LintLostWaker, "lost-waker"}},
			{name: "longpoll", cmdline: "scenario=longpoll", key: true, lints: &lint{trace.LintLongPoll, "long-poll"}},
			{name: "simple executor", cmdline: "executor=simple scenario=keyboard", floods: true},
			{name: "bench", cmdline: "scenario=bench", exits: true, anyLints: true},
		}
		for _, ring := range []string{"3", "0"} {
			for _, c := range cases {
				t.Run("ring="+ring+"/"+c.name, func(t *testing.T) {
					m := emutest.Boot(t, onBackend(backend, emulator.Config{Cmdline: c.cmdline + " ring=" + ring}))
					emutest.WaitSerial(t, m, `executor: \w+ scenario=\w+ started`, 30*time.Second)
					if c.exits {
						if res := emutest.WaitExit(t, m, 60*time.Second); res.Outcome != emulator.OutcomeExit || res.ExitValue != 0 {
							t.Fatalf("result %v, want exit value 0", res)
						}
					} else {
						time.Sleep(300 * time.Millisecond)
					}
					if c.key {
						checkKeyCausality(t, m, ps2.KeyQ, "q")
					}
					if c.lints != nil {
						// The lint needs its scenario's task to have done its thing.
						time.Sleep(300 * time.Millisecond)
					}
					m.FlushTrace()
					model := m.Trace()
					if c.floods && (ring == "3" || backend == emulator.BackendTCG) {
						// Dropped records leave polls unmatched: lints would be noise.
						t.Logf("%d records dropped (a full ring), %d polls drained", model.Dropped, len(model.Polls))
						return
					}
					if !c.anyLints {
						var want *trace.LintKind
						on := ""
						if c.lints != nil {
							want, on = &c.lints.kind, c.lints.on
						}
						checkLints(t, backend, model, want, on)
					}
					checkNoLoss(t, m, model)
				})
			}
		}
	})
}

// checkLints checks that the trace raised exactly one lint, of kind want
// on task `on`, or none when want is nil.
func checkLints(t *testing.T, backend string, model *trace.Model, want *trace.LintKind, on string) {
	t.Helper()
	found := false
	task := taskByName(model, on)
	for _, l := range model.Lints {
		if want != nil && l.Kind == *want && task != nil && l.Task == task.ID {
			found = true
			continue
		}
		if !hostMadeLint(t, backend, l) {
			t.Errorf("unexpected lint: %s", l.Message)
		}
	}
	if want != nil && !found {
		t.Errorf("no %v lint on %q; lints: %+v", *want, on, model.Lints)
	}
}

// checkNoLoss checks that nothing was dropped, malformed or unmatched in
// the guest's trace, and that the host lost no event.
func checkNoLoss(t *testing.T, m *emulator.Machine, model *trace.Model) {
	t.Helper()
	if model.Dropped != 0 || model.Malformed != 0 || model.Unmatched != 0 {
		t.Errorf("dropped %d, malformed %d, unmatched %d", model.Dropped, model.Malformed, model.Unmatched)
	}
	if c := m.HostCounters(); c != (emulator.HostCounters{}) {
		t.Errorf("the host lost events: %+v", c)
	}
}
