package ps2

import (
	"reflect"
	"testing"
)

// Fuzz operations: each takes one opcode byte, some one more argument byte.
const (
	opReadStatus  = iota // in port 0x64
	opReadData           // in port 0x60
	opCommand            // out port 0x64, argument: the command
	opWriteData          // out port 0x60, argument: the byte
	opKeyDown            // host KeyDown, argument: the key (invalid values included)
	opKeyUp              // host KeyUp, argument: the key
	opSaveRestore        // SetState(State()) must change nothing
	opTypeBurst          // host types the argument's key 64 times, to reach the FIFO cap
	numOps
)

// maxFuzzOps bounds an input's length so one run stays short; opTypeBurst
// reaches the FIFO's cap well within it.
const maxFuzzOps = 4096

// FuzzPorts decodes its input as a sequence of port accesses and host key
// events and checks, after each, the invariants a driver relies on.
func FuzzPorts(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{opCommand, CmdSelfTest, opReadStatus, opReadData})
	f.Add([]byte{opWriteData, KbdIdentify, opReadData, opReadData, opReadData})
	f.Add([]byte{opCommand, CmdWriteConfig, opWriteData, 0x03, opKeyDown, byte(KeyUp), opReadData, opReadData})
	f.Add([]byte{opCommand, CmdWriteAuxOut, opWriteData, 0x5A, opReadData, opCommand, CmdWriteAux, opWriteData, 0xF2})
	f.Add([]byte{opKeyDown, byte(KeyPause), opSaveRestore, opReadData, opReadData, opKeyUp, byte(KeyPrintScreen)})
	f.Add([]byte{opWriteData, KbdDisable, opKeyDown, 1, opWriteData, KbdEnable, opKeyDown, 1})
	burst := []byte{opCommand, CmdDisableKbd}
	for range QueueCap/64 + 2 {
		burst = append(burst, opTypeBurst, byte(KeyUp))
	}
	burst = append(burst, opCommand, CmdEnableKbd, opReadData, opSaveRestore)
	f.Add(burst)

	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) > maxFuzzOps {
			ops = ops[:maxFuzzOps]
		}
		r := newRig(t)
		for i := 0; i < len(ops); i++ {
			op := ops[i] % numOps
			var arg byte
			if op >= opCommand && op != opSaveRestore {
				i++
				if i < len(ops) {
					arg = ops[i]
				}
			}
			step(t, r, op, arg)
		}
	})
}

// step runs one fuzz operation and checks the invariants around it.
func step(t *testing.T, r *rig, op, arg byte) {
	// A shallow copy is enough to compare counters and lengths; the
	// save/restore check takes a deep one.
	before := r.c.s
	key := Key(int(arg)%(NumKeys+3) - 1) // -1 .. NumKeys+1: a few invalid keys too
	switch op {
	case opReadStatus:
		r.status()
	case opReadData:
		v := r.read()
		if !before.Output.Full && v != before.Output.Data {
			t.Fatalf("read of an empty buffer returned %#02x, not the last byte %#02x", v, before.Output.Data)
		}
	case opCommand:
		r.command(arg)
	case opWriteData:
		r.write(arg)
	case opKeyDown, opKeyUp:
		down := op == opKeyDown
		if down {
			r.c.KeyDown(key)
		} else {
			r.c.KeyUp(key)
		}
		checkCounting(t, before, r.c.s, key, down)
	case opSaveRestore:
		saved := r.c.State()
		r.c.SetState(saved)
		if after := r.c.State(); !reflect.DeepEqual(saved, after) {
			t.Fatalf("SetState(State()) changed the state:\n%+v\n%+v", saved, after)
		}
	case opTypeBurst:
		for range 64 {
			r.c.KeyDown(key)
		}
	}
	checkInvariants(t, r)
}

// checkCounting checks that a host key event was queued, dropped (counted
// in Dropped) or discarded (counted in Discarded), and never silently lost.
func checkCounting(t *testing.T, before, after State, k Key, down bool) {
	sends := k.Valid() && !(k == KeyPause && !down)
	kb, ka := before.Keyboard, after.Keyboard
	wantDropped, wantDiscarded := kb.Dropped, kb.Discarded
	switch {
	case !sends:
	case !kb.Scanning:
		wantDiscarded++
	case len(kb.Events) >= QueueCap:
		wantDropped++
	}
	if ka.Dropped != wantDropped || ka.Discarded != wantDiscarded {
		t.Fatalf("%v down=%v: dropped %d→%d, discarded %d→%d; want %d, %d",
			k, down, kb.Dropped, ka.Dropped, kb.Discarded, ka.Discarded, wantDropped, wantDiscarded)
	}
}

// checkInvariants checks the status register against the output buffer, the
// interrupt lines against the configuration byte, and the FIFO bounds.
func checkInvariants(t *testing.T, r *rig) {
	s := &r.c.s
	st := r.status()
	o := s.Output
	if (st&StatusOBF != 0) != o.Full {
		t.Fatalf("status %#02x but output buffer full=%v", st, o.Full)
	}
	if st&(StatusAUXB|StatusTimeout) != 0 && st&StatusOBF == 0 {
		t.Fatalf("status %#02x: AUXB or timeout without OBF", st)
	}
	if st&(StatusIBF|StatusParity) != 0 || st&StatusINH == 0 {
		t.Fatalf("status %#02x: IBF or parity set, or INH clear", st)
	}
	wantIRQ1 := o.Full && !o.Aux && s.Config&ConfigINT != 0
	wantIRQ12 := o.Full && o.Aux && s.Config&ConfigINT2 != 0
	if r.irq1.level != wantIRQ1 || r.irq12.level != wantIRQ12 {
		t.Fatalf("IRQ 1 %v, IRQ 12 %v; want %v, %v (config %#02x, buffer %+v)",
			r.irq1.level, r.irq12.level, wantIRQ1, wantIRQ12, s.Config, o)
	}
	if r.irq1.rises-r.irq1.falls > 1 || r.irq1.rises < r.irq1.falls {
		t.Fatalf("IRQ 1 rose %d times and fell %d", r.irq1.rises, r.irq1.falls)
	}
	k := s.Keyboard
	if len(k.Events) > QueueCap || len(k.Replies) > ReplyCap {
		t.Fatalf("FIFO holds %d events, %d replies; caps %d, %d", len(k.Events), len(k.Replies), QueueCap, ReplyCap)
	}
	if p := r.c.Pending(); p < 0 || p > QueueCap*MaxEventLen || (p == 0) != (len(k.Events) == 0) {
		t.Fatalf("Pending() = %d with %d events queued", p, len(k.Events))
	}
	if k.Sent != 0 && (len(k.Events) == 0 || k.Sent >= int(k.Events[0].Len)) {
		t.Fatalf("Sent %d outside the first event", k.Sent)
	}
	for _, e := range k.Events {
		if e.Len == 0 || e.Len > MaxEventLen {
			t.Fatalf("event of %d bytes", e.Len)
		}
	}
	if !o.Full && !s.Answer.Full && s.Config&ConfigDisableKbd == 0 &&
		(len(k.Replies) > 0 || len(k.Events) > 0) {
		t.Fatalf("output buffer empty while the enabled keyboard has bytes to send")
	}
	if s.Answer.Full && !o.Full {
		t.Fatal("a controller answer waits behind an empty output buffer")
	}
	if k.ScanSet != 1 && k.ScanSet != 2 {
		t.Fatalf("scan set %d", k.ScanSet)
	}
	if r.c.Dropped() != k.Dropped || r.c.Discarded() != k.Discarded {
		t.Fatal("Dropped() or Discarded() disagrees with the state")
	}
}
