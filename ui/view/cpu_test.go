package view

import (
	"encoding/binary"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pollscope/pollscope/emulator"
	"github.com/pollscope/pollscope/trace"
)

// A tiny 64-bit "kernel": f at 0x1000 calls g at 0x1020.
//
//	1000 55             push rbp
//	1001 48 89 e5       mov rbp, rsp
//	1004 e8 17 00 00 00 call 0x1020
//	1009 90             nop
//	100a 5d             pop rbp
//	100b c3             ret
//	100c 0f 0b ...      ud2, then filler
//	1020 31 c0          xor eax, eax   (g)
//	1022 c3             ret
var tinyCode = func() []byte {
	b := make([]byte, 0x40)
	copy(b, []byte{0x55, 0x48, 0x89, 0xe5, 0xe8, 0x17, 0, 0, 0, 0x90, 0x5d, 0xc3, 0x0f, 0x0b})
	for i := 14; i < 0x20; i++ {
		b[i] = 0x90
	}
	copy(b[0x20:], []byte{0x31, 0xc0, 0xc3})
	for i := 0x23; i < 0x40; i++ {
		b[i] = 0xcc
	}
	return b
}()

var tinySymbols = emulator.NewSymbols([]emulator.Symbol{
	{Name: "kernel::f", Addr: 0x1000, Size: 0x20, Code: true},
	{Name: "kernel::g", Addr: 0x1020, Size: 0x20, Code: true},
	{Name: "kernel::DATA", Addr: 0x8000, Size: 0x100},
})

// longMode are system registers of a 64-bit kernel at CPL 0.
func longMode() emulator.SRegs {
	var s emulator.SRegs
	s.CR0, s.CR4, s.EFER = 0x80000011, 0x20, 0x500
	s.CS = emulator.Segment{Selector: 8, L: true, Present: true}
	s.SS = emulator.Segment{Selector: 0x10, Present: true}
	return s
}

func tinyView(rip uint64) emulator.CPUView {
	v := emulator.CPUView{CodeAddr: 0x1000, Code: tinyCode, Debugger: true}
	v.Stop.Reason = 3 // a breakpoint
	v.Regs.RIP, v.Regs.RFLAGS, v.Regs.RSP = rip, 0x246, 0x7000
	v.SRegs = longMode()
	return v
}

func TestDecodeRegisters(t *testing.T) {
	if got := DecodeRFLAGS(0x246); got != "PF ZF IF IOPL=0" {
		t.Errorf("DecodeRFLAGS(0x246) = %q", got)
	}
	if got := DecodeRFLAGS(0x3002); got != "IOPL=3" {
		t.Errorf("DecodeRFLAGS(0x3002) = %q", got)
	}
	s := longMode()
	for _, c := range []struct {
		s    emulator.SRegs
		want string
		bits int
	}{
		{s, "64-bit, CPL 0", 64},
		{emulator.SRegs{CR0: 1, CS: emulator.Segment{DB: true}, SS: emulator.Segment{DPL: 3}}, "32-bit protected mode, CPL 3", 32},
		{emulator.SRegs{}, "real mode", 16},
	} {
		if got := CPUMode(&c.s); got != c.want || CodeBits(&c.s) != c.bits {
			t.Errorf("CPUMode = %q, CodeBits %d; want %q, %d", got, CodeBits(&c.s), c.want, c.bits)
		}
	}
}

// Registers that differ from the last stop's are marked, the others not;
// with no last stop nothing is.
func TestRegisterRowsMarkChanges(t *testing.T) {
	prev := tinyView(0x1000)
	cur := tinyView(0x1001)
	cur.Regs.RSP -= 8
	cur.SRegs.CR3 = 0x2000
	find := func(rows []RegRow, name string) RegCell {
		for _, r := range rows {
			for _, c := range r {
				if c.Name == name {
					return c
				}
			}
		}
		t.Fatalf("no register %s", name)
		return RegCell{}
	}
	rows := RegisterRows(&cur, &prev)
	for name, changed := range map[string]bool{"RIP": true, "RSP": true, "CR3": true, "RAX": false, "RFLAGS": false, "CS": false, "EFER": false} {
		if c := find(rows, name); c.Changed != changed {
			t.Errorf("%s (%s) changed = %v, want %v", name, c.Value, c.Changed, changed)
		}
	}
	if c := find(rows, "RIP"); c.Value != "0000000000001001" {
		t.Errorf("RIP shows %q", c.Value)
	}
	if c := find(rows, "CR0"); c.Value != "80000011" || c.Note != "PE ET PG" {
		t.Errorf("CR0 shows %q %q", c.Value, c.Note)
	}
	if c := find(rows, "EFER"); c.Note != "LME LMA" {
		t.Errorf("EFER notes %q", c.Note)
	}
	if c := find(rows, "CS"); c.Value != "0008" {
		t.Errorf("CS shows %q", c.Value)
	}
	for _, r := range RegisterRows(&cur, nil) {
		for _, c := range r {
			if c.Changed {
				t.Errorf("%s marked changed with no last stop", c.Name)
			}
		}
	}
}

