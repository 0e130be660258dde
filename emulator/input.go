package emulator

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pollscope/pollscope/devices/ps2"
	"github.com/pollscope/pollscope/trace"
)

// hostInput is one thing the host does to the guest's devices.
type hostInput struct {
	key  ps2.Key
	down bool
}

// inputQueue carries host input to the vCPU thread, which applies it
// between two runs of the guest. So every device call happens on the vCPU
// thread (no device ever needs to kick the vCPU), and a deterministic run
// knows at which instruction each input arrived.
type inputQueue struct {
	mu      sync.Mutex
	queue   []hostInput
	serial  []byte      // bytes for COM1's receiver that it has not taken yet
	waiting atomic.Bool // queue or serial is not empty: one load per trip round the run loop
}

func (q *inputQueue) push(in hostInput) {
	q.mu.Lock()
	q.queue = append(q.queue, in)
	q.waiting.Store(true)
	q.mu.Unlock()
}

// take returns the queued inputs, oldest first.
func (q *inputQueue) take() []hostInput {
	q.mu.Lock()
	out := q.queue
	q.queue = nil
	q.waiting.Store(len(q.serial) > 0)
	q.mu.Unlock()
	return out
}

// pushSerial queues bytes for COM1's receiver.
func (q *inputQueue) pushSerial(p []byte) {
	q.mu.Lock()
	q.serial = append(q.serial, p...)
	q.waiting.Store(true)
	q.mu.Unlock()
}

// feedSerial gives the receiver what it takes of the queued serial bytes
// (receive, with the board's lock held, returns how many) and returns
// them; the rest waits for room, as a sender with flow control would.
func (q *inputQueue) feedSerial(receive func([]byte) int) (taken []byte) {
	q.mu.Lock()
	if n := len(q.serial); n > 0 {
		k := receive(q.serial[:min(n, serialChunk)])
		taken = q.serial[:k:k]
		q.serial = q.serial[k:]
		if len(q.serial) == 0 {
			q.serial = nil
		}
	}
	q.waiting.Store(len(q.queue) > 0 || len(q.serial) > 0)
	q.mu.Unlock()
	return taken
}

// serialChunk bounds the bytes offered to the receiver at once: a 16550A's
// receive FIFO holds 16.
const serialChunk = 16

func (q *inputQueue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.queue)
}

// applyInputs hands the queued host input to the devices (vCPU thread).
func (m *Machine) applyInputs() {
	if !m.inputs.waiting.Load() {
		return
	}
	batch := m.inputs.take()
	m.board.mu.Lock()
	if taken := m.inputs.feedSerial(m.board.uart.Receive); len(taken) > 0 {
		m.recordSerialInput(taken)
	}
	for _, in := range batch {
		arg := uint64(in.key)
		if !in.down {
			arg |= trace.KeyReleased
		}
		m.tracer.hostEvent(trace.HostKeyEvent, arg, in.key.String())
		m.recordInput(in)
		if in.down {
			m.board.kbd.KeyDown(in.key)
		} else {
			m.board.kbd.KeyUp(in.key)
		}
	}
	m.board.mu.Unlock()
	if len(batch) > 0 {
		m.timers.touched() // a press starts the typematic repeat
	}
}

// KeyDown presses k on the guest's PS/2 keyboard. While k is the last key
// pressed and still held, the keyboard repeats it at the rate and after the
// delay the guest set (command 0xF3), as a real keyboard does.
func (m *Machine) KeyDown(k ps2.Key) { m.key(k, true) }

// KeyUp releases k.
func (m *Machine) KeyUp(k ps2.Key) { m.key(k, false) }

func (m *Machine) key(k ps2.Key, down bool) {
	m.inputs.push(hostInput{key: k, down: down})
	m.kick()
}

// SendSerial sends p to the guest's COM1, as bytes arriving on its
// receive line (QEMU's -serial stdio input): the UART takes them as its
// receive FIFO has room, raising its interrupt as the guest's driver
// programmed it; nothing is lost. A recorded session keeps the bytes as
// the receiver took them, so a deterministic replay gives them again at
// the same instructions.
func (m *Machine) SendSerial(p []byte) {
	if len(p) == 0 {
		return
	}
	m.inputs.pushSerial(p)
	m.kick()
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

// keyboardBacklog is the host input not yet read by the guest: queued
// events (at most a few bytes each) and the keyboard FIFO's bytes.
func (m *Machine) keyboardBacklog() int {
	n := 4 * m.inputs.len()
	m.board.mu.Lock()
	n += m.board.kbd.Pending()
	m.board.mu.Unlock()
	return n
}

func (m *Machine) waitKeyboardBacklog(ctx context.Context) error {
	for {
		n := m.keyboardBacklog()
		if n < typingBacklog {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("TypeText: the guest stopped reading the keyboard (%d bytes waiting): %w", n, ctx.Err())
		case <-m.life.done:
			return fmt.Errorf("TypeText: the guest has ended")
		case <-time.After(time.Millisecond):
		}
	}
}

// KeyboardDropped is how many host key events the keyboard's FIFO had to
// drop because it was full.
func (m *Machine) KeyboardDropped() uint64 {
	dropped, _ := m.board.counters()
	return dropped
}
