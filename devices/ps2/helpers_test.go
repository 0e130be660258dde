package ps2

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/pollscope/pollscope/devices"
)

// edgeLine is a fake interrupt line that counts transitions, as an
// edge-triggered PIC input sees them.
type edgeLine struct {
	level bool
	rises int
	falls int
}

func (l *edgeLine) SetLevel(high bool) {
	switch {
	case high && !l.level:
		l.rises++
	case !high && l.level:
		l.falls++
	}
	l.level = high
}

// rig is a controller wired to fake lines and a reset counter, with the port
// accesses a guest driver makes.
type rig struct {
	t      testing.TB
	c      *Controller
	irq1   *edgeLine
	irq12  *edgeLine
	resets int
	data   interface {
		In(uint16, []byte)
		Out(uint16, []byte)
	}
	cmdPort interface {
		In(uint16, []byte)
		Out(uint16, []byte)
	}
	clock *devices.ManualClock // drives the typematic repeat
}

func newRig(t testing.TB) *rig {
	r := &rig{t: t, irq1: &edgeLine{}, irq12: &edgeLine{}, clock: &devices.ManualClock{}}
	r.c = New(r.clock, r.irq1, r.irq12, func() { r.resets++ })
	r.data = r.c.Data()
	r.cmdPort = r.c.Command()
	return r
}

// command writes a controller command to port 0x64.
func (r *rig) command(b byte) { r.cmdPort.Out(0, []byte{b}) }

// write writes a byte to port 0x60.
func (r *rig) write(b byte) { r.data.Out(0, []byte{b}) }

// status reads port 0x64.
func (r *rig) status() byte {
	var b [1]byte
	r.cmdPort.In(0, b[:])
	return b[0]
}

// read reads port 0x60.
func (r *rig) read() byte {
	var b [1]byte
	r.data.In(0, b[:])
	return b[0]
}

// drain reads bytes the way i8042_flush does: while the status register
// shows OBF, read port 0x60. It stops after limit bytes.
func (r *rig) drain(limit int) []byte {
	var got []byte
	for len(got) < limit && r.status()&StatusOBF != 0 {
		got = append(got, r.read())
	}
	return got
}

// expect reads everything pending and checks it is exactly want.
func (r *rig) expect(what string, want ...byte) {
	r.t.Helper()
	got := r.drain(4 * QueueCap * MaxEventLen)
	if !bytes.Equal(got, want) {
		r.t.Fatalf("%s: read % X, want % X", what, got, want)
	}
}

// writeConfig sends controller command 0x60 and the configuration byte, as
// i8042_command(&ctr, I8042_CMD_CTL_WCTR) does.
func (r *rig) writeConfig(v byte) {
	r.command(CmdWriteConfig)
	r.write(v)
}

// readConfig sends controller command 0x20 and reads the answer.
func (r *rig) readConfig() byte {
	r.t.Helper()
	r.command(CmdReadConfig)
	if r.status()&StatusOBF == 0 {
		r.t.Fatalf("no answer to 0x20")
	}
	return r.read()
}

// untranslated turns the controller's translation off, as Linux does when it
// finds the firmware left it off, or with i8042.direct.
func (r *rig) untranslated() {
	r.writeConfig(r.readConfig() &^ ConfigXLATE)
}

// tap presses and releases k.
func (r *rig) tap(k Key) {
	r.c.KeyDown(k)
	r.c.KeyUp(k)
}

func hex(b []byte) string { return fmt.Sprintf("% X", b) }
