package emulator

import (
	"context"
	"fmt"
	"time"

	"github.com/pollscope/pollscope/devices/ps2"
	"github.com/pollscope/pollscope/trace"
)

// Host key events carry the key code in Arg, with keyReleased set for a
// release.
const keyReleased = 1 << 31

// KeyDown presses k on the guest's PS/2 keyboard. Pressing a key already
// held sends its make code again, as a keyboard's autorepeat does.
func (m *Machine) KeyDown(k ps2.Key) { m.key(k, true) }

// KeyUp releases k.
func (m *Machine) KeyUp(k ps2.Key) { m.key(k, false) }

func (m *Machine) key(k ps2.Key, down bool) {
	arg := uint64(k)
	if !down {
		arg |= keyReleased
	}
	m.devMu.Lock()
	m.host.add(trace.Event{Time: int64(m.clock.Now()), Kind: trace.HostKeyEvent, Arg: arg, Name: k.String()})
	if down {
		m.kbd.KeyDown(k)
	} else {
		m.kbd.KeyUp(k)
	}
	m.devMu.Unlock()
}

// PressKey presses and releases k.
func (m *Machine) PressKey(k ps2.Key) {
	m.KeyDown(k)
	m.KeyUp(k)
}

// typingBacklog is how many scancode bytes TypeText lets wait in the
// keyboard's FIFO before it pauses for the guest to catch up, well below
// the FIFO's capacity so typing never overflows it.
const typingBacklog = 64

// TypeText types s on the US keyboard layout, holding Shift where a
// character needs it. It paces itself to the guest: while the keyboard's
// FIFO holds a backlog it waits for the guest to read it, so nothing is
// lost however long s is. It fails on a character the layout lacks, or
// when ctx ends first.
func (m *Machine) TypeText(ctx context.Context, s string) error {
	for i, r := range s {
		k, shift, ok := ps2.KeyForRune(r)
		if !ok {
			return fmt.Errorf("TypeText: %q (at byte %d) has no key on the US layout", r, i)
		}
		if err := m.waitKeyboardBacklog(ctx); err != nil {
			return err
		}
		if shift {
			m.KeyDown(ps2.KeyLeftShift)
		}
		m.PressKey(k)
		if shift {
			m.KeyUp(ps2.KeyLeftShift)
		}
	}
	return nil
}

func (m *Machine) waitKeyboardBacklog(ctx context.Context) error {
	for {
		m.devMu.Lock()
		n := m.kbd.Pending()
		m.devMu.Unlock()
		if n < typingBacklog {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("TypeText: the guest stopped reading the keyboard (%d bytes waiting): %w", n, ctx.Err())
		case <-m.done:
			return fmt.Errorf("TypeText: the guest has ended")
		case <-time.After(time.Millisecond):
		}
	}
}

// KeyboardDropped is how many host key events the keyboard's FIFO had to
// drop because it was full.
func (m *Machine) KeyboardDropped() uint64 {
	m.devMu.Lock()
	defer m.devMu.Unlock()
	return m.kbd.Dropped()
}
