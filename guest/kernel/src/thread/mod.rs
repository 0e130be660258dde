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
//!   that called `run` (the boot stack's context), and is empty whenever
//!   another thread runs.
//!
//! A thread that has never run gets a frame made up by `spawn` at the same
//! place (RIP = `thread_start`, RSP = its stack top, RFLAGS = IF, a default
//! FXSAVE image: FCW 0x037F, MXCSR 0x1F80).
//!
//! Voluntary switches (`yield_now`, blocking in `park`, `exit`) enter the
//! same path through `isr_soft_interrupt` (src/isr.rs), a hand-made
//! `int 0x81`: it pushes the frame the CPU would, on the area TSS.IST1
//! names, and jumps into `isr_common`.
//!
//! # Scheduling
//!
//! Slot 0 is the caller of `run`, blocked until every other thread has
//! exited. Slots 1.. are the spawned threads. The next thread is the first
//! runnable one after the current one, cyclically. On IRQ0 the running
//! thread is switched out once it has seen `slice` timer ticks (0: never;
//! the benchmarks use 1). All scheduler state is touched with interrupts
//! off only (inside the interrupt path, or under `cli`): one CPU.

pub mod channel;

use crate::isr::{self, InterruptFrame, isr_soft_interrupt};
use crate::{cpu, gdt, idt, interrupts};
use alloc::alloc::{alloc, dealloc};
use alloc::boxed::Box;
use core::alloc::Layout;
use core::arch::global_asm;
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
/// Threads besides the caller of `run`.
pub const MAX_THREADS: usize = 256;
/// Each thread's stack.
pub const STACK_SIZE: usize = 16 * 1024;
/// Each thread's IST1 area: its saved context (176-byte frame + 512-byte
/// FXSAVE image) and, while it is interrupted, the Rust handler's stack.
/// `test=thread::timer_preemption` checks the high-water mark.
pub const IRQ_AREA_SIZE: usize = 4 * 1024;
const BLOCK_SIZE: usize = IRQ_AREA_SIZE + STACK_SIZE;
const BLOCK_ALIGN: usize = 64;
const FRAME_SIZE: usize = size_of::<InterruptFrame>();
const FXSAVE_SIZE: usize = 512;
/// At the bottom of the IRQ area and of the stack; checked at join.
const CANARY: u64 = 0x2121_6461_6572_6874;
/// Fills IRQ areas when `paint_irq_areas(true)`, for the high-water mark.
const PAINT: u64 = 0x5449_4150_5449_4150;
const RFLAGS_IF: u64 = 1 << 9;
const RFLAGS_FIXED: u64 = 1 << 1;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum State {
    Free,
    Runnable,
    Blocked,
    Exited,
}

struct Thread {
    state: State,
    /// The saved context (valid while the thread is not running): its
    /// interrupt frame, at `irq_top - FRAME_SIZE`, FXSAVE image below.
    frame: *mut InterruptFrame,
    /// What TSS.IST1 holds while this thread runs.
    irq_top: u64,
    /// The allocation: IRQ area, then stack (null for slot 0).
    block: *mut u8,
    /// An `unpark` came while the thread was not parked.
    permit: bool,
    /// Its IRQ area was painted (for `irq_area_peak`).
    painted: bool,
    entry: Option<Box<dyn FnOnce()>>,
}

impl Thread {
    const EMPTY: Thread = Thread {
        state: State::Free,
        frame: core::ptr::null_mut(),
        irq_top: 0,
        block: core::ptr::null_mut(),
        permit: false,
        painted: false,
        entry: None,
    };
}

struct Scheduler {
    threads: [Thread; MAX_THREADS + 1],
    /// Slots in use: 0 and the spawned threads 1..len.
    len: usize,
    current: usize,
    /// Spawned threads that have not exited.
    live: usize,
    slice_ticks: u32,
    ticks_in_slice: u32,
}

struct SchedulerCell(UnsafeCell<Scheduler>);

// Touched only with interrupts off, on one CPU.
unsafe impl Sync for SchedulerCell {}

static SCHEDULER: SchedulerCell = SchedulerCell(UnsafeCell::new(Scheduler {
    threads: [const { Thread::EMPTY }; MAX_THREADS + 1],
    len: 1,
    current: 0,
    live: 0,
    slice_ticks: 0,
    ticks_in_slice: 0,
}));

