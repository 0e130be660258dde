//! The demo: which executor runs which named tasks (`executor=`,
//! `scenario=`), and the tasks themselves. The task names show up in the
//! host's timeline.
//!
//! The tasks are quiet on purpose: every byte on the serial port is a VM
//! exit. Periodic tasks show that they are alive in the status cells at
//! the top right of the VGA screen (plain RAM) instead:
//!
//!     column 76  worker           digit: bursts done, mod 10
//!     column 77  consumer         digit: items received / 20, mod 10
//!     column 78  heartbeat-250ms  spinner | / - \
//!     column 79  heartbeat-1s     heart, blinking

use crate::task::channel::{Receiver, Sender, channel};
use crate::task::executor::Executor;
use crate::task::simple_executor::SimpleExecutor;
use crate::task::timer::{self, sleep_ms, sleep_until};
use crate::task::yield_now::yield_now;
use crate::task::{Task, keyboard};
use crate::{cmdline, cpu, exit, pit, println, trace, tsc, vga};
use alloc::vec::Vec;
use core::future::Future;
use core::pin::Pin;
use core::sync::atomic::{AtomicU64, Ordering};
use core::task::{Context, Poll};

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ExecutorKind {
    /// SimpleExecutor: busy polling with a no-op waker.
    Simple,
    /// Executor: wakers, a ready queue, hlt when idle.
    Waker,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// example, keyboard, heartbeats, worker, producer/consumer.
    Demo,
    /// Demo plus `lost-waker`, which returns Pending without keeping its
    /// waker (so the waker executor never polls it again).
    LostWaker,
    /// Demo plus `long-poll`, which busy-loops 50 ms inside one poll.
    LongPoll,
    /// Only the keyboard task: a quiet timeline.
    Keyboard,
    /// `ping`/`pong` yielding to each other, timed; then exit.
    Bench,
}

const EXECUTORS: &str = "simple, waker";
const SCENARIOS: &str = "demo, lostwaker, longpoll, keyboard, bench";

impl ExecutorKind {
    fn name(self) -> &'static str {
        match self {
            ExecutorKind::Simple => "simple",
            ExecutorKind::Waker => "waker",
        }
    }
}

impl Scenario {
    fn name(self) -> &'static str {
        match self {
            Scenario::Demo => "demo",
            Scenario::LostWaker => "lostwaker",
            Scenario::LongPoll => "longpoll",
            Scenario::Keyboard => "keyboard",
            Scenario::Bench => "bench",
        }
    }
}

/// `executor=` and `scenario=`; unknown values warn and fall back to the
/// defaults (waker, demo).
pub fn options() -> (ExecutorKind, Scenario) {
    let executor = match cmdline::get("executor") {
        None | Some("waker") => ExecutorKind::Waker,
        Some("simple") => ExecutorKind::Simple,
        Some(other) => {
            println!("warning: executor={other} ignored (known: {EXECUTORS}), using waker");
            ExecutorKind::Waker
        }
    };
    let scenario = match cmdline::get("scenario") {
        None | Some("demo") => Scenario::Demo,
        Some("lostwaker") => Scenario::LostWaker,
        Some("longpoll") => Scenario::LongPoll,
        Some("keyboard") => Scenario::Keyboard,
        Some("bench") => Scenario::Bench,
        Some(other) => {
            println!("warning: scenario={other} ignored (known: {SCENARIOS}), using demo");
            Scenario::Demo
        }
    };
    (executor, scenario)
}

/// Run the scenario's tasks on the chosen executor. Interrupts are on.
pub fn run(executor: ExecutorKind, scenario: Scenario) -> ! {
    println!("executor: {} scenario={} started", executor.name(), scenario.name());
    match executor {
        ExecutorKind::Waker => {
            let mut executor = Executor::new();
            for task in tasks(scenario) {
                executor.spawn(task);
            }
            executor.run()
        }
        ExecutorKind::Simple => {
            let mut executor = SimpleExecutor::new();
            for task in tasks(scenario) {
                executor.spawn(task);
            }
            executor.run();
            // Every task finished: idle.
            loop {
                cpu::sti_hlt();
            }
        }
    }
}

fn tasks(scenario: Scenario) -> Vec<Task> {
    let mut tasks = Vec::new();
    match scenario {
        Scenario::Demo | Scenario::LostWaker | Scenario::LongPoll => {
            tasks.push(Task::new("example", example_task()));
            tasks.push(Task::new("keyboard", keyboard::print_keypresses()));
            tasks.push(Task::new("heartbeat-1s", heartbeat(1000, 79)));
            tasks.push(Task::new("heartbeat-250ms", heartbeat(250, 78)));
            tasks.push(Task::new("worker", worker()));
            let (sender, receiver) = channel(4);
            tasks.push(Task::new("producer", producer(sender)));
            tasks.push(Task::new("consumer", consumer(receiver)));
            if scenario == Scenario::LostWaker {
                tasks.push(Task::new("lost-waker", LostWaker { polled: false }));
            }
            if scenario == Scenario::LongPoll {
                tasks.push(Task::new("long-poll", long_poll()));
            }
        }
        Scenario::Keyboard => tasks.push(Task::new("keyboard", keyboard::print_keypresses())),
        Scenario::Bench => {
            tasks.push(Task::new("bench", bench()));
            tasks.push(Task::new("ping", bench_yielder(true)));
            tasks.push(Task::new("pong", bench_yielder(false)));
        }
    }
    if pit::report_every() != 0 {
        tasks.push(Task::new("report", report()));
    }
    if cmdline::has("tracecheck") {
        tasks.push(Task::new("tracecheck", tracecheck()));
    }
    tasks
}

