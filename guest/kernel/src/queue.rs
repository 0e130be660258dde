//! A bounded lock-free single-producer single-consumer byte queue: the
//! interrupt handler produces, a task consumes. When full, new bytes
//! are dropped and counted.

use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

pub struct SpscQueue<const N: usize> {
    slots: [UnsafeCell<u8>; N],
    /// Next slot to read; only the consumer stores it.
    head: AtomicUsize,
    /// Next slot to write; only the producer stores it.
    tail: AtomicUsize,
    dropped: AtomicU64,
}

unsafe impl<const N: usize> Sync for SpscQueue<N> {}

impl<const N: usize> SpscQueue<N> {
    pub const fn new() -> Self {
        assert!(N.is_power_of_two());
        SpscQueue {
            slots: [const { UnsafeCell::new(0) }; N],
            head: AtomicUsize::new(0),
            tail: AtomicUsize::new(0),
            dropped: AtomicU64::new(0),
        }
    }

    /// Producer side. Returns false (and counts) when full.
    pub fn push(&self, byte: u8) -> bool {
        let tail = self.tail.load(Ordering::Relaxed);
        let head = self.head.load(Ordering::Acquire);
        if tail.wrapping_sub(head) == N {
            self.dropped.fetch_add(1, Ordering::Relaxed);
            return false;
        }
        unsafe { *self.slots[tail % N].get() = byte };
        self.tail.store(tail.wrapping_add(1), Ordering::Release);
        true
    }

    /// Consumer side.
    pub fn pop(&self) -> Option<u8> {
        let head = self.head.load(Ordering::Relaxed);
        let tail = self.tail.load(Ordering::Acquire);
        if head == tail {
            return None;
        }
        let byte = unsafe { *self.slots[head % N].get() };
        self.head.store(head.wrapping_add(1), Ordering::Release);
        Some(byte)
    }

    /// Bytes queued (exact for the producer and the consumer).
    pub fn len(&self) -> usize {
        let head = self.head.load(Ordering::Acquire);
        self.tail.load(Ordering::Acquire).wrapping_sub(head)
    }

    pub const fn capacity(&self) -> usize {
        N
    }

    pub fn is_empty(&self) -> bool {
        self.head.load(Ordering::Acquire) == self.tail.load(Ordering::Acquire)
    }

    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}
