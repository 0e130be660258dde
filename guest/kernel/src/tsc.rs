//! The time-stamp counter's rate, measured against the PIT.
//!
//! The IRQ0 handler notes the TSC at tick 1 and computes the rate after a
//! quarter second of ticks, then refines it after two seconds. Before the
//! first estimate `khz()` is None and the callers fall back to ticks or
//! fixed amounts of work. Only as exact as the tick delivery (a late tick
//! moves the estimate by one tick period over the window).

use crate::{cpu, pit};
use core::sync::atomic::{AtomicU64, Ordering};

static FIRST_TICK_TSC: AtomicU64 = AtomicU64::new(0);
/// TSC kHz; 0 until measured.
static KHZ: AtomicU64 = AtomicU64::new(0);
/// The tick at which the next (re)calibration happens; 0 when done.
static NEXT_CALIBRATION: AtomicU64 = AtomicU64::new(0);

/// IRQ0, with the new tick count.
#[inline]
pub fn on_tick(now: u64) {
    if now == 1 {
        FIRST_TICK_TSC.store(cpu::rdtsc(), Ordering::Relaxed);
        NEXT_CALIBRATION.store(1 + (pit::hz() as u64 / 4).max(2), Ordering::Relaxed);
        return;
    }
    if now != NEXT_CALIBRATION.load(Ordering::Relaxed) {
        return;
    }
    let hz = pit::hz() as u64;
    let cycles = cpu::rdtsc().wrapping_sub(FIRST_TICK_TSC.load(Ordering::Relaxed));
    KHZ.store(cycles * hz / ((now - 1) * 1000), Ordering::Relaxed);
    let refine = 1 + 2 * hz;
    NEXT_CALIBRATION.store(if now < refine { refine } else { 0 }, Ordering::Relaxed);
}

/// The rate is final: refined at two seconds (the PIT rate may change
/// from then on without disturbing it).
pub fn calibrated() -> bool {
    KHZ.load(Ordering::Relaxed) != 0 && NEXT_CALIBRATION.load(Ordering::Relaxed) == 0
}

/// The TSC rate in kHz, once measured.
pub fn khz() -> Option<u64> {
    match KHZ.load(Ordering::Relaxed) {
        0 => None,
        khz => Some(khz),
    }
}

pub fn us_to_cycles(us: u64) -> Option<u64> {
    khz().map(|khz| us * khz / 1000)
}

/// Nanoseconds for `cycles` TSC cycles, times 10 (one decimal).
pub fn cycles_to_tenth_ns(cycles: u64) -> Option<u64> {
    khz().map(|khz| cycles * 10_000_000 / khz)
}

/// Spin for `us` microseconds with interrupts as they are: by the TSC once
/// calibrated, else by timer ticks (then at least `us`, rounded up to whole
/// ticks after the next tick boundary; needs interrupts on).
pub fn busy_wait_us(us: u64) {
    if let Some(cycles) = us_to_cycles(us) {
        let start = cpu::rdtsc();
        while cpu::rdtsc().wrapping_sub(start) < cycles {
            core::hint::spin_loop();
        }
        return;
    }
    let ticks = (us * pit::hz() as u64).div_ceil(1_000_000).max(1);
    let first = pit::ticks();
    while pit::ticks() == first {
        core::hint::spin_loop();
    }
    let start = pit::ticks();
    while pit::ticks() - start < ticks {
        core::hint::spin_loop();
    }
}
