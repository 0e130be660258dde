//! `trace-record` and `fxsave`: single instructions' and one record's
//! cost, in batches between RDTSCs.

use super::measure::{BATCH, Measured};
use crate::{cpu, trace};
use alloc::format;
use alloc::string::String;

/// trace-record: records per batch.
const RECORD_BATCH: u64 = 100;

/// `trace-record`: `trace::mark` in batches of 100 between RDTSCs.
/// switches = records.
pub(super) fn trace_record(n: u64) -> Measured {
    let (_, _, dropped_before) = trace::counters();
    let mut total = 0;
    let mut best = u64::MAX;
    let mut done = 0;
    while done < n {
        let batch = RECORD_BATCH.min(n - done);
        let start = cpu::rdtsc();
        for i in 0..batch {
            trace::mark(i);
        }
        let cycles = cpu::rdtsc() - start;
        total += cycles;
        if batch == RECORD_BATCH {
            best = best.min(cycles / batch);
        }
        done += batch;
    }
    let (_, _, dropped_after) = trace::counters();
    Measured { switches: n, cycles: total, min_batch: best, extra: format!(" dropped={}", dropped_after - dropped_before) }
}

/// `fxsave` (not in `all`): one `fxsave64` + `fxrstor64` pair, the FPU/SSE
/// part of every interrupt entry and so of every preemptive switch, in
/// batches of 16 pairs. switches = pairs.
pub(super) fn fxsave(n: u64) -> Measured {
    #[repr(C, align(16))]
    struct Area([u8; 512]);
    let mut area = Area([0; 512]);
    let ptr = &raw mut area;
    let mut total = 0;
    let mut best = u64::MAX;
    let mut done = 0;
    while done < n {
        let batch = BATCH.min(n - done);
        let start = cpu::rdtsc();
        for _ in 0..batch {
            unsafe {
                core::arch::asm!("fxsave64 [{0}]", "fxrstor64 [{0}]", in(reg) ptr, options(nostack, preserves_flags));
            }
        }
        let cycles = cpu::rdtsc() - start;
        total += cycles;
        if batch == BATCH {
            best = best.min(cycles / batch);
        }
        done += batch;
    }
    Measured { switches: n, cycles: total, min_batch: best, extra: String::new() }
}
