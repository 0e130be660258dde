//! A blocking one-slot channel between threads: `send` parks while the
//! slot is full, `recv` while it is empty; each side unparks the other.
//! One sender and one receiver at a time (the waiting side is one slot).
//! The state is touched with interrupts off, so a timer switch never sees
//! it half-updated; `park` consumes an `unpark` that came first, so no
//! wakeup is lost between registering and parking.

use super::{ThreadId, current, park, unpark};
use crate::cpu;
use core::cell::UnsafeCell;

pub struct Channel<T> {
    state: UnsafeCell<State<T>>,
}

struct State<T> {
    slot: Option<T>,
    waiting_receiver: Option<ThreadId>,
    waiting_sender: Option<ThreadId>,
}

// Accessed with interrupts off only, on one CPU.
unsafe impl<T: Send> Sync for Channel<T> {}

impl<T> Channel<T> {
    pub const fn new() -> Self {
        Channel { state: UnsafeCell::new(State { slot: None, waiting_receiver: None, waiting_sender: None }) }
    }

    /// Put `value` in the slot, waiting while it is full.
    pub fn send(&self, value: T) {
        let mut value = Some(value);
        let was = cpu::save_and_cli();
        loop {
            let state = unsafe { &mut *self.state.get() };
            if state.slot.is_none() {
                state.slot = value.take();
                if let Some(receiver) = state.waiting_receiver.take() {
                    unpark(receiver);
                }
                break;
            }
            state.waiting_sender = Some(current());
            park();
        }
        if was {
            cpu::sti();
        }
    }

    /// Take the value in the slot, waiting while it is empty.
    pub fn recv(&self) -> T {
        let was = cpu::save_and_cli();
        let value = loop {
            let state = unsafe { &mut *self.state.get() };
            if let Some(value) = state.slot.take() {
                if let Some(sender) = state.waiting_sender.take() {
                    unpark(sender);
                }
                break value;
            }
            state.waiting_receiver = Some(current());
            park();
        };
        if was {
            cpu::sti();
        }
        value
    }
}
