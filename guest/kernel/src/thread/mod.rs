//! Preemptive kernel threads: a fixed pool, round-robin, switched by the
//! timer interrupt (time slices) and by `yield_now()`. They exist to be
//! measured against the async tasks (`bench=preempt-*`, src/bench/) and
//! are tested by `test=thread` (src/ktest/); the demo scenarios never start
//! any. Part of the lab: while `run` runs, and only then, it points the
//! timer's gate at the full interrupt path and installs its scheduler in
//! the hooks of src/interrupts.rs.
//!
//! # Context: where a thread's registers live
//!
//! A switch happens only inside the common interrupt path (src/isr.rs),
//! which saves *everything* on entry: the CPU pushes SS, RSP, RFLAGS, CS
//! and RIP; the stub pushes an error code and the vector; `isr_common`
//! pushes all 15 general registers and `fxsave64`s the x87/SSE state (512
//! bytes, 16-byte aligned) below them. A preemptive switch must save the
//! FPU/SSE state because the interrupted code may be in the middle of
//! using it; the kernel itself is built without SSE (and uses no x87), but
//! the save is kept so the measured switch is what a real one costs. That
//! saved block *is* the thread's context: its control block (`Thread`)
//! only points at it.
//!
//! Every IDT gate names an IST stack (see README: the precompiled `core`
//! uses the red zone), and IRQs use IST1. Instead of copying the frame off
//! a shared IST1 stack, each thread has its own IST1 area (`IRQ_AREA_SIZE`
//! bytes at the bottom of its allocation, below its stack), and the
//! scheduler points TSS.IST1 at the area of the thread it switches to. So:
//!
//! - an interrupt of thread T pushes T's context at the top of T's area;
//!   the Rust handler then runs below it, on T's area;
//! - to switch to U, the scheduler sets TSS.IST1 to U's area and returns
//!   U's frame pointer to `isr_common`, which loads RSP from it, restores
//!   U's FXSAVE image and registers and IRETQs into U;
//! - T's area now holds exactly T's saved context and nothing runs on it
//!   until T is resumed (the IRETQ into T empties it again). No IST stack
//!   is left in use: the shared IST1 stack belongs to thread 0, the code
//!   that called `run` (the main context), and is empty whenever
//!   another thread runs.
//!
//! A thread that has never run gets a frame made up by `spawn` at the same
//! place (RIP = `thread_start`, RSP = its stack top, RFLAGS = IF, CS/SS at
//! the tasks' privilege level, a default FXSAVE image: FCW 0x037F, MXCSR
//! 0x1F80; src/thread/stack.rs).
//!
//! Voluntary switches (`yield_now`, blocking in `park`, `exit`) enter the
//! same path through `isr::soft_interrupt(op)`, a hand-made `int 0x81`
//! (at CPL0 it pushes the frame the CPU would, on the area TSS.IST1 names;
//! from CPL3 a #GP gate moves the CPU's frame there) that joins
//! `isr_common`; the scheduler does what `op` says (yield, park, exit) in
//! the same step, so deciding to block and switching away are one atomic
//! act.
//!
//! # Privilege
//!
//! With `ring=3` the threads' bodies run at CPL3 like the tasks (src/ring.rs);
//! the scheduler itself runs at CPL0 in the interrupt path, and the few
//! other places that change its state (`spawn`, `unpark`, `run`) do it in
//! `ring::atomically`. A thread interrupted while it is at CPL0 in
//! `ring::privileged` is not switched (it is on the shared exception
//! stack); the next tick switches it. A thread that finds a spin lock
//! taken (the heap's, say, held by a thread the timer preempted) yields
//! instead of spinning through its slice (`sync::set_contention_hook`).
//!
//! # Scheduling
//!
//! Slot 0 is the caller of `run`, blocked until every other thread has
//! exited. Slots 1.. are the spawned threads. The next thread is the first
//! runnable one after the current one, cyclically. On IRQ0 the running
//! thread is switched out once it has seen `slice` timer ticks (0: never;
//! the benchmarks use 1). All scheduler state is touched with interrupts
//! off only (inside the interrupt path, or in `ring::atomically`): one
//! CPU. The table and the two interrupt-side entry points are in
//! src/thread/scheduler.rs, the threads' memory in src/thread/stack.rs.

pub mod channel;
mod scheduler;
mod stack;

use crate::{gdt, idt, interrupts, isr, ring, sync};
use alloc::boxed::Box;
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use scheduler::{ACTIVE, OP_EXIT, OP_PARK, OP_YIELD, State, Thread, scheduler};
use stack::Block;

pub use scheduler::MAX_THREADS;
pub use stack::IRQ_AREA_SIZE;

static PAINT_IRQ_AREAS: AtomicBool = AtomicBool::new(false);
/// Deepest use of any painted IRQ area at the last join (bytes).
static IRQ_AREA_PEAK: AtomicUsize = AtomicUsize::new(0);

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ThreadId(usize);

