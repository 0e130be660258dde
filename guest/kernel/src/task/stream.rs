//! A minimal `Stream` (an async iterator, as in the futures crate) and its
//! `next()` future.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

pub trait Stream {
    type Item;

    /// Ready(Some(item)), Ready(None) at the end, or Pending after arranging
    /// for the task to be woken.
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context) -> Poll<Option<Self::Item>>;
}

pub trait StreamExt: Stream {
    /// `stream.next().await`: the next item, or None at the end.
    fn next(&mut self) -> Next<'_, Self>
    where
        Self: Unpin,
    {
        Next { stream: self }
    }
}

impl<S: Stream + ?Sized> StreamExt for S {}

pub struct Next<'a, S: ?Sized> {
    stream: &'a mut S,
}

impl<S: Stream + Unpin + ?Sized> Future for Next<'_, S> {
    type Output = Option<S::Item>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context) -> Poll<Self::Output> {
        Pin::new(&mut *self.stream).poll_next(cx)
    }
}
