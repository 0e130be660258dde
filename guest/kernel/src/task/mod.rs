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
pub mod resource;
pub mod simple_executor;
pub mod stream;
pub mod timer;
pub mod yield_now;

use crate::{context, trace};
use alloc::boxed::Box;
use core::future::Future;
use core::pin::Pin;
use core::sync::atomic::{AtomicU64, Ordering};
use core::task::{Context, Poll};

/// Announce the static resources to the trace (the timer table and the
/// keyboard queue: src/task/resource.rs), once at boot.
pub fn announce_resources() {
    timer::announce();
    keyboard::announce();
}

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
        context::set_task(id, self.name);
        trace::record(trace::Kind::PollBegin, id, 0);
        let result = self.future.as_mut().poll(context);
        let live = live_wakers().min(u32::MAX as usize) as u64;
        trace::record(trace::Kind::PollEnd, id, result.is_ready() as u64 | live << 32);
        context::set_task(0, "");
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
