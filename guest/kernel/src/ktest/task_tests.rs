//! Tests of the keyboard decoder, the channel, the executors, timers and
//! AtomicWaker.

use super::case::{TestResult, ensure};
use crate::keyboard::Decoder;
use crate::task::Task;
use crate::task::atomic_waker::{self, AtomicWaker};
use crate::task::channel::{TrySendError, channel};
use crate::task::executor::Executor;
use crate::task::simple_executor::SimpleExecutor;
use crate::task::timer;
use crate::task::yield_now::yield_now;
use crate::{allocator, context, pit, ring};
use alloc::rc::Rc;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::task::Wake;
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};
use core::task::Waker;

// -------------------------------------------------------------- keyboard

/// Feed scancodes (set 1) to a fresh decoder; the characters typed.
fn typed(codes: &[u8]) -> String {
    let mut decoder = Decoder::new();
    codes.iter().filter_map(|&code| decoder.feed(code)).collect()
}

pub fn decode_letters() -> TestResult {
    // h e l l o, each make then break.
    let hello = typed(&[0x23, 0xA3, 0x12, 0x92, 0x26, 0xA6, 0x26, 0xA6, 0x18, 0x98]);
    ensure!(hello == "hello", "typed {hello:?}");
    let digits = typed(&[0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B]);
    ensure!(digits == "1234567890", "typed {digits:?}");
    let misc = typed(&[0x39, 0x1C, 0x0F, 0x0E, 0x0C, 0x35]);
    ensure!(misc == " \n\t\x08-/", "typed {misc:?}");
    // Break codes and unmapped keys type nothing.
    let nothing = typed(&[0x9E, 0x1D, 0x38, 0x3B, 0x01]);
    ensure!(nothing.is_empty(), "typed {nothing:?}");
    Ok(())
}

pub fn decode_shift() -> TestResult {
    // Left shift down, h, shift up, i: "Hi".
    let hi = typed(&[0x2A, 0x23, 0xA3, 0xAA, 0x17, 0x97]);
    ensure!(hi == "Hi", "typed {hi:?}");
    // Right shift + 1, then ; and ' shifted.
    let punct = typed(&[0x36, 0x02, 0x27, 0x28, 0xB6, 0x02]);
    ensure!(punct == "!:\"1", "typed {punct:?}");
    // Caps lock (make, break) inverts letters only; shift inverts back.
    let caps = typed(&[0x3A, 0xBA, 0x1E, 0x02, 0x2A, 0x1E, 0xAA, 0x3A, 0x3A, 0xBA, 0x1E]);
    ensure!(caps == "A1aa", "typed {caps:?} (typematic caps repeat must not toggle twice)");
    Ok(())
}

pub fn decode_prefixes() -> TestResult {
    // Up arrow (E0 48 / E0 C8), keypad enter (E0 1C), fake shift (E0 2A)
    // type nothing and leave no shift behind.
    let arrows = typed(&[0xE0, 0x48, 0xE0, 0xC8, 0xE0, 0x1C, 0xE0, 0x2A, 0x1E]);
    ensure!(arrows == "a", "typed {arrows:?}");
    // Pause: E1 1D 45 E1 9D C5, then b.
    let pause = typed(&[0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5, 0x30]);
    ensure!(pause == "b", "typed {pause:?}");
    Ok(())
}

// ----------------------------------------------------------- async tasks

pub fn channel_transfer() -> TestResult {
    let before = allocator::stats();
    {
        let received = Rc::new(RefCell::new(Vec::new()));
        let closed = Rc::new(Cell::new(false));
        let (sender, mut receiver) = channel::<u64>(1);
        let mut executor = Executor::new();
        executor.spawn(Task::new("test-producer", async move {
            for value in 1..=100 {
                if sender.send(value).await.is_err() {
                    return;
                }
            }
        }));
        let (log, end) = (received.clone(), closed.clone());
        executor.spawn(Task::new("test-consumer", async move {
            while let Some(value) = receiver.recv().await {
                log.borrow_mut().push(value);
            }
            end.set(true);
        }));
        executor.run_until_done();
        let received = received.borrow();
        ensure!(received.len() == 100, "received {} values", received.len());
        ensure!(received.iter().copied().eq(1..=100), "out of order: {:?}", &received[..10]);
        ensure!(closed.get(), "recv did not end with None when the sender went");

        let (sender, receiver) = channel::<u32>(1);
        ensure!(sender.try_send(1).is_ok(), "try_send into an empty channel failed");
        ensure!(matches!(sender.try_send(2), Err(TrySendError::Full(2))), "try_send into a full channel");
        drop(receiver);
        ensure!(matches!(sender.try_send(3), Err(TrySendError::Closed(3))), "try_send without a receiver");
    }
    let after = allocator::stats();
    ensure!(after == before, "heap not back to its state: {before:?} -> {after:?}");
    Ok(())
}

