//! `bench=NAME[,NAME...]` / `bench=all`: timed scenarios that put the
//! cooperative switch (async tasks on the waker executor) next to the
//! preemptive one (kernel threads, src/thread/) and time the interrupt
//! paths. Each measurement prints one line,
//!
//!     bench: <name> switches=<n> cycles=<c> min_batch_cycles=<m> cycles_per_switch=<c/n> ns_per_switch=<x.y> trace=<on|off> hz=<hz> tsc_khz=<k> [more key=value]
//!
//! then the kernel exits with 0. `cycles` are TSC cycles; `min_batch_cycles`
//! is the per-switch cost of the fastest batch (a batch is at least `BATCH`
//! switches, ending at a measuring point): batches that took a timer
//! interrupt or lost the host CPU are slower, so it is the cleanest figure.
//! `benchn=N` sets the switches (or events) per measurement (default 2000).
//! The README lists what each name measures.
//!
//! Timer rate: the switch measurements run at the boot rate (`hz=`,
//! default 100), so that batches fit between ticks where every instruction
//! is emulated (a tick costs the interrupted code about 0.3 ms there). The
//! timer-driven ones (preempt-timer, irq-entry, irq-wake) take one event
//! per tick and reprogram the PIT to `benchhz=` (default 1000) while they
//! run, unless `hz=` was given: then everything runs at that rate. The
//! `hz=` field of each line is the rate during that measurement. Before
//! the first measurement the kernel waits for the TSC calibration to be
//! final (two seconds of ticks), so rate changes cannot disturb it.

use crate::task::Task;
use crate::task::atomic_waker::AtomicWaker;
use crate::task::channel::{Receiver, Sender, channel};
use crate::task::executor::Executor;
use crate::task::yield_now::yield_now;
use crate::thread::{self, channel::Channel};
use crate::{cmdline, cpu, exit, isr, pit, println, trace, tsc};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::future::Future;
use core::pin::Pin;
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use core::task::{Context, Poll};

/// In the order `bench=all` runs them. trace-record goes first: under QEMU
/// nobody drains the ring, and a full ring would time the "dropped" path.
pub const NAMES: &[&str] = &[
    "trace-record",
    "coop-yield-2",
    "coop-yield-16",
    "coop-yield-256",
    "coop-pingpong",
    "preempt-yield-2",
    "preempt-yield-16",
    "preempt-yield-256",
    "preempt-pingpong",
    "preempt-timer",
    "irq-entry",
    "irq-wake",
];

/// Accepted by name but not part of `all`.
pub const EXTRA_NAMES: &[&str] = &["fxsave"];

/// Switches (or records, interrupts, wakes) per measurement.
pub const DEFAULT_N: u64 = 2000;
/// The PIT rate of the timer-driven measurements, unless `hz=` is given.
pub const DEFAULT_TIMER_HZ: u32 = 1000;
/// Time slice of the preemptive threads, in timer ticks.
pub const SLICE_TICKS: u32 = 1;
/// A batch ends at the first measuring point at least this many switches
/// after it began. Small enough that a batch fits between two ticks at
/// 100 Hz when a switch costs ~0.35 ms (emulated CPU).
const BATCH: u64 = 16;
/// Those that need one timer tick per event.
const TIMER_DRIVEN: &[&str] = &["preempt-timer", "irq-entry", "irq-wake"];
/// trace-record: records per batch.
const RECORD_BATCH: u64 = 100;

pub fn requested() -> bool {
    cmdline::has("bench")
}