func TestDisassemble(t *testing.T) {
	t.Run("from the function's start, labels and the call named", func(t *testing.T) {
		lines := Disassemble(tinyCode, 0x1000, 0x1004, 64, tinySymbols, 5, 4)
		var got []string
		for _, l := range lines {
			s := l.Label
			if s == "" {
				s = l.Text
			}
			if l.Current {
				s = "> " + s
			}
			got = append(got, s)
		}
		want := []string{"kernel::f", "push rbp", "mov rbp, rsp", "> call kernel::g", "nop", "pop rbp", "ret"}
		if !slices.Equal(got, want) {
			t.Errorf("lines %q, want %q", got, want)
		}
		if lines[3].Addr != 0x1004 || lines[3].Bytes != "e817000000" {
			t.Errorf("the call's line: %+v", lines[3])
		}
	})
	t.Run("into the next function", func(t *testing.T) {
		lines := Disassemble(tinyCode, 0x1000, 0x1020, 64, tinySymbols, 1, 3)
		if len(lines) != 4 || lines[0].Label != "kernel::g" || !lines[1].Current || lines[1].Text != "xor eax, eax" || lines[3].Text != "int3" {
			t.Errorf("lines %+v", lines)
		}
	})
	t.Run("without the function's start: decoding from where it meets RIP", func(t *testing.T) {
		// The bytes start inside the mov (at 0x1002): 89 e5 is a mov too,
		// and meets RIP.
		lines := Disassemble(tinyCode[2:], 0x1002, 0x1004, 64, tinySymbols, 3, 1)
		if len(lines) != 3 || lines[0].Label != "kernel::f+0x2" || lines[1].Addr != 0x1002 || !lines[2].Current {
			t.Errorf("lines %+v", lines)
		}
	})
	t.Run("bytes that do not decode end it", func(t *testing.T) {
		lines := Disassemble([]byte{0x90, 0x0f, 0xff}, 0x5000, 0x5000, 64, nil, 2, 4)
		last := lines[len(lines)-1]
		if len(lines) != 2 || last.Problem != "does not decode" || last.Addr != 0x5001 {
			t.Errorf("lines %+v", lines)
		}
	})
	t.Run("the end of readable memory ends it", func(t *testing.T) {
		lines := Disassemble([]byte{0x90}, 0x5000, 0x5000, 64, nil, 2, 4)
		if len(lines) != 2 || lines[1].Problem != "memory not readable" {
			t.Errorf("lines %+v", lines)
		}
	})
	t.Run("RIP outside the bytes", func(t *testing.T) {
		lines := Disassemble(nil, 0x5000, 0x9000, 64, nil, 2, 4)
		if len(lines) != 1 || !lines[0].Current || lines[0].Problem == "" {
			t.Errorf("lines %+v", lines)
		}
	})
}

// putWords writes 64-bit words into a stack image from its base.
func putWords(stack []byte, at int, words ...uint64) {
	for i, w := range words {
		binary.LittleEndian.PutUint64(stack[at+8*i:], w)
	}
}

