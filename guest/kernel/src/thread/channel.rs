//! A blocking one-slot channel between threads: `send` parks while the
//! slot is full, `recv` while it is empty; each side unparks the other.
//! One sender and one receiver at a time (the waiting side is one slot).
//! The state is touched in `ring::atomically`, so a timer switch never
//! sees it half-updated; `park` consumes an `unpark` that came first, so
//! no wakeup is lost between registering as the waiting side and parking.

use super::{ThreadId, current, park, unpark};
use crate::ring;
use core::cell::UnsafeCell;

pub struct Channel<T> {
    state: UnsafeCell<State<T>>,
}

struct State<T> {
    slot: Option<T>,
    waiting_receiver: Option<ThreadId>,
    waiting_sender: Option<ThreadId>,
}

// Accessed in ring::atomically only, on one CPU.
unsafe impl<T: Send> Sync for Channel<T> {}

impl<T> Channel<T> {
    pub const fn new() -> Self {
        Channel { state: UnsafeCell::new(State { slot: None, waiting_receiver: None, waiting_sender: None }) }
    }

    /// Put `value` in the slot, waiting while it is full.
    pub fn send(&self, value: T) {
        let mut value = Some(value);
        loop {
            let sent = ring::atomically(|| {
                let state = unsafe { &mut *self.state.get() };
                if state.slot.is_some() {
                    state.waiting_sender = Some(current());
                    return false;
                }
                state.slot = value.take();
                if let Some(receiver) = state.waiting_receiver.take() {
                    unpark(receiver);
                }
                true
            });
            if sent {
                return;
            }
            park();
        }
    }

    /// Take the value in the slot, waiting while it is empty.
    pub fn recv(&self) -> T {
        loop {
            let received = ring::atomically(|| {
                let state = unsafe { &mut *self.state.get() };
                let Some(value) = state.slot.take() else {
                    state.waiting_receiver = Some(current());
                    return None;
                };
                if let Some(sender) = state.waiting_sender.take() {
                    unpark(sender);
                }
                Some(value)
            });
            if let Some(value) = received {
                return value;
            }
            park();
        }
    }
}
