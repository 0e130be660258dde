//! Time for tasks: the PIT's tick counter and `sleep` futures that the
//! timer's ticks wake.
//!
//! Armed timers live in a fixed table of (deadline tick, waker) slots, so
//! arming one never allocates. `NEXT_DUE` caches the earliest deadline.
//! The IRQ0 handler only counts ticks; the waking is the executor's, in
//! task context (`wake_due`, between polls and before it halts): one
//! compare while nothing is due, else one walk of the table that wakes
//! the due entries and computes the next deadline. The executor's halt
//! (src/task/executor.rs) checks `due()` with interrupts off, so a tick
//! that makes a deadline due ends the halt.
//!
//! Only tasks touch the table, so its lock never disables interrupts (and
//! a handler never waits for it). The Wake records name the timer's
//! interrupt as their source: it is the tick that made them due.

use crate::sync::SpinLock;
use crate::{context, isr, pit};
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

/// The vector the trace names as the wakes' source.
const TIMER_VECTOR: u8 = isr::IRQ_BASE + pit::IRQ;

/// A deadline has come (cheap: two loads; callable at CPL0 with
/// interrupts off).
#[inline]
pub fn due() -> bool {
    ticks() >= NEXT_DUE.load(Ordering::Relaxed)
}

/// Wake every sleeper whose deadline has come. Tasks only.
pub fn wake_due() {
    if !due() {
        return;
    }
    context::on_behalf_of(TIMER_VECTOR, wake_due_now);
}

fn wake_due_now() {
    let now = ticks();
    let mut timers = TIMERS.lock();
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
            let mut timers = TIMERS.lock();
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
            let mut timers = TIMERS.lock();
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
