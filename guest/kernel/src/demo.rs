//! The demo: which executor runs which named tasks (`executor=`,
//! `scenario=`), and the tasks themselves. The task names show up in the
//! host's timeline.
//!
//! The tasks are quiet on purpose: every byte on the serial port costs a
//! port write (a VM exit). Periodic tasks show that they are alive in the
//! status cells at the top right of the VGA screen (plain RAM) instead:
//!
//!     column 76  worker           digit: bursts done, mod 10
//!     column 77  consumer         digit: items received / 20, mod 10
//!     column 78  heartbeat-250ms  spinner | / - \
//!     column 79  heartbeat-1s     heart, blinking

use crate::task::channel::{Receiver, Sender, named_channel};
use crate::task::executor::Executor;
use crate::task::simple_executor::SimpleExecutor;
use crate::task::timer::{self, sleep_ms, sleep_until};
use crate::task::yield_now::yield_now;
use crate::task::{Task, keyboard};
use crate::exit::{self, exit};
use crate::{cmdline, cpu, println, ring, trace, tsc, vga};
use alloc::vec::Vec;
use core::future::Future;
use core::pin::Pin;
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
}

const EXECUTORS: &str = "simple, waker";
/// `scenario=bench` is the lab's (src/bench/scenario.rs).
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
                ring::wait_for_interrupt();
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
            let (sender, receiver) = named_channel("numbers", 4);
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
    }
    let every = report_every();
    if every != 0 {
        tasks.push(Task::new("report", report(every)));
    }
    if cmdline::has("tracecheck") {
        tasks.push(Task::new("tracecheck", tracecheck()));
    }
    if let Some(ms) = exit_after() {
        tasks.push(Task::new("exit-after", exit_after_task(ms)));
    }
    tasks
}

/// `exitafter=MS`: end the run with exit value 0 after MS milliseconds.
fn exit_after() -> Option<u64> {
    match cmdline::get_u64("exitafter") {
        Ok(ms) => ms,
        Err(text) => {
            println!("warning: exitafter={text} ignored (not a number)");
            None
        }
    }
}

/// `exitafter=MS`: sleep, say so, exit 0 (a scripted run's clean end).
async fn exit_after_task(ms: u64) {
    sleep_ms(ms).await;
    println!("exitafter: {ms} ms, exiting");
    exit(exit::SUCCESS);
}

async fn async_number() -> u32 {
    42
}

async fn example_task() {
    let number = async_number().await;
    println!("async number: {number}");
}

/// `report=N`: print a timer line every N ticks (0 or absent: never).
fn report_every() -> u64 {
    match cmdline::get_u64("report") {
        Ok(n) => n.unwrap_or(0),
        Err(text) => {
            println!("warning: report={text} ignored (not a number)");
            0
        }
    }
}

/// `report=N`: `timer: <ticks> ticks` at every multiple of N ticks.
async fn report(every: u64) {
    let mut due = every;
    loop {
        sleep_until(due).await;
        println!("timer: {due} ticks");
        due += every;
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
/// 10 ms even where guest code runs slowly (README, "Hosts").
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
