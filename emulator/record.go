package emulator

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pollscope/pollscope/devices/vga"
	"github.com/pollscope/pollscope/session"
	"github.com/pollscope/pollscope/trace"
)

// How often the sessionRecorder samples the screen, and how many samples go by
// between two flushes of the session file: a run killed by SIGKILL loses
// at most the last flushInterval.
const (
	screenInterval = 50 * time.Millisecond
	flushEvery     = 5 // screen samples: 250 ms
)

// sessionRecorder writes the machine's session while it runs. It is fed at the
// sources, so nothing is lost: every batch the tracer hands the trace
// model, every serial write, every host input as the vCPU thread applies
// it; a goroutine samples the screen and the host counters and flushes the
// file.
type sessionRecorder struct {
	w    *session.Writer
	path string      // the file Config.Record names ("" for Record(w))
	file *os.File    // that file, closed by finish
	src  io.ReaderAt // what w writes to, read back by SaveSession (nil: not readable)

	stop chan struct{}
	done chan struct{}
	once sync.Once
	// The screen last recorded (the sampler's, then finish's).
	screen     vga.Screen
	haveScreen bool
	err        atomic.Pointer[error] // the first error of the recording
}

// ErrNotRecording: SaveSession on a machine that records no session.
var ErrNotRecording = errors.New("this machine records no session: set Config.Record or call Machine.Record before Start")

// Record writes the session of this run to w as it goes: the trace events
// as drained, the serial output, the screen when it changes (at most every
// 50 ms), the host inputs, the host counters, and at Close how the run
// ended. w is flushed every 250 ms, so a process killed mid-run leaves a
// session that opens up to then. Call it before Start. Config.Record does
// the same for a file it creates. If w is also an io.ReaderAt (an *os.File
// opened for reading and writing) SaveSession can copy it while it grows.
func (m *Machine) Record(w io.Writer) error {
	src, _ := w.(io.ReaderAt)
	return m.record(w, src, "", nil)
}

func (m *Machine) record(w io.Writer, src io.ReaderAt, path string, file *os.File) error {
	m.life.mu.Lock()
	defer m.life.mu.Unlock()
	switch {
	case m.life.closed:
		return errors.New("recording a session: the machine is closed")
	case m.life.started.Load():
		return errors.New("recording a session: the machine has started; call Record before Start")
	case m.rec.Load() != nil:
		return errors.New("recording a session: the machine records one already")
	}
	meta := m.sessionMeta
	meta.Started = time.Now()
	sw, err := session.NewWriter(w, meta)
	if err != nil {
		return fmt.Errorf("recording a session: %w", err)
	}
	r := &sessionRecorder{w: sw, path: path, file: file, src: src, stop: make(chan struct{}), done: make(chan struct{})}
	m.rec.Store(r)
	m.tracer.setRecord(func(evs []trace.Event, flush int64, dropped, malformed uint64) {
		sw.Batch(session.Batch{Flush: flush, Dropped: dropped, Malformed: malformed, Events: evs})
	})
	m.serial.setRecord(func(p []byte) { sw.Serial(int64(m.clock.Now()), p) })
	go m.sample(r)
	return nil
}

// recordTo creates the file Config.Record names and records to it.
func (m *Machine) recordTo(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o666) // as os.Create
	if err != nil {
		return fmt.Errorf("recording a session: %w", err)
	}
	if err := m.record(f, f, path, f); err != nil {
		f.Close()
		return err
	}
	return nil
}

// sample records the screen when it changed and, every flushEvery
// samples, the host counters, then flushes the session.
func (m *Machine) sample(r *sessionRecorder) {
	defer close(r.done)
	tick := time.NewTicker(screenInterval)
	defer tick.Stop()
	for n := 1; ; n++ {
		select {
		case <-r.stop:
			return
		case <-r.w.Full():
			r.flush()
			continue
		case <-tick.C:
		}
		m.sampleScreen(r)
		if n%flushEvery == 0 {
			r.w.Counters(int64(m.clock.Now()), m.HostCounters().list())
			r.flush()
		}
	}
}

// sampleScreen records the screen if it changed since last recorded.
func (m *Machine) sampleScreen(r *sessionRecorder) {
	s := m.Screen()
	if r.haveScreen && s == r.screen {
		return
	}
	r.screen, r.haveScreen = s, true
	r.w.Screen(session.ScreenAt{Time: int64(m.clock.Now()), Screen: s})
}

func (r *sessionRecorder) flush() {
	if err := r.w.Flush(); err != nil {
		r.fail(err)
	}
}

func (r *sessionRecorder) fail(err error) { r.err.CompareAndSwap(nil, &err) }

// recordInput records a host input as the vCPU thread applies it.
func (m *Machine) recordInput(in hostInput) {
	if r := m.rec.Load(); r != nil {
		r.w.Input(session.Input{Time: int64(m.clock.Now()), Instructions: m.instructionCount(),
			Key: uint32(in.key), Down: in.down})
	}
}

