//! Tests of the preemptive threads (the lab's, src/thread/).

use super::case::{TestResult, ensure};
use super::task_tests::round_robin_log;
use crate::sync::SpinLock;
use crate::thread::{self, channel::Channel};
use crate::{allocator, pit};
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};

// --------------------------------------------------------------- threads

pub fn thread_yield_round_robin() -> TestResult {
    let log = Arc::new(SpinLock::new(Vec::new()));
    let switches = thread::switches();
    for id in 0..3u32 {
        let log = log.clone();
        thread::spawn(move || {
            for step in 0..3 {
                log.lock().push((id, step));
                thread::yield_now();
            }
        });
    }
    // No time slices: only the yields switch, so the order is exact.
    thread::run(0);
    let log = log.lock();
    ensure!(*log == round_robin_log(), "order {:?}", *log);
    let made = thread::switches() - switches;
    ensure!(made >= 9, "only {made} switches");
    Ok(())
}

static SPIN_COUNT: [AtomicU64; 2] = [AtomicU64::new(0), AtomicU64::new(0)];
static SAW_OTHER: [AtomicU64; 2] = [AtomicU64::new(0), AtomicU64::new(0)];
static SPIN_DONE: [AtomicBool; 2] = [AtomicBool::new(false), AtomicBool::new(false)];
static SPIN_TIMED_OUT: AtomicBool = AtomicBool::new(false);

/// Spin without yielding; count how often the other thread's counter
/// moved meanwhile (only a timer switch lets it run).
fn spinner(me: usize, deadline: u64) {
    let other = 1 - me;
    let mut last = SPIN_COUNT[other].load(Relaxed);
    while SAW_OTHER[me].load(Relaxed) < 3 && !SPIN_DONE[other].load(Relaxed) {
        SPIN_COUNT[me].fetch_add(1, Relaxed);
        let now = SPIN_COUNT[other].load(Relaxed);
        if now != last {
            last = now;
            SAW_OTHER[me].fetch_add(1, Relaxed);
        }
        if pit::ticks() > deadline {
            SPIN_TIMED_OUT.store(true, Relaxed);
            break;
        }
    }
    SPIN_DONE[me].store(true, Relaxed);
}

pub fn thread_timer_preemption() -> TestResult {
    for i in 0..2 {
        SPIN_COUNT[i].store(0, Relaxed);
        SAW_OTHER[i].store(0, Relaxed);
        SPIN_DONE[i].store(false, Relaxed);
    }
    SPIN_TIMED_OUT.store(false, Relaxed);
    let deadline = pit::ticks() + 5 * pit::hz() as u64;
    let timer_switches = thread::timer_switches();
    let before = allocator::stats();
    thread::paint_irq_areas(true);
    for me in 0..2 {
        thread::spawn(move || spinner(me, deadline));
    }
    thread::paint_irq_areas(false);
    thread::run(1);
    let after = allocator::stats();
    ensure!(!SPIN_TIMED_OUT.load(Relaxed), "no timer switch within 5 s");
    let saw = [SAW_OTHER[0].load(Relaxed), SAW_OTHER[1].load(Relaxed)];
    ensure!(saw[0] >= 1 && saw[1] >= 1 && saw.iter().any(|&s| s >= 3), "alternations seen {saw:?}");
    let made = thread::timer_switches() - timer_switches;
    ensure!(made >= 3, "only {made} timer switches");
    let peak = thread::irq_area_peak();
    ensure!(peak > 688 && peak + 1024 <= thread::IRQ_AREA_SIZE, "IRQ area peak {peak} of {} bytes", thread::IRQ_AREA_SIZE);
    ensure!(after == before, "thread stacks not freed: {before:?} -> {after:?}");
    Ok(())
}

pub fn thread_channel_pingpong() -> TestResult {
    const ROUNDS: u64 = 100;
    let to_pong = Arc::new(Channel::new());
    let to_ping = Arc::new(Channel::new());
    let result = Arc::new(AtomicU64::new(0));
    let (a, b, sum) = (to_pong.clone(), to_ping.clone(), result.clone());
    thread::spawn(move || {
        let mut total = 0;
        for i in 1..=ROUNDS {
            a.send(i);
            total += b.recv();
        }
        a.send(0);
        sum.store(total, Relaxed);
    });
    thread::spawn(move || {
        loop {
            let value = to_pong.recv();
            if value == 0 {
                break;
            }
            to_ping.send(value * 2);
        }
    });
    let switches = thread::switches();
    // Time slices on: blocking must also survive preemption anywhere.
    thread::run(1);
    let total = result.load(Relaxed);
    ensure!(total == ROUNDS * (ROUNDS + 1), "sum of replies {total}");
    let made = thread::switches() - switches;
    ensure!(made >= 2 * ROUNDS, "only {made} switches for {ROUNDS} round trips");
    Ok(())
}

static HOLDER_PREEMPTED: AtomicBool = AtomicBool::new(false);
static WAITER_GOT_IT: AtomicBool = AtomicBool::new(false);
static LOCK: SpinLock<u64> = SpinLock::new(0);

/// A thread that finds a spin lock held by a preempted thread yields to
/// it instead of spinning through its time slice: the waiter's voluntary
/// switches while it waits are its yields (the holder makes none), and
/// without the scheduler's contention hook there are none.
pub fn thread_lock_contention_yields() -> TestResult {
    HOLDER_PREEMPTED.store(false, Relaxed);
    WAITER_GOT_IT.store(false, Relaxed);
    let deadline = pit::ticks() + 5 * pit::hz() as u64;
    thread::spawn(move || {
        let mut held = LOCK.lock();
        // Hold the lock across a timer switch.
        let seen = thread::timer_switches();
        while thread::timer_switches() == seen && pit::ticks() < deadline {
            core::hint::spin_loop();
        }
        HOLDER_PREEMPTED.store(thread::timer_switches() != seen, Relaxed);
        *held += 1;
        drop(held);
        // No voluntary switch of its own until the waiter is done, so the
        // waiter's count of them is its own.
        while !WAITER_GOT_IT.load(Relaxed) && pit::ticks() < deadline {
            core::hint::spin_loop();
        }
    });
    let voluntary = Arc::new(AtomicU64::new(0));
    let counted = voluntary.clone();
    thread::spawn(move || {
        let (switches, timer) = (thread::switches(), thread::timer_switches());
        *LOCK.lock() += 1;
        let made = (thread::switches() - switches) - (thread::timer_switches() - timer);
        counted.store(made, Relaxed);
        WAITER_GOT_IT.store(true, Relaxed);
    });
    thread::run(1);
    ensure!(HOLDER_PREEMPTED.load(Relaxed), "the holder was never preempted within 5 s");
    ensure!(WAITER_GOT_IT.load(Relaxed) && *LOCK.lock() == 2, "the waiter never got the lock");
    ensure!(voluntary.load(Relaxed) >= 1, "the waiter made no voluntary switch while the lock was held");
    Ok(())
}
