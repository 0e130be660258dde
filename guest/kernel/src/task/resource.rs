//! The executor's resources, as the trace reports them to the host
//! (docs/trace-abi.md, "Resources"): the ready queue, the channels, the
//! timer table and the keyboard's scancode queue, each with an id, a kind
//! and a name; their state over time; which tasks wait on them; and, in
//! the Wake records, which resource a wake came through. It is what
//! tokio-console calls resources, told by the code that owns them.
//!
//! Every function here writes at most one trace record (plain stores, no
//! exit) and is callable from interrupt handlers. Ids are 16 bits, 0 is
//! "none": a resource with id 0 is not traced. The two static resources
//! have fixed ids, announced once at boot (`task::announce_resources`); the others
//! take the next id when they are made, wrapping past 0.

use crate::{context, trace};
use core::sync::atomic::{AtomicU16, Ordering};
use core::task::Waker;

/// A resource's id in the trace (0: none, not traced).
pub type ResourceId = u16;

/// The timer table (src/task/timer.rs).
pub const TIMERS: ResourceId = 1;
/// The keyboard's scancode queue and its AtomicWaker (src/task/keyboard.rs).
pub const KEYBOARD: ResourceId = 2;
const FIRST_DYNAMIC: ResourceId = 3;

static NEXT_ID: AtomicU16 = AtomicU16::new(FIRST_DYNAMIC);

/// What a resource is (bits 40..47 of a ResourceNew record's arg).
#[repr(u8)]
#[derive(Clone, Copy)]
pub enum Kind {
    /// The waker executor's ready queue: its length is every record's
    /// `queue` field.
    ReadyQueue = 1,
    /// A bounded channel (src/task/channel.rs).
    Channel = 2,
    /// The sleeps' timer table.
    Timers = 3,
    /// The scancode queue that IRQ1 fills.
    Keyboard = 4,
}

/// Why a task stopped waiting without a wake (ResourceWaitEnd's reason).
#[repr(u8)]
#[derive(Clone, Copy)]
pub enum WaitEnd {
    /// The task took its waker back: it found what it waited for itself.
    Taken = 1,
    /// The waiting future or the resource went; the waker was dropped.
    Dropped = 2,
    /// Another registration replaced it.
    Replaced = 3,
}

/// Channel waits: what the waiting side wants (ResourceWait's detail).
pub const WANTS_VALUE: u64 = 0;
pub const WANTS_ROOM: u64 = 1;

const ID_SHIFT: u32 = 48;
const DETAIL_MASK: u64 = (1 << ID_SHIFT) - 1;
const COUNT_MASK: u64 = (1 << 24) - 1;

/// A fresh id for a resource made at run time.
pub fn next_id() -> ResourceId {
    loop {
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        if id >= FIRST_DYNAMIC {
            return id;
        }
        // Wrapped: 0 is "none" and the static ids are taken.
    }
}

/// Announce resource `id`: ResourceNew (kind and name), then its first
/// state (`len` of `capacity`). `name` must live in memory below 4 GiB
/// (the kernel's image does) and be at most 64 bytes.
pub fn announce(id: ResourceId, kind: Kind, name: &'static str, len: usize, capacity: usize) {
    let n = name.len().min(trace::MAX_NAME_LEN) as u64;
    let addr = name.as_ptr() as u64 & 0xFFFF_FFFF;
    let arg = (id as u64) << ID_SHIFT | (kind as u64) << 40 | n << 32 | addr;
    trace::record(trace::Kind::ResourceNew, context::task(), arg);
    state(id, len, capacity);
}

/// Resource `id` now holds `len` of `capacity` (ResourceState).
#[inline]
pub fn state(id: ResourceId, len: usize, capacity: usize) {
    if id == 0 {
        return;
    }
    let arg = (id as u64) << ID_SHIFT | (capacity as u64 & COUNT_MASK) << 24 | (len as u64 & COUNT_MASK);
    trace::record(trace::Kind::ResourceState, context::task(), arg);
}

/// Task `task` starts waiting on `id` (its waker is stored there).
/// `detail`: a timer's deadline tick, a channel side's WANTS_*, else 0.
#[inline]
pub fn wait(id: ResourceId, task: u32, detail: u64) {
    if id != 0 {
        trace::record(trace::Kind::ResourceWait, task, (id as u64) << ID_SHIFT | (detail & DETAIL_MASK));
    }
}

/// Task `task`'s waker left `id` without a wake (a wake ends a wait by
/// itself: the Wake record names the resource).
#[inline]
pub fn wait_end(id: ResourceId, task: u32, why: WaitEnd) {
    if id != 0 {
        trace::record(trace::Kind::ResourceWaitEnd, task, (id as u64) << ID_SHIFT | why as u64);
    }
}

/// Resource `id` is gone (ResourceDrop).
pub fn gone(id: ResourceId) {
    if id != 0 {
        trace::record(trace::Kind::ResourceDrop, context::task(), (id as u64) << ID_SHIFT);
    }
}

/// Wake `waker` through resource `id`: the Wake record names it.
#[inline]
pub fn wake(id: ResourceId, waker: Waker) {
    context::with_resource(id, || waker.wake());
}

/// Wake `waker` by reference through resource `id`.
#[inline]
pub fn wake_by_ref(id: ResourceId, waker: &Waker) {
    context::with_resource(id, || waker.wake_by_ref());
}

/// A stored waker and the task that stored it (the task being polled when
/// it registered), so that a wait can be ended in its name.
pub struct Waiter {
    pub waker: Waker,
    pub task: u32,
}

impl Waiter {
    /// The current task's waker, recorded as waiting on `id`.
    pub fn register(id: ResourceId, waker: &Waker, detail: u64) -> Waiter {
        let task = context::task();
        wait(id, task, detail);
        Waiter { waker: waker.clone(), task }
    }

    /// Wake it through `id` (the Wake record ends the wait).
    pub fn wake(self, id: ResourceId) {
        wake(id, self.waker);
    }

    /// Drop it unwoken, ending the wait for `why`.
    pub fn end(self, id: ResourceId, why: WaitEnd) {
        wait_end(id, self.task, why);
    }
}
