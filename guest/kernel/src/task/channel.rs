//! A bounded async channel: `channel::<T>(capacity)` gives a `Sender`
//! (cloneable) and a `Receiver`. `send(v).await` waits while the buffer is
//! full, `recv().await` while it is empty; each side wakes the other.
//!
//! The state sits behind a `SpinLock`. Only tasks use a channel (interrupt
//! handlers never take a lock a task may hold), and tasks never hold the
//! lock across an `.await`, so it is never contended.
//!
//! Each channel is a resource in the trace (src/task/resource.rs): its
//! fill level after every send and receive, the waits of the receiver
//! (for a value) and of the senders (for room), the wakes each side
//! makes, and its end when the last handle goes.

use super::resource::{self, ResourceId, WaitEnd, Waiter};
use super::stream::Stream;
use crate::sync::SpinLock;
use alloc::collections::VecDeque;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};

pub fn channel<T>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    named_channel("channel", capacity)
}

/// A channel that the trace names `name` (at most 64 bytes).
pub fn named_channel<T>(name: &'static str, capacity: usize) -> (Sender<T>, Receiver<T>) {
    assert!(capacity > 0, "channel capacity must be at least 1");
    let resource = resource::next_id();
    resource::announce(resource, resource::Kind::Channel, name, 0, capacity);
    let shared = Arc::new(SpinLock::new(State {
        buffer: VecDeque::with_capacity(capacity),
        capacity,
        receiver_waker: None,
        sender_wakers: Vec::new(),
        senders: 1,
        receiver_alive: true,
        resource,
    }));
    (Sender { shared: shared.clone() }, Receiver { shared })
}

struct State<T> {
    buffer: VecDeque<T>,
    capacity: usize,
    receiver_waker: Option<Waiter>,
    /// Senders waiting for room; all are woken when room appears.
    sender_wakers: Vec<Waiter>,
    senders: usize,
    receiver_alive: bool,
    resource: ResourceId,
}

impl<T> State<T> {
    fn report(&self) {
        resource::state(self.resource, self.buffer.len(), self.capacity);
    }

    /// The receiver's waker, to wake once the lock is released.
    fn take_receiver(&mut self) -> Option<Waker> {
        self.receiver_waker.take().map(|w| w.waker)
    }

    /// Forget a stale registration of `waker`'s task: it is being polled
    /// and got what it wanted, so it no longer waits.
    fn forget_sender(&mut self, waker: &Waker) {
        if let Some(i) = self.sender_wakers.iter().position(|w| w.waker.will_wake(waker)) {
            let resource = self.resource;
            self.sender_wakers.swap_remove(i).end(resource, WaitEnd::Taken);
        }
    }
}

impl<T> Drop for State<T> {
    /// The last handle went: the channel is gone from the trace.
    fn drop(&mut self) {
        let resource = self.resource;
        if let Some(w) = self.receiver_waker.take() {
            w.end(resource, WaitEnd::Dropped);
        }
        for w in self.sender_wakers.drain(..) {
            w.end(resource, WaitEnd::Dropped);
        }
        resource::gone(resource);
    }
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
        let mut state = self.shared.lock();
        let waker = push(&mut state, value)?;
        let resource = state.resource;
        drop(state);
        if let Some(waker) = waker {
            resource::wake(resource, waker);
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
    state.report();
    Ok(state.take_receiver())
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.shared.lock().senders += 1;
        Sender { shared: self.shared.clone() }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let (waker, resource) = {
            let mut state = self.shared.lock();
            state.senders -= 1;
            let waker = if state.senders == 0 { state.take_receiver() } else { None };
            (waker, state.resource)
        };
        if let Some(waker) = waker {
            resource::wake(resource, waker);
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
        let resource = state.resource;
        match push(&mut state, value) {
            Ok(waker) => {
                if !state.sender_wakers.is_empty() {
                    state.forget_sender(cx.waker());
                }
                drop(state);
                if let Some(waker) = waker {
                    resource::wake(resource, waker);
                }
                Poll::Ready(Ok(()))
            }
            Err(TrySendError::Closed(value)) => Poll::Ready(Err(SendError(value))),
            Err(TrySendError::Full(value)) => {
                if !state.sender_wakers.iter().any(|w| w.waker.will_wake(cx.waker())) {
                    state.sender_wakers.push(Waiter::register(resource, cx.waker(), resource::WANTS_ROOM));
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
            let resource = state.resource;
            if let Some(value) = state.buffer.pop_front() {
                state.report();
                if let Some(stale) = state.receiver_waker.take() {
                    stale.end(resource, WaitEnd::Taken);
                }
                // Room for every waiting sender to retry.
                for waiter in state.sender_wakers.drain(..) {
                    waiter.wake(resource);
                }
                return Poll::Ready(Some(value));
            }
            if state.senders == 0 {
                return Poll::Ready(None);
            }
            old_waker = match &state.receiver_waker {
                Some(w) if w.waker.will_wake(cx.waker()) => None,
                _ => {
                    let old = state.receiver_waker.take();
                    if let Some(old) = &old {
                        resource::wait_end(resource, old.task, WaitEnd::Replaced);
                    }
                    state.receiver_waker = Some(Waiter::register(resource, cx.waker(), resource::WANTS_VALUE));
                    old
                }
            };
        }
        drop(old_waker);
        Poll::Pending
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let (wakers, buffered, resource) = {
            let mut state = self.shared.lock();
            state.receiver_alive = false;
            if let Some(own) = state.receiver_waker.take() {
                own.end(state.resource, WaitEnd::Dropped);
            }
            let taken = (core::mem::take(&mut state.sender_wakers), core::mem::take(&mut state.buffer), state.resource);
            state.report();
            taken
        };
        drop(buffered);
        for waiter in wakers {
            waiter.wake(resource);
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
