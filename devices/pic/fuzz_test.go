package pic

import (
	"testing"

	"github.com/pollscope/pollscope/devices"
)

// FuzzPorts replays a sequence of three-byte operations on a Pair: port
// accesses to the master, the slave and the ELCR (any offset, width and
// direction), input line changes, INTA cycles and save/restore. After each
// operation it checks the invariants a guest and the machine rely on.
//
// Operation bytes: kind, arg, value. kind%6: 0 master, 1 slave, 2 ELCR port
// access (arg bits 0-1 offset 0..3, bits 2-3 width 1/2/4, bit 4 write);
// 3 line arg%16 to level value&1; 4 Acknowledge; 5 State/SetState round trip.
func FuzzPorts(f *testing.F) {
	f.Add([]byte{
		0, 0x10, 0x11, 0, 0x11, 0x30, 0, 0x11, 0x04, 0, 0x11, 0x01, 0, 0x11, 0x00, // Linux init, master
		3, 0, 1, 4, 0, 0, 0, 0x10, 0x60, 5, 0, 0,
	})
	f.Add([]byte{0, 0x10, 0x0C, 3, 3, 1, 0, 0x00, 0, 2, 0x14, 0xFF, 3, 9, 1, 4, 0, 0, 1, 0x10, 0x61})
	f.Add([]byte{0, 0x10, 0x68, 0, 0x11, 0x08, 3, 1, 1, 3, 12, 1, 4, 0, 0, 4, 0, 0, 0, 0x10, 0x20})
	f.Fuzz(func(t *testing.T, ops []byte) {
		var driven []bool
		p := New(devices.LineFunc(func(h bool) { driven = append(driven, h) }))
		for ; len(ops) >= 3; ops = ops[3:] {
			kind, arg, val := ops[0]%6, ops[1], ops[2]
			switch kind {
			case 0, 1, 2:
				dev := []devices.PortDevice{p.Master(), p.Slave(), p.ELCR()}[kind]
				data := make([]byte, 1<<((arg>>2&3)%3))
				off := uint16(arg & 3)
				if arg&0x10 != 0 {
					for i := range data {
						data[i] = val + byte(i)
					}
					dev.Out(off, data)
				} else {
					dev.In(off, data)
				}
			case 3:
				p.IRQ(int(arg % 16)).SetLevel(val&1 != 0)
			case 4:
				checkAcknowledge(t, p)
			case 5:
				s := p.State()
				q := New(nil)
				q.SetState(s)
				if q.State() != s {
					t.Fatalf("State round trip: got %+v, want %+v", q.State(), s)
				}
			}
			checkInvariants(t, p, driven)
		}
	})
}

func checkAcknowledge(t *testing.T, p *Pair) {
	before := p.State()
	v := p.Acknowledge()
	mb, sb := before.Master.VectorBase, before.Slave.VectorBase
	if !before.INTR {
		if v != mb+7 {
			t.Fatalf("INTA with INT low = %#x, want spurious %#x", v, mb+7)
		}
		if after := p.State(); after != before {
			t.Fatalf("spurious INTA changed state: %+v -> %+v", before, after)
		}
		return
	}
	if v-mb >= 8 && v-sb >= 8 {
		t.Fatalf("INTA = %#x, outside master base %#x and slave base %#x", v, mb, sb)
	}
}

func checkInvariants(t *testing.T, p *Pair, driven []bool) {
	for i, h := range driven {
		if h == (i%2 == 1) {
			t.Fatalf("INT driven %v: not alternating from low", driven)
		}
	}
	if want := len(driven) > 0 && driven[len(driven)-1]; p.INTR() != want {
		t.Fatalf("INTR() = %v, last driven %v", p.INTR(), want)
	}
	s := p.State()
	for name, c := range map[string]Chip{"master": s.Master, "slave": s.Slave} {
		if c.IRR&^c.Lines != 0 {
			t.Fatalf("%s: IRR %#x has requests on low lines %#x", name, c.IRR, c.Lines)
		}
		if level := c.levelMask(); c.IRR&level != c.Lines&level {
			t.Fatalf("%s: level inputs %#x: IRR %#x does not follow lines %#x", name, level, c.IRR, c.Lines)
		}
		if c.InitStep > InitICW4 || c.Highest > 7 || c.VectorBase&^ICW2VectorMask != 0 {
			t.Fatalf("%s: fields out of range: %+v", name, c)
		}
	}
	if s.Master.ELCR&^ELCRMasterWritable != 0 || s.Slave.ELCR&^ELCRSlaveWritable != 0 {
		t.Fatalf("read-only ELCR bits set: %#x %#x", s.Master.ELCR, s.Slave.ELCR)
	}
	slaveINT := s.Slave.pending(0) >= 0
	if got := s.Master.Lines&(1<<cascadeIR) != 0; got != (slaveINT || s.IRQ2) {
		t.Fatalf("master IR2 line %v, slave INT %v, IRQ2 %v", got, slaveINT, s.IRQ2)
	}
}