async fn async_number() -> u32 {
    42
}

async fn example_task() {
    let number = async_number().await;
    println!("async number: {number}");
}

/// `report=N`: `timer: <ticks> ticks` every N ticks.
async fn report() {
    loop {
        let ticks = timer::next_report().await;
        println!("timer: {ticks} ticks");
    }
}

/// `tracecheck`: after a second, show that records are being produced.
async fn tracecheck() {
    sleep_ms(1000).await;
    let (write_seq, _, dropped) = trace::counters();
    println!("trace: write_seq={write_seq} dropped={dropped}");
}

/// Beat every `period_ms` (drift-free: deadlines advance by whole periods)
/// and animate status cell `col`.
async fn heartbeat(period_ms: u64, col: usize) {
    const SPINNER: &[u8; 4] = b"|/-\\";
    const HEART: u8 = 0x03;
    let period = timer::ms_to_ticks(period_ms);
    let mut deadline = timer::ticks();
    let mut beats: u64 = 0;
    loop {
        deadline += period;
        sleep_until(deadline).await;
        beats += 1;
        if period_ms >= 1000 {
            let attr = if beats % 2 == 0 { 0x04 } else { 0x0C };
            vga::put_status(col, HEART, attr);
        } else {
            vga::put_status(col, SPINNER[beats as usize % SPINNER.len()], 0x0A);
        }
    }
}

/// Cooperative CPU-bound work: bursts of 4 chunks of about 50 µs each, 100
/// ms of sleep between bursts, with one `yield_now` in the middle of each
/// burst so that no poll runs long. Each burst is then woken once by its
/// timer and once by itself: half of its wakes are its own, the most the
/// host's self-wake lint lets pass (more would mean the task busy-loops
/// through the executor), and its polls stay far below the long-poll lint's
/// 10 ms even where guest code is emulated.
async fn worker() {
    const CHUNKS: u32 = 4;
    const CHUNK_US: u64 = 50;
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut bursts: u64 = 0;
    // Chunks are measured by the TSC, whose rate is known a quarter second in.
    while tsc::khz().is_none() {
        sleep_ms(50).await;
    }
    loop {
        sleep_ms(100).await;
        for chunk in 0..CHUNKS {
            state = compute(state, CHUNK_US);
            if chunk == CHUNKS / 2 - 1 {
                yield_now().await;
            }
        }
        bursts += 1;
        vga::put_status(76, b'0' + (bursts % 10) as u8, 0x0E);
    }
}

/// Mix `state` for about `us` microseconds by the TSC (one round of 16
/// steps if its rate is not known yet).
fn compute(mut state: u64, us: u64) -> u64 {
    let step = |state: &mut u64| {
        for _ in 0..16 {
            *state ^= *state << 13;
            *state ^= *state >> 7;
            *state ^= *state << 17;
        }
    };
    let cycles = tsc::us_to_cycles(us).unwrap_or(0);
    let start = cpu::rdtsc();
    loop {
        step(&mut state);
        if cpu::rdtsc().wrapping_sub(start) >= cycles {
            break;
        }
    }
    core::hint::black_box(state)
}

/// Send 0, 1, 2, ... every 50 ms.
async fn producer(sender: Sender<u64>) {
    let mut counter: u64 = 0;
    loop {
        sleep_ms(50).await;
        if sender.send(counter).await.is_err() {
            return;
        }
        counter += 1;
    }
}

/// Sum what the producer sends; every 20 items, a trace mark (the sum) and
/// a status digit, no serial output.
async fn consumer(mut receiver: Receiver<u64>) {
    let mut sum: u64 = 0;
    let mut count: u64 = 0;
    while let Some(value) = receiver.recv().await {
        sum += value;
        count += 1;
        if count % 20 == 0 {
            trace::mark(sum);
            vga::put_status(77, b'0' + (count / 20 % 10) as u8, 0x0B);
        }
    }
}

/// Returns Pending once without storing or waking its waker: a lost
/// wakeup. The waker executor never polls it again; the simple executor
/// polls it anyway, and it then completes.
struct LostWaker {
    polled: bool,
}

impl Future for LostWaker {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context) -> Poll<()> {
        if self.polled {
            return Poll::Ready(());
        }
        self.polled = true;
        Poll::Pending
    }
}

/// After 100 ms, hog the CPU for 50 ms in one poll, then finish. That poll
/// ends with a yield (Pending) and the task ends in the short poll after
/// it, as a real task that forgot to split its work would go on.
async fn long_poll() {
    sleep_ms(100).await;
    tsc::busy_wait_us(50_000);
    yield_now().await;
}

// scenario=bench: `bench` times trace records, then `ping` and `pong` yield
// to each other (each yield is one cooperative task switch: PollEnd, the
// wake, the queue, PollBegin of the other task); the last to finish prints
// the result and exits with 0. Timing is in batches and the fastest batch
// counts: a batch that took an interrupt or lost the host CPU is slower.

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
