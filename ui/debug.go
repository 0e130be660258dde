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
// two agree. The window's Pause stays the plain pause; the CPU pane shows
// a paused guest as well.

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
		g.debugResume(m, false)
		return
	}
	g.releaseAll()
	d.Interrupt()
	if m.Paused() {
		m.Resume() // the pause becomes a stop in the debugger
	}
	g.say(false, "stopping the vCPU in the debugger")
}

// debugStep runs one instruction of a vCPU stopped in the debugger.
func (g *game) debugStep() {
	m := g.machine.Load()
	if _, ok := m.Debugger().Stopped(); !ok || g.result != nil {
		return
	}
	g.debugResume(m, true)
}

// debugResume resumes the stopped vCPU (one instruction if step) on a
// goroutine, which waits for its next stop; one at a time.
func (g *game) debugResume(m *emulator.Machine, step bool) {
	if !g.resuming.CompareAndSwap(false, true) {
		return
	}
	if !step {
		g.say(false, "VM continues: Stop (Ctrl+Alt+B) or a breakpoint stops it")
	}
	g.jobs.Add(1)
	go func() {
		defer g.jobs.Done()
		defer g.resuming.Store(false)
		defer g.cpu.refresh()
		stop, err := m.Debugger().Resume(g.debugCtx, step)
		switch {
		case err != nil:
			g.say(true, "could not resume the vCPU: %v", err)
		case !step || trace.DebugStopReasonName(uint8(stop.Reason)) != "step":
			at := ""
			if v, err := m.InspectCPU(0, 0, 0); err == nil {
				if s := m.Symbols().Describe(v.Regs.RIP); s != "" {
					at = " in " + emulator.ShortName(s)
				}
			}
			g.say(false, "vCPU stopped in the debugger %s%s", view.StopText(uint8(stop.Reason)), at)
		}
	}()
}

// debugStatus is the status bar's VM text while the vCPU stands still in
// the debugger.
func debugStatus(m *emulator.Machine) (string, bool) {
	stop, ok := m.Debugger().Stopped()
	if !ok {
		return "", false
	}
	return "stopped in the debugger (" + trace.DebugStopReasonName(uint8(stop.Reason)) + ")", true
}