func TestWalkStack(t *testing.T) {
	t.Run("the RBP chain", func(t *testing.T) {
		v := tinyView(0x1020)
		v.Stack = make([]byte, 0x100)
		v.Regs.RBP = 0x7010
		putWords(v.Stack, 0x10, 0x7040, 0x1009) // frame: saved RBP, return into f
		putWords(v.Stack, 0x40, 0, 0x1025)      // the outermost frame
		st := WalkStack(&v, tinySymbols, 10)
		if st.Method != StackFramePointers || len(st.Frames) != 3 {
			t.Fatalf("%+v", st)
		}
		if f := st.Frames[1]; f.Addr != 0x1009 || f.Slot != 0x7018 || f.Name != "kernel::f+0x9" {
			t.Errorf("frame 1 %+v", f)
		}
		if f := st.Frames[0]; f.Addr != 0x1020 || f.Slot != 0 || f.Name != "kernel::g" {
			t.Errorf("frame 0 %+v", f)
		}
	})
	t.Run("no frame pointers: a scan for return addresses", func(t *testing.T) {
		v := tinyView(0x1020)
		v.Stack = make([]byte, 0x40)
		v.Regs.RBP = 0x1234 // an ordinary register
		putWords(v.Stack, 0, 0x1009, 0x8010, 0x1020, 0x1009, 42, 0x1025)
		st := WalkStack(&v, tinySymbols, 10)
		var addrs []uint64
		for _, f := range st.Frames[1:] {
			addrs = append(addrs, f.Addr)
		}
		// Data (0x8010), a function's first byte (0x1020), a repeat of
		// the last address and a number are no return addresses.
		if st.Method != StackScan || !slices.Equal(addrs, []uint64{0x1009, 0x1025}) || st.Scanned != 0x40 {
			t.Errorf("%s, %#x, scanned %d", st.Method, addrs, st.Scanned)
		}
		if f := st.Frames[2]; f.Slot != 0x7000+0x28 {
			t.Errorf("frame 2 found at %#x", f.Slot)
		}
	})
	t.Run("with the code before them, only words just after a call", func(t *testing.T) {
		v := tinyView(0x1020)
		v.Stack = make([]byte, 0x10)
		putWords(v.Stack, 0, 0x1009, 0x1025)
		v.Callers = map[uint64][]byte{0x1009: tinyCode[0x2:0x9], 0x1025: tinyCode[0x1e:0x25]}
		st := WalkStack(&v, tinySymbols, 10)
		if len(st.Frames) != 2 || st.Frames[1].Addr != 0x1009 {
			t.Errorf("frames %+v, want RIP and the return after f's call", st.Frames)
		}
	})
	t.Run("a direct call to another function than the frame above's is doubtful", func(t *testing.T) {
		// Stopped in g: 0x1009 returns from f's call to g, sure; 0x100d
		// comes after a call to h itself, not to f, the frame above: a
		// return address left over from an earlier call, most likely.
		v := tinyView(0x1020)
		v.Stack = make([]byte, 0x10)
		putWords(v.Stack, 0, 0x1009, 0x100d)
		callH := []byte{0x90, 0x90, 0xe8, 0, 0, 0, 0} // ends at 0x100d, calls 0x100d
		v.Callers = map[uint64][]byte{0x1009: tinyCode[0x2:0x9], 0x100d: callH}
		syms := emulator.NewSymbols([]emulator.Symbol{
			{Name: "f", Addr: 0x1000, Size: 0x0c, Code: true}, {Name: "h", Addr: 0x100c, Size: 0x14, Code: true},
			{Name: "g", Addr: 0x1020, Size: 0x20, Code: true},
		})
		st := WalkStack(&v, syms, 10)
		if len(st.Frames) != 3 || st.Frames[1].Doubtful || !st.Frames[2].Doubtful {
			t.Errorf("frames %+v: want the return into f sure and the one into h doubtful", st.Frames)
		}
	})
	t.Run("a broken RBP chain falls back to the scan", func(t *testing.T) {
		v := tinyView(0x1020)
		v.Stack = make([]byte, 0x40)
		v.Regs.RBP = 0x7008
		putWords(v.Stack, 0x8, 0x7000, 0x1009) // the next frame is below this one
		st := WalkStack(&v, tinySymbols, 10)
		if st.Method != StackScan {
			t.Errorf("%+v", st)
		}
	})
}

func TestPollingAt(t *testing.T) {
	s := &stream{}
	s.executor().spawn(1, "worker").after(time.Microsecond).begin(1).after(5 * time.Microsecond).hostExit("port-io")
	if p := PollingAt(collect(s.evs)); p.Task != 1 || p.Label != "worker #1" || p.Ran != 5*time.Microsecond {
		t.Errorf("in a poll: %+v", p)
	}
	s.end(1, false).after(time.Microsecond).idleEnter()
	if p := PollingAt(collect(s.evs)); p.Task != 0 || !strings.Contains(p.Else, "hlt") {
		t.Errorf("in hlt: %+v", p)
	}
	s.after(time.Microsecond).idleExit().irqEnter(timerVec)
	if p := PollingAt(collect(s.evs)); !strings.Contains(p.Else, "IRQ0 timer") {
		t.Errorf("in an interrupt: %+v", p)
	}
	s.irqExit(timerVec)
	if p := PollingAt(collect(s.evs)); !strings.Contains(p.Else, "between two polls") {
		t.Errorf("between polls: %+v", p)
	}
	if p := PollingAt(collect(nil)); !strings.Contains(p.Else, "not started") {
		t.Errorf("before the executor: %+v", p)
	}
}

