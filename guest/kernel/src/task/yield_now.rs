//! `yield_now().await`: give the other ready tasks a turn. The future wakes
//! its own task and returns Pending once, so the executor puts the task at
//! the back of the ready queue.
//!
//! `yield_if_others_ready().await` yields only when another task is ready:
//! for CPU-bound work split into chunks, which should let others run
//! between chunks but need not go through the executor when nobody waits
//! (a task whose every wake is its own is busy-looping through the
//! executor, and the host's trace lints it).

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

pub fn yield_now() -> YieldNow {
    YieldNow { yielded: false }
}

/// Yield if another task is ready, else continue at once.
pub async fn yield_if_others_ready() {
    if super::ready_len() > 0 {
        yield_now().await;
    }
}

pub struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
