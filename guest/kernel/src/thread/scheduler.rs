//! The scheduler: the thread table and the two places it runs, both at
//! CPL0 with interrupts off inside the full interrupt path: the software
//! interrupt (a thread yields, parks or exits) and the timer IRQ (a time
//! slice is over). Everything else that touches the table does so through
//! `ring::atomically`, so on one CPU every access is atomic.

use super::stack::Block;
use crate::isr::InterruptFrame;
use crate::{gdt, interrupts, ring};
use core::arch::global_asm;
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Threads besides the caller of `run`.
pub const MAX_THREADS: usize = 256;

/// What a thread asks of the software interrupt (its RDI).
pub const OP_YIELD: u64 = 0;
pub const OP_PARK: u64 = 1;
pub const OP_EXIT: u64 = 2;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum State {
    Free,
    Runnable,
    Blocked,
    Exited,
}

pub struct Thread {
    pub state: State,
    /// The saved context (valid while the thread is not running): its
    /// interrupt frame near the top of its IRQ area, FXSAVE image below.
    pub frame: *mut InterruptFrame,
    /// What TSS.IST1 holds while this thread runs.
    pub irq_top: u64,
    /// Its memory (None for slot 0, which runs on the caller's).
    pub block: Option<Block>,
    /// An `unpark` came while the thread was not parked.
    pub permit: bool,
    /// Its IRQ area was painted (for `irq_area_peak`).
    pub painted: bool,
}

impl Thread {
    pub const EMPTY: Thread = Thread {
        state: State::Free,
        frame: core::ptr::null_mut(),
        irq_top: 0,
        block: None,
        permit: false,
        painted: false,
    };
}

pub struct Scheduler {
    pub threads: [Thread; MAX_THREADS + 1],
    /// Slots in use: 0 and the spawned threads 1..len.
    pub len: usize,
    pub current: usize,
    /// Spawned threads that have not exited.
    pub live: usize,
    pub slice_ticks: u32,
    pub ticks_in_slice: u32,
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
pub static ACTIVE: AtomicBool = AtomicBool::new(false);
/// Context switches (to a different thread), ever.
pub static SWITCHES: AtomicU64 = AtomicU64::new(0);
/// Those made by IRQ0 (time slice over).
pub static TIMER_SWITCHES: AtomicU64 = AtomicU64::new(0);
/// TSC at the first instruction of the last timer interrupt (while
/// threads run), and of the one that made the last timer switch.
static TIMER_ENTRY_TSC: AtomicU64 = AtomicU64::new(0);
pub static LAST_TIMER_SWITCH_ENTRY_TSC: AtomicU64 = AtomicU64::new(0);

/// The scheduler. Interrupts must be off (inside the interrupt path or
/// `ring::atomically`) for as long as the reference lives.
#[allow(clippy::mut_from_ref)]
pub unsafe fn scheduler() -> &'static mut Scheduler {
    unsafe { &mut *SCHEDULER.0.get() }
}

/// The running thread's slot, readable at any time: whoever reads it is
/// the current thread, and a switch in between would come back to it.
pub fn current() -> usize {
    unsafe { (&raw const (*SCHEDULER.0.get()).current).read_volatile() }
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

/// The timer entry `run` points the timer's gate at.
pub fn timer_entry() -> u64 {
    thread_timer_entry as *const () as u64
}

/// The software interrupt (`soft_interrupt(op)`): do what the current
/// thread asked and switch to the next runnable thread.
pub fn on_soft_interrupt(frame: *mut InterruptFrame) -> *mut InterruptFrame {
    if !ACTIVE.load(Ordering::Relaxed) {
        return frame;
    }
    let s = unsafe { scheduler() };
    let me = s.current;
    match unsafe { (*frame).rdi } {
        OP_PARK => {
            if s.threads[me].permit {
                s.threads[me].permit = false;
                return frame;
            }
            s.threads[me].state = State::Blocked;
        }
        OP_EXIT => {
            assert!(me != 0, "thread::exit outside a spawned thread");
            s.threads[me].state = State::Exited;
            s.live -= 1;
        }
        _ => {}
    }
    unsafe { reschedule(s, frame, false) }
}

/// IRQ0, after the tick was handled and acknowledged: switch if the
/// running thread's slice is over. A thread interrupted while it ran at
/// CPL0 through `ring::privileged` (possible only with `ring=3`) is
/// running on the shared exception stack, not its own: it is switched at
/// a later tick instead.
pub fn on_timer_interrupt(frame: *mut InterruptFrame) -> *mut InterruptFrame {
    if !ACTIVE.load(Ordering::Relaxed) {
        return frame;
    }
    let s = unsafe { scheduler() };
    if s.slice_ticks == 0 {
        return frame;
    }
    s.ticks_in_slice = s.ticks_in_slice.saturating_add(1);
    if s.ticks_in_slice < s.slice_ticks || unsafe { (*frame).cs } & 3 != ring::task_cpl() as u64 {
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
