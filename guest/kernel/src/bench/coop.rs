//! The cooperative switches: async tasks on a fresh waker executor.

use super::measure::{Batches, Measured, SPAN};
use crate::cpu;
use crate::task::Task;
use crate::task::channel::{Receiver, Sender, named_channel};
use crate::task::executor::Executor;
use crate::task::yield_now::yield_now;
use alloc::format;
use alloc::string::String;
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// Resumptions of the measuring tasks (one per switch).
static COOP_COUNT: AtomicU64 = AtomicU64::new(0);

/// `coop-yield-N`: N tasks on a fresh waker executor, each doing a
/// warm-up `yield_now().await` and then ceil(n/N) more. Every poll after
/// task 0's warm-up is one switch (PollEnd, Wake, queue, PollBegin of the
/// next task); each resumption bumps a counter (a load and a store).
pub(super) fn coop_yield(tasks: usize, n: u64) -> Measured {
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
pub(super) fn coop_pingpong(n: u64) -> Measured {
    let rounds = n.div_ceil(2);
    SPAN.reset();
    COOP_COUNT.store(0, Relaxed);
    let (to_pong, from_ping) = named_channel("bench-to-pong", 1);
    let (to_ping, from_pong) = named_channel("bench-to-ping", 1);
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
