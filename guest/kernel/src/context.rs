//! What the CPU is doing right now: the interrupt vector being handled, the
//! task being polled, the resource a wake comes through, and how many
//! tasks the running executor has ready.
//! The trace stamps these on its records (a wake's source, a record's
//! ready-queue length) and a fault report names the task; the interrupt
//! handlers and the executors keep them up to date.
//!
//! There is one CPU, and handlers do not nest (interrupt gates clear IF),
//! so one variable of each is "per CPU".

use core::sync::atomic::{AtomicPtr, AtomicU8, AtomicU16, AtomicU32, AtomicUsize, Ordering};

/// The vector of the IRQ handler running now, 0 outside handlers (vector
/// 0 is #DE, never an IRQ).
static VECTOR: AtomicU8 = AtomicU8::new(0);
/// The interrupt whose work task code is doing now, 0 if none (see
/// `on_behalf_of`).
static ON_BEHALF_OF: AtomicU8 = AtomicU8::new(0);
/// The resource a wake being made now comes through (src/task/resource.rs),
/// 0 if none (see `with_resource`).
static WAKING_RESOURCE: AtomicU16 = AtomicU16::new(0);
/// The task being polled, 0 between polls.
static TASK: AtomicU32 = AtomicU32::new(0);
static TASK_NAME: AtomicPtr<u8> = AtomicPtr::new(core::ptr::null_mut());
static TASK_NAME_LEN: AtomicUsize = AtomicUsize::new(0);

/// The running executor's ready queue as two position counters: it holds
/// `*tail - *head` tasks. Without an executor both point at `NO_QUEUE`, so
/// the trace's records (written from interrupt handlers too) read them
/// without a test.
static READY_TAIL: AtomicPtr<AtomicUsize> = AtomicPtr::new((&raw const NO_QUEUE).cast_mut());
static READY_HEAD: AtomicPtr<AtomicUsize> = AtomicPtr::new((&raw const NO_QUEUE).cast_mut());
static NO_QUEUE: AtomicUsize = AtomicUsize::new(0);

pub fn vector() -> u8 {
    VECTOR.load(Ordering::Relaxed)
}

/// An IRQ handler starts (`vector`) or ends (0).
pub fn set_vector(vector: u8) {
    VECTOR.store(vector, Ordering::Relaxed);
}

/// Run `f`, work an interrupt left for task context (the timer's wakes,
/// src/task/timer.rs), as that interrupt's: the trace names `vector` as
/// the source of the wakes it makes.
pub fn on_behalf_of(vector: u8, f: impl FnOnce()) {
    let outer = ON_BEHALF_OF.swap(vector, Ordering::Relaxed);
    f();
    ON_BEHALF_OF.store(outer, Ordering::Relaxed);
}

/// The interrupt a wake comes from: the handler running, else the one
/// whose work is being done, else 0.
pub fn waking_vector() -> u8 {
    match vector() {
        0 => ON_BEHALF_OF.load(Ordering::Relaxed),
        vector => vector,
    }
}

/// Run `f`, which wakes a task through resource `id` (a channel, the
/// timer table, the keyboard queue): the Wake records it makes name `id`.
/// An interrupt handler that wakes inside `f` sets its own and restores
/// this one.
#[inline]
pub fn with_resource<R>(id: u16, f: impl FnOnce() -> R) -> R {
    let outer = WAKING_RESOURCE.swap(id, Ordering::Relaxed);
    let result = f();
    WAKING_RESOURCE.store(outer, Ordering::Relaxed);
    result
}

/// The resource the wake being made comes through, 0 if none.
#[inline]
pub fn waking_resource() -> u16 {
    WAKING_RESOURCE.load(Ordering::Relaxed)
}

pub fn task() -> u32 {
    TASK.load(Ordering::Relaxed)
}

/// The name of the task being polled ("" between polls).
pub fn task_name() -> &'static str {
    let len = TASK_NAME_LEN.load(Ordering::Relaxed);
    let name = TASK_NAME.load(Ordering::Relaxed);
    if name.is_null() {
        return "";
    }
    // Set from a &'static str by `set_task`.
    unsafe { core::str::from_utf8_unchecked(core::slice::from_raw_parts(name, len)) }
}

/// A poll of task `id` starts, or (0, "") the poll ended.
#[inline]
pub fn set_task(id: u32, name: &'static str) {
    TASK.store(id, Ordering::Relaxed);
    TASK_NAME.store(name.as_ptr().cast_mut(), Ordering::Relaxed);
    TASK_NAME_LEN.store(name.len(), Ordering::Relaxed);
}

/// Tasks ready to run, not counting the one being polled. Two loads and
/// a subtraction: cheap enough for every trace record.
#[inline]
pub fn ready_len() -> usize {
    let tail = READY_TAIL.load(Ordering::Relaxed);
    let head = READY_HEAD.load(Ordering::Relaxed);
    // Valid while set: an executor resets them before its queue goes.
    unsafe { (*tail).load(Ordering::Relaxed).wrapping_sub((*head).load(Ordering::Relaxed)) }
}

/// The executor whose ready queue counts `*tail - *head` starts; null
/// pointers when it goes (then the length reads 0).
pub fn set_ready_counters(tail: *const AtomicUsize, head: *const AtomicUsize) {
    let no_queue = (&raw const NO_QUEUE).cast_mut();
    let (tail, head) = if tail.is_null() || head.is_null() { (no_queue, no_queue) } else { (tail.cast_mut(), head.cast_mut()) };
    // A handler may read between the stores: with the head at the zero
    // counter first, a mix reads a tail count, never a wrapped difference.
    READY_HEAD.store(no_queue, Ordering::Relaxed);
    READY_TAIL.store(tail, Ordering::Relaxed);
    READY_HEAD.store(head, Ordering::Relaxed);
}
