//! A bounded async channel: `channel::<T>(capacity)` gives a `Sender`
//! (cloneable) and a `Receiver`. `send(v).await` waits while the buffer is
//! full, `recv().await` while it is empty; each side wakes the other.
//!
//! The state sits behind a `SpinLock`. Only tasks use a channel (interrupt
//! handlers never take a lock a task may hold), and tasks never hold the
//! lock across an `.await`, so it is never contended.

use super::stream::Stream;
use crate::sync::SpinLock;
use alloc::collections::VecDeque;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};

pub fn channel<T>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    assert!(capacity > 0, "channel capacity must be at least 1");
    let shared = Arc::new(SpinLock::new(State {
        buffer: VecDeque::with_capacity(capacity),
        capacity,
        receiver_waker: None,
        sender_wakers: Vec::new(),
        senders: 1,
        receiver_alive: true,
    }));
    (Sender { shared: shared.clone() }, Receiver { shared })
}

struct State<T> {
    buffer: VecDeque<T>,
    capacity: usize,
    receiver_waker: Option<Waker>,
    /// Senders waiting for room; all are woken when room appears.
    sender_wakers: Vec<Waker>,
    senders: usize,
    receiver_alive: bool,
}

/// The value could not be sent: the receiver is gone.
#[derive(Debug)]
pub struct SendError<T>(pub T);

#[derive(Debug)]
pub enum TrySendError<T> {
    Full(T),
    Closed(T),
}

pub struct Sender<T> {
    shared: Arc<SpinLock<State<T>>>,
}

pub struct Receiver<T> {
    shared: Arc<SpinLock<State<T>>>,
}

impl<T> Sender<T> {
    /// Send `value`, waiting for room.
    pub fn send(&self, value: T) -> Send<'_, T> {
        Send { sender: self, value: Some(value) }
    }

    /// Send without waiting. (The demo tasks use `send`.)
    #[allow(dead_code)]
    pub fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        let waker = push(&mut self.shared.lock(), value)?;
        if let Some(waker) = waker {
            waker.wake();
        }
        Ok(())
    }
}

/// Buffer `value` if there is room; returns the receiver's waker to wake.
fn push<T>(state: &mut State<T>, value: T) -> Result<Option<Waker>, TrySendError<T>> {
    if !state.receiver_alive {
        return Err(TrySendError::Closed(value));
    }
    if state.buffer.len() >= state.capacity {
        return Err(TrySendError::Full(value));
    }
    state.buffer.push_back(value);
    Ok(state.receiver_waker.take())
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.shared.lock().senders += 1;
        Sender { shared: self.shared.clone() }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let waker = {
            let mut state = self.shared.lock();
            state.senders -= 1;
            if state.senders == 0 { state.receiver_waker.take() } else { None }
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

pub struct Send<'a, T> {
    sender: &'a Sender<T>,
    value: Option<T>,
}

// The value is moved in and out by value, never pinned.
impl<T> Unpin for Send<'_, T> {}

impl<T> Future for Send<'_, T> {
    type Output = Result<(), SendError<T>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context) -> Poll<Self::Output> {
        let value = self.value.take().expect("Send polled after completion");
        let sender = self.sender;
        let mut state = sender.shared.lock();
        match push(&mut state, value) {
            Ok(waker) => {
                drop(state);
                if let Some(waker) = waker {
                    waker.wake();
                }
                Poll::Ready(Ok(()))
            }
            Err(TrySendError::Closed(value)) => Poll::Ready(Err(SendError(value))),
            Err(TrySendError::Full(value)) => {
                if !state.sender_wakers.iter().any(|w| w.will_wake(cx.waker())) {
                    state.sender_wakers.push(cx.waker().clone());
                }
                drop(state);
                self.value = Some(value);
                Poll::Pending
            }
        }
    }
}

impl<T> Receiver<T> {
    /// The next value; None once every sender is gone and the buffer empty.
    pub fn recv(&mut self) -> Recv<'_, T> {
        Recv { receiver: self }
    }

    fn poll_recv(&mut self, cx: &mut Context) -> Poll<Option<T>> {
        let old_waker;
        {
            let mut state = self.shared.lock();
            if let Some(value) = state.buffer.pop_front() {
                // Room for every waiting sender to retry.
                for waker in state.sender_wakers.drain(..) {
                    waker.wake();
                }
                return Poll::Ready(Some(value));
            }
            if state.senders == 0 {
                return Poll::Ready(None);
            }
            old_waker = match &state.receiver_waker {
                Some(w) if w.will_wake(cx.waker()) => None,
                _ => state.receiver_waker.replace(cx.waker().clone()),
            };
        }
        drop(old_waker);
        Poll::Pending
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let (wakers, buffered) = {
            let mut state = self.shared.lock();
            state.receiver_alive = false;
            (core::mem::take(&mut state.sender_wakers), core::mem::take(&mut state.buffer))
        };
        drop(buffered);
        for waker in wakers {
            waker.wake();
        }
    }
}

pub struct Recv<'a, T> {
    receiver: &'a mut Receiver<T>,
}

impl<T> Future for Recv<'_, T> {
    type Output = Option<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context) -> Poll<Option<T>> {
        self.receiver.poll_recv(cx)
    }
}

impl<T> Stream for Receiver<T> {
    type Item = T;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context) -> Poll<Option<T>> {
        self.get_mut().poll_recv(cx)
    }
}
