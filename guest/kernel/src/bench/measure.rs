//! What every measurement shares: its result, the fastest-batch tally and
//! the span a yield or ping-pong measurement covers.

use alloc::string::String;
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// A batch ends at the first measuring point at least this many switches
/// after it began. Small enough that a batch fits between two ticks at
/// 100 Hz even where a switch costs ~0.35 ms (README, "Hosts").
pub const BATCH: u64 = 16;
/// Time slice of the preemptive threads, in timer ticks.
pub const SLICE_TICKS: u32 = 1;

/// One measurement's result, as its `bench:` line reports it.
pub struct Measured {
    pub switches: u64,
    pub cycles: u64,
    /// Per switch, fastest batch (u64::MAX: no batch completed).
    pub min_batch: u64,
    /// " key=value" fields for the end of the line.
    pub extra: String,
}

/// The fastest batch's cost per switch.
#[derive(Clone, Copy)]
pub struct Batches {
    start_tsc: u64,
    start_count: u64,
    pub best: u64,
}

impl Batches {
    pub const fn new() -> Self {
        Batches { start_tsc: 0, start_count: 0, best: u64::MAX }
    }

    pub fn begin(&mut self, tsc: u64, count: u64) {
        self.start_tsc = tsc;
        self.start_count = count;
    }

    /// A measuring point: `count` switches so far at `tsc`.
    #[inline]
    pub fn mark(&mut self, tsc: u64, count: u64) {
        let switches = count - self.start_count;
        if switches >= BATCH {
            self.best = self.best.min((tsc - self.start_tsc) / switches);
            self.begin(tsc, count);
        }
    }
}

/// The span a yield/ping-pong measurement covers: from the first
/// measuring task's or thread's resumption after a warm-up round to the
/// last one's final resumption; `count` is the switch counter at each end.
pub struct Span {
    start_tsc: AtomicU64,
    start_count: AtomicU64,
    pub end_tsc: AtomicU64,
    pub end_count: AtomicU64,
    pub best: AtomicU64,
    finished: AtomicU64,
}

impl Span {
    const fn new() -> Self {
        Span {
            start_tsc: AtomicU64::new(0),
            start_count: AtomicU64::new(0),
            end_tsc: AtomicU64::new(0),
            end_count: AtomicU64::new(0),
            best: AtomicU64::new(u64::MAX),
            finished: AtomicU64::new(0),
        }
    }

    pub fn reset(&self) {
        for field in [&self.start_tsc, &self.start_count, &self.end_tsc, &self.end_count, &self.finished] {
            field.store(0, Relaxed);
        }
        self.best.store(u64::MAX, Relaxed);
    }

    pub fn start(&self, tsc: u64, count: u64) {
        self.start_tsc.store(tsc, Relaxed);
        self.start_count.store(count, Relaxed);
    }

    /// One participant is done; the last of `of` closes the span.
    pub fn finish(&self, of: u64, tsc: u64, count: u64) {
        if self.finished.fetch_add(1, Relaxed) + 1 == of {
            self.end_tsc.store(tsc, Relaxed);
            self.end_count.store(count, Relaxed);
        }
    }

    pub fn result(&self, extra: String) -> Measured {
        Measured {
            switches: self.end_count.load(Relaxed) - self.start_count.load(Relaxed),
            cycles: self.end_tsc.load(Relaxed) - self.start_tsc.load(Relaxed),
            min_batch: self.best.load(Relaxed),
            extra,
        }
    }
}

pub static SPAN: Span = Span::new();
