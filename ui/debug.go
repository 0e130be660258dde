package ui

import (
	"bytes"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pollscope/pollscope/emulator"
	"github.com/pollscope/pollscope/trace"
	"github.com/pollscope/pollscope/ui/view"
)

// The debugger's side of the window: reading the vCPU for the CPU pane
// while the guest stands still, and the Stop, Continue and Step buttons,
// all through the machine's Debugger (the one gdb drives too) so that the
// two agree. None of them waits for the vCPU's next stop, which a gdb
// session may be waiting for: the window sees it in Stopped. The window's
// Pause stays the plain pause; the CPU pane shows a paused guest as well.

// How much the CPU pane reads around RIP and from RSP.
const (
	cpuCodeBefore = 256
	cpuCodeAfter  = 160
	cpuStackBytes = 4096
	// cpuRefresh is how often the pane reads the vCPU again while it stands
	// still: gdb may have stepped it meanwhile.
	cpuRefresh = 300 * time.Millisecond
)

// cpuWatch keeps the CPU pane's view of the vCPU: read off the GUI's
// thread, once when the guest stops and again now and then.
type cpuWatch struct {
	mu      sync.Mutex
	cur     *view.CPUInput
	err     string
	gen     int64 // bumped when the guest runs again: older reads are stale
	readAt  time.Time
	reading atomic.Bool
	still   bool // the guest stood still at the last frame
	soon    bool // read again at the next frame (after a step)
}

// input returns what the CPU pane shows this frame (nil while the guest
// runs) and starts a read of the vCPU when one is due.
func (w *cpuWatch) input(g *game, m *emulator.Machine, still bool) *view.CPUInput {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !still {
		if w.still {
			w.gen++
			w.cur, w.err = nil, ""
		}
		w.still = false
		return nil
	}
	due := !w.still || w.soon || time.Since(w.readAt) >= cpuRefresh
	w.still = true
	if due && w.reading.CompareAndSwap(false, true) {
		w.soon, w.readAt = false, time.Now()
		gen, prev := w.gen, w.cur
		g.jobs.Add(1)
		go func() {
			defer g.jobs.Done()
			defer w.reading.Store(false)
			v, err := m.InspectCPU(cpuCodeBefore, cpuCodeAfter, cpuStackBytes)
			w.mu.Lock()
			defer w.mu.Unlock()
			if gen != w.gen {
				return
			}
			if err != nil {
				w.err = err.Error()
				return
			}
			if prev == nil || !sameView(&prev.View, &v) {
				w.cur, w.err = &view.CPUInput{View: v, Symbols: m.Symbols()}, ""
			}
		}()
	}
	return w.cur
}

// refresh has the next frame read the vCPU again.
func (w *cpuWatch) refresh() {
	w.mu.Lock()
	w.soon = true
	w.mu.Unlock()
}

// sameView reports whether two reads of the vCPU show the same state.
func sameView(a, b *emulator.CPUView) bool {
	return a.Regs == b.Regs && a.SRegs == b.SRegs && a.CodeAddr == b.CodeAddr && a.Debugger == b.Debugger &&
		a.Stop == b.Stop && bytes.Equal(a.Code, b.Code) && bytes.Equal(a.Stack, b.Stack)
}

// debugBreak stops a running vCPU in the debugger, or lets a stopped one
// continue until a breakpoint (gdb's) or the next Stop.
func (g *game) debugBreak() {
	m := g.machine.Load()
	if g.result != nil {
		return
	}
	d := m.Debugger()
	if _, ok := d.Stopped(); ok {
		if err := d.Continue(false); err != nil {
			g.say(true, "could not continue: %v", err)
			return
		}
		g.say(false, "VM continues: Stop (Ctrl+Alt+B) or a breakpoint stops it")
		return
	}
	g.releaseAll()
	d.Interrupt()
	if m.Paused() {
		m.Resume() // the pause becomes a stop in the debugger
	}
}

// debugStep runs one instruction of a vCPU stopped in the debugger.
func (g *game) debugStep() {
	m := g.machine.Load()
	d := m.Debugger()
	if _, ok := d.Stopped(); !ok || g.result != nil {
		return
	}
	g.stillUntil = time.Now().Add(stepGrace) // the pane stays while the step runs
	if err := d.Continue(true); err != nil {
		g.say(true, "could not step: %v", err)
	}
	g.cpu.refresh()
}

// stepGrace is how long the window goes on showing a stopped vCPU after it
// was let go for a moment (a step, gdb's stepi): the CPU pane does not
// flicker away between two stops.
const stepGrace = 150 * time.Millisecond

// debugStopped says whether the vCPU stands still in the debugger for the
// window, and the status bar's text: stopped, or let go for less than
// stepGrace. It says in the status bar when the vCPU has stopped.
func (g *game) debugStopped(m *emulator.Machine) (string, bool) {
	stop, ok := m.Debugger().Stopped()
	now := time.Now()
	switch {
	case ok:
		if !g.wasStopped {
			g.say(false, "vCPU stopped in the debugger %s", view.StopText(uint8(stop.Reason)))
		}
		g.wasStopped, g.lastStop = true, stop
		g.stillUntil = now.Add(stepGrace)
	case g.wasStopped && now.Before(g.stillUntil):
		stop, ok = g.lastStop, true
	default:
		g.wasStopped = false
	}
	if !ok {
		return "", false
	}
	return "stopped in the debugger (" + trace.DebugStopReasonName(uint8(stop.Reason)) + ")", true
}
