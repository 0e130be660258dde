package session

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/pollscope/pollscope/devices/vga"
	"github.com/pollscope/pollscope/trace"
)

// Meta is what a session says about its run.
type Meta struct {
	// Version is the pollscope that recorded the run.
	Version string
	// Started is the wall-clock time the recording began.
	Started time.Time
	// Trace holds the trace model's options of the run, so that a model
	// rebuilt from the session is built as the live one was.
	Trace trace.Options
	// Config is the run's configuration (kernel, command line, memory,
	// backend, ...) as name-value pairs, in the order recorded.
	Config []Field
}

// Field is one name-value pair of a session's configuration.
type Field struct{ Name, Value string }

// Get returns the value of the configuration field name, or "".
func (m *Meta) Get(name string) string {
	for _, f := range m.Config {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

// Counter is one of the host's counters (emulator.HostCounters' fields by
// name), carried generically so that this package needs no emulator type.
type Counter struct {
	Name  string
	Value uint64
}

// Input is one host input the machine applied to the guest's devices.
type Input struct {
	Time int64 // machine time the vCPU thread applied it
	// Instructions is the guest's retired-instruction count when the input
	// was applied: where a deterministic replay applies it again. It is 0
	// on a backend that counts no instructions (KVM).
	Instructions uint64
	Key          uint32 // the key code (ps2.Key's value)
	Down         bool   // pressed (true) or released
	// Serial, when not empty, makes this a serial input instead of a key:
	// the bytes COM1's receiver took at this point (its FIFO's room then).
	// Key and Down are unused.
	Serial []byte
}

// maxSerialInput bounds one serial input record: a receiver takes at most
// a FIFO's worth at once, so anything longer is a corrupt record.
const maxSerialInput = 256

// SerialWrite is bytes the guest sent on COM1 at one time.
type SerialWrite struct {
	Time int64
	Data []byte
}

// ScreenAt is the VGA text screen from Time on.
type ScreenAt struct {
	Time   int64
	Screen vga.Screen
}

// End says how the recorded run ended.
type End struct {
	Time    int64  // machine time of the end
	Outcome string // "exit", "stopped", "shutdown", ... (emulator.Outcome's names)
	Status  int    // the process exit status that reports it
	Message string // the result in words
}

// Meta keys. Configuration fields are stored as "config.<name>"; a reader
// ignores keys it does not know.
const (
	metaVersion       = "pollscope.version"
	metaStarted       = "started.unix_ns"
	metaMaxEvents     = "trace.max_events"
	metaLongPoll      = "trace.long_poll_ns"
	metaSelfWakeShare = "trace.self_wake_share"
	metaMaxTasks      = "trace.max_tasks"
	metaMaxResources  = "trace.max_resources"
	metaConfigPrefix  = "config."
)

func encodeMeta(m Meta) []byte {
	kv := [][2]string{
		{metaVersion, m.Version},
		{metaStarted, strconv.FormatInt(m.Started.UnixNano(), 10)},
		{metaMaxEvents, strconv.Itoa(m.Trace.MaxEvents)},
		{metaLongPoll, strconv.FormatInt(int64(m.Trace.LongPoll), 10)},
		{metaSelfWakeShare, strconv.FormatFloat(m.Trace.SelfWakeShare, 'g', -1, 64)},
		{metaMaxTasks, strconv.Itoa(m.Trace.MaxTasks)},
		{metaMaxResources, strconv.Itoa(m.Trace.MaxResources)},
	}
	for _, f := range m.Config {
		kv = append(kv, [2]string{metaConfigPrefix + f.Name, f.Value})
	}
	var e enc
	e.uvarint(uint64(len(kv)))
	for _, p := range kv {
		e.str(p[0])
		e.str(p[1])
	}
	return e.b
}

// maxMetaValue bounds one metadata value (a command line is at most a few
// KiB).
const maxMetaValue = 1 << 16

func decodeMeta(raw []byte) (Meta, error) {
	var m Meta
	d := dec{b: raw}
	n := d.count(2)
	for range n {
		k, v := d.str(maxName), d.str(maxMetaValue)
		if d.err != nil {
			break
		}
		var err error
		switch {
		case k == metaVersion:
			m.Version = v
		case k == metaStarted:
			var ns int64
			ns, err = strconv.ParseInt(v, 10, 64)
			m.Started = time.Unix(0, ns)
		case k == metaMaxEvents:
			m.Trace.MaxEvents, err = strconv.Atoi(v)
		case k == metaLongPoll:
			var ns int64
			ns, err = strconv.ParseInt(v, 10, 64)
			m.Trace.LongPoll = time.Duration(ns)
		case k == metaSelfWakeShare:
			m.Trace.SelfWakeShare, err = strconv.ParseFloat(v, 64)
		case k == metaMaxTasks:
			m.Trace.MaxTasks, err = strconv.Atoi(v)
		case k == metaMaxResources:
			m.Trace.MaxResources, err = strconv.Atoi(v)
		case strings.HasPrefix(k, metaConfigPrefix):
			m.Config = append(m.Config, Field{Name: k[len(metaConfigPrefix):], Value: v})
		}
		if err != nil {
			return m, fmt.Errorf("metadata %s=%q: %w", k, v, err)
		}
	}
	if d.err == nil && len(d.b) > 0 {
		d.failf("%d bytes follow the metadata", len(d.b))
	}
	return m, d.err
}

func encodeSerial(e *enc, prev *int64, w SerialWrite) {
	e.varint(w.Time - *prev)
	*prev = w.Time
	e.uvarint(uint64(len(w.Data)))
	e.raw(w.Data)
}

// decodeSerial decodes a serial chunk. The writes' Data point into raw.
func decodeSerial(raw []byte, out []SerialWrite) ([]SerialWrite, error) {
	d := dec{b: raw}
	var t int64
	for d.more() {
		t = d.timeAt(t)
		n := d.small(uint64(len(d.b)), "a serial write's length")
		if n == 0 && d.err == nil {
			d.failf("a serial write of 0 bytes")
		}
		data := d.bytes(int(n))
		if d.err == nil {
			out = append(out, SerialWrite{Time: t, Data: data})
		}
	}
	return out, d.err
}

// A screen record is its time, the cursor (flags, row, column, first and
// last scan line) and the cells XORed with the chunk's previous screen
// (with an all-zero screen for the first), which leaves zeros where
// nothing changed for the compressor to squeeze.
const (
	screenCellBytes  = vga.Rows * vga.Cols * 2
	screenRecordSize = 5 + screenCellBytes
	cursorVisibleBit = 1
)

func encodeScreen(e *enc, prev *int64, last *vga.Screen, s ScreenAt) {
	e.varint(s.Time - *prev)
	*prev = s.Time
	sc := &s.Screen
	var flags byte
	if sc.CursorVisible {
		flags |= cursorVisibleBit
	}
	e.b = append(e.b, flags, byte(sc.CursorRow), byte(sc.CursorCol), sc.CursorStart, sc.CursorEnd)
	for r := range vga.Rows {
		for c := range vga.Cols {
			a, b := sc.Cells[r][c], last.Cells[r][c]
			e.b = append(e.b, a.Char^b.Char, a.Attr^b.Attr)
		}
	}
	*last = *sc
}

func decodeScreens(raw []byte, out []ScreenAt) ([]ScreenAt, error) {
	d := dec{b: raw}
	var t int64
	var last vga.Screen
	for d.more() {
		t = d.timeAt(t)
		rec := d.bytes(screenRecordSize)
		if d.err != nil {
			break
		}
		flags, row, col, start, end := rec[0], int(rec[1]), int(rec[2]), rec[3], rec[4]
		switch {
		case flags&^cursorVisibleBit != 0:
			d.failf("a screen record has unknown flags %#x", flags)
		case row >= vga.Rows || col >= vga.Cols:
			d.failf("a screen record puts the cursor at row %d, column %d, outside the %d×%d screen", row, col, vga.Cols, vga.Rows)
		case start > vga.CursorLineMask || end > vga.CursorLineMask:
			d.failf("a screen record's cursor scan lines %d-%d are out of range", start, end)
		}
		if d.err != nil {
			break
		}
		s := last
		s.CursorVisible, s.CursorRow, s.CursorCol, s.CursorStart, s.CursorEnd = flags&cursorVisibleBit != 0, row, col, start, end
		cells := rec[5:]
		for i := range vga.Rows * vga.Cols {
			c := &s.Cells[i/vga.Cols][i%vga.Cols]
			c.Char ^= cells[2*i]
			c.Attr ^= cells[2*i+1]
		}
		last = s
		out = append(out, ScreenAt{Time: t, Screen: s})
	}
	return out, d.err
}

func encodeInput(e *enc, prev *int64, in Input) {
	e.varint(in.Time - *prev)
	*prev = in.Time
	e.uvarint(in.Instructions)
	if len(in.Serial) > 0 {
		e.uvarint(0)
		e.byte1(inputSerial)
		e.str(string(in.Serial))
		return
	}
	e.uvarint(uint64(in.Key))
	down := byte(0)
	if in.Down {
		down = 1
	}
	e.byte1(down)
}

// inputSerial is the value of an input record's press/release byte that
// makes it a serial input (its bytes follow).
const inputSerial = 2

func decodeInputs(v uint16, raw []byte, out []Input) ([]Input, error) {
	d := dec{b: raw}
	var t int64
	for d.more() {
		t = d.timeAt(t)
		in := Input{Time: t, Instructions: d.uvarint(), Key: uint32(d.small(1<<32-1, "a key code"))}
		switch d.byte1() {
		case 0:
		case 1:
			in.Down = true
		case inputSerial:
			if v < 3 {
				d.failf("an input record holds serial bytes, which a file of format version %d has none of", v)
				break
			}
			if in.Key != 0 {
				d.failf("a serial input record names a key (%d)", in.Key)
				break
			}
			if in.Serial = []byte(d.str(maxSerialInput)); d.err == nil && len(in.Serial) == 0 {
				d.failf("a serial input record holds no bytes")
			}
		default:
			d.failf("an input record's kind byte is neither 0 nor 1 (a key released, pressed) nor 2 (serial bytes)")
		}
		if d.err == nil {
			out = append(out, in)
		}
	}
	return out, d.err
}

func encodeCounters(t int64, cs []Counter) []byte {
	var e enc
	e.varint(t)
	e.uvarint(uint64(len(cs)))
	for _, c := range cs {
		e.str(c.Name)
		e.uvarint(c.Value)
	}
	return e.b
}

func decodeCounters(raw []byte) (int64, []Counter, error) {
	d := dec{b: raw}
	t := d.timeAt(0)
	n := d.count(2)
	var cs []Counter
	for range n {
		c := Counter{Name: d.str(maxName), Value: d.uvarint()}
		if d.err != nil {
			break
		}
		cs = append(cs, c)
	}
	if d.err == nil && len(d.b) > 0 {
		d.failf("%d bytes follow the counters", len(d.b))
	}
	return t, cs, d.err
}

func encodeEnd(end End) []byte {
	var e enc
	e.varint(end.Time)
	e.str(end.Outcome)
	e.varint(int64(end.Status))
	e.str(end.Message)
	return e.b
}

func decodeEnd(raw []byte) (End, error) {
	d := dec{b: raw}
	end := End{Time: d.timeAt(0), Outcome: d.str(maxName)}
	st := d.varint()
	if st < -1<<31 || st >= 1<<31 {
		d.failf("exit status %d is out of range", st)
	}
	end.Status, end.Message = int(st), d.str(maxMetaValue)
	if d.err == nil && len(d.b) > 0 {
		d.failf("%d bytes follow the end record", len(d.b))
	}
	return end, d.err
}