func (s *stream) debugStop(reason uint8) *stream {
	return s.add(trace.HostDebugStop, 0, uint64(reason), "")
}
func (s *stream) debugResume() *stream { return s.add(trace.HostDebugResume, 0, 0, "") }

// stoppedInPoll is the demo's activity, then the worker polled with the
// vCPU stopped at a breakpoint in the middle of the poll.
func stoppedInPoll() *stream {
	s := demoStream(20)
	s.after(time.Microsecond).begin(2).after(3 * time.Microsecond).debugStop(3)
	return s.after(2 * time.Second).hostKey("A")
}

// cpuFrame runs a frame of an app stopped in the debugger with the CPU of
// tinyView and the model of s.
func cpuFrame(t *testing.T, a *App, s *stream, cpu *CPUInput) (FrameInput, string) {
	t.Helper()
	in := FrameInput{W: 1600, H: 1000, Model: collect(s.evs), Status: Status{Backend: "KVM", VM: "stopped in the debugger (breakpoint)", Stopped: true}, CPU: cpu}
	return in, frameTexts(a, in)
}

// Stopped in the debugger, the CPU pane takes the task table's place: the
// registers, the code with its symbols, the stack, and the task being
// polled, whose link selects it and brings its lane into view.
func TestCPUPaneInApp(t *testing.T) {
	a := NewApp()
	v := tinyView(0x1004)
	v.Stack = make([]byte, 0x40)
	putWords(v.Stack, 0, 0x1009)
	cpu := &CPUInput{View: v, Symbols: tinySymbols}
	s := stoppedInPoll()
	in, texts := cpuFrame(t, a, s, cpu)
	if !a.CPUShown() {
		t.Fatal("the CPU pane is not shown while stopped")
	}
	for _, want := range []string{"CPU · stopped in the debugger: at a breakpoint", "64-bit, CPL 0", "RAX", "RFLAGS", "PF ZF IF IOPL=0",
		"kernel::f:", "call kernel::g", "push rbp", "► worker #2", "executor polling", "tasks →", "Continue", "Step",
		"scanned 64 B up from RSP for return addresses (no frame pointers)", "kernel::f+0x9", "rsp+0x0", "STOPPED IN THE DEBUGGER"} {
		if !strings.Contains(texts, want) {
			t.Errorf("the frame does not show %q:\n%s", want, texts)
		}
	}
	if strings.Contains(texts, "Tasks (3)") {
		t.Errorf("the task table is shown under the CPU pane")
	}
	for _, b := range a.Buttons {
		switch b.Act {
		case ActPauseVM, ActDebugStep, ActDebugBreak:
			if b.Disabled != (b.Act == ActPauseVM) {
				t.Errorf("button %q disabled %v while stopped", b.Label, b.Disabled)
			}
		}
	}

	// The task link: selects the worker and shows its lane at the stop.
	link := a.CPU.TaskLink
	if link.W == 0 {
		t.Fatal("no task link")
	}
	a.PointerDown(link.X+2, link.Y+2)
	a.PointerUp(link.X+2, link.Y+2)
	if a.Selected != 2 || a.Follow || a.View.End < in.Model.End || a.View.Start > in.Model.End {
		t.Errorf("after the link: selected %d, follow %v, view %+v (stop at %d)", a.Selected, a.Follow, a.View, in.Model.End)
	}
	a.Frame(in, &Scene{})
	if i := TaskLane(a.Timeline.Lanes, 2); i < 0 || a.Timeline.Lanes[i].Y < a.Timeline.Plot.Y || a.Timeline.Lanes[i].Y > a.Timeline.Plot.Bottom() {
		t.Errorf("the worker's lane is not in view")
	}

	// Keys and the header link switch to the task table and back.
	if acts, ok := a.Shortcut(key("C")); !ok || acts != nil || a.CPUShown() {
		t.Errorf("Ctrl+Alt+C: %v %v, CPU shown %v", acts, ok, a.CPUShown())
	}
	_, texts = cpuFrame(t, a, s, cpu)
	if !strings.Contains(texts, "Tasks (3)") || !strings.Contains(texts, "CPU →") {
		t.Errorf("the task table is not back with a link to the CPU: %s", texts)
	}
	sw := a.paneSwitch
	a.PointerDown(sw.X+2, sw.Y+2)
	a.PointerUp(sw.X+2, sw.Y+2)
	if !a.CPUShown() {
		t.Errorf("clicking %q did not bring the CPU pane back", "CPU →")
	}

	// Running again: no CPU pane, and Step does nothing.
	a.Frame(FrameInput{W: 1600, H: 1000, Model: in.Model, Status: Status{VM: "running"}}, &Scene{})
	if a.CPUShown() || a.Do(ActDebugStep) != nil {
		t.Errorf("running: CPU shown %v", a.CPUShown())
	}
	a.Focus = FocusUI
	if acts := a.Key(keyF5, false); !slices.Equal(acts, []Action{ActDebugBreak}) {
		t.Errorf("F5 while running: %v", acts)
	}
}

