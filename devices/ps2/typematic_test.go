package ps2

import (
	"testing"

	"github.com/pollscope/pollscope/devices"
)

// The typematic byte's delay and rate, as the MF2 keyboard's table gives
// them: 0x00 is 250 ms then 30 cps, the default 0x2B 500 ms then 10.9 cps,
// 0x7F 1 s then 2 cps.
func TestTypematicTable(t *testing.T) {
	for _, tc := range []struct {
		b             uint8
		delay, period devices.Time
	}{
		{0x00, 250 * millisecond, 33360 * microsecond},
		{0x2B, 500 * millisecond, 91740 * microsecond},
		{0x20, 500 * millisecond, 33360 * microsecond},
		{0x7F, 1000 * millisecond, 500400 * microsecond},
	} {
		if d, p := TypematicDelay(tc.b), TypematicPeriod(tc.b); d != tc.delay || p != tc.period {
			t.Errorf("typematic %#02x: delay %d period %d, want %d and %d", tc.b, d, p, tc.delay, tc.period)
		}
	}
}

// makeCodes counts the translated make codes of KeyA (set 1: 0x1E) the guest
// reads between now and until, advancing the clock as a timer service would:
// to each deadline in turn.
func (r *rig) heldFor(until devices.Time) (makes int) {
	r.t.Helper()
	for {
		for r.status()&StatusOBF != 0 {
			if r.read() == 0x1E {
				makes++
			}
		}
		next, ok := r.c.NextDeadline()
		if !ok || next > until {
			r.clock.T = until
			return makes
		}
		r.clock.T = next
		r.c.Advance(next)
	}
}

func TestHeldKeyRepeatsAtTheGuestsRate(t *testing.T) {
	for _, tc := range []struct {
		name      string
		typematic int // -1: keep the power-on default
		hold      devices.Time
		want      int // make codes, the press included
	}{
		{"default 500 ms then 10.9 cps, held 1 s", -1, 1000 * millisecond, 1 + 6},
		{"atkbd's 250 ms then 30 cps (0x00), held 1 s", 0x00, 1000 * millisecond, 1 + 23},
		{"released before the delay: no repeat", 0x00, 200 * millisecond, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			if tc.typematic >= 0 {
				r.write(KbdTypematic)
				r.expect("ACK", KbdAck)
				r.write(byte(tc.typematic))
				r.expect("ACK", KbdAck)
			}
			start := r.clock.T
			r.c.KeyDown(KeyA)
			if got := r.heldFor(start + tc.hold); got != tc.want {
				t.Fatalf("%d make codes, want %d", got, tc.want)
			}
			r.c.KeyUp(KeyA)
			if _, ok := r.c.NextDeadline(); ok {
				t.Fatal("the repeat outlived the release")
			}
		})
	}
}

// Only the last key pressed repeats; releasing an older key leaves it alone,
// releasing it stops the repeat.
func TestRepeatFollowsTheLastKeyPressed(t *testing.T) {
	r := newRig(t)
	r.c.KeyDown(KeyB)
	r.c.KeyDown(KeyA)
	r.c.KeyUp(KeyB)
	if _, ok := r.c.NextDeadline(); !ok {
		t.Fatal("releasing B stopped A's repeat")
	}
	r.drain(16)
	if got := r.heldFor(r.clock.T + 600*millisecond); got != 2 {
		t.Fatalf("%d repeats of A in 600 ms at the default rate, want 2", got)
	}
	r.c.KeyUp(KeyA)
	if _, ok := r.c.NextDeadline(); ok {
		t.Fatal("A still repeats after its release")
	}
}

// A host that wakes late sends one repeat, not the burst it missed, and a
// guest that has not read the last repeat gets no second one queued.
func TestLateHostSendsOneRepeat(t *testing.T) {
	r := newRig(t)
	r.c.KeyDown(KeyA)
	r.drain(16)
	r.clock.T += 5000 * millisecond
	r.c.Advance(r.clock.T)
	r.c.Advance(r.clock.T + 200*millisecond)
	if p := r.c.Pending(); p != 0 {
		t.Fatalf("%d bytes still pending after one repeat was taken", p)
	}
	if got := r.drain(16); len(got) != 1 || got[0] != 0x1E {
		t.Fatalf("after a 5 s stall the guest read % X, want one make code 1E", got)
	}
	if next, _ := r.c.NextDeadline(); next <= r.clock.T {
		t.Fatalf("next repeat at %d, not after now %d", next, r.clock.T)
	}
}

// Disabling the keyboard (atkbd does around its probe) stops the repeat.
func TestDisableStopsTheRepeat(t *testing.T) {
	r := newRig(t)
	r.c.KeyDown(KeyA)
	r.write(KbdDisable)
	r.drain(16)
	if _, ok := r.c.NextDeadline(); ok {
		t.Fatal("the repeat survived KbdDisable")
	}
}