/// Three tasks log (task, step) and yield after each step.
fn yield_log_tasks(log: &Rc<RefCell<Vec<(u32, u32)>>>) -> Vec<Task> {
    (0..3)
        .map(|id| {
            let log = log.clone();
            Task::new("test-yield", async move {
                for step in 0..3 {
                    log.borrow_mut().push((id, step));
                    yield_now().await;
                }
            })
        })
        .collect()
}

pub fn round_robin_log() -> Vec<(u32, u32)> {
    (0..3).flat_map(|step| (0..3).map(move |id| (id, step))).collect()
}

pub fn simple_executor_yield_order() -> TestResult {
    let log = Rc::new(RefCell::new(Vec::new()));
    let mut executor = SimpleExecutor::new();
    for task in yield_log_tasks(&log) {
        executor.spawn(task);
    }
    executor.run();
    let log = log.borrow();
    ensure!(*log == round_robin_log(), "order {:?}", *log);
    Ok(())
}

pub fn executor_yield_order() -> TestResult {
    let log = Rc::new(RefCell::new(Vec::new()));
    let mut executor = Executor::new();
    for task in yield_log_tasks(&log) {
        executor.spawn(task);
    }
    executor.run_until_done();
    let log = log.borrow();
    ensure!(*log == round_robin_log(), "order {:?}", *log);
    Ok(())
}

pub fn timer_sleep_ticks() -> TestResult {
    const TICKS: u64 = 3;
    let span = Rc::new(Cell::new((0, 0)));
    let mut executor = Executor::new();
    let result = span.clone();
    executor.spawn(Task::new("test-sleep", async move {
        let start = timer::ticks();
        timer::sleep(TICKS).await;
        let end = timer::ticks();
        // A deadline already past completes at once.
        timer::sleep_until(0).await;
        result.set((start, end));
    }));
    executor.run_until_done();
    let (start, end) = span.get();
    let slack = pit::hz() as u64 / 2;
    ensure!(end - start >= TICKS, "woke after {} ticks, asked for {TICKS}", end - start);
    ensure!(end - start <= TICKS + slack, "woke only after {} ticks, asked for {TICKS}", end - start);
    ensure!(timer::ms_to_ticks(1) == 1 && timer::ms_to_ticks(1000) == pit::hz() as u64, "ms_to_ticks");
    Ok(())
}

struct CountingWaker(AtomicU64);

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Relaxed);
    }
}

pub fn atomic_waker_register_wake() -> TestResult {
    let counter = Arc::new(CountingWaker(AtomicU64::new(0)));
    let waker = Waker::from(counter.clone());
    let slot = AtomicWaker::new();
    slot.wake(); // empty: nothing to wake
    ensure!(counter.0.load(Relaxed) == 0, "an empty slot woke something");
    slot.register(&waker);
    ensure!(Arc::strong_count(&counter) == 3, "register kept {} references", Arc::strong_count(&counter) - 2);
    slot.register(&waker);
    ensure!(Arc::strong_count(&counter) == 3, "registering the same waker again cloned it");
    slot.wake();
    ensure!(counter.0.load(Relaxed) == 1, "woken {} times", counter.0.load(Relaxed));
    ensure!(Arc::strong_count(&counter) == 2, "wake did not release the stored waker");
    slot.wake();
    ensure!(counter.0.load(Relaxed) == 1, "a second wake woke again");
    slot.register(&waker);
    ensure!(slot.take().is_some() && slot.take().is_none(), "take");
    ensure!(counter.0.load(Relaxed) == 1, "take woke");
    Ok(())
}

/// A wake from an interrupt handler wakes at once but frees the stored
/// waker only later, in task context (a handler must not free).
pub fn atomic_waker_wake_in_handler() -> TestResult {
    let counter = Arc::new(CountingWaker(AtomicU64::new(0)));
    let waker = Waker::from(counter.clone());
    let slot = AtomicWaker::new();
    slot.register(&waker);
    // What a handler sees: interrupts off, a vector being handled.
    let refs_after_wake = ring::atomically(|| {
        context::set_vector(33);
        slot.wake();
        context::set_vector(0);
        Arc::strong_count(&counter)
    });
    ensure!(counter.0.load(Relaxed) == 1, "woken {} times", counter.0.load(Relaxed));
    ensure!(refs_after_wake == 3, "the handler's wake left {} references, want 3 (not freed yet)", refs_after_wake);
    atomic_waker::free_retired();
    ensure!(Arc::strong_count(&counter) == 2, "after free_retired: {} references", Arc::strong_count(&counter));
    ensure!(slot.take().is_none(), "the slot is not empty after the wake");
    Ok(())
}
