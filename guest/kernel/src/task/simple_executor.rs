//! The SimpleExecutor of blog_os's "Async/Await" post: a FIFO of tasks
//! polled round and round with a waker that does nothing. It never sleeps:
//! a task that is not ready is polled again as soon as its turn comes
//! (busy polling), which is what the waker executor avoids.

use super::Task;
use crate::{context, trace};
use alloc::collections::VecDeque;
use core::sync::atomic::{AtomicUsize, Ordering};
use core::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};

/// Tasks waiting for their turn, as the trace's ready-queue length
/// (`context` counts `WAITING - NONE`).
static WAITING: AtomicUsize = AtomicUsize::new(0);
static NONE: AtomicUsize = AtomicUsize::new(0);

fn set_waiting(len: usize) {
    WAITING.store(len, Ordering::Relaxed);
}

pub struct SimpleExecutor {
    task_queue: VecDeque<Task>,
}

impl SimpleExecutor {
    pub fn new() -> SimpleExecutor {
        set_waiting(0);
        context::set_ready_counters(&WAITING, &NONE);
        trace::record(trace::Kind::ExecutorStart, 0, 0);
        SimpleExecutor { task_queue: VecDeque::new() }
    }

    pub fn spawn(&mut self, task: Task) {
        task.trace_spawn();
        self.task_queue.push_back(task);
        set_waiting(self.task_queue.len());
    }

    /// Poll until every task has finished.
    pub fn run(&mut self) {
        let waker = dummy_waker();
        let mut context = Context::from_waker(&waker);
        while let Some(mut task) = self.task_queue.pop_front() {
            set_waiting(self.task_queue.len());
            // The dummy waker is not counted: nothing it does can wake.
            match task.poll(&mut context, || 0) {
                Poll::Ready(()) => task.trace_exit(),
                Poll::Pending => self.task_queue.push_back(task),
            }
        }
        set_waiting(0);
    }
}

impl Drop for SimpleExecutor {
    fn drop(&mut self) {
        context::set_ready_counters(core::ptr::null(), core::ptr::null());
    }
}

fn dummy_raw_waker() -> RawWaker {
    fn no_op(_: *const ()) {}
    fn clone(_: *const ()) -> RawWaker {
        dummy_raw_waker()
    }

    static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, no_op, no_op, no_op);
    RawWaker::new(core::ptr::null(), &VTABLE)
}

fn dummy_waker() -> Waker {
    unsafe { Waker::from_raw(dummy_raw_waker()) }
}
