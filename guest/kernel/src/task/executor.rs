//! The waker-based executor of blog_os's "Async/Await" post: tasks by id, a
//! lock-free bounded ready queue shared with the wakers (and so with the
//! interrupt handlers that wake), a waker cache so a poll allocates nothing,
//! and `sleep_if_idle`, which halts the CPU when nothing is ready.
//!
//! Between polls it also does the work interrupts leave for task context:
//! waking the sleepers whose deadline came (src/task/timer.rs) and freeing
//! the waker nodes handlers retired (src/task/atomic_waker.rs).
//!
//! A `TaskWaker` may be woken from an interrupt handler: `wake_by_ref`
//! records the Wake and pushes the task's id, lock-free, and allocates and
//! frees nothing.

use super::queue::ArrayQueue;
use super::resource::{self, ResourceId};
use super::{Task, TaskId, atomic_waker, timer};
use crate::{context, cpu, println, ring, trace};
use alloc::collections::BTreeMap;
use alloc::sync::Arc;
use alloc::task::Wake;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU64, Ordering};
use core::task::{Context, Poll, Waker};

/// Ready-queue slots. A task is queued at most once per wake, and every
/// waker in the kernel wakes once per registration, so this is far more
/// than the demo needs; a full queue is still handled (see `LOST_WAKES`).
pub const QUEUE_CAPACITY: usize = 256;

/// Wakes that found the ready queue full. The executor reports them and
/// then polls every task once (spurious polls are allowed), so the wakeup
/// itself is not lost.
static LOST_WAKES: AtomicU64 = AtomicU64::new(0);

pub struct Executor {
    tasks: BTreeMap<TaskId, Task>,
    task_queue: Arc<ArrayQueue<TaskId>>,
    waker_cache: BTreeMap<TaskId, CachedWaker>,
    lost_wakes_seen: u64,
    /// The ready queue as a resource in the trace.
    queue_resource: ResourceId,
}

impl Executor {
    pub fn new() -> Self {
        let task_queue = Arc::new(ArrayQueue::new(QUEUE_CAPACITY));
        let (tail, head) = task_queue.position_counters();
        context::set_ready_counters(tail, head);
        trace::record(trace::Kind::ExecutorStart, 0, 1);
        let queue_resource = resource::next_id();
        resource::announce(queue_resource, resource::Kind::ReadyQueue, "ready-queue", 0, QUEUE_CAPACITY);
        Executor {
            tasks: BTreeMap::new(),
            task_queue,
            waker_cache: BTreeMap::new(),
            lost_wakes_seen: LOST_WAKES.load(Ordering::Relaxed),
            queue_resource,
        }
    }

    pub fn spawn(&mut self, task: Task) {
        let task_id = task.id;
        task.trace_spawn();
        if self.tasks.insert(task_id, task).is_some() {
            panic!("task with same ID already in tasks");
        }
        self.task_queue.push(task_id).expect("ready queue full");
    }

    pub fn run(&mut self) -> ! {
        loop {
            self.run_ready_tasks();
            self.recover_lost_wakes();
            self.sleep_if_idle();
        }
    }

    /// Run until every spawned task has finished, idling in `hlt` while
    /// none is ready (for the tests and benchmarks).
    pub fn run_until_done(&mut self) {
        loop {
            self.run_ready_tasks();
            self.recover_lost_wakes();
            if self.tasks.is_empty() {
                return;
            }
            self.sleep_if_idle();
        }
    }

    fn run_ready_tasks(&mut self) {
        // Destructure `self` to avoid borrow checker errors.
        let Self { tasks, task_queue, waker_cache, queue_resource, .. } = self;
        loop {
            timer::wake_due();
            atomic_waker::free_retired();
            let Some(task_id) = task_queue.pop() else { break };
            poll_task(tasks, task_queue, *queue_resource, waker_cache, task_id);
        }
    }

    /// A wake found the queue full: say so, and poll every task once so
    /// the woken one runs anyway.
    fn recover_lost_wakes(&mut self) {
        let lost = LOST_WAKES.load(Ordering::Relaxed);
        if lost == self.lost_wakes_seen {
            return;
        }
        println!("warning: ready queue full, {} wakes deferred; polling every task", lost - self.lost_wakes_seen);
        self.lost_wakes_seen = lost;
        let ids: Vec<TaskId> = self.tasks.keys().copied().collect();
        let Self { tasks, task_queue, waker_cache, queue_resource, .. } = self;
        for task_id in ids {
            poll_task(tasks, task_queue, *queue_resource, waker_cache, task_id);
        }
    }

