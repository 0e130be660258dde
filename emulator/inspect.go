package emulator

import (
	"encoding/binary"
	"errors"
	"runtime"
	"sync/atomic"

	"github.com/pollscope/pollscope/cpu"
	"github.com/pollscope/pollscope/gdbstub"
	"github.com/pollscope/pollscope/trace"
)

// What a front end's CPU pane reads of a guest that stands still, paused or
// stopped in the debugger, and how it stops and steps it.

// CPUView is the vCPU as it stands: its registers and the guest memory a
// CPU pane shows (the code around RIP and the top of the stack), read at
// linear addresses through the guest's page tables. A region stops short
// at memory that is not mapped.
type CPUView struct {
	Regs  cpu.Regs
	SRegs cpu.SRegs
	// Code is guest memory from CodeAddr: up to the requested bytes before
	// RIP (fewer where they are not mapped) and after it.
	CodeAddr uint64
	Code     []byte
	// Stack is guest memory from RSP up.
	Stack []byte
	// Callers holds, for each aligned stack word that points into one of
	// the kernel's code symbols, the callerBytes bytes of code before that
	// address: a return address has a call instruction ending there.
	Callers map[uint64][]byte
	// Debugger: stopped in the debugger (Stop says why), not paused.
	Debugger bool
	Stop     gdbstub.Stop
}

// errNotStopped is what InspectCPU says of a running guest.
var errNotStopped = errors.New("the guest is running: pause it or stop it in the debugger to see its CPU")

// InspectCPU reads the vCPU of a guest that is paused or stopped in the
// debugger, with before and after bytes of code around RIP and stack
// bytes from RSP. It waits for the vCPU thread only when stopped in the
// debugger (which serves the read); call it off the GUI's thread.
func (m *Machine) InspectCPU(before, after, stack int) (CPUView, error) {
	var v CPUView
	d := m.debug
	if stop, ok := d.Stopped(); ok {
		r, err := d.Regs()
		if err != nil {
			return v, err
		}
		s, err := d.SRegs()
		if err != nil {
			return v, err
		}
		v.Regs, v.SRegs, v.Debugger, v.Stop = r, s, true, stop
	} else if p := m.paused.state.Load(); p != nil && m.Paused() {
		if p.err != nil {
			return v, p.err
		}
		v.Regs, v.SRegs = p.regs, p.sregs
	} else {
		return v, errNotStopped
	}
	read := func(addr uint64, n int) []byte {
		buf := make([]byte, n)
		k, _ := (debugMemory{m, func() (cpu.SRegs, error) { return v.SRegs, nil }}).ReadMemory(gdbstub.Linear, addr, buf)
		if v.Debugger {
			d.mu.Lock()
			d.patched.Hide(addr, buf[:k]) // software breakpoints read as the code under them
			d.mu.Unlock()
		}
		return buf[:k]
	}
	rip := v.Regs.RIP
	from := rip - uint64(min(uint64(before), rip))
	code := read(from, int(rip-from)+after)
	if len(code) == 0 && from>>12 != rip>>12 {
		// The page before RIP's is not mapped: start at RIP's page.
		from = max(from, rip&^0xfff)
		code = read(from, int(rip-from)+after)
	}
	v.CodeAddr, v.Code = from, code
	v.Stack = read(v.Regs.RSP, stack)
	for off := 0; off+8 <= len(v.Stack); off += 8 {
		a := binary.LittleEndian.Uint64(v.Stack[off:])
		if _, seen := v.Callers[a]; seen || a < callerBytes || !m.symbols.Code(a) {
			continue
		}
		if v.Callers == nil {
			v.Callers = map[uint64][]byte{}
		}
		v.Callers[a] = read(a-callerBytes, callerBytes)
	}
	return v, nil
}

// callerBytes is how much code before a possible return address InspectCPU
// reads: the longest call a compiler emits (call qword ptr [rip+disp32],
// with a prefix) fits.
const callerBytes = 7

// pausedCPU keeps the vCPU's registers from the moment it parked for a
// pause, which a front end reads without waking the vCPU thread.
type pausedCPU struct {
	state atomic.Pointer[pausedRegs]
}

type pausedRegs struct {
	regs  cpu.Regs
	sregs cpu.SRegs
	err   error
}

// notePaused records the registers as the vCPU thread parks for a pause,
// an instruction interrupted by an I/O exit completed first so that they
// read consistently.
func (m *Machine) notePaused() {
	p := &pausedRegs{}
	if p.err = m.vcpu.CompleteInstruction(); p.err == nil {
		if p.regs, p.err = m.vcpu.Regs(); p.err == nil {
			p.sregs, p.err = m.vcpu.SRegs()
		}
	}
	m.paused.state.Store(p)
}

// Interrupt asks the vCPU to stop for the debugger at the next instruction
// boundary and returns at once; Stopped says when it stands still. A gdb
// session waiting for its continue to end is told (as after Ctrl-C); a
// paused guest stops for the debugger once resumed. This is the GUI's
// Stop: unlike Halt it does not wait for the stop, so it takes none away
// from a gdb session waiting for one.
func (d *Debugger) Interrupt() {
	if !d.m.life.started.Load() {
		return
	}
	d.wanted.Store(true)
	d.m.kick()
}

// Continue lets the stopped vCPU run (one instruction, if step) with the
// breakpoints set and returns once it runs, without waiting for its next
// stop: Stopped says when it stands still again (at a breakpoint, after
// the step, after an Interrupt). A gdb session waiting for a stop gets
// that one; one that is not waiting finds the vCPU stopped when it asks.
// This is the GUI's Continue and Step: Resume, which waits, would take a
// stop meant for gdb's Halt.
func (d *Debugger) Continue(step bool) error {
	m := d.m
	select {
	case <-m.life.done:
		return errors.New("the guest has ended")
	default:
	}
	var err error
	if derr := d.do(func() { err = d.program(step) }); derr != nil {
		return derr
	}
	if err != nil {
		return err
	}
	d.drainStops()
	before := d.last.Load()
	select {
	case d.requests <- debugRequest{resume: true, step: step}:
	case <-m.life.done:
		return nil
	}
	// The vCPU thread took the order; it marks itself running just after
	// (or, a step done, has parked again with a new stop).
	for d.parked.Load() && d.last.Load() == before {
		select {
		case <-m.life.done:
			return nil
		default:
			runtime.Gosched()
		}
	}
	return nil
}

// resumeArg is a HostDebugResume's argument: whether the resume is a
// single step, through which the trace's stop goes on.
func resumeArg(step bool) uint64 {
	if step {
		return trace.DebugResumeStep
	}
	return 0
}