/// Create a thread that runs `f` once `run` starts (or at once, if
/// threads are running). Panics beyond `MAX_THREADS` or without memory.
pub fn spawn(f: impl FnOnce() + 'static) -> ThreadId {
    // Every spawned thread starts before `run` returns, and `thread_start`
    // takes the closure back, so it cannot leak.
    let entry: Box<Box<dyn FnOnce()>> = Box::new(Box::new(f));
    let entry_ptr = Box::into_raw(entry) as u64;
    let painted = PAINT_IRQ_AREAS.load(Ordering::Relaxed);
    let (cs, ss) = ring::task_selectors();
    let block = Block::new(thread_start, entry_ptr, cs, ss, painted);
    let (frame, irq_top) = (block.first_frame(), block.irq_top());
    ring::atomically(move || {
        let s = unsafe { scheduler() };
        assert!(s.len <= MAX_THREADS, "thread: more than {MAX_THREADS} threads");
        let index = s.len;
        s.threads[index] =
            Thread { state: State::Runnable, frame, irq_top, block: Some(block), permit: false, painted };
        s.len += 1;
        s.live += 1;
        ThreadId(index)
    })
}

/// A new thread's first instruction (its frame's RIP), with RDI = its
/// boxed closure (from `spawn`).
extern "C" fn thread_start(entry: u64) -> ! {
    let f = unsafe { Box::from_raw(entry as *mut Box<dyn FnOnce()>) };
    f();
    exit()
}

/// End the calling thread (returning from its function does the same).
pub fn exit() -> ! {
    isr::soft_interrupt(OP_EXIT);
    unreachable!("an exited thread was resumed");
}

/// Give the CPU to the next runnable thread (if any): a full context
/// switch through the interrupt path. Outside `run`, nothing happens.
#[inline]
pub fn yield_now() {
    isr::soft_interrupt(OP_YIELD);
}

/// The calling thread.
pub fn current() -> ThreadId {
    ThreadId(scheduler::current())
}

/// Block until `unpark` (returns at once if an `unpark` came first).
pub fn park() {
    isr::soft_interrupt(OP_PARK);
}

/// Make `id` runnable if it is parked, else let its next `park` return.
pub fn unpark(id: ThreadId) {
    ring::atomically(|| {
        let thread = &mut unsafe { scheduler() }.threads[id.0];
        match thread.state {
            State::Blocked if id.0 != 0 => thread.state = State::Runnable,
            State::Runnable => thread.permit = true,
            _ => {}
        }
    });
}

/// Run the spawned threads until every one has exited, switching on
/// `yield_now`/`park` and every `slice_ticks` timer ticks (0: only
/// voluntarily). The caller waits as thread 0; then the stacks are
/// checked (canaries) and freed.
pub fn run(slice_ticks: u32) {
    assert!(!ACTIVE.load(Ordering::Relaxed), "thread::run called from a thread");
    let started = ring::atomically(|| {
        let s = unsafe { scheduler() };
        if s.live == 0 {
            return false;
        }
        s.threads[0] = Thread { state: State::Blocked, irq_top: gdt::irq_stack_top(), ..Thread::EMPTY };
        s.current = 0;
        s.slice_ticks = slice_ticks;
        s.ticks_in_slice = 0;
        ACTIVE.store(true, Ordering::Relaxed);
        interrupts::set_soft_interrupt_hook(Some(scheduler::on_soft_interrupt));
        interrupts::set_timer_frame_hook(Some(scheduler::on_timer_interrupt));
        idt::set_handler(interrupts::TIMER_VECTOR, scheduler::timer_entry());
        sync::set_contention_hook(Some(yield_now));
        true
    });
    if started {
        // Thread 0 is blocked: back here once the last thread exited.
        yield_now();
        ring::atomically(|| {
            sync::set_contention_hook(None);
            idt::set_handler(interrupts::TIMER_VECTOR, isr::default_handler(interrupts::TIMER_VECTOR));
            interrupts::set_timer_frame_hook(None);
            interrupts::set_soft_interrupt_hook(None);
            ACTIVE.store(false, Ordering::Relaxed);
        });
    }
    // No thread runs and no hook is installed: the table is ours.
    let s = unsafe { scheduler() };
    let mut peak = 0;
    for index in 1..s.len {
        let thread = core::mem::replace(&mut s.threads[index], Thread::EMPTY);
        if let Some(block) = &thread.block {
            block.check(index);
            if thread.painted {
                peak = peak.max(block.irq_area_used());
            }
        }
    }
    s.threads[0] = Thread::EMPTY;
    s.len = 1;
    s.live = 0;
    s.current = 0;
    IRQ_AREA_PEAK.store(peak, Ordering::Relaxed);
}

/// Paint the IRQ areas of threads spawned from now on, so that `run`
/// can report how deep the interrupt path went (`irq_area_peak`).
pub fn paint_irq_areas(on: bool) {
    PAINT_IRQ_AREAS.store(on, Ordering::Relaxed);
}

/// The deepest IRQ area use seen by the last `run` (painted areas only).
pub fn irq_area_peak() -> usize {
    IRQ_AREA_PEAK.load(Ordering::Relaxed)
}

/// Context switches (to a different thread), ever.
pub fn switches() -> u64 {
    scheduler::SWITCHES.load(Ordering::Relaxed)
}

/// Those the timer made (a time slice was over).
pub fn timer_switches() -> u64 {
    scheduler::TIMER_SWITCHES.load(Ordering::Relaxed)
}

/// TSC at the first instruction of the timer interrupt that made the last
/// timer switch.
pub fn last_timer_switch_entry_tsc() -> u64 {
    scheduler::LAST_TIMER_SWITCH_ENTRY_TSC.load(Ordering::Relaxed)
}
