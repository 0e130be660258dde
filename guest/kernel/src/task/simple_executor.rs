//! The SimpleExecutor of blog_os's "Async/Await" post: a FIFO of tasks
//! polled round and round with a waker that does nothing. It never sleeps:
//! a task that is not ready is polled again as soon as its turn comes
//! (busy polling), which is what the waker executor avoids.

use super::Task;
use crate::trace;
use alloc::collections::VecDeque;
use core::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};

pub struct SimpleExecutor {
    task_queue: VecDeque<Task>,
}

impl SimpleExecutor {
    pub fn new() -> SimpleExecutor {
        super::set_simple_queue_len(0);
        trace::record(trace::Kind::ExecutorStart, 0, 0);
        SimpleExecutor { task_queue: VecDeque::new() }
    }

    pub fn spawn(&mut self, task: Task) {
        task.trace_spawn();
        self.task_queue.push_back(task);
        super::set_simple_queue_len(self.task_queue.len());
    }

    /// Poll until every task has finished.
    pub fn run(&mut self) {
        let waker = dummy_waker();
        let mut context = Context::from_waker(&waker);
        while let Some(mut task) = self.task_queue.pop_front() {
            super::set_simple_queue_len(self.task_queue.len());
            // The dummy waker is not counted: nothing it does can wake.
            match task.poll(&mut context, || 0) {
                Poll::Ready(()) => task.trace_exit(),
                Poll::Pending => self.task_queue.push_back(task),
            }
        }
        super::set_simple_queue_len(0);
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
