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
    trace::write_to(&header, &records, Kind::Mark, 7, 0x1234, || 3, || {});
    ensure!(header.counters() == (1, 0, 0), "counters {:?}", header.counters());
    let r = &records[0];
    ensure!(r.tsc.load(Relaxed) >= before, "tsc {} before {before}", r.tsc.load(Relaxed));
    ensure!(r.arg.load(Relaxed) == 0x1234 && r.task.load(Relaxed) == 7, "arg/task");
    ensure!(r.kind.load(Relaxed) == Kind::Mark as u16 && r.queue.load(Relaxed) == 3, "kind/queue");
    ensure!(r.commit.load(Relaxed) == 1, "commit {} for record 0", r.commit.load(Relaxed));
    for i in 1..4 {
        trace::write_to(&header, &records, Kind::Wake, i as u32, i, || 0, || {});
    }
    let commits: Vec<u32> = records.iter().map(|r| r.commit.load(Relaxed)).collect();
    ensure!(commits == [1, 2, 3, 4], "commit words {commits:?}");
    let tscs: Vec<u64> = records.iter().map(|r| r.tsc.load(Relaxed)).collect();
    ensure!(tscs.windows(2).all(|w| w[0] <= w[1]), "timestamps out of order {tscs:?}");
    // Full: dropped, nothing overwritten.
    trace::write_to(&header, &records, Kind::Mark, 9, 99, || 0, || {});
    ensure!(header.counters() == (4, 0, 1), "full ring: counters {:?}", header.counters());
    ensure!(records[0].arg.load(Relaxed) == 0x1234, "a full ring overwrote record 0");
    // The host frees two slots: record 4 goes to slot 0.
    header.set_read_seq(2);
    trace::write_to(&header, &records, Kind::Mark, 9, 99, || 0, || {});
    ensure!(header.counters() == (5, 2, 1), "after read_seq=2: counters {:?}", header.counters());
    ensure!(records[0].commit.load(Relaxed) == 5 && records[0].arg.load(Relaxed) == 99, "record 4 not in slot 0");
    Ok(())
}

/// The false drop (issue 13): the writer reads write_seq and read_seq one
/// after the other. An interrupt between the two loads writes a record,
/// and the host drains everything meanwhile, so read_seq passes the
/// write_seq the writer read. The ring has room; the record must land.
pub fn trace_drain_between_loads() -> TestResult {
    let header = Header::new();
    let records = [const { Record::new() }; 4];
    for i in 0..3 {
        trace::write_to(&header, &records, Kind::Mark, 1, i, || 0, || {});
    }
    let mut interrupted = false;
    trace::write_to(&header, &records, Kind::Mark, 2, 0x42, || 0, || {
        if !interrupted {
            interrupted = true;
            // The handler's record, then the host reads up to write_seq.
            trace::write_to(&header, &records, Kind::IrqEnter, 0, 32, || 0, || {});
            let (write_seq, _, _) = header.counters();
            header.set_read_seq(write_seq);
        }
    });
    let (write_seq, read_seq, dropped) = header.counters();
    ensure!(dropped == 0, "dropped {dropped} record(s) with the ring empty (write_seq {write_seq}, read_seq {read_seq})");
    ensure!(write_seq == 5 && read_seq == 4, "counters ({write_seq}, {read_seq}), want (5, 4)");
    let r = &records[0];
    ensure!(r.commit.load(Relaxed) == 5 && r.arg.load(Relaxed) == 0x42, "record 4 is not in slot 0: commit {}", r.commit.load(Relaxed));
    Ok(())
}
