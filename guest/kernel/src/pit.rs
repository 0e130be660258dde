//! The 8254 programmable interval timer, channel 0 (wired to IRQ0).
//!
//! Its input clock is 1.193182 MHz. The mode/command register (port 0x43)
//! selects channel, access mode and counting mode; then the 16-bit divisor is
//! written to the channel's data port (0x40), low byte first. In mode 2 (rate
//! generator) the output pulses once every `divisor` input clocks, forever.

use crate::port::outb;
use crate::ring;
use core::sync::atomic::{AtomicU32, AtomicU64, Ordering};

pub const IRQ: u8 = 0;

const CHANNEL0_DATA: u16 = 0x40;
const MODE_COMMAND: u16 = 0x43;
/// Channel 0, access lobyte/hibyte, mode 2, binary counting.
const CHANNEL0_LOHI_MODE2: u8 = 0x34;

pub const INPUT_HZ: u32 = 1_193_182;
pub const DEFAULT_HZ: u32 = 100;
/// 19 Hz is the slowest rate whose divisor fits in 16 bits.
pub const MIN_HZ: u32 = 19;
pub const MAX_HZ: u32 = 10_000;

static TICKS: AtomicU64 = AtomicU64::new(0);
static HZ: AtomicU32 = AtomicU32::new(DEFAULT_HZ);

pub fn divisor(hz: u32) -> u16 {
    ((INPUT_HZ + hz / 2) / hz) as u16
}

/// Start channel 0 at `hz` (MIN_HZ..=MAX_HZ), or restart it at a new rate
/// (the benchmarks do; writing the mode command restarts the count). Port
/// I/O, so at CPL0 (`ring::privileged`).
pub fn init(hz: u32) {
    ring::privileged(|| {
        HZ.store(hz, Ordering::Relaxed);
        let divisor = divisor(hz);
        outb(MODE_COMMAND, CHANNEL0_LOHI_MODE2);
        outb(CHANNEL0_DATA, divisor as u8);
        outb(CHANNEL0_DATA, (divisor >> 8) as u8);
    });
}

/// The programmed rate.
pub fn hz() -> u32 {
    HZ.load(Ordering::Relaxed)
}

/// Ticks since `init`.
pub fn ticks() -> u64 {
    TICKS.load(Ordering::Relaxed)
}

/// IRQ0: count the tick; returns the new tick count.
#[inline]
pub fn on_tick() -> u64 {
    TICKS.fetch_add(1, Ordering::Relaxed) + 1
}
