package emulator

import (
	"fmt"
	"time"

	"github.com/pollscope/pollscope/devices/ps2"
)

// Deterministic replay. A run on the software CPU in deterministic time
// (Config.ICount) is a function of its inputs and of when they arrive: the
// clock, the TSC and every device's timing follow the instruction count,
// and the host applies each input on the vCPU thread between two runs of
// the guest, recording the machine time and the instruction count (the
// session's input section). Replaying gives the machine those inputs back
// (Config.Replay): the vCPU's timer is armed for each input's machine time
// as for a device deadline, so the software CPU stops at exactly that
// instruction (or, halted, skips exactly to that time), and the input is
// applied there. Everything the guest sees then happens again at the same
// instructions: its output, its trace, its interrupts.
//
// What the host alone sees can differ (VM exits that a host's own kick
// caused, the times the trace drainer ran), and a run whose trace ring
// overflowed is not reproducible (the host's drain frees slots at
// wall-clock times).

// replaySchedule is a recorded run's inputs still to apply. vCPU thread
// only.
type replaySchedule struct {
	inputs    []SessionInput
	next      int
	until     time.Duration // stop the guest when the clock reaches it (0: never)
	diverged  int           // inputs applied at another instruction count than recorded
	firstDiff string
}

// deadline is the machine time the schedule next needs the vCPU stopped
// at: the next input's, or the end of the replay.
func (r *replaySchedule) deadline() time.Duration {
	if r == nil {
		return noDeadline
	}
	if r.next < len(r.inputs) {
		return time.Duration(r.inputs[r.next].Time)
	}
	if r.until > 0 {
		return r.until
	}
	return noDeadline
}

// applyReplay queues the inputs that are due at the clock's time and
// reports whether the replay has reached its end.
func (m *Machine) applyReplay() bool {
	r := m.replay
	if r == nil {
		return false
	}
	now := m.clock.Now()
	for r.next < len(r.inputs) && time.Duration(r.inputs[r.next].Time) <= now {
		in := r.inputs[r.next]
		if got := m.instructionCount(); got != in.Instructions && r.diverged == 0 {
			r.firstDiff = fmt.Sprintf("input %d (%s) recorded at instruction %d, replayed at %d", r.next,
				describeInput(in), in.Instructions, got)
			r.diverged++
		} else if got != in.Instructions {
			r.diverged++
		}
		if len(in.Serial) > 0 {
			// The receiver took these bytes then; in the same state it
			// takes them again, all of them, in applyInputs next.
			m.inputs.pushSerial(in.Serial)
		} else {
			m.inputs.push(hostInput{key: ps2.Key(in.Key), down: in.Down})
		}
		r.next++
	}
	return r.until > 0 && now >= r.until
}

// describeInput names a recorded input for a divergence report.
func describeInput(in SessionInput) string {
	if len(in.Serial) > 0 {
		return fmt.Sprintf("serial bytes %q", in.Serial)
	}
	return fmt.Sprintf("key %v %s", ps2.Key(in.Key), map[bool]string{true: "down", false: "up"}[in.Down])
}

// ReplayDivergence says whether a replay applied every input at the
// instruction count it was recorded at; if not, it names the first that
// was not. Call it after the guest ended.
func (m *Machine) ReplayDivergence() error {
	r := m.replay
	if r == nil || r.diverged == 0 {
		return nil
	}
	return fmt.Errorf("the replay diverged: %d inputs arrived at other instructions than recorded; the first: %s", r.diverged, r.firstDiff)
}
