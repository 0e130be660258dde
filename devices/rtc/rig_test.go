package rtc

import (
	"testing"

	"github.com/pollscope/pollscope/devices"
)

// PC port numbers.
const (
	port70 = 0x70
	port71 = 0x71
)

// Times in nanoseconds.
const (
	us int64 = 1000
	ms       = 1000 * us
)

// setNanos stores ns in a field of the devices package's clock type, which
// is an integer count of nanoseconds, without naming that type: this
// package's tests, like the package, import no "time".
func setNanos[D ~int64](d *D, ns int64) { *d = D(ns) }

// rig is an RTC on a manual clock, with IRQ 8 watched like an input of the
// edge-triggered 8259A.
type rig struct {
	t      *testing.T
	clock  *devices.ManualClock
	r      *RTC
	levels []bool // every level driven on IRQ 8, in order
}

// start is the virtual time at which rigs are created: any time works, and
// one away from 0 catches code that confuses virtual time with an offset.
const start int64 = 7*1_000_000_000 + 123*us

// newRig returns a rig whose RTC starts showing wall.
func newRig(t *testing.T, wall WallTime) *rig {
	g := &rig{t: t, clock: &devices.ManualClock{}}
	setNanos(&g.clock.T, start)
	g.r = New(g.clock, devices.LineFunc(func(h bool) { g.levels = append(g.levels, h) }), wall)
	return g
}

// now is the rig's virtual time.
func (g *rig) now() int64 { return int64(g.clock.T) }

// at sets the clock to t.
func (g *rig) at(t int64) { setNanos(&g.clock.T, t) }

// wait advances the clock by d: the guest spinning in mdelay or udelay.
func (g *rig) wait(d int64) { g.at(g.now() + d) }

// outb and inb are the guest's port instructions.
func (g *rig) outb(v uint8, port uint16) { g.r.Out(port-port70, []byte{v}) }

func (g *rig) inb(port uint16) uint8 {
	b := []byte{0}
	g.r.In(port-port70, b)
	return b[0]
}

// cmosRead and cmosWrite are Linux's CMOS_READ and CMOS_WRITE on x86
// (rtc_cmos_read, rtc_cmos_write): the index to 0x70, then the data at 0x71.
func (g *rig) cmosRead(reg uint8) uint8 {
	g.outb(reg, port70)
	return g.inb(port71)
}

func (g *rig) cmosWrite(v, reg uint8) {
	g.outb(reg, port70)
	g.outb(v, port71)
}

// irq is IRQ 8's level.
func (g *rig) irq() bool { return len(g.levels) > 0 && g.levels[len(g.levels)-1] }

// rises counts IRQ 8's low-to-high transitions so far.
func (g *rig) rises() int {
	n, level := 0, false
	for _, h := range g.levels {
		if h && !level {
			n++
		}
		level = h
	}
	return n
}

func (g *rig) wantReg(reg uint8, name string, want uint8) {
	g.t.Helper()
	if got := g.cmosRead(reg); got != want {
		g.t.Fatalf("%s = %#02x, want %#02x", name, got, want)
	}
}

func (g *rig) wantIRQ(want bool) {
	g.t.Helper()
	if g.irq() != want {
		g.t.Fatalf("IRQ 8 %v, want %v (driven %v)", g.irq(), want, g.levels)
	}
}

// deadline returns NextDeadline, failing if there is none.
func (g *rig) deadline() int64 {
	g.t.Helper()
	d, ok := g.r.nextDeadline()
	if !ok {
		g.t.Fatalf("no deadline at %d ns, state %+v", g.now(), g.r.State())
	}
	if d <= g.r.State().Last {
		g.t.Fatalf("deadline %d not after the last update %d", d, g.r.State().Last)
	}
	return d
}

// runToDeadline moves the clock to the next deadline and advances the RTC
// there, as the board's timer service does, checking that IRQ 8 was low
// just before and rises at it. It returns the deadline.
func (g *rig) runToDeadline() int64 {
	g.t.Helper()
	d := g.deadline()
	g.at(d - 1)
	g.r.advance(d - 1)
	if g.irq() {
		g.t.Fatalf("IRQ 8 rose before the deadline %d", d)
	}
	g.at(d)
	g.r.advance(d)
	if !g.irq() {
		g.t.Fatalf("IRQ 8 still low at the deadline %d (C flags %#x)", d, g.r.State().Flags)
	}
	return d
}

// wall returns the wall time s seconds and ns nanoseconds after the epoch.
func wall(s, ns int64) WallTime { return WallTime{Sec: s, Nsec: ns} }
