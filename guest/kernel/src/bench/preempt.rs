//! The preemptive switches: kernel threads (src/thread/).

use super::measure::{BATCH, Batches, Measured, SLICE_TICKS, SPAN};
use crate::thread::{self, channel::Channel};
use crate::{cpu, pit, ring};
use alloc::format;
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};

/// `preempt-yield-N`: N threads, each a warm-up `thread::yield_now()` and
/// ceil(n/N) more. switches = the scheduler's count of context switches
/// over the span (including the ones the timer makes, also given as
/// `timer_switches`).
pub(super) fn preempt_yield(threads: usize, n: u64) -> Measured {
    let rounds = n.div_ceil(threads as u64);
    SPAN.reset();
    for index in 0..threads {
        let of = threads as u64;
        thread::spawn(move || preempt_yielder(index, of, rounds));
    }
    let timer_before = thread::timer_switches();
    thread::run(SLICE_TICKS);
    let timer = thread::timer_switches() - timer_before;
    SPAN.result(format!(" threads={threads} timer_switches={timer}"))
}

/// (TSC, the scheduler's switch count) as one consistent pair: a timer
/// switch between the two reads would pair an early time with a count a
/// whole round later.
#[inline]
fn stamp_switches() -> (u64, u64) {
    loop {
        let count = thread::switches();
        let now = cpu::rdtsc();
        if thread::switches() == count {
            return (now, count);
        }
    }
}

fn preempt_yielder(index: usize, threads: u64, rounds: u64) {
    let mut batches = Batches::new();
    for round in 0..=rounds {
        thread::yield_now();
        if index == 0 {
            let (now, count) = stamp_switches();
            if round == 0 {
                SPAN.start(now, count);
                batches.begin(now, count);
            } else {
                batches.mark(now, count);
            }
        }
    }
    if index == 0 {
        SPAN.best.store(batches.best, Relaxed);
    }
    ring::atomically(|| {
        let (now, count) = stamp_switches();
        SPAN.finish(threads, now, count);
    });
}

static TO_PONG: Channel<u64> = Channel::new();
static TO_PING: Channel<u64> = Channel::new();
const PINGPONG_END: u64 = u64::MAX;

/// `preempt-pingpong`: two threads and two blocking one-slot channels
/// (park/unpark): `ping` sends and blocks on the reply, `pong` echoes.
pub(super) fn preempt_pingpong(n: u64) -> Measured {
    let rounds = n.div_ceil(2);
    SPAN.reset();
    thread::spawn(move || {
        let mut batches = Batches::new();
        for round in 0..=rounds {
            TO_PONG.send(round);
            TO_PING.recv();
            let (now, count) = stamp_switches();
            if round == 0 {
                SPAN.start(now, count);
                batches.begin(now, count);
            } else {
                batches.mark(now, count);
            }
        }
        SPAN.best.store(batches.best, Relaxed);
        let (now, count) = stamp_switches();
        SPAN.finish(1, now, count);
        TO_PONG.send(PINGPONG_END);
    });
    thread::spawn(|| {
        loop {
            let value = TO_PONG.recv();
            if value == PINGPONG_END {
                break;
            }
            TO_PING.send(value);
        }
    });
    let timer_before = thread::timer_switches();
    thread::run(SLICE_TICKS);
    let timer = thread::timer_switches() - timer_before;
    SPAN.result(format!(" threads=2 timer_switches={timer}"))
}

/// preempt-timer's tallies, shared by the two threads (updated with
/// interrupts off, after the timestamp).
static TIMER_SUM: AtomicU64 = AtomicU64::new(0);
static TIMER_COUNT: AtomicU64 = AtomicU64::new(0);
static TIMER_BATCH_SUM: AtomicU64 = AtomicU64::new(0);
static TIMER_BATCH_COUNT: AtomicU64 = AtomicU64::new(0);
static TIMER_BEST: AtomicU64 = AtomicU64::new(u64::MAX);
static TIMER_DONE: AtomicBool = AtomicBool::new(false);

/// `preempt-timer`: two threads spin, reading the timer-switch counter
/// and the TSC; neither yields, so only IRQ0 (time slice over) switches
/// them. The thread switched in sees the counter move and takes
/// `now - entry TSC` of the interrupt that switched: the cost from
/// the IRQ's entry (the TSC stamp at the first instruction of the
/// threads' timer entry, src/thread/) through the register saves, the
/// tick's handling, EOI, the scheduler and the restores to the resumed
/// thread's first RDTSC. switches = measured switches, cycles =
/// the sum of those latencies; `elapsed_cycles` is the wall time.
pub(super) fn preempt_timer(n: u64) -> Measured {
    for counter in [&TIMER_SUM, &TIMER_COUNT, &TIMER_BATCH_SUM, &TIMER_BATCH_COUNT] {
        counter.store(0, Relaxed);
    }
    TIMER_BEST.store(u64::MAX, Relaxed);
    TIMER_DONE.store(false, Relaxed);
    for _ in 0..2 {
        thread::spawn(move || spin_until_switched(n));
    }
    let start = cpu::rdtsc();
    let ticks_before = pit::ticks();
    thread::run(SLICE_TICKS);
    let elapsed = cpu::rdtsc() - start;
    Measured {
        switches: TIMER_COUNT.load(Relaxed),
        cycles: TIMER_SUM.load(Relaxed),
        min_batch: TIMER_BEST.load(Relaxed),
        extra: format!(" threads=2 elapsed_cycles={elapsed} ticks={}", pit::ticks() - ticks_before),
    }
}

fn spin_until_switched(n: u64) {
    let mut seen = thread::timer_switches();
    while !TIMER_DONE.load(Relaxed) {
        let switches = thread::timer_switches();
        let now = cpu::rdtsc();
        if switches == seen {
            continue;
        }
        // The tallies are shared: update them with no switch in between.
        seen = ring::atomically(|| record_timer_switch(n, now, switches));
    }
}

/// Add one measured timer switch, unless another switch came between the
/// RDTSC and here; returns the switch count seen.
fn record_timer_switch(n: u64, now: u64, switches: u64) -> u64 {
    let again = thread::timer_switches();
    if again != switches {
        return again;
    }
    let latency = now.wrapping_sub(thread::last_timer_switch_entry_tsc());
    TIMER_SUM.store(TIMER_SUM.load(Relaxed) + latency, Relaxed);
    let count = TIMER_COUNT.load(Relaxed) + 1;
    TIMER_COUNT.store(count, Relaxed);
    let batch_sum = TIMER_BATCH_SUM.load(Relaxed) + latency;
    let batch_count = TIMER_BATCH_COUNT.load(Relaxed) + 1;
    if batch_count >= BATCH {
        TIMER_BEST.store(TIMER_BEST.load(Relaxed).min(batch_sum / batch_count), Relaxed);
        TIMER_BATCH_SUM.store(0, Relaxed);
        TIMER_BATCH_COUNT.store(0, Relaxed);
    } else {
        TIMER_BATCH_SUM.store(batch_sum, Relaxed);
        TIMER_BATCH_COUNT.store(batch_count, Relaxed);
    }
    if count >= n {
        TIMER_DONE.store(true, Relaxed);
    }
    again
}