/// Run the `bench=` list, print one line per measurement, exit with 0.
pub fn run() -> ! {
    let n = match cmdline::get_u64("benchn") {
        Ok(None) => DEFAULT_N,
        Ok(Some(n)) if n >= 1 => n,
        _ => {
            println!("warning: benchn={} ignored (want a number >= 1), using {DEFAULT_N}", cmdline::get("benchn").unwrap_or(""));
            DEFAULT_N
        }
    };
    let mut names: Vec<&str> = Vec::new();
    match cmdline::get("bench") {
        None | Some("") => names.extend_from_slice(NAMES),
        Some(list) => {
            for name in list.split(',').filter(|s| !s.is_empty()) {
                if name == "all" {
                    names.extend_from_slice(NAMES);
                } else {
                    names.push(name);
                }
            }
        }
    }
    let boot_hz = pit::hz();
    let timer_hz = if cmdline::get("hz").is_some() {
        boot_hz
    } else {
        match cmdline::get_u64("benchhz") {
            Ok(None) => DEFAULT_TIMER_HZ,
            Ok(Some(hz)) if (pit::MIN_HZ as u64..=pit::MAX_HZ as u64).contains(&hz) => hz as u32,
            _ => {
                println!(
                    "warning: benchhz={} ignored (valid: {}..={}), using {DEFAULT_TIMER_HZ}",
                    cmdline::get("benchhz").unwrap_or(""),
                    pit::MIN_HZ,
                    pit::MAX_HZ
                );
                DEFAULT_TIMER_HZ
            }
        }
    };
    // The ns figures need the TSC rate; changing the PIT rate needs it final.
    while !tsc::calibrated() {
        cpu::sti_hlt();
    }
    for name in names {
        let hz = if TIMER_DRIVEN.contains(&name) { timer_hz } else { boot_hz };
        if hz != pit::hz() {
            pit::init(hz);
        }
        match measure(name, n) {
            Some(result) => report(name, &result),
            None => println!(
                "warning: bench={name} unknown (known: all, {}, {})",
                NAMES.join(", "),
                EXTRA_NAMES.join(", ")
            ),
        }
    }
    exit::exit(exit::SUCCESS)
}

struct Measured {
    switches: u64,
    cycles: u64,
    /// Per switch, fastest batch (u64::MAX: no batch completed).
    min_batch: u64,
    /// " key=value" fields for the end of the line.
    extra: String,
}

fn measure(name: &str, n: u64) -> Option<Measured> {
    Some(match name {
        "trace-record" => trace_record(n),
        "coop-yield-2" => coop_yield(2, n),
        "coop-yield-16" => coop_yield(16, n),
        "coop-yield-256" => coop_yield(256, n),
        "coop-pingpong" => coop_pingpong(n),
        "preempt-yield-2" => preempt_yield(2, n),
        "preempt-yield-16" => preempt_yield(16, n),
        "preempt-yield-256" => preempt_yield(256, n),
        "preempt-pingpong" => preempt_pingpong(n),
        "preempt-timer" => preempt_timer(n),
        "irq-entry" => irq_entry(n),
        "irq-wake" => irq_wake(n),
        "fxsave" => fxsave(n),
        _ => return None,
    })
}

fn report(name: &str, m: &Measured) {
    let switches = m.switches.max(1);
    let per_switch = m.cycles / switches;
    let min_batch = if m.min_batch == u64::MAX { per_switch } else { m.min_batch };
    let tenth_ns = tsc::cycles_to_tenth_ns(m.cycles).unwrap_or(0) / switches;
    println!(
        "bench: {name} switches={} cycles={} min_batch_cycles={} cycles_per_switch={} ns_per_switch={}.{} trace={} hz={} tsc_khz={}{}",
        m.switches,
        m.cycles,
        min_batch,
        per_switch,
        tenth_ns / 10,
        tenth_ns % 10,
        if trace::enabled() { "on" } else { "off" },
        pit::hz(),
        tsc::khz().unwrap_or(0),
        m.extra,
    );
}

/// The fastest batch's cost per switch.
#[derive(Clone, Copy)]
struct Batches {
    start_tsc: u64,
    start_count: u64,
    best: u64,
}

impl Batches {
    const fn new() -> Self {
        Batches { start_tsc: 0, start_count: 0, best: u64::MAX }
    }

    fn begin(&mut self, tsc: u64, count: u64) {
        self.start_tsc = tsc;
        self.start_count = count;
    }

