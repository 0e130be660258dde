package pit

import (
	"testing"

	"github.com/pollscope/pollscope/devices"
)

// FuzzPorts replays a sequence of four-byte operations on a PIT: accesses to
// ports 0x40-0x43 and 0x61 (any offset, width and direction), clock
// advances, Update, NextDeadline checks and save/restore. After each
// operation it checks the invariants the machine relies on.
//
// Operation bytes: kind, arg, v1, v2. kind%6: 0 counter ports (arg bits 0-2
// offset, bits 3-4 width 1/2/4, bit 5 write, value v1); 1 port 0x61 (arg
// bit 5 write, bits 0-1 offset, value v1); 2 advance the clock by
// (v1<<8|v2) << (arg%24) ns; 3 Update; 4 check NextDeadline on a copy;
// 5 State/SetState round trip.
func FuzzPorts(f *testing.F) {
	f.Add([]byte{
		1, 0x20, 0x01, 0, 0, 0x23, 0xB0, 0, 0, 0x22, 0xFF, 0, 0, 0x22, 0xFF, 0, // calibration setup
		2, 10, 0x10, 0x00, 1, 0, 0, 0, 0, 0x23, 0xC8, 0, 0, 0x02, 0, 0, 0, 0x02, 0, 0,
	})
	f.Add([]byte{
		0, 0x23, 0x34, 0, 0, 0x20, 0xA9, 0, 0, 0x20, 0x04, 0, // mode 2, HZ=1000
		4, 0, 0, 0, 2, 8, 0x12, 0x34, 3, 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0,
	})
	f.Add([]byte{0, 0x23, 0x38, 0, 0, 0x20, 0x10, 0, 0, 0x20, 0x00, 0, 4, 0, 0, 0, 2, 12, 0x01, 0x00, 3, 0, 0, 0})
	f.Fuzz(func(t *testing.T, ops []byte) {
		clock := &devices.ManualClock{T: 1000}
		var last, driven bool
		p := New(clock, devices.LineFunc(func(h bool) { last, driven = h, true }))
		for ; len(ops) >= 4; ops = ops[4:] {
			kind, arg, v1, v2 := ops[0]%6, ops[1], ops[2], ops[3]
			switch kind {
			case 0:
				data := make([]byte, 1<<((arg>>3&3)%3))
				off := uint16(arg & 7)
				if arg&0x20 != 0 {
					for i := range data {
						data[i] = v1 + byte(i)
					}
					p.Ports().Out(off, data)
				} else {
					p.Ports().In(off, data)
				}
			case 1:
				data := []byte{v1}
				if arg&0x20 != 0 {
					p.PortB().Out(uint16(arg&3), data)
				} else {
					p.PortB().In(uint16(arg&3), data)
					if arg&3 == 0 && data[0]&0xC0 != 0 {
						t.Fatalf("port 0x61 = %#x: bits 7-6 set", data[0])
					}
				}
			case 2:
				clock.Advance(devices.Time(uint64(v1)<<8|uint64(v2)) << (arg % 24))
			case 3:
				p.Advance(clock.T)
				if got := p.State(); got.IRQ0 != outOf(p, 0) {
					t.Fatalf("after Update the line is %v, OUT0 %v", got.IRQ0, !got.IRQ0)
				}
			case 4:
				checkDeadline(t, p, clock.T)
			case 5:
				s := p.State()
				q := New(clock, nil)
				q.SetState(s)
				if q.State() != s {
					t.Fatalf("State round trip: got %+v, want %+v", q.State(), s)
				}
			}
			s := p.State()
			if driven && last != s.IRQ0 {
				t.Fatalf("line last driven %v, state says %v", last, s.IRQ0)
			}
			for i, c := range s.Channels {
				if c.Mode > 7 || c.Access == AccessLatch || c.Access > AccessWord || c.LatchBytes > AccessWord {
					t.Fatalf("counter %d out of range: %+v", i, c)
				}
				if c.Gate != (i != 2 || s.PortB&PortBGate2 != 0) {
					t.Fatalf("counter %d GATE %v with port 0x61 = %#x", i, c.Gate, s.PortB)
				}
			}
		}
	})
}

// outOf reads counter n's OUT through the read-back status, on a copy so the
// original's latches stay as they are.
func outOf(p *PIT, n int) bool {
	s := p.State()
	s.Channels[n].StatusLatched = false // a pending status would be read instead
	q := New(p.clock, nil)
	q.SetState(s)
	q.Ports().Out(PortControl, []byte{0xE0 | 2<<n})
	b := []byte{0}
	q.Ports().In(uint16(n), b)
	return b[0]&StatusOUT != 0
}

// checkDeadline checks NextDeadline against Update on copies: no pulse just
// before the deadline, exactly one at it, and none at all for ten virtual
// seconds if there is no deadline.
func checkDeadline(t *testing.T, p *PIT, now devices.Time) {
	d, ok := p.NextDeadline()
	copyAt := func(at devices.Time) (pulses int, missed uint64) {
		clock := &devices.ManualClock{T: at}
		var prev bool
		q := New(clock, devices.LineFunc(func(h bool) {
			if h && !prev {
				pulses++
			}
			prev = h
		}))
		q.SetState(p.State())
		prev, pulses = q.State().IRQ0, 0
		q.Advance(at)
		return pulses, q.MissedTicks() - p.MissedTicks()
	}
	if !ok {
		if n, _ := copyAt(now + 10*second); n != 0 {
			t.Fatalf("no deadline, yet OUT0 rose %d times in 10 s", n)
		}
		return
	}
	if d > 0 {
		if n, _ := copyAt(d - 1); n != 0 {
			t.Fatalf("OUT0 rose %d times 1 ns before the deadline %v", n, d)
		}
	}
	if n, missed := copyAt(d); n != 1 || missed != 0 {
		t.Fatalf("at the deadline %v: %d pulses, %d missed; want exactly one", d, n, missed)
	}
}
