//! Cooperative multitasking with async/await: tasks, two executors, and the
//! futures the demo tasks wait on (keyboard input, timers, yielding, a
//! channel). The shape follows blog_os's "Async/Await" post; the pieces it
//! takes from crates (crossbeam's ArrayQueue, futures' AtomicWaker and
//! Stream) are written here, for one CPU whose interrupt handlers share
//! state with the tasks.

pub mod atomic_waker;
pub mod channel;
pub mod executor;
pub mod keyboard;
pub mod queue;
pub mod simple_executor;
pub mod stream;
pub mod timer;
pub mod yield_now;

use crate::{isr, trace};
use alloc::boxed::Box;
use core::future::Future;
use core::pin::Pin;
use core::sync::atomic::{AtomicPtr, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use core::task::{Context, Poll};

pub struct Task {
    id: TaskId,
    name: &'static str,
    future: Pin<Box<dyn Future<Output = ()>>>,
}

impl Task {
    /// A task named `name` (shown in the host's timeline; at most 64 bytes).
    pub fn new(name: &'static str, future: impl Future<Output = ()> + 'static) -> Task {
        assert!(name.len() <= trace::MAX_NAME_LEN, "task name longer than 64 bytes");
        Task { id: TaskId::new(), name, future: Box::pin(future) }
    }

    /// Poll the future as task `id`: the executors' one way in, so the
    /// trace's PollBegin/PollEnd and the current-task id bracket every poll.
    /// `live_wakers` is read right after the future returns.
    #[inline]
    fn poll(&mut self, context: &mut Context, live_wakers: impl FnOnce() -> usize) -> Poll<()> {
        let id = self.id.as_u32();
        CURRENT_TASK.store(id, Ordering::Relaxed);
        trace::record(trace::Kind::PollBegin, id, 0);
        let result = self.future.as_mut().poll(context);
        let live = live_wakers().min(u32::MAX as usize) as u64;
        trace::record(trace::Kind::PollEnd, id, result.is_ready() as u64 | live << 32);
        CURRENT_TASK.store(0, Ordering::Relaxed);
        result
    }

    fn trace_spawn(&self) {
        trace::record(trace::Kind::TaskSpawn, self.id.as_u32(), trace::name_arg(self.name));
    }

    fn trace_exit(&self) {
        trace::record(trace::Kind::TaskExit, self.id.as_u32(), 0);
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct TaskId(u64);

impl TaskId {
    fn new() -> Self {
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        TaskId(NEXT_ID.fetch_add(1, Ordering::Relaxed))
    }

    /// The id as the trace records it.
    pub fn as_u32(self) -> u32 {
        self.0 as u32
    }
}

/// The task being polled, 0 between polls.
static CURRENT_TASK: AtomicU32 = AtomicU32::new(0);

pub fn current_task() -> u32 {
    CURRENT_TASK.load(Ordering::Relaxed)
}

/// Who is waking a task right now, as a Wake record's argument: the
/// interrupt handler running (its vector), else the task being polled,
/// else unknown.
pub fn wake_source() -> u64 {
    let vector = isr::current_vector();
    if vector != 0 {
        return trace::WAKE_INTERRUPT << 56 | vector as u64;
    }
    match current_task() {
        0 => trace::WAKE_UNKNOWN << 56,
        task => trace::WAKE_TASK << 56 | task as u64,
    }
}

/// The running executor's ready queue (the waker executor's, while it
/// exists), for the trace's `queue` field and `yield_if_others_ready`.
static READY_QUEUE: AtomicPtr<queue::ArrayQueue<TaskId>> = AtomicPtr::new(core::ptr::null_mut());
/// Without one: what the simple executor stores (tasks waiting for a turn).
static SIMPLE_QUEUE_LEN: AtomicUsize = AtomicUsize::new(0);

/// How many tasks are ready to run (not counting the one being polled).
/// Cheap (two loads) and callable from interrupt handlers.
#[inline]
pub fn ready_len() -> usize {
    let queue = READY_QUEUE.load(Ordering::Relaxed);
    if queue.is_null() {
        SIMPLE_QUEUE_LEN.load(Ordering::Relaxed)
    } else {
        // Valid while set: the executor clears it before dropping the queue.
        unsafe { (*queue).len() }
    }
}

fn set_ready_queue(queue: *const queue::ArrayQueue<TaskId>) {
    READY_QUEUE.store(queue.cast_mut(), Ordering::Relaxed);
}

fn set_simple_queue_len(len: usize) {
    SIMPLE_QUEUE_LEN.store(len, Ordering::Relaxed);
}