// recordSerialInput records bytes COM1's receiver took.
func (m *Machine) recordSerialInput(taken []byte) {
	if r := m.rec.Load(); r != nil {
		r.w.Input(session.Input{Time: int64(m.clock.Now()), Instructions: m.instructionCount(),
			Serial: slices.Clone(taken)})
	}
}

// instructionCounter is what a backend that counts retired guest
// instructions (a deterministic software CPU) offers; a deterministic
// replay applies each input at the count recorded with it.
type instructionCounter interface {
	InstructionCount() uint64
}

// instructionCount is the guest's retired-instruction count, or 0 on a
// backend that does not count them (KVM). vCPU thread only.
func (m *Machine) instructionCount() uint64 {
	if c, ok := m.vcpu.(instructionCounter); ok {
		return c.InstructionCount()
	}
	return 0
}

// finishRecording ends the session with the last screen, the counters and
// how the run ended. Close calls it after the last trace drain and before
// guest RAM goes.
func (m *Machine) finishRecording(res Result) {
	r := m.rec.Load()
	if r == nil {
		return
	}
	r.once.Do(func() {
		close(r.stop)
		<-r.done
		m.sampleScreen(r)
		now := int64(m.clock.Now())
		r.w.Counters(now, m.HostCounters().list())
		if err := r.w.Close(session.End{Time: now, Outcome: res.Outcome.String(), Status: res.Status(), Message: res.String()}); err != nil {
			r.fail(err)
		}
		if r.file != nil {
			if err := r.file.Close(); err != nil {
				r.fail(fmt.Errorf("closing the session file: %w", err))
			}
		}
	})
}

// RecordError is the first error writing the session (a full disk, a
// closed writer), or nil. After one, the machine records nothing more and
// runs on.
func (m *Machine) RecordError() error {
	if r := m.rec.Load(); r != nil {
		if err := r.err.Load(); err != nil {
			return *err
		}
		return r.w.Err()
	}
	return nil
}

// SaveSession writes the session recorded so far to w as a finished
// session file, while recording goes on (the GUI's save). The machine must
// record (Config.Record, or Record with a writer it can read back).
func (m *Machine) SaveSession(w io.Writer) error {
	r := m.rec.Load()
	if r == nil {
		return ErrNotRecording
	}
	src := r.src
	if r.path != "" {
		f, err := os.Open(r.path)
		if err != nil {
			return fmt.Errorf("reading the session back: %w", err)
		}
		defer f.Close()
		src = f
	}
	if src == nil {
		return fmt.Errorf("%w: give Record an *os.File or use Config.Record", session.ErrNotReadable)
	}
	now := int64(m.clock.Now())
	res := Result{Outcome: OutcomeRunning}
	select {
	case <-m.life.done:
		if m.life.started.Load() {
			res = m.life.result
		}
	default:
	}
	end := session.End{Time: now, Outcome: res.Outcome.String(), Status: res.Status(), Message: res.String()}
	if res.Outcome == OutcomeRunning {
		end.Message = "saved while the guest ran"
	}
	return r.w.CopyTo(w, src, end)
}

// sessionMetaFor is what a session records about this run's
// configuration.
func sessionMetaFor(cfg *Config, backend, kernelName string, kernel []byte, tscHz uint64) session.Meta {
	sum := sha256.Sum256(kernel)
	meta := session.Meta{Version: Version(), Trace: cfg.Trace, Config: []session.Field{
		{Name: "kernel", Value: kernelName},
		{Name: "kernel.sha256", Value: hex.EncodeToString(sum[:])},
		{Name: "kernel.bytes", Value: strconv.Itoa(len(kernel))},
		{Name: "cmdline", Value: cfg.Cmdline},
		{Name: "memory_mib", Value: strconv.Itoa(cfg.memoryMiB())},
		{Name: "backend", Value: backend},
		{Name: "tsc_hz", Value: strconv.FormatUint(tscHz, 10)},
		{Name: "icount", Value: strconv.FormatBool(cfg.ICount)},
		{Name: "wall_time", Value: cfg.WallTime.UTC().Format(time.RFC3339Nano)},
	}}
	if cfg.InitrdPath != "" || cfg.Initrd != nil {
		meta.Config = append(meta.Config, session.Field{Name: "initrd", Value: cfg.InitrdPath})
	}
	return meta
}

// list is the counters as name-value pairs, for a session: every field of
// HostCounters by its name, so a field added later is recorded too.
func (c HostCounters) list() []session.Counter {
	v := reflect.ValueOf(c)
	out := make([]session.Counter, v.NumField())
	for i := range out {
		out[i] = session.Counter{Name: v.Type().Field(i).Name, Value: v.Field(i).Uint()}
	}
	return out
}

// hostCountersFrom is list's inverse; names it does not know are skipped.
func hostCountersFrom(cs []session.Counter) HostCounters {
	var c HostCounters
	v := reflect.ValueOf(&c).Elem()
	for _, kv := range cs {
		if f := v.FieldByName(kv.Name); f.IsValid() && f.Kind() == reflect.Uint64 {
			f.SetUint(kv.Value)
		}
	}
	return c
}
