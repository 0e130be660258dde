package view

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/pollscope/pollscope/emulator"
	"github.com/pollscope/pollscope/trace"
)

// CPUInput is what the CPU pane shows: the vCPU where it stands, as the
// ebiten layer read it (emulator.Machine.InspectCPU) when the guest was
// paused or stopped in the debugger, and the kernel's symbols. A new
// pointer is a new stop.
type CPUInput struct {
	View    emulator.CPUView
	Symbols *emulator.Symbols
}

// Polling is what the executor was doing at the stop: the task it was
// polling (the model's open poll), or else what the CPU was in.
type Polling struct {
	Task  uint32 // 0: no poll open
	Label string // "worker #5"
	Start int64  // the poll's start
	Ran   time.Duration
	// Else says what the CPU was doing when no poll was open.
	Else string
}

// PollingAt reads from the model what the executor is doing now.
func PollingAt(m *trace.Model) Polling {
	if len(m.OpenPolls) > 0 {
		p := m.OpenPolls[0]
		label := fmt.Sprintf("task #%d", p.Task)
		if t, ok := m.Task(p.Task); ok {
			label = fmt.Sprintf("%s #%d", t.Label(), t.ID)
		}
		return Polling{Task: p.Task, Label: label, Start: p.Start, Ran: p.Duration()}
	}
	switch {
	case len(m.OpenIRQs) > 0:
		return Polling{Else: "no task: the CPU is in " + trace.VectorName(m.OpenIRQs[len(m.OpenIRQs)-1].Vector) + "'s handler"}
	case len(m.OpenIdle) > 0:
		return Polling{Else: "no task: the executor is in hlt, waiting for an interrupt"}
	case m.Executor == "":
		return Polling{Else: "no task: the executor has not started"}
	}
	return Polling{Else: "no task: the executor is between two polls"}
}

// CPUPane is the CPU pane of one frame: the registers (changed ones
// marked), the code around RIP, the stack's return addresses and the task
// being polled, linked to its timeline lane.
type CPUPane struct {
	Pane    Rect
	Title   string // why the vCPU stands still
	Mode    string // "64-bit, CPL 0"
	Regs    []RegRow
	Code    []DisasmLine
	Stack   StackTrace
	Polling Polling
	// TaskLink is where the polled task's name is drawn: a click there
	// shows it on the timeline.
	TaskLink Rect

	in, prev *CPUInput
	rows     int // the code lines the pane has room for
}

// CPU pane geometry, in characters.
const (
	regColChars = 44
	minCodeRows = 6
)

// Build lays the pane out in r for the vCPU of in and the model m. The
// registers, code and stack are worked out once per stop.
func (p *CPUPane) Build(in *CPUInput, m *trace.Model, r Rect, mt Metrics) {
	p.Pane = r
	rows := max(minCodeRows, int((r.H-HeaderH-3*mt.LineH-24)*0.6/mt.LineH))
	if in != p.in || rows != p.rows {
		if in != p.in && p.in != nil {
			p.prev = p.in
		}
		p.in, p.rows = in, rows
		p.compute()
	}
	if p.in == nil {
		return
	}
	v := &p.in.View
	p.Title = "CPU · paused"
	if v.Debugger {
		p.Title = "CPU · stopped in the debugger: " + StopText(uint8(v.Stop.Reason))
	}
	p.Mode = CPUMode(&v.SRegs)
	p.Polling = PollingAt(m)
}

// compute works out the registers, the code and the stack of the stop.
func (p *CPUPane) compute() {
	if p.in == nil {
		p.Regs, p.Code, p.Stack = nil, nil, StackTrace{}
		return
	}
	v := &p.in.View
	var prev *emulator.CPUView
	if p.prev != nil {
		prev = &p.prev.View
	}
	p.Regs = RegisterRows(v, prev)
	lines := Disassemble(v.Code, v.CodeAddr, v.Regs.RIP, CodeBits(&v.SRegs), p.in.Symbols, p.rows/2, p.rows)
	p.Code = codeWindow(lines, p.rows)
	p.Stack = WalkStack(v, p.in.Symbols, 24)
}

// codeWindow picks rows lines around the current one, a third of them
// before it.
func codeWindow(lines []DisasmLine, rows int) []DisasmLine {
	cur := 0
	for i, l := range lines {
		if l.Current {
			cur = i
		}
	}
	from := max(0, min(cur-rows/3, len(lines)-rows))
	return lines[from:min(len(lines), from+rows)]
}

// StopText says why the vCPU stopped, for the pane's title and the status
// bar: "at a breakpoint", "after a step", "by request".
func StopText(reason uint8) string {
	switch trace.DebugStopReasonName(reason) {
	case "halted":
		return "by request"
	case "step":
		return "after a step"
	case "breakpoint", "hardware breakpoint":
		return "at a breakpoint"
	case "watchpoint":
		return "at a watchpoint"
	case "trap":
		return "at a trap"
	case "fault":
		return "the guest faulted"
	case "exited":
		return "the guest ended"
	}
	return trace.DebugStopReasonName(reason)
}