// A new stop marks what changed since the one before.
func TestCPUPaneMarksChangesAcrossStops(t *testing.T) {
	a := NewApp()
	s := stoppedInPoll()
	first := tinyView(0x1000)
	cpuFrame(t, a, s, &CPUInput{View: first, Symbols: tinySymbols})
	second := tinyView(0x1001)
	cpuFrame(t, a, s, &CPUInput{View: second, Symbols: tinySymbols})
	var changed []string
	for _, r := range a.CPU.Regs {
		for _, c := range r {
			if c.Changed {
				changed = append(changed, c.Name)
			}
		}
	}
	if !slices.Equal(changed, []string{"RIP"}) {
		t.Errorf("changed since the last stop: %v, want RIP", changed)
	}
	// The same stop again (a redraw) keeps the marks.
	cur := a.CPU.in
	cpuFrame(t, a, s, cur)
	if a.CPU.prev == nil || a.CPU.prev.View.Regs.RIP != 0x1000 {
		t.Errorf("a redraw of the same stop lost the last one")
	}
}

// The time stopped in the debugger has a lane of its own, veils the
// others, and the poll it interrupts leaves it out.
func TestTimelineShowsDebugStops(t *testing.T) {
	s := stoppedInPoll()
	s.debugResume().after(4*time.Microsecond).end(2, false)
	m := collect(s.evs)
	stop := m.DebugStops[0]
	tl := build(t, m, Viewport{stop.Start - int64(time.Second), stop.End + int64(time.Second)}, 800)
	lane := -1
	for i, l := range tl.Lanes {
		if l.Kind == LaneStopped {
			lane = i
		}
	}
	if lane < 0 || tl.Lanes[lane].Label != "stopped in debugger" {
		t.Fatalf("no debugger lane among %+v", tl.Lanes)
	}
	var its []int
	for k, it := range tl.Items {
		if it.Lane == lane {
			its = append(its, k)
		}
	}
	if len(its) != 1 || tl.ItemColor(&tl.Items[its[0]], ColLaneEven) != ColStopped {
		t.Fatalf("debugger lane items %v", its)
	}
	tip := strings.Join(tl.Tooltip(m, its[0]), "|")
	if !strings.Contains(tip, "stopped in the debugger — at a breakpoint") || !strings.Contains(tip, "duration  2.00 s") {
		t.Errorf("tooltip %q", tip)
	}
	var l Layer
	tl.Draw(&l, DefaultMetrics, 0, -1)
	veiled := false
	for _, f := range l.Fills {
		veiled = veiled || (f.Color == ColStoppedShade && f.H == tl.Plot.H)
	}
	if !veiled {
		t.Errorf("no veil over the lanes for the stop")
	}
	// The worker's poll spans the stop: its tooltip says 7 µs, stopped 2 s.
	worker := TaskLane(tl.Lanes, 2)
	for k, it := range tl.Items {
		if it.Lane == worker && !it.Sched && it.Start < stop.Start && it.End > stop.End {
			tip := strings.Join(tl.Tooltip(m, k), "|")
			if !strings.Contains(tip, "duration  7.00 µs") || !strings.Contains(tip, "stopped   2.00 s in the debugger (left out)") {
				t.Errorf("the held poll's tooltip %q", tip)
			}
			return
		}
	}
	t.Errorf("no item for the worker's held poll")
}

func TestRedrawOnNewCPURead(t *testing.T) {
	var r Redraw
	in := FrameInput{W: 100, H: 100, CPU: &CPUInput{}}
	r.Needed(in, false)
	if r.Needed(in, false) {
		t.Errorf("the same read redrawn")
	}
	in.CPU = &CPUInput{}
	if !r.Needed(in, false) {
		t.Errorf("a new read of the vCPU not redrawn")
	}
}
