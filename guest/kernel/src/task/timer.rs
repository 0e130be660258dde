//! Time for tasks: the PIT's tick counter and `sleep` futures woken from
//! the timer interrupt.
//!
//! Armed timers live in a fixed table of (deadline tick, waker) slots, so
//! arming one never allocates. `NEXT_DUE` caches the earliest deadline: on
//! most ticks the IRQ0 handler compares one number and returns; when a
//! deadline has come it walks the table once, wakes the due entries and
//! computes the next deadline.
//!
//! The table is shared with the handler. On one CPU, disabling interrupts
//! (`SpinLock::lock_irq`) makes the task side's critical sections atomic;
//! the handler runs with interrupts off and so always finds the lock free.

use crate::pit;
use crate::sync::SpinLock;
use core::future::Future;
use core::pin::Pin;
use core::sync::atomic::{AtomicU64, Ordering};
use core::task::{Context, Poll, Waker};

const SLOTS: usize = 64;

struct Slot {
    /// Owned by a `Sleep` (which frees it on completion or drop).
    used: bool,
    deadline: u64,
    /// Taken by the handler when it wakes the entry.
    waker: Option<Waker>,
}

static TIMERS: SpinLock<[Slot; SLOTS]> =
    SpinLock::new([const { Slot { used: false, deadline: 0, waker: None } }; SLOTS]);
/// The earliest deadline with a waker in the table (u64::MAX: none).
static NEXT_DUE: AtomicU64 = AtomicU64::new(u64::MAX);
/// Sleeps that found the table full and fell back to waking themselves.
static TABLE_FULL: AtomicU64 = AtomicU64::new(0);

/// Timer ticks since the PIT started.
pub fn ticks() -> u64 {
    pit::ticks()
}

/// Ticks covering at least `ms` milliseconds (at least 1).
pub fn ms_to_ticks(ms: u64) -> u64 {
    (ms * pit::hz() as u64).div_ceil(1000).max(1)
}

/// IRQ0, after the tick count moved to `now`: wake every due sleeper.
pub fn on_tick(now: u64) {
    if now < NEXT_DUE.load(Ordering::Relaxed) {
        return;
    }
    let mut timers = TIMERS.lock_irq();
    let mut next = u64::MAX;
    for slot in timers.iter_mut().filter(|s| s.used) {
        if slot.deadline <= now {
            if let Some(waker) = slot.waker.take() {
                waker.wake();
            }
        } else if slot.waker.is_some() {
            next = next.min(slot.deadline);
        }
    }
    NEXT_DUE.store(next, Ordering::Relaxed);
}

/// Complete once `ticks()` reaches `deadline`.
pub fn sleep_until(deadline: u64) -> Sleep {
    Sleep { deadline, slot: None }
}

/// Sleep `n` timer ticks.
pub fn sleep(n: u64) -> Sleep {
    sleep_until(ticks() + n)
}

/// Sleep at least `ms` milliseconds (rounded up to whole ticks).
pub fn sleep_ms(ms: u64) -> Sleep {
    sleep(ms_to_ticks(ms))
}

pub struct Sleep {
    deadline: u64,
    slot: Option<usize>,
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context) -> Poll<()> {
        if ticks() >= self.deadline {
            self.release();
            return Poll::Ready(());
        }
        let old_waker;
        {
            let mut timers = TIMERS.lock_irq();
            // Checked again with interrupts off: no tick can come between
            // this check and arming the entry, so no deadline is missed.
            if ticks() >= self.deadline {
                drop(timers);
                self.release();
                return Poll::Ready(());
            }
            let index = match self.slot {
                Some(index) => index,
                None => match timers.iter().position(|s| !s.used) {
                    Some(index) => {
                        timers[index].used = true;
                        timers[index].deadline = self.deadline;
                        self.slot = Some(index);
                        index
                    }
                    None => {
                        // Degrade to polling: correct, only busier.
                        drop(timers);
                        TABLE_FULL.fetch_add(1, Ordering::Relaxed);
                        cx.waker().wake_by_ref();
                        return Poll::Pending;
                    }
                },
            };
            let slot = &mut timers[index];
            old_waker = match &slot.waker {
                Some(w) if w.will_wake(cx.waker()) => None,
                _ => slot.waker.replace(cx.waker().clone()),
            };
            if self.deadline < NEXT_DUE.load(Ordering::Relaxed) {
                NEXT_DUE.store(self.deadline, Ordering::Relaxed);
            }
        }
        drop(old_waker);
        Poll::Pending
    }
}

impl Sleep {
    fn release(&mut self) {
        let Some(index) = self.slot.take() else { return };
        let waker = {
            let mut timers = TIMERS.lock_irq();
            timers[index].used = false;
            timers[index].waker.take()
        };
        drop(waker);
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        self.release();
    }
}
