package ps2

import "github.com/pollscope/pollscope/devices"

// Typematic repeat, as an MF2 keyboard does it: the key pressed last repeats
// its make code while it is held, first after the typematic delay, then at
// the typematic rate, both from the byte the guest set with KbdTypematic
// (0xF3). Releasing that key stops the repeat; pressing another key moves it
// to the new key; releasing an older key changes nothing. The host sends only
// presses and releases.
//
// The rate/delay byte: bits 4-0 the rate, as period = (8 + A) * 2^B * 4.17
// ms with A = bits 2-0 and B = bits 4-3 (30 characters per second at 0x00,
// 2 at 0x1F); bits 6-5 the delay, (1 + D) * 250 ms.

// TypematicDelay is the time from a press to its first repeat under the
// rate/delay byte b.
func TypematicDelay(b uint8) devices.Time {
	return devices.Time(1+(b>>5)&3) * 250 * millisecond
}

// TypematicPeriod is the time between two repeats under the rate/delay byte b.
func TypematicPeriod(b uint8) devices.Time {
	a, e := devices.Time(b&7), (b>>3)&3
	// 4.17 ms is the keyboard's base period.
	return (8 + a) << e * 4170 * microsecond
}

const (
	microsecond devices.Time = 1000
	millisecond              = 1000 * microsecond
)

// startRepeat makes key the repeating key, pressed at time now.
func (k *KeyboardState) startRepeat(key Key, now devices.Time) {
	k.Repeating = key
	k.RepeatAt = now + TypematicDelay(k.Typematic)
}

// stopRepeat ends the repeat if key is the repeating key.
func (k *KeyboardState) stopRepeat(key Key) {
	if k.Repeating == key {
		k.Repeating = 0
	}
}

// NextDeadline is when the held key repeats next (devices.Timed).
func (c *Controller) NextDeadline() (devices.Time, bool) {
	k := &c.s.Keyboard
	if k.Repeating == 0 {
		return 0, false
	}
	return k.RepeatAt, true
}

// Advance sends the held key's repeats that have fallen due by now
// (devices.Timed). A repeat that finds the previous one still unread is
// skipped, as a repeat is worth nothing once the guest lags, and a host that
// woke late sends one repeat, not a burst.
func (c *Controller) Advance(now devices.Time) {
	k := &c.s.Keyboard
	if k.Repeating == 0 || now < k.RepeatAt {
		return
	}
	period := TypematicPeriod(k.Typematic)
	k.RepeatAt += period
	if k.RepeatAt <= now {
		k.RepeatAt = now + period
	}
	if k.Scanning && len(k.Events) == 0 && !c.s.Output.Full {
		k.key(k.Repeating, true)
		c.service()
	}
}
