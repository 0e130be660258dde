//! Tests of the trace ring's writer, on private rings.

use super::case::{TestResult, ensure};
use crate::cpu;
use crate::trace::{self, Header, Kind, Record};
use alloc::vec::Vec;
use core::sync::atomic::Ordering::Relaxed;

// ----------------------------------------------------------------- trace

pub fn trace_ring_writer() -> TestResult {
    // A private ring of 4 records; the live one is untouched.
    let header = Header::new();
    let records = [const { Record::new() }; 4];
    let before = cpu::rdtsc();
    trace::write_to(&header, &records, Kind::Mark, 7, 0x1234, || 3);
    ensure!(header.counters() == (1, 0, 0), "counters {:?}", header.counters());
    let r = &records[0];
    ensure!(r.tsc.load(Relaxed) >= before, "tsc {} before {before}", r.tsc.load(Relaxed));
    ensure!(r.arg.load(Relaxed) == 0x1234 && r.task.load(Relaxed) == 7, "arg/task");
    ensure!(r.kind.load(Relaxed) == Kind::Mark as u16 && r.queue.load(Relaxed) == 3, "kind/queue");
    ensure!(r.commit.load(Relaxed) == 1, "commit {} for record 0", r.commit.load(Relaxed));
    for i in 1..4 {
        trace::write_to(&header, &records, Kind::Wake, i as u32, i, || 0);
    }
    let commits: Vec<u32> = records.iter().map(|r| r.commit.load(Relaxed)).collect();
    ensure!(commits == [1, 2, 3, 4], "commit words {commits:?}");
    let tscs: Vec<u64> = records.iter().map(|r| r.tsc.load(Relaxed)).collect();
    ensure!(tscs.windows(2).all(|w| w[0] <= w[1]), "timestamps out of order {tscs:?}");
    // Full: dropped, nothing overwritten.
    trace::write_to(&header, &records, Kind::Mark, 9, 99, || 0);
    ensure!(header.counters() == (4, 0, 1), "full ring: counters {:?}", header.counters());
    ensure!(records[0].arg.load(Relaxed) == 0x1234, "a full ring overwrote record 0");
    // The host frees two slots: record 4 goes to slot 0.
    header.set_read_seq(2);
    trace::write_to(&header, &records, Kind::Mark, 9, 99, || 0);
    ensure!(header.counters() == (5, 2, 1), "after read_seq=2: counters {:?}", header.counters());
    ensure!(records[0].commit.load(Relaxed) == 5 && records[0].arg.load(Relaxed) == 99, "record 4 not in slot 0");
    Ok(())
}
