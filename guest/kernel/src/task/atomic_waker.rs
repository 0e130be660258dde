//! AtomicWaker: one waker slot shared between a task (which registers its
//! waker before returning Pending) and an interrupt handler (which wakes
//! it), like `futures::task::AtomicWaker`.
//!
//! There is one CPU, so a critical section with interrupts disabled is
//! atomic with respect to everything else that can touch the slot: the
//! task side disables interrupts around its access (`SpinLock::lock_irq`);
//! a handler already runs with interrupts off and, since the task side
//! never holds the lock with interrupts on, always finds it free. Old
//! wakers are dropped and woken after the critical section.
//!
//! Protocol (no lost wakeup): the consumer checks its condition, registers,
//! and checks again; the producer makes the condition true, then wakes.

use crate::sync::SpinLock;
use core::task::Waker;

pub struct AtomicWaker {
    waker: SpinLock<Option<Waker>>,
}

impl AtomicWaker {
    pub const fn new() -> Self {
        AtomicWaker { waker: SpinLock::new(None) }
    }

    /// Store `waker` (a clone, unless the one stored already wakes the same
    /// task).
    pub fn register(&self, waker: &Waker) {
        let old = {
            let mut slot = self.waker.lock_irq();
            match &*slot {
                Some(current) if current.will_wake(waker) => None,
                _ => slot.replace(waker.clone()),
            }
        };
        drop(old);
    }

    /// Wake the registered waker, if any, and clear the slot.
    pub fn wake(&self) {
        if let Some(waker) = self.take() {
            waker.wake();
        }
    }

    /// Clear the slot, returning what it held.
    pub fn take(&self) -> Option<Waker> {
        self.waker.lock_irq().take()
    }
}
