//! A bounded lock-free multi-producer multi-consumer queue (the ArrayQueue
//! of crossbeam, which blog_os uses for its ready queue): Dmitry Vyukov's
//! bounded MPMC queue.
//!
//! Each slot carries a sequence number. A slot at position `pos` is free for
//! the producer when `seq == pos`, holds a value for the consumer when
//! `seq == pos + 1`, and is released by the consumer as `pos + capacity`,
//! which is the position the next lap's producer will claim it at. A push
//! claims a position by a CAS on `enqueue_pos`, writes the value, then
//! publishes it with a release store of the slot's `seq`; a pop does the
//! same with `dequeue_pos`.
//!
//! Why it is safe when an interrupt handler pushes in the middle of a push
//! or pop of the code it interrupted (one CPU, handlers run to completion,
//! handlers only push):
//! - Interrupted before its CAS, a push or pop simply fails the CAS if the
//!   handler moved the same position, reloads and retries; a handler's push
//!   never moves `dequeue_pos`, so an interrupted pop's CAS stays valid.
//! - Interrupted after its CAS, the task owns its slot exclusively: the
//!   handler claims the *next* position and publishes it independently. The
//!   task's slot is unpublished until the task resumes, so a pop would see
//!   it as empty, but nothing pops until the task has finished: the only
//!   consumer is the executor, which runs in the task context.
//! - A push that meets a slot a consumer has claimed but not yet released
//!   (only possible when the queue is full) reports "full". Nothing waits
//!   for anything, so a handler can never spin on the code it interrupted.
//!
//! `len` is `enqueue_pos - dequeue_pos`, exact between operations (it also
//! counts a claimed slot that its producer is about to publish).

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::cell::UnsafeCell;
use core::mem::MaybeUninit;
use core::sync::atomic::{AtomicUsize, Ordering};

struct Slot<T> {
    seq: AtomicUsize,
    value: UnsafeCell<MaybeUninit<T>>,
}

pub struct ArrayQueue<T> {
    slots: Box<[Slot<T>]>,
    mask: usize,
    enqueue_pos: AtomicUsize,
    dequeue_pos: AtomicUsize,
}

unsafe impl<T: Send> Send for ArrayQueue<T> {}
unsafe impl<T: Send> Sync for ArrayQueue<T> {}

impl<T> ArrayQueue<T> {
    /// A queue of `capacity` slots, a power of two.
    pub fn new(capacity: usize) -> Self {
        assert!(capacity >= 2 && capacity.is_power_of_two(), "ArrayQueue capacity must be a power of two >= 2");
        let slots: Vec<Slot<T>> = (0..capacity)
            .map(|i| Slot { seq: AtomicUsize::new(i), value: UnsafeCell::new(MaybeUninit::uninit()) })
            .collect();
        ArrayQueue {
            slots: slots.into_boxed_slice(),
            mask: capacity - 1,
            enqueue_pos: AtomicUsize::new(0),
            dequeue_pos: AtomicUsize::new(0),
        }
    }

    pub fn capacity(&self) -> usize {
        self.mask + 1
    }

    /// Append `value`, or hand it back if the queue is full.
    pub fn push(&self, value: T) -> Result<(), T> {
        let mut pos = self.enqueue_pos.load(Ordering::Relaxed);
        loop {
            let slot = &self.slots[pos & self.mask];
            let seq = slot.seq.load(Ordering::Acquire);
            let diff = seq.wrapping_sub(pos) as isize;
            if diff == 0 {
                match self.enqueue_pos.compare_exchange_weak(
                    pos,
                    pos.wrapping_add(1),
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => {
                        unsafe { (*slot.value.get()).write(value) };
                        slot.seq.store(pos.wrapping_add(1), Ordering::Release);
                        return Ok(());
                    }
                    Err(current) => pos = current,
                }
            } else if diff < 0 {
                return Err(value);
            } else {
                pos = self.enqueue_pos.load(Ordering::Relaxed);
            }
        }
    }

    /// Take the oldest value, if any.
    pub fn pop(&self) -> Option<T> {
        let mut pos = self.dequeue_pos.load(Ordering::Relaxed);
        loop {
            let slot = &self.slots[pos & self.mask];
            let seq = slot.seq.load(Ordering::Acquire);
            let diff = seq.wrapping_sub(pos.wrapping_add(1)) as isize;
            if diff == 0 {
                match self.dequeue_pos.compare_exchange_weak(
                    pos,
                    pos.wrapping_add(1),
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => {
                        let value = unsafe { (*slot.value.get()).assume_init_read() };
                        slot.seq.store(pos.wrapping_add(self.mask + 1), Ordering::Release);
                        return Some(value);
                    }
                    Err(current) => pos = current,
                }
            } else if diff < 0 {
                return None;
            } else {
                pos = self.dequeue_pos.load(Ordering::Relaxed);
            }
        }
    }

    pub fn len(&self) -> usize {
        let tail = self.enqueue_pos.load(Ordering::Relaxed);
        let head = self.dequeue_pos.load(Ordering::Relaxed);
        // A pop only takes a published slot, so head never passes tail.
        tail.wrapping_sub(head).min(self.capacity())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The enqueue and dequeue positions, whose difference is `len`: for
    /// readers that must not know the element type (the trace's
    /// ready-queue length, src/context.rs).
    pub fn position_counters(&self) -> (*const AtomicUsize, *const AtomicUsize) {
        (&self.enqueue_pos, &self.dequeue_pos)
    }
}

impl<T> Drop for ArrayQueue<T> {
    fn drop(&mut self) {
        while self.pop().is_some() {}
    }
}