/// Between `run`'s first switch and its return.
static ACTIVE: AtomicBool = AtomicBool::new(false);
/// Context switches (to a different thread), ever.
static SWITCHES: AtomicU64 = AtomicU64::new(0);
/// Those made by IRQ0 (time slice over).
static TIMER_SWITCHES: AtomicU64 = AtomicU64::new(0);
/// TSC at the first instruction of the last timer interrupt (while
/// threads run), and of the one that made the last timer switch.
static TIMER_ENTRY_TSC: AtomicU64 = AtomicU64::new(0);
static LAST_TIMER_SWITCH_ENTRY_TSC: AtomicU64 = AtomicU64::new(0);
static PAINT_IRQ_AREAS: AtomicBool = AtomicBool::new(false);
/// Deepest use of any painted IRQ area at the last join (bytes).
static IRQ_AREA_PEAK: AtomicUsize = AtomicUsize::new(0);

/// The scheduler. Interrupts must be off for as long as the reference
/// lives.
#[allow(clippy::mut_from_ref)]
unsafe fn scheduler() -> &'static mut Scheduler {
    unsafe { &mut *SCHEDULER.0.get() }
}

// The timer's entry while threads run: a TSC stamp (for bench=
// preempt-timer), then the full path of src/isr.rs, whose frames the
// scheduler can switch.
global_asm!(
    r#"
    .section .text.thread_timer, "ax"
    .balign 16
    .global thread_timer_entry
thread_timer_entry:
    pushq %rax
    pushq %rdx
    rdtsc
    shlq $32, %rdx
    orq %rdx, %rax
    movq %rax, {tsc}(%rip)
    popq %rdx
    popq %rax
    jmp isr_stub_table + {stub}
"#,
    tsc = sym TIMER_ENTRY_TSC,
    stub = const interrupts::TIMER_VECTOR as usize * 16,
    options(att_syntax)
);

unsafe extern "C" {
    fn thread_timer_entry();
}

