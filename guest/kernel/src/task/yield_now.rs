//! `yield_now().await`: give the other ready tasks a turn. The future wakes
//! its own task and returns Pending once, so the executor puts the task at
//! the back of the ready queue.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

pub fn yield_now() -> YieldNow {
    YieldNow { yielded: false }
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