    /// Halt until there is work if nothing is ready: no task queued, no
    /// lost wake to recover, no sleeper due. One step into CPL0 with
    /// interrupts off (`ring::atomically`) checks that again and halts
    /// with `sti; hlt`, which re-enables interrupts and halts as one step
    /// (STI takes effect after the next instruction), so a wake from an
    /// interrupt after the check ends the HLT instead of waiting for the
    /// one after. An interrupt that leaves nothing to do (a tick with no
    /// sleeper due) only halts again, without leaving CPL0.
    fn sleep_if_idle(&self) {
        let queue = &*self.task_queue;
        let seen = self.lost_wakes_seen;
        let idle = || queue.is_empty() && LOST_WAKES.load(Ordering::Relaxed) == seen && !timer::due();
        if !idle() {
            return;
        }
        trace::record(trace::Kind::IdleEnter, 0, 0);
        ring::atomically(|| {
            while idle() {
                cpu::sti_hlt();
                cpu::cli();
            }
        });
        trace::record(trace::Kind::IdleExit, 0, 0);
    }
}

impl Drop for Executor {
    fn drop(&mut self) {
        context::set_ready_counters(core::ptr::null(), core::ptr::null());
        resource::gone(self.queue_resource);
    }
}

/// Poll one task, if it still exists (a finished task's id can still be
/// queued by a late wake). Never inlined, so that a debugger can break on
/// it by name (`break pollscope_kernel::task::executor::poll_task`) and
/// read `task_id` there: the README's "Debugging with gdb".
#[inline(never)]
fn poll_task(
    tasks: &mut BTreeMap<TaskId, Task>,
    task_queue: &Arc<ArrayQueue<TaskId>>,
    queue_resource: ResourceId,
    waker_cache: &mut BTreeMap<TaskId, CachedWaker>,
    task_id: TaskId,
) {
    let Some(task) = tasks.get_mut(&task_id) else { return };
    let cached = waker_cache
        .entry(task_id)
        .or_insert_with(|| CachedWaker::new(task_id, task_queue.clone(), queue_resource));
    let mut context = Context::from_waker(&cached.waker);
    let task_waker = &cached.task_waker;
    match task.poll(&mut context, || cached_live_wakers(task_waker)) {
        Poll::Ready(()) => {
            task.trace_exit();
            // task done -> remove it and its cached waker
            tasks.remove(&task_id);
            waker_cache.remove(&task_id);
        }
        Poll::Pending => {}
    }
}

/// The cache keeps the TaskWaker twice: as the `Arc` (to count) and inside
/// the `Waker` made from it. Every other strong reference is a waker clone
/// held outside the executor (a timer entry, an AtomicWaker, a channel).
struct CachedWaker {
    task_waker: Arc<TaskWaker>,
    waker: Waker,
}

const EXECUTOR_REFS: usize = 2;

impl CachedWaker {
    fn new(task_id: TaskId, task_queue: Arc<ArrayQueue<TaskId>>, queue_resource: ResourceId) -> Self {
        let task_waker = Arc::new(TaskWaker { task_id, task_queue, queue_resource });
        let waker = Waker::from(task_waker.clone());
        CachedWaker { task_waker, waker }
    }
}

fn cached_live_wakers(task_waker: &Arc<TaskWaker>) -> usize {
    Arc::strong_count(task_waker).saturating_sub(EXECUTOR_REFS)
}

struct TaskWaker {
    task_id: TaskId,
    task_queue: Arc<ArrayQueue<TaskId>>,
    /// The ready queue's resource id: the resource a wake names when it
    /// came through no other (`yield_now`, a future waking itself).
    queue_resource: ResourceId,
}

impl TaskWaker {
    /// Record the wake (with its source and the resource it came through)
    /// and queue the task. Lock-free: interrupt handlers call this.
    fn wake_task(&self) {
        let through = match context::waking_resource() {
            0 => self.queue_resource,
            id => id,
        };
        trace::record(trace::Kind::Wake, self.task_id.as_u32(), trace::wake_arg(through));
        if self.task_queue.push(self.task_id).is_err() {
            LOST_WAKES.fetch_add(1, Ordering::Relaxed);
        }
    }
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.wake_task();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.wake_task();
    }
}