/// Save the full context as an interrupt would, let the scheduler pick,
/// resume whoever it picked.
fn switch() {
    unsafe { isr_soft_interrupt() }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ThreadId(usize);

/// Create a thread that runs `f` once `run` starts (or at once, if
/// threads are running). Panics beyond `MAX_THREADS` or without memory.
pub fn spawn(f: impl FnOnce() + 'static) -> ThreadId {
    let layout = Layout::from_size_align(BLOCK_SIZE, BLOCK_ALIGN).unwrap();
    let block = unsafe { alloc(layout) };
    assert!(!block.is_null(), "thread: out of memory for a stack");
    let irq_top = block as u64 + IRQ_AREA_SIZE as u64;
    let stack_top = block as u64 + BLOCK_SIZE as u64;
    let painted = PAINT_IRQ_AREAS.load(Ordering::Relaxed);
    unsafe {
        if painted {
            let words = (IRQ_AREA_SIZE - FRAME_SIZE - FXSAVE_SIZE - 16) / 8;
            let area = block.cast::<u64>();
            for i in 0..words {
                area.add(i).write_volatile(PAINT);
            }
        }
        block.cast::<u64>().write(CANARY);
        block.add(IRQ_AREA_SIZE).cast::<u64>().write(CANARY);
        // A return address for thread_start's frame; it never returns.
        ((stack_top - 8) as *mut u64).write(0);
    }
    let frame = (irq_top - FRAME_SIZE as u64) as *mut InterruptFrame;
    let was = cpu::save_and_cli();
    let s = unsafe { scheduler() };
    assert!(s.len <= MAX_THREADS, "thread: more than {MAX_THREADS} threads");
    let index = s.len;
    unsafe {
        frame.write(InterruptFrame {
            r15: 0,
            r14: 0,
            r13: 0,
            r12: 0,
            r11: 0,
            r10: 0,
            r9: 0,
            r8: 0,
            rbp: 0,
            rdi: index as u64,
            rsi: 0,
            rdx: 0,
            rcx: 0,
            rbx: 0,
            rax: 0,
            vector: isr::SOFT_VECTOR,
            error_code: 0,
            rip: thread_start as *const () as u64,
            cs: gdt::KERNEL_CODE as u64,
            rflags: RFLAGS_IF | RFLAGS_FIXED,
            rsp: stack_top - 8,
            ss: gdt::KERNEL_DATA as u64,
        });
        write_default_fxsave(fxsave_area(frame));
    }
    s.threads[index] =
        Thread { state: State::Runnable, frame, irq_top, block, permit: false, painted, entry: Some(Box::new(f)) };
    s.len += 1;
    s.live += 1;
    if was {
        cpu::sti();
    }
    ThreadId(index)
}

/// Where `isr_common` keeps the FXSAVE image of the context at `frame`.
fn fxsave_area(frame: *mut InterruptFrame) -> *mut u8 {
    ((frame as u64 & !15) - FXSAVE_SIZE as u64) as *mut u8
}

/// FINIT's x87 state and the reset MXCSR, everything else zero.
unsafe fn write_default_fxsave(area: *mut u8) {
    unsafe {
        area.write_bytes(0, FXSAVE_SIZE);
        area.cast::<u16>().write(0x037F);
        area.add(24).cast::<u32>().write(0x1F80);
    }
}

/// A new thread's first instruction (its frame's RIP), with RDI = its slot.
extern "C" fn thread_start(index: usize) -> ! {
    let entry = {
        let was = cpu::save_and_cli();
        let entry = unsafe { scheduler() }.threads[index].entry.take();
        if was {
            cpu::sti();
        }
        entry
    };
    if let Some(f) = entry {
        f();
    }
    exit()
}

/// End the calling thread (returning from its function does the same).
pub fn exit() -> ! {
    cpu::cli();
    let s = unsafe { scheduler() };
    assert!(s.current != 0, "thread::exit outside a spawned thread");
    s.threads[s.current].state = State::Exited;
    s.live -= 1;
    switch();
    unreachable!("an exited thread was resumed");
}

/// Give the CPU to the next runnable thread (if any): a full context
/// switch through the interrupt path. Outside `run`, nothing happens.
#[inline]
pub fn yield_now() {
    switch();
}

/// The calling thread.
pub fn current() -> ThreadId {
    // Whoever reads it is the current thread; a switch in between would
    // come back to the same value.
    ThreadId(unsafe { (&raw const (*SCHEDULER.0.get()).current).read_volatile() })
}

/// Block until `unpark` (returns at once if an `unpark` came first).
pub fn park() {
    let was = cpu::save_and_cli();
    let s = unsafe { scheduler() };
    let me = s.current;
    if s.threads[me].permit {
        s.threads[me].permit = false;
    } else {
        s.threads[me].state = State::Blocked;
        switch();
    }
    if was {
        cpu::sti();
    }
}

/// Make `id` runnable if it is parked, else let its next `park` return.
pub fn unpark(id: ThreadId) {
    let was = cpu::save_and_cli();
    let thread = &mut unsafe { scheduler() }.threads[id.0];
    match thread.state {
        State::Blocked if id.0 != 0 => thread.state = State::Runnable,
        State::Runnable => thread.permit = true,
        _ => {}
    }
    if was {
        cpu::sti();
    }
}

/// Run the spawned threads until every one has exited, switching on
/// `yield_now`/`park` and every `slice_ticks` timer ticks (0: only
/// voluntarily). The caller waits as thread 0; then the stacks are
/// checked (canaries) and freed.
pub fn run(slice_ticks: u32) {
    let was = cpu::save_and_cli();
    let s = unsafe { scheduler() };
    assert!(!ACTIVE.load(Ordering::Relaxed), "thread::run called from a thread");
    if s.live > 0 {
        s.threads[0] = Thread {
            state: State::Blocked,
            frame: core::ptr::null_mut(),
            irq_top: gdt::irq_stack_top(),
            block: core::ptr::null_mut(),
            permit: false,
            painted: false,
            entry: None,
        };
        s.current = 0;
        s.slice_ticks = slice_ticks;
        s.ticks_in_slice = 0;
        ACTIVE.store(true, Ordering::Relaxed);
        interrupts::set_soft_interrupt_hook(Some(on_yield_interrupt));
        interrupts::set_timer_frame_hook(Some(on_timer_interrupt));
        idt::set_handler(interrupts::TIMER_VECTOR, thread_timer_entry as *const () as u64);
        // Back here, interrupts still off, once the last thread exited.
        switch();
        idt::set_handler(interrupts::TIMER_VECTOR, isr::default_handler(interrupts::TIMER_VECTOR));
        interrupts::set_timer_frame_hook(None);
        interrupts::set_soft_interrupt_hook(None);
        ACTIVE.store(false, Ordering::Relaxed);
    }
    let s = unsafe { scheduler() };
    let mut peak = 0;
    for index in 1..s.len {
        let thread = &mut s.threads[index];
        let block = thread.block;
        unsafe {
            assert!(block.cast::<u64>().read() == CANARY, "thread {index}: IRQ area overflowed");
            assert!(block.add(IRQ_AREA_SIZE).cast::<u64>().read() == CANARY, "thread {index}: stack overflowed");
        }
        if thread.painted {
            peak = peak.max(irq_area_used(block));
        }
        thread.entry = None;
        *thread = Thread::EMPTY;
        unsafe { dealloc(block, Layout::from_size_align(BLOCK_SIZE, BLOCK_ALIGN).unwrap()) };
    }
    s.threads[0] = Thread::EMPTY;
    s.len = 1;
    s.live = 0;
    s.current = 0;
    IRQ_AREA_PEAK.store(peak, Ordering::Relaxed);
    if was {
        cpu::sti();
    }
}

/// Bytes of a painted IRQ area that have been written (from its top).
fn irq_area_used(block: *mut u8) -> usize {
    let words = (IRQ_AREA_SIZE - FRAME_SIZE - FXSAVE_SIZE - 16) / 8;
    let area = block.cast::<u64>();
    // The canary took word 0.
    let untouched = (1..words).take_while(|&i| unsafe { area.add(i).read_volatile() } == PAINT).count() + 1;
    IRQ_AREA_SIZE - untouched * 8
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

pub fn switches() -> u64 {
    SWITCHES.load(Ordering::Relaxed)
}

pub fn timer_switches() -> u64 {
    TIMER_SWITCHES.load(Ordering::Relaxed)
}

/// TSC at the first instruction of the timer interrupt that made the last
/// timer switch.
pub fn last_timer_switch_entry_tsc() -> u64 {
    LAST_TIMER_SWITCH_ENTRY_TSC.load(Ordering::Relaxed)
}

/// The software interrupt (`switch`): switch to the next runnable thread.
fn on_yield_interrupt(frame: *mut InterruptFrame) -> *mut InterruptFrame {
    if !ACTIVE.load(Ordering::Relaxed) {
        return frame;
    }
    unsafe { reschedule(scheduler(), frame, false) }
}

/// IRQ0, after the tick was handled and acknowledged: switch if the
/// running thread's slice is over.
fn on_timer_interrupt(frame: *mut InterruptFrame) -> *mut InterruptFrame {
    if !ACTIVE.load(Ordering::Relaxed) {
        return frame;
    }
    let s = unsafe { scheduler() };
    if s.slice_ticks == 0 {
        return frame;
    }
    s.ticks_in_slice += 1;
    if s.ticks_in_slice < s.slice_ticks {
        return frame;
    }
    unsafe { reschedule(s, frame, true) }
}

/// Save `frame` as the current thread's context, pick the next thread and
/// return its context for `isr_common` to resume.
unsafe fn reschedule(s: &mut Scheduler, frame: *mut InterruptFrame, timer: bool) -> *mut InterruptFrame {
    let current = s.current;
    s.threads[current].frame = frame;
    s.ticks_in_slice = 0;
    let next = pick_next(s, current);
    if next == current {
        return frame;
    }
    s.current = next;
    SWITCHES.store(SWITCHES.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
    if timer {
        TIMER_SWITCHES.store(TIMER_SWITCHES.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
        LAST_TIMER_SWITCH_ENTRY_TSC.store(TIMER_ENTRY_TSC.load(Ordering::Relaxed), Ordering::Relaxed);
    }
    let next = &s.threads[next];
    gdt::set_irq_stack_top(next.irq_top);
    next.frame
}

/// The first runnable thread after `current`, cyclically (`current` itself
/// last). With none runnable and every spawned thread gone, slot 0 (the
/// caller of `run`) is woken.
fn pick_next(s: &mut Scheduler, current: usize) -> usize {
    let mut index = current;
    for _ in 0..s.len {
        index += 1;
        if index == s.len {
            index = 0;
        }
        if s.threads[index].state == State::Runnable {
            return index;
        }
    }
    if s.live == 0 {
        s.threads[0].state = State::Runnable;
        return 0;
    }
    panic!("thread: every thread is blocked");
}