// Draw adds the pane to the layer: the task line, the registers on the
// left, the code and the stack on the right.
func (p *CPUPane) Draw(l *Layer, mt Metrics) {
	p.TaskLink = Rect{}
	if p.in == nil {
		return
	}
	r := p.Pane
	x0 := r.X + 10
	y := r.Y + HeaderH + 6
	p.drawPolling(l, mt, x0, y, r.Right()-10-x0)
	y += mt.LineH + 8
	l.fill(Rect{r.X + 8, y - 4, r.W - 16, 1}, ColBorder)

	// Registers.
	ry := y + 2
	l.text(x0, ry, p.Mode, ColTextDim)
	ry += mt.LineH + 2
	regW := regColChars * mt.CharW
	for _, row := range p.Regs {
		x := x0
		for _, c := range row {
			nameW := float64(max(3, len(c.Name))+1) * mt.CharW
			col := ColText
			if c.Changed {
				l.fill(Rect{x + nameW - 2, ry - 1, mt.TextWidth(c.Value) + 4, mt.LineH}, ColChangedBg)
				col = ColChanged
			}
			l.text(x, ry, c.Name, ColTextDim)
			l.text(x+nameW, ry, c.Value, col)
			x += nameW + mt.TextWidth(c.Value) + 2*mt.CharW
			if c.Note != "" {
				l.text(x, ry, mt.Fit(c.Note, x0+regW-x), ColTextDim)
			}
		}
		ry += mt.LineH
	}

	// Code.
	cx := x0 + regW + 2*mt.CharW
	cw := r.Right() - 10 - cx
	l.fill(Rect{cx - mt.CharW, y, 1, r.Bottom() - y - 8}, ColBorder)
	cy := y + 2
	l.text(cx, cy, "code at RIP", ColTextDim)
	cy += mt.LineH + 2
	wide := false
	for _, c := range p.Code {
		wide = wide || c.Addr > math.MaxUint32
	}
	for _, c := range p.Code {
		cy = p.drawCodeLine(l, mt, c, cx, cy, cw, wide)
	}

	// Stack.
	sy := cy + 8
	if sy+2*mt.LineH > r.Bottom()-6 {
		return
	}
	how := "walked by frame pointers (the RBP chain)"
	if p.Stack.Method == StackScan {
		how = fmt.Sprintf("scanned %s up from RSP for return addresses (no frame pointers)", FormatBytes(p.Stack.Scanned))
	}
	l.text(cx, sy, mt.Fit("stack · "+how, cw), ColTextDim)
	sy += mt.LineH + 2
	for i, f := range p.Stack.Frames {
		if sy+mt.LineH > r.Bottom()-6 {
			break
		}
		where := "RIP"
		if f.Slot != 0 {
			where = fmt.Sprintf("rsp+%#x", f.Slot-p.in.View.Regs.RSP)
		}
		name := emulator.ShortName(strings.SplitN(f.Name, "+", 2)[0])
		if k := strings.LastIndexByte(f.Name, '+'); k >= 0 {
			name += f.Name[k:]
		}
		if f.Name == "" {
			name = "?"
		}
		head := fmt.Sprintf("#%-2d %s  ", i, hexAddr(f.Addr, wide))
		l.text(cx, sy, head, ColTextDim)
		tail := "  " + where
		col := ColText
		if f.Doubtful {
			name, col = name+"  (left over?)", ColTextDim
		}
		nx := cx + mt.TextWidth(head)
		l.text(nx, sy, mt.Fit(name, cw-mt.TextWidth(head)-mt.TextWidth(tail)), col)
		l.text(cx+cw-mt.TextWidth(tail), sy, tail, ColTextDim)
		sy += mt.LineH
	}
}

func (p *CPUPane) drawPolling(l *Layer, mt Metrics, x, y, w float64) {
	lead := "executor polling  "
	l.text(x, y, lead, ColTextDim)
	x += mt.TextWidth(lead)
	pl := p.Polling
	if pl.Task == 0 {
		l.text(x, y, mt.Fit(pl.Else, w-mt.TextWidth(lead)), ColText)
		return
	}
	link := "► " + pl.Label
	lw := mt.TextWidth(link)
	p.TaskLink = Rect{x - 2, y - 2, lw + 4, mt.LineH + 4}
	l.fill(p.TaskLink, ColButton)
	l.text(x, y, link, ColFocus)
	l.fill(Rect{x + 2*mt.CharW, y + mt.LineH - 1, lw - 2*mt.CharW, 1}, ColFocus)
	rest := fmt.Sprintf("   its poll has run %s (time stopped left out) · click to see it on the timeline", FormatDuration(pl.Ran))
	l.text(x+lw+4, y, mt.Fit(rest, w-mt.TextWidth(lead)-lw-4), ColTextDim)
}

// drawCodeLine draws one line of code at y and returns the next line's y.
func (p *CPUPane) drawCodeLine(l *Layer, mt Metrics, c DisasmLine, x, y, w float64, wide bool) float64 {
	if c.Label != "" {
		l.text(x, y, mt.Fit(c.Label+":", w), ColFocus)
		return y + mt.LineH
	}
	if c.Current {
		l.fill(Rect{x - 4, y - 1, w + 8, mt.LineH}, ColRowSelected)
		l.text(x, y, "►", ColChanged)
	}
	addr := hexAddr(c.Addr, wide)
	l.text(x+2*mt.CharW, y, addr, ColTextDim)
	bx := x + 2*mt.CharW + mt.TextWidth(addr) + 2*mt.CharW
	if c.Problem != "" {
		l.text(bx, y, mt.Fit(c.Bytes+"  ("+c.Problem+")", x+w-bx), ColTextBad)
		return y + mt.LineH
	}
	l.text(bx, y, c.Bytes, ColTextDim)
	tx := bx + float64(2*maxShownBytes+2)*mt.CharW
	col := ColText
	if c.Current {
		col = ColChanged
	}
	l.text(tx, y, mt.Fit(c.Text, x+w-tx), col)
	return y + mt.LineH
}

// hexAddr writes a code address in 8 hex digits, or 16 when wide.
func hexAddr(a uint64, wide bool) string {
	if wide {
		return fmt.Sprintf("%016x", a)
	}
	return fmt.Sprintf("%08x", a)
}

// FormatBytes writes a size: "512 B", "4.0 KiB".
func FormatBytes(n int) string {
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	return fmt.Sprintf("%.1f KiB", float64(n)/1024)
}
