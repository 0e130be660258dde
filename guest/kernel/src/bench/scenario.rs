//! `scenario=bench`: the original benchmark, kept as it was (`bench=` is
//! the broader set). `bench` times trace records, then `ping` and `pong`
//! yield to each other (each yield is one cooperative task switch:
//! PollEnd, the wake, the queue, PollBegin of the other task); the last to
//! finish prints the result and exits with 0. Timing is in batches and the
//! fastest batch counts: a batch that took an interrupt or lost the host
//! CPU is slower.

use crate::task::Task;
use crate::task::executor::Executor;
use crate::task::timer::{sleep_ms, sleep_until};
use crate::task::yield_now::yield_now;
use crate::{cpu, exit, pit, println, trace, tsc};
use core::sync::atomic::{AtomicU64, Ordering};

/// Run `bench`, `ping` and `pong` on the waker executor; exits with 0.
pub(super) fn run() -> ! {
    println!("executor: waker scenario=bench started");
    let mut executor = Executor::new();
    executor.spawn(Task::new("bench", bench()));
    executor.spawn(Task::new("ping", bench_yielder(true)));
    executor.spawn(Task::new("pong", bench_yielder(false)));
    executor.run()
}

const BENCH_BATCHES: u64 = 100;
const BENCH_RECORDS_PER_BATCH: u64 = 100;
const BENCH_YIELDS_PER_BATCH: u64 = 50;
/// ping's fastest batch (cycles for 2 * BENCH_YIELDS_PER_BATCH switches).
static BENCH_BEST_BATCH: AtomicU64 = AtomicU64::new(u64::MAX);
static BENCH_TOTAL: AtomicU64 = AtomicU64::new(0);
static BENCH_FINISHED: AtomicU64 = AtomicU64::new(0);

/// The tick ping and pong start at: a second in, after `bench`.
fn bench_start_tick() -> u64 {
    pit::hz() as u64
}

fn trace_state() -> &'static str {
    if trace::enabled() { "on" } else { "off" }
}

async fn bench() {
    // The TSC rate is measured a quarter second in.
    while tsc::khz().is_none() {
        sleep_ms(50).await;
    }
    let (_, _, dropped_before) = trace::counters();
    let mut best = u64::MAX;
    let mut total = 0;
    for _ in 0..BENCH_BATCHES {
        let start = cpu::rdtsc();
        for i in 0..BENCH_RECORDS_PER_BATCH {
            trace::mark(i);
        }
        let cycles = cpu::rdtsc() - start;
        best = best.min(cycles);
        total += cycles;
    }
    let (_, _, dropped_after) = trace::counters();
    let records = BENCH_BATCHES * BENCH_RECORDS_PER_BATCH;
    println!(
        "bench: trace record {} ns best, {} ns mean ({} cycles best; {} records, {} dropped, trace={})",
        tenths(tsc::cycles_to_tenth_ns(best).unwrap_or(0) / BENCH_RECORDS_PER_BATCH),
        tenths(tsc::cycles_to_tenth_ns(total).unwrap_or(0) / records),
        best / BENCH_RECORDS_PER_BATCH,
        records,
        dropped_after - dropped_before,
        trace_state(),
    );
}

async fn bench_yielder(measure: bool) {
    sleep_until(bench_start_tick()).await;
    for _ in 0..BENCH_BATCHES {
        let start = cpu::rdtsc();
        for _ in 0..BENCH_YIELDS_PER_BATCH {
            yield_now().await;
        }
        if measure {
            let cycles = cpu::rdtsc() - start;
            BENCH_BEST_BATCH.fetch_min(cycles, Ordering::Relaxed);
            BENCH_TOTAL.fetch_add(cycles, Ordering::Relaxed);
        }
    }
    if BENCH_FINISHED.fetch_add(1, Ordering::Relaxed) == 1 {
        let per_batch = 2 * BENCH_YIELDS_PER_BATCH;
        let best = BENCH_BEST_BATCH.load(Ordering::Relaxed);
        let total = BENCH_TOTAL.load(Ordering::Relaxed);
        println!(
            "bench: task switch {} ns best, {} ns mean ({} cycles best; {} switches by yield_now, trace={})",
            tenths(tsc::cycles_to_tenth_ns(best).unwrap_or(0) / per_batch),
            tenths(tsc::cycles_to_tenth_ns(total).unwrap_or(0) / (per_batch * BENCH_BATCHES)),
            best / per_batch,
            per_batch * BENCH_BATCHES,
            trace_state(),
        );
        println!("bench: tsc {} kHz", tsc::khz().unwrap_or(0));
        exit::exit(exit::SUCCESS);
    }
}

/// `n` tenths as "<int>.<digit>".
fn tenths(n: u64) -> impl core::fmt::Display {
    struct Tenths(u64);
    impl core::fmt::Display for Tenths {
        fn fmt(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
            write!(f, "{}.{}", self.0 / 10, self.0 % 10)
        }
    }
    Tenths(n)
}