    /// A measuring point: `count` switches so far at `tsc`.
    #[inline]
    fn mark(&mut self, tsc: u64, count: u64) {
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
struct Span {
    start_tsc: AtomicU64,
    start_count: AtomicU64,
    end_tsc: AtomicU64,
    end_count: AtomicU64,
    best: AtomicU64,
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

    fn reset(&self) {
        for field in [&self.start_tsc, &self.start_count, &self.end_tsc, &self.end_count, &self.finished] {
            field.store(0, Relaxed);
        }
        self.best.store(u64::MAX, Relaxed);
    }

    fn start(&self, tsc: u64, count: u64) {
        self.start_tsc.store(tsc, Relaxed);
        self.start_count.store(count, Relaxed);
    }

    /// One participant is done; the last of `of` closes the span.
    fn finish(&self, of: u64, tsc: u64, count: u64) {
        if self.finished.fetch_add(1, Relaxed) + 1 == of {
            self.end_tsc.store(tsc, Relaxed);
            self.end_count.store(count, Relaxed);
        }
    }

    fn result(&self, extra: String) -> Measured {
        Measured {
            switches: self.end_count.load(Relaxed) - self.start_count.load(Relaxed),
            cycles: self.end_tsc.load(Relaxed) - self.start_tsc.load(Relaxed),
            min_batch: self.best.load(Relaxed),
            extra,
        }
    }
}

static SPAN: Span = Span::new();

// ---------------------------------------------------------------- trace

/// `trace-record`: `trace::mark` in batches of 100 between RDTSCs.
/// switches = records.
fn trace_record(n: u64) -> Measured {
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
fn fxsave(n: u64) -> Measured {
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

// ----------------------------------------------------------- cooperative

/// Resumptions of the measuring tasks (one per switch).
static COOP_COUNT: AtomicU64 = AtomicU64::new(0);

/// `coop-yield-N`: N tasks on a fresh waker executor, each doing a
/// warm-up `yield_now().await` and then ceil(n/N) more. Every poll after
/// task 0's warm-up is one switch (PollEnd, Wake, queue, PollBegin of the
/// next task); each resumption bumps a counter (a load and a store).
fn coop_yield(tasks: usize, n: u64) -> Measured {
    let rounds = n.div_ceil(tasks as u64);
    SPAN.reset();
    COOP_COUNT.store(0, Relaxed);
    let mut executor = Executor::new();
    for index in 0..tasks {
        executor.spawn(Task::new("bench-yield", coop_yielder(index, tasks as u64, rounds)));
    }
    executor.run_until_done();
    drop(executor);
    SPAN.result(format!(" tasks={tasks}"))
}

async fn coop_yielder(index: usize, tasks: u64, rounds: u64) {
    let mut batches = Batches::new();
    for round in 0..=rounds {
        yield_now().await;
        let count = COOP_COUNT.load(Relaxed) + 1;
        COOP_COUNT.store(count, Relaxed);
        if index == 0 {
            let now = cpu::rdtsc();
            if round == 0 {
                SPAN.start(now, count);
                batches.begin(now, count);
            } else {
                batches.mark(now, count);
            }
        }
    }
    if index == 0 {
        SPAN.best.store(batches.best, Relaxed);
    }
    SPAN.finish(tasks, cpu::rdtsc(), COOP_COUNT.load(Relaxed));
}

/// `coop-pingpong`: `ping` sends on one `channel(1)` and awaits the reply
/// on another; `pong` echoes. One switch per message (the receiver's
/// waker, the queue, its poll).
fn coop_pingpong(n: u64) -> Measured {
    let rounds = n.div_ceil(2);
    SPAN.reset();
    COOP_COUNT.store(0, Relaxed);
    let (to_pong, from_ping) = channel(1);
    let (to_ping, from_pong) = channel(1);
    let mut executor = Executor::new();
    executor.spawn(Task::new("bench-ping", coop_ping(to_pong, from_pong, rounds)));
    executor.spawn(Task::new("bench-pong", coop_pong(from_ping, to_ping)));
    executor.run_until_done();
    drop(executor);
    SPAN.result(String::from(" tasks=2"))
}

async fn coop_ping(to_pong: Sender<u64>, mut from_pong: Receiver<u64>, rounds: u64) {
    let mut batches = Batches::new();
    for round in 0..=rounds {
        if to_pong.send(round).await.is_err() {
            break;
        }
        if from_pong.recv().await.is_none() {
            break;
        }
        let count = COOP_COUNT.load(Relaxed) + 1;
        COOP_COUNT.store(count, Relaxed);
        let now = cpu::rdtsc();
        if round == 0 {
            SPAN.start(now, count);
            batches.begin(now, count);
        } else {
            batches.mark(now, count);
        }
    }
    SPAN.best.store(batches.best, Relaxed);
    SPAN.finish(1, cpu::rdtsc(), COOP_COUNT.load(Relaxed));
    // Dropping the sender ends pong.
}

async fn coop_pong(mut from_ping: Receiver<u64>, to_ping: Sender<u64>) {
    while let Some(value) = from_ping.recv().await {
        COOP_COUNT.store(COOP_COUNT.load(Relaxed) + 1, Relaxed);
        if to_ping.send(value).await.is_err() {
            break;
        }
    }
}

// ------------------------------------------------------------ preemptive

/// `preempt-yield-N`: N threads, each a warm-up `thread::yield_now()` and
/// ceil(n/N) more. switches = the scheduler's count of context switches
/// over the span (including the ones the timer makes, also given as
/// `timer_switches`).
fn preempt_yield(threads: usize, n: u64) -> Measured {
    let rounds = n.div_ceil(threads as u64);
    SPAN.reset();
    for index in 0..threads {
        let of = threads as u64;
        thread::spawn(move || preempt_yielder(index, of, rounds));
    }
    let timer_before = thread::timer_switches();
    thread::run(SLICE_TICKS);
    let timer = thread::timer_switches() - timer_before;
    SPAN.result(format!(" threads={threads} timer_switches={timer}"))
}

/// (TSC, the scheduler's switch count) as one consistent pair: a timer
/// switch between the two reads would pair an early time with a count a
/// whole round later.
#[inline]
fn stamp_switches() -> (u64, u64) {
    loop {
        let count = thread::switches();
        let now = cpu::rdtsc();
        if thread::switches() == count {
            return (now, count);
        }
    }
}

fn preempt_yielder(index: usize, threads: u64, rounds: u64) {
    let mut batches = Batches::new();
    for round in 0..=rounds {
        thread::yield_now();
        if index == 0 {
            let (now, count) = stamp_switches();
            if round == 0 {
                SPAN.start(now, count);
                batches.begin(now, count);
            } else {
                batches.mark(now, count);
            }
        }
    }
    if index == 0 {
        SPAN.best.store(batches.best, Relaxed);
    }
    let was = cpu::save_and_cli();
    let (now, count) = stamp_switches();
    SPAN.finish(threads, now, count);
    if was {
        cpu::sti();
    }
}

static TO_PONG: Channel<u64> = Channel::new();
static TO_PING: Channel<u64> = Channel::new();
const PINGPONG_END: u64 = u64::MAX;

/// `preempt-pingpong`: two threads and two blocking one-slot channels
/// (park/unpark): `ping` sends and blocks on the reply, `pong` echoes.
fn preempt_pingpong(n: u64) -> Measured {
    let rounds = n.div_ceil(2);
    SPAN.reset();
    thread::spawn(move || {
        let mut batches = Batches::new();
        for round in 0..=rounds {
            TO_PONG.send(round);
            TO_PING.recv();
            let (now, count) = stamp_switches();
            if round == 0 {
                SPAN.start(now, count);
                batches.begin(now, count);
            } else {
                batches.mark(now, count);
            }
        }
        SPAN.best.store(batches.best, Relaxed);
        let (now, count) = stamp_switches();
        SPAN.finish(1, now, count);
        TO_PONG.send(PINGPONG_END);
    });
    thread::spawn(|| {
        loop {
            let value = TO_PONG.recv();
            if value == PINGPONG_END {
                break;
            }
            TO_PING.send(value);
        }
    });
    let timer_before = thread::timer_switches();
    thread::run(SLICE_TICKS);
    let timer = thread::timer_switches() - timer_before;
    SPAN.result(format!(" threads=2 timer_switches={timer}"))
}

/// preempt-timer's tallies, shared by the two threads (updated with
/// interrupts off, after the timestamp).
static TIMER_SUM: AtomicU64 = AtomicU64::new(0);
static TIMER_COUNT: AtomicU64 = AtomicU64::new(0);
static TIMER_BATCH_SUM: AtomicU64 = AtomicU64::new(0);
static TIMER_BATCH_COUNT: AtomicU64 = AtomicU64::new(0);
static TIMER_BEST: AtomicU64 = AtomicU64::new(u64::MAX);
static TIMER_DONE: AtomicBool = AtomicBool::new(false);

/// `preempt-timer`: two threads spin, reading the timer-switch counter
/// and the TSC; neither yields, so only IRQ0 (time slice over) switches
/// them. The thread switched in sees the counter move and takes
/// `now - ISR_ENTRY_TSC` of the interrupt that switched: the cost from
/// the IRQ's entry (the common path's TSC stamp, after the register
/// saves) through the tick's handling, EOI and the scheduler to the
/// resumed thread's first RDTSC. switches = measured switches, cycles =
/// the sum of those latencies; `elapsed_cycles` is the wall time.
fn preempt_timer(n: u64) -> Measured {
    for counter in [&TIMER_SUM, &TIMER_COUNT, &TIMER_BATCH_SUM, &TIMER_BATCH_COUNT] {
        counter.store(0, Relaxed);
    }
    TIMER_BEST.store(u64::MAX, Relaxed);
    TIMER_DONE.store(false, Relaxed);
    for _ in 0..2 {
        thread::spawn(move || spin_until_switched(n));
    }
    let start = cpu::rdtsc();
    let ticks_before = pit::ticks();
    thread::run(SLICE_TICKS);
    let elapsed = cpu::rdtsc() - start;
    Measured {
        switches: TIMER_COUNT.load(Relaxed),
        cycles: TIMER_SUM.load(Relaxed),
        min_batch: TIMER_BEST.load(Relaxed),
        extra: format!(" threads=2 elapsed_cycles={elapsed} ticks={}", pit::ticks() - ticks_before),
    }
}

fn spin_until_switched(n: u64) {
    let mut seen = thread::timer_switches();
    while !TIMER_DONE.load(Relaxed) {
        let switches = thread::timer_switches();
        let now = cpu::rdtsc();
        if switches == seen {
            continue;
        }
        let was = cpu::save_and_cli();
        // Another switch between the RDTSC and here: skip this one.
        let again = thread::timer_switches();
        if again == switches {
            let latency = now.wrapping_sub(thread::last_timer_switch_entry_tsc());
            TIMER_SUM.store(TIMER_SUM.load(Relaxed) + latency, Relaxed);
            let count = TIMER_COUNT.load(Relaxed) + 1;
            TIMER_COUNT.store(count, Relaxed);
            let batch_sum = TIMER_BATCH_SUM.load(Relaxed) + latency;
            let batch_count = TIMER_BATCH_COUNT.load(Relaxed) + 1;
            if batch_count >= BATCH {
                TIMER_BEST.store(TIMER_BEST.load(Relaxed).min(batch_sum / batch_count), Relaxed);
                TIMER_BATCH_SUM.store(0, Relaxed);
                TIMER_BATCH_COUNT.store(0, Relaxed);
            } else {
                TIMER_BATCH_SUM.store(batch_sum, Relaxed);
                TIMER_BATCH_COUNT.store(batch_count, Relaxed);
            }
            if count >= n {
                TIMER_DONE.store(true, Relaxed);
            }
        }
        seen = again;
        if was {
            cpu::sti();
        }
    }
}

// ------------------------------------------------------------ interrupts

/// `irq-entry`: the kernel spins (interrupts on, no tasks, no threads)
/// watching the tick count; for each of n ticks it adds
/// `ISR_EXIT_TSC - ISR_ENTRY_TSC`: the IRQ0 handler path from the common
/// path's entry stamp (after the register saves) to its exit stamp
/// (before the restores), with the trace's IrqEnter/IrqExit records, the
/// tick work and the EOI. `stolen_cycles` is what the spinning code lost
/// in all: the largest gap between its consecutive RDTSCs around each
/// tick, less its fastest loop, so it adds the CPU's interrupt delivery,
/// the entry stub, the register and FXSAVE saves and restores and IRETQ.
fn irq_entry(n: u64) -> Measured {
    let mut seen = pit::ticks();
    let mut prev = cpu::rdtsc();
    let mut fastest_loop = u64::MAX;
    let mut gap = 0;
    let mut collecting = false;
    let mut count = 0;
    let mut handler_sum = 0;
    let mut stolen_sum = 0;
    let mut batches = Batches::new();
    let mut batch_handler = 0;
    let mut batch_count = 0;
    // The first tick only synchronises.
    let mut started = false;
    loop {
        let now = cpu::rdtsc();
        let delta = now - prev;
        prev = now;
        let ticks = pit::ticks();
        if collecting {
            // The gap is in the detecting iteration or the one after.
            stolen_sum += gap.max(delta);
            collecting = false;
            if count >= n {
                break;
            }
        } else {
            fastest_loop = fastest_loop.min(delta);
        }
        if ticks != seen {
            seen = ticks;
            if !started {
                started = true;
                continue;
            }
            let handler = isr::ISR_EXIT_TSC.load(Relaxed).wrapping_sub(isr::ISR_ENTRY_TSC.load(Relaxed));
            handler_sum += handler;
            count += 1;
            batch_handler += handler;
            batch_count += 1;
            if batch_count >= BATCH {
                batches.best = batches.best.min(batch_handler / batch_count);
                batch_handler = 0;
                batch_count = 0;
            }
            gap = delta;
            collecting = true;
        }
    }
    let stolen = stolen_sum.saturating_sub(fastest_loop * count);
    Measured {
        switches: count,
        cycles: handler_sum,
        min_batch: batches.best,
        extra: format!(" stolen_cycles={stolen} stolen_per_irq={}", stolen / count.max(1)),
    }
}

static WAKE_ARMED: AtomicBool = AtomicBool::new(false);
static WAKE_FLAG: AtomicBool = AtomicBool::new(false);
static WAKE_TSC: AtomicU64 = AtomicU64::new(0);
static WAKE_WAKER: AtomicWaker = AtomicWaker::new();

/// IRQ0 (pit::on_tick): `irq-wake`'s interrupt side. One load when idle.
#[inline]
pub fn on_tick() {
    if WAKE_ARMED.load(Relaxed) {
        WAKE_ARMED.store(false, Relaxed);
        WAKE_FLAG.store(true, Relaxed);
        WAKE_TSC.store(cpu::rdtsc(), Relaxed);
        WAKE_WAKER.wake();
    }
}

/// `irq-wake`: one task on a fresh waker executor awaits a flag that the
/// timer handler sets before waking the task's `AtomicWaker`, n times.
/// Each latency runs from the handler's RDTSC right before the wake to
/// the first RDTSC in the woken future's `poll`: the rest of the handler
/// (IrqExit, EOI), IRETQ out of `hlt`, IdleExit, the executor popping the
/// task, PollBegin. switches = wakes, cycles = the sum of the latencies.
fn irq_wake(n: u64) -> Measured {
    SPAN.reset();
    WAKE_ARMED.store(false, Relaxed);
    let mut executor = Executor::new();
    executor.spawn(Task::new("bench-irq-wake", irq_waiter(n)));
    executor.run_until_done();
    drop(executor);
    Measured {
        switches: SPAN.end_count.load(Relaxed),
        cycles: SPAN.end_tsc.load(Relaxed),
        min_batch: SPAN.best.load(Relaxed),
        extra: String::new(),
    }
}

async fn irq_waiter(n: u64) {
    let mut sum = 0;
    let mut best = u64::MAX;
    let mut batch_sum = 0;
    let mut batch_count = 0;
    // The first wait only synchronises with the tick.
    for i in 0..=n {
        let (now, woken) = TickWait { armed: false }.await;
        if i == 0 {
            continue;
        }
        let latency = now.wrapping_sub(woken);
        sum += latency;
        batch_sum += latency;
        batch_count += 1;
        if batch_count >= BATCH {
            best = best.min(batch_sum / batch_count);
            batch_sum = 0;
            batch_count = 0;
        }
    }
    SPAN.end_count.store(n, Relaxed);
    SPAN.end_tsc.store(sum, Relaxed);
    SPAN.best.store(best, Relaxed);
}

/// Ready with (TSC at the start of the poll, the handler's TSC) once the
/// timer handler has set the flag; arms it on the first poll, after
/// registering the waker.
struct TickWait {
    armed: bool,
}

impl Future for TickWait {
    type Output = (u64, u64);

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context) -> Poll<(u64, u64)> {
        let now = cpu::rdtsc();
        if self.armed {
            if WAKE_FLAG.load(Relaxed) {
                WAKE_FLAG.store(false, Relaxed);
                return Poll::Ready((now, WAKE_TSC.load(Relaxed)));
            }
            return Poll::Pending;
        }
        WAKE_WAKER.register(cx.waker());
        WAKE_FLAG.store(false, Relaxed);
        self.armed = true;
        WAKE_ARMED.store(true, Relaxed);
        Poll::Pending
    }
}
