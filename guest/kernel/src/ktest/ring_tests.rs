//! Tests of the privilege levels (src/ring.rs): the tests run at the
//! tasks' level, `privileged` and `atomically` reach CPL0.

use super::case::{TestResult, ensure};
use crate::{cpu, ring};

/// Whether interrupts are on: readable at CPL0 only (at CPL3 RFLAGS.IF is
/// always set).
fn interrupts_on() -> bool {
    cpu::interrupts_enabled()
}

pub fn ring_task_level() -> TestResult {
    let cpl = cpu::cpl();
    ensure!(cpl == ring::task_cpl(), "the tests run at CPL{cpl}, tasks at CPL{}", ring::task_cpl());
    let (cs, ss) = ring::task_selectors();
    ensure!((cs & 3) as u8 == cpl && (ss & 3) as u8 == cpl, "selectors {cs:#x}/{ss:#x} for CPL{cpl}");
    Ok(())
}

pub fn ring_privileged_and_atomically() -> TestResult {
    let (level, on) = ring::privileged(|| (cpu::cpl(), interrupts_on()));
    ensure!(level == 0, "privileged ran at CPL{level}");
    ensure!(on, "privileged ran with interrupts off");
    let (level, on) = ring::atomically(|| (cpu::cpl(), interrupts_on()));
    ensure!(level == 0, "atomically ran at CPL{level}");
    ensure!(!on, "atomically ran with interrupts on");
    // Nested: CPL0 already, so plain calls; the outer state comes back.
    let (inner, after) = ring::privileged(|| (ring::atomically(interrupts_on), interrupts_on()));
    ensure!(!inner && after, "nested atomically: interrupts {inner} inside, {after} after");
    let big = ring::atomically(|| [7u64; 32]);
    ensure!(big.iter().all(|&v| v == 7), "a 256-byte result came back as {:?}", &big[..4]);
    ensure!(cpu::cpl() == ring::task_cpl(), "back at CPL{}", cpu::cpl());
    Ok(())
}
