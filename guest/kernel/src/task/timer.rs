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
//!
//! The table is one resource in the trace (`resource::TIMERS`): how many
//! sleeps are pending (armed with a waker) of its slots, each sleep's wait
//! with its deadline tick, and the wakes it makes.

use super::resource::{self, TIMERS, WaitEnd};
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
    /// Taken by the executor when it wakes the entry.
    waker: Option<Waker>,
    /// The task that stored the waker.
    task: u32,
}

struct Table {
    slots: [Slot; SLOTS],
    /// Slots holding a waker: the sleeps pending.
    pending: usize,
}

impl Table {
    /// Take slot `index`'s waker, if any, and the task that stored it.
    fn take_waker(&mut self, index: usize) -> Option<(Waker, u32)> {
        let slot = &mut self.slots[index];
        let waker = slot.waker.take()?;
        self.pending -= 1;
        Some((waker, slot.task))
    }

    fn report(&self) {
        resource::state(TIMERS, self.pending, SLOTS);
    }
}

static TIMERS_TABLE: SpinLock<Table> = SpinLock::new(Table {
    slots: [const { Slot { used: false, deadline: 0, waker: None, task: 0 } }; SLOTS],
    pending: 0,
});
/// The earliest deadline with a waker in the table (u64::MAX: none).
static NEXT_DUE: AtomicU64 = AtomicU64::new(u64::MAX);
/// Sleeps that found the table full and fell back to waking themselves.
static TABLE_FULL: AtomicU64 = AtomicU64::new(0);

/// The table as a resource, once at boot (src/task/resource.rs).
pub(super) fn announce() {
    resource::announce(TIMERS, resource::Kind::Timers, "timers", 0, SLOTS);
}

/// A sleep's wait in the trace: its deadline tick (bits 0..31) and the
/// ticks left until it (bits 32..47, at most 65535), so the host can place
/// the deadline on its timeline.
fn wait_detail(deadline: u64) -> u64 {
    let left = deadline.saturating_sub(ticks()).min(0xFFFF);
    left << 32 | (deadline & 0xFFFF_FFFF)
}

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
    let mut timers = TIMERS_TABLE.lock();
    let mut next = u64::MAX;
    let pending = timers.pending;
    for index in 0..SLOTS {
        let slot = &timers.slots[index];
        if !slot.used {
            continue;
        }
        if slot.deadline <= now {
            if let Some((waker, _)) = timers.take_waker(index) {
                resource::wake(TIMERS, waker);
            }
        } else if slot.waker.is_some() {
            next = next.min(slot.deadline);
        }
    }
    if timers.pending != pending {
        timers.report();
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
            self.release(WaitEnd::Taken);
            return Poll::Ready(());
        }
        let old_waker;
        {
            let mut timers = TIMERS_TABLE.lock();
            let index = match self.slot {
                Some(index) => index,
                None => match timers.slots.iter().position(|s| !s.used) {
                    Some(index) => {
                        timers.slots[index].used = true;
                        timers.slots[index].deadline = self.deadline;
                        self.slot = Some(index);
                        index
                    }
                    None => {
                        // Degrade to polling: correct, only busier.
                        drop(timers);
                        TABLE_FULL.fetch_add(1, Ordering::Relaxed);
                        resource::wake_by_ref(TIMERS, cx.waker());
                        return Poll::Pending;
                    }
                },
            };
            old_waker = match &timers.slots[index].waker {
                Some(w) if w.will_wake(cx.waker()) => None,
                _ => {
                    let old = timers.take_waker(index);
                    if let Some((_, task)) = &old {
                        resource::wait_end(TIMERS, *task, WaitEnd::Replaced);
                    }
                    let task = context::task();
                    let slot = &mut timers.slots[index];
                    slot.waker = Some(cx.waker().clone());
                    slot.task = task;
                    timers.pending += 1;
                    resource::wait(TIMERS, task, wait_detail(self.deadline));
                    timers.report();
                    old
                }
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
    /// Give the slot back; a waker still in it ends its wait for `why`
    /// (the sleep completed before the executor woke it, or was dropped).
    fn release(&mut self, why: WaitEnd) {
        let Some(index) = self.slot.take() else { return };
        let waker = {
            let mut timers = TIMERS_TABLE.lock();
            timers.slots[index].used = false;
            let waker = timers.take_waker(index);
            if let Some((_, task)) = &waker {
                resource::wait_end(TIMERS, *task, why);
                timers.report();
            }
            waker
        };
        drop(waker);
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        self.release(WaitEnd::Dropped);
    }
}
