package pit

import (
	"github.com/pollscope/pollscope/devices"
)

// counters is the 8254's register window at 0x40-0x43.
type counters struct{ p *PIT }

// Ports returns the counters and the control word register (offsets 0-3:
// ports 0x40-0x43). Accesses wider than a byte are split into byte accesses
// to consecutive offsets, as an ISA bus does; bytes beyond offset 3 read as
// 0xFF and writes to them are dropped.
func (p *PIT) Ports() devices.PortDevice { return counters{p} }

// In reads each byte of the access. The control word register cannot be
// read; it answers 0, as QEMU's does.
func (w counters) In(off uint16, data []byte) {
	now := w.p.now()
	for i := range data {
		switch o := off + uint16(i); {
		case o < PortControl:
			data[i] = w.p.s.Channels[o].read(now)
		case o == PortControl:
			data[i] = 0
		default:
			data[i] = 0xFF
		}
	}
}

// Out writes each byte of the access.
func (w counters) Out(off uint16, data []byte) {
	for i, v := range data {
		switch o := off + uint16(i); {
		case o < PortControl:
			w.p.writeCounter(int(o), v)
		case o == PortControl:
			w.p.writeControl(v)
		}
	}
}

// touch runs f on counter n at the current tick. Anything that may change
// counter 0's OUT first settles the edges OUT0 made under the old
// programming (Advance), and afterwards drives irq0 to the new level: a
// mode 0 control word pulls it low at once, as the wire would.
func (p *PIT) touch(n int, f func(c *Channel, now uint64)) {
	t := p.clock.Now()
	if n == 0 {
		p.Advance(t)
	}
	now := tickAt(t)
	f(&p.s.Channels[n], now)
	if n == 0 {
		p.drive(p.s.Channels[0].outAt(now))
	}
}

// writeCounter is a write to port 0x40-0x42: a count byte.
func (p *PIT) writeCounter(n int, v uint8) {
	p.touch(n, func(c *Channel, now uint64) { c.write(v, now) })
}

// writeControl is a write to port 0x43. Linux's PIT calibration writes 0xB0
// (counter 2, LSB then MSB, mode 0, binary); its periodic tick 0x34 (counter
// 0, mode 2); its one-shot clockevent 0x38 (counter 0, mode 4).
func (p *PIT) writeControl(v uint8) {
	if v&CWReadBack == CWReadBack {
		p.readBack(v)
		return
	}
	n := int(v >> CWSelectShift)
	if v&CWAccessMask == AccessLatch<<CWAccessShift {
		now := p.now()
		p.s.Channels[n].latchCount(now)
		return
	}
	p.touch(n, func(c *Channel, now uint64) { c.program(v, now) })
}

// readBack is the 8254's read-back command: bits 3-1 select counters 2-0,
// bit 5 clear latches their counts, bit 4 clear latches their statuses.
func (p *PIT) readBack(v uint8) {
	now := p.now()
	for n := range p.s.Channels {
		if v&(ReadBackCounter0<<n) == 0 {
			continue
		}
		c := &p.s.Channels[n]
		if v&ReadBackNoCount == 0 {
			c.latchCount(now)
		}
		if v&ReadBackNoStatus == 0 {
			c.latchStatus(now)
		}
	}
}

// portB is the PC's system control port B at 0x61.
type portB struct{ p *PIT }

// PortB returns port 0x61 (offset 0). Bits 3-0 are read/write, bit 0 being
// counter 2's GATE; bit 4 is the refresh toggle and bit 5 OUT2, both read
// only; bits 7-6 read 0. Bytes beyond offset 0 read as 0xFF.
func (p *PIT) PortB() devices.PortDevice { return portB{p} }

// In reads port 0x61. Linux's TSC calibration polls bit 5 until counter 2's
// mode 0 count reaches zero.
func (b portB) In(off uint16, data []byte) {
	for i := range data {
		if off+uint16(i) != 0 {
			data[i] = 0xFF
			continue
		}
		t := b.p.clock.Now()
		v := b.p.s.PortB
		if t > 0 && (t/RefreshPeriod)&1 == 1 {
			v |= PortBRefresh
		}
		if b.p.s.Channels[2].outAt(tickAt(t)) {
			v |= PortBOUT2
		}
		data[i] = v
	}
}

// Out writes port 0x61; bit 0 drives counter 2's GATE. Linux's calibration
// writes (inb(0x61) & ~0x02) | 0x01: GATE high, speaker off.
func (b portB) Out(off uint16, data []byte) {
	for i, v := range data {
		if off+uint16(i) != 0 {
			continue
		}
		b.p.s.PortB = v & portBWritable
		b.p.touch(2, func(c *Channel, now uint64) { c.setGate(v&PortBGate2 != 0, now) })
	}
}
