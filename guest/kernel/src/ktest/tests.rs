//! The tests `test` runs, in order. Names are `<module>::<name>` after the
//! module under test.

use super::case::{Test, TestResult, ensure};
use crate::keyboard::Decoder;
use crate::sync::SpinLock;
use crate::task::Task;
use crate::task::atomic_waker::AtomicWaker;
use crate::task::channel::{TrySendError, channel};
use crate::task::executor::Executor;
use crate::task::queue::ArrayQueue;
use crate::task::simple_executor::SimpleExecutor;
use crate::task::timer;
use crate::task::yield_now::yield_now;
use crate::thread::{self, channel::Channel};
use crate::trace::{self, Header, Kind, Record};
use crate::{allocator, cmdline, cpu, pit, selftest};
use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::task::Wake;
use alloc::vec;
use alloc::vec::Vec;
use core::alloc::Layout;
use core::cell::{Cell, RefCell};
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use core::task::Waker;

pub static ALL: &[Test] = &[
    Test { name: "allocator::box_and_vec", run: heap_box_and_vec, explicit: false },
    Test { name: "allocator::many_alloc_free", run: heap_many_alloc_free, explicit: false },
    Test { name: "task::queue::fifo_order", run: queue_fifo_order, explicit: false },
    Test { name: "task::queue::full", run: queue_full, explicit: false },
    Test { name: "keyboard::decode_letters", run: decode_letters, explicit: false },
    Test { name: "keyboard::decode_shift", run: decode_shift, explicit: false },
    Test { name: "keyboard::decode_prefixes", run: decode_prefixes, explicit: false },
    Test { name: "task::channel::transfer", run: channel_transfer, explicit: false },
    Test { name: "task::simple_executor::yield_order", run: simple_executor_yield_order, explicit: false },
    Test { name: "task::executor::yield_order", run: executor_yield_order, explicit: false },
    Test { name: "task::timer::sleep_ticks", run: timer_sleep_ticks, explicit: false },
    Test { name: "task::atomic_waker::register_wake", run: atomic_waker_register_wake, explicit: false },
    Test { name: "trace::ring_writer", run: trace_ring_writer, explicit: false },
    Test { name: "cmdline::parse", run: cmdline_parse, explicit: false },
    Test { name: "pit::divisor", run: pit_divisor, explicit: false },
    Test { name: "thread::yield_round_robin", run: thread_yield_round_robin, explicit: false },
    Test { name: "thread::timer_preemption", run: thread_timer_preemption, explicit: false },
    Test { name: "thread::channel_pingpong", run: thread_channel_pingpong, explicit: false },
    Test { name: "ktest::fail-demo", run: fail_demo, explicit: true },
];

// ------------------------------------------------------------------ heap

fn heap_box_and_vec() -> TestResult {
    let before = allocator::stats();
    {
        let boxed = Box::new(0xdead_beef_u64);
        ensure!(*boxed == 0xdead_beef, "Box holds {:#x}", *boxed);
        let mut v: Vec<u64> = Vec::new();
        let mut capacity = v.capacity();
        let mut grows = 0;
        for i in 0..5000u64 {
            v.push(i * 3);
            if v.capacity() != capacity {
                ensure!(v.capacity() > capacity, "capacity shrank on push");
                capacity = v.capacity();
                grows += 1;
                let len = v.len();
                ensure!(
                    v[0] == 0 && v[len / 2] == (len as u64 / 2) * 3 && v[len - 1] == (len as u64 - 1) * 3,
                    "contents moved wrongly when growing to {capacity}"
                );
            }
        }
        ensure!(grows >= 5, "Vec grew only {grows} times to 5000 elements");
        ensure!(v.iter().sum::<u64>() == 3 * 4999 * 5000 / 2, "Vec sum wrong");
        v.truncate(10);
        v.shrink_to_fit();
        ensure!(v.capacity() == 10 && v[9] == 27, "shrink_to_fit lost contents");
    }
    let after = allocator::stats();
    ensure!(after == before, "heap not back to its state: {before:?} -> {after:?}");
    Ok(())
}

fn heap_many_alloc_free() -> TestResult {
    let before = allocator::stats();
    selftest::stress(2000).map_err(String::from)?;
    // Two big blocks and out-of-memory.
    unsafe {
        let one = Layout::from_size_align(1 << 20, 4096).unwrap();
        let a = alloc::alloc::alloc(one);
        let b = alloc::alloc::alloc(one);
        ensure!(!a.is_null() && !b.is_null() && a != b, "1 MiB blocks: {a:?} {b:?}");
        ensure!(a as usize % 4096 == 0 && b as usize % 4096 == 0, "1 MiB blocks misaligned");
        let huge = Layout::from_size_align(allocator::HEAP_SIZE * 2, 16).unwrap();
        // black_box: LLVM may delete an allocation only compared with null.
        let granted = core::hint::black_box(alloc::alloc::alloc(huge));
        if !granted.is_null() {
            alloc::alloc::dealloc(granted, huge);
        }
        ensure!(granted.is_null(), "a block bigger than the heap was granted");
        alloc::alloc::dealloc(a, one);
        alloc::alloc::dealloc(b, one);
    }
    let after = allocator::stats();
    ensure!(after == before, "heap not back to its state: {before:?} -> {after:?}");
    Ok(())
}

// ----------------------------------------------------------- ready queue

fn queue_fifo_order() -> TestResult {
    let queue = ArrayQueue::new(8);
    let mut next_in = 0u32;
    let mut next_out = 0u32;
    // Uneven pushes and pops, many laps round the 8 slots.
    for round in 0..20 {
        for _ in 0..(round % 5) + 1 {
            if queue.push(next_in).is_ok() {
                next_in += 1;
            }
        }
        for _ in 0..(round % 3) + 1 {
            if let Some(value) = queue.pop() {
                ensure!(value == next_out, "popped {value}, expected {next_out}");
                next_out += 1;
            }
        }
        ensure!(queue.len() == (next_in - next_out) as usize, "len {} with {} queued", queue.len(), next_in - next_out);
    }
    while let Some(value) = queue.pop() {
        ensure!(value == next_out, "popped {value}, expected {next_out}");
        next_out += 1;
    }
    ensure!(next_in == next_out && next_in > 16 && queue.is_empty(), "lost values: {next_in} in, {next_out} out");
    Ok(())
}

fn queue_full() -> TestResult {
    let before = allocator::stats();
    {
        let queue = ArrayQueue::new(4);
        for i in 0..4u32 {
            ensure!(queue.push(Box::new(i)).is_ok(), "push {i} failed below capacity");
        }
        match queue.push(Box::new(4)) {
            Err(value) => ensure!(*value == 4, "full push handed back {}", *value),
            Ok(()) => return Err("push succeeded on a full queue".into()),
        }
        ensure!(queue.len() == 4 && queue.capacity() == 4, "len {} when full", queue.len());
        ensure!(queue.pop().map(|b| *b) == Some(0), "first pop is not 0");
        ensure!(queue.push(Box::new(5)).is_ok(), "push after a pop failed");
        let rest: Vec<u32> = core::iter::from_fn(|| queue.pop().map(|b| *b)).take(2).collect();
        ensure!(rest == [1, 2], "then popped {rest:?}");
        // Two boxes stay queued; dropping the queue must free them.
    }
    let after = allocator::stats();
    ensure!(after == before, "queued values leaked: {before:?} -> {after:?}");
    Ok(())
}

// -------------------------------------------------------------- keyboard

/// Feed scancodes (set 1) to a fresh decoder; the characters typed.
fn typed(codes: &[u8]) -> String {
    let mut decoder = Decoder::new();
    codes.iter().filter_map(|&code| decoder.feed(code)).collect()
}

fn decode_letters() -> TestResult {
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

fn decode_shift() -> TestResult {
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

fn decode_prefixes() -> TestResult {
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

fn channel_transfer() -> TestResult {
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

fn round_robin_log() -> Vec<(u32, u32)> {
    (0..3).flat_map(|step| (0..3).map(move |id| (id, step))).collect()
}

fn simple_executor_yield_order() -> TestResult {
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

fn executor_yield_order() -> TestResult {
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

fn timer_sleep_ticks() -> TestResult {
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

fn atomic_waker_register_wake() -> TestResult {
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

// ----------------------------------------------------------------- trace

fn trace_ring_writer() -> TestResult {
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

// --------------------------------------------------------- configuration

fn cmdline_parse() -> TestResult {
    let line = "  hz=1000 exit\tbench=coop-yield-2,irq-entry hz=50 flag= test";
    ensure!(cmdline::has_in(line, "exit") && cmdline::has_in(line, "test"), "bare flags");
    ensure!(cmdline::has_in(line, "hz") && cmdline::has_in(line, "flag"), "keys with values");
    ensure!(!cmdline::has_in(line, "ex") && !cmdline::has_in(line, "bench=coop"), "partial matches");
    ensure!(cmdline::get_in(line, "hz") == Some("50"), "the last hz= wins, got {:?}", cmdline::get_in(line, "hz"));
    ensure!(cmdline::get_in(line, "bench") == Some("coop-yield-2,irq-entry"), "bench=");
    ensure!(cmdline::get_in(line, "flag") == Some(""), "flag=");
    ensure!(cmdline::get_in(line, "exit").is_none() && cmdline::get_in(line, "nope").is_none(), "no value");
    ensure!(cmdline::get_u64_in(line, "hz") == Ok(Some(50)), "get_u64 hz");
    ensure!(cmdline::get_u64_in(line, "bench").is_err(), "get_u64 of text");
    ensure!(cmdline::get_u64_in(line, "nope") == Ok(None), "get_u64 absent");
    ensure!(!cmdline::has_in("", "exit"), "empty line");
    Ok(())
}

fn pit_divisor() -> TestResult {
    for (hz, divisor) in [(100, 11932), (1000, 1193), (19, 62799), (10_000, 119), (182, 6556)] {
        ensure!(pit::divisor(hz) == divisor, "divisor({hz}) = {}, expected {divisor}", pit::divisor(hz));
    }
    // Every allowed rate fits in 16 bits and is within half a count.
    for hz in pit::MIN_HZ..=pit::MAX_HZ {
        let d = pit::divisor(hz) as u64;
        let error = (d * hz as u64).abs_diff(pit::INPUT_HZ as u64);
        ensure!(d > 0 && error * 2 <= hz as u64, "divisor({hz}) = {d} is off by {error}/{hz}");
    }
    Ok(())
}

// --------------------------------------------------------------- threads

fn thread_yield_round_robin() -> TestResult {
    let log = Arc::new(SpinLock::new(Vec::new()));
    let switches = thread::switches();
    for id in 0..3u32 {
        let log = log.clone();
        thread::spawn(move || {
            for step in 0..3 {
                log.lock().push((id, step));
                thread::yield_now();
            }
        });
    }
    // No time slices: only the yields switch, so the order is exact.
    thread::run(0);
    let log = log.lock();
    ensure!(*log == round_robin_log(), "order {:?}", *log);
    let made = thread::switches() - switches;
    ensure!(made >= 9, "only {made} switches");
    Ok(())
}

static SPIN_COUNT: [AtomicU64; 2] = [AtomicU64::new(0), AtomicU64::new(0)];
static SAW_OTHER: [AtomicU64; 2] = [AtomicU64::new(0), AtomicU64::new(0)];
static SPIN_DONE: [AtomicBool; 2] = [AtomicBool::new(false), AtomicBool::new(false)];
static SPIN_TIMED_OUT: AtomicBool = AtomicBool::new(false);

/// Spin without yielding; count how often the other thread's counter
/// moved meanwhile (only a timer switch lets it run).
fn spinner(me: usize, deadline: u64) {
    let other = 1 - me;
    let mut last = SPIN_COUNT[other].load(Relaxed);
    while SAW_OTHER[me].load(Relaxed) < 3 && !SPIN_DONE[other].load(Relaxed) {
        SPIN_COUNT[me].fetch_add(1, Relaxed);
        let now = SPIN_COUNT[other].load(Relaxed);
        if now != last {
            last = now;
            SAW_OTHER[me].fetch_add(1, Relaxed);
        }
        if pit::ticks() > deadline {
            SPIN_TIMED_OUT.store(true, Relaxed);
            break;
        }
    }
    SPIN_DONE[me].store(true, Relaxed);
}

fn thread_timer_preemption() -> TestResult {
    for i in 0..2 {
        SPIN_COUNT[i].store(0, Relaxed);
        SAW_OTHER[i].store(0, Relaxed);
        SPIN_DONE[i].store(false, Relaxed);
    }
    SPIN_TIMED_OUT.store(false, Relaxed);
    let deadline = pit::ticks() + 5 * pit::hz() as u64;
    let timer_switches = thread::timer_switches();
    let before = allocator::stats();
    thread::paint_irq_areas(true);
    for me in 0..2 {
        thread::spawn(move || spinner(me, deadline));
    }
    thread::paint_irq_areas(false);
    thread::run(1);
    let after = allocator::stats();
    ensure!(!SPIN_TIMED_OUT.load(Relaxed), "no timer switch within 5 s");
    let saw = [SAW_OTHER[0].load(Relaxed), SAW_OTHER[1].load(Relaxed)];
    ensure!(saw[0] >= 1 && saw[1] >= 1 && saw.iter().any(|&s| s >= 3), "alternations seen {saw:?}");
    let made = thread::timer_switches() - timer_switches;
    ensure!(made >= 3, "only {made} timer switches");
    let peak = thread::irq_area_peak();
    ensure!(peak > 688 && peak + 1024 <= thread::IRQ_AREA_SIZE, "IRQ area peak {peak} of {} bytes", thread::IRQ_AREA_SIZE);
    ensure!(after == before, "thread stacks not freed: {before:?} -> {after:?}");
    Ok(())
}

fn thread_channel_pingpong() -> TestResult {
    const ROUNDS: u64 = 100;
    let to_pong = Arc::new(Channel::new());
    let to_ping = Arc::new(Channel::new());
    let result = Arc::new(AtomicU64::new(0));
    let (a, b, sum) = (to_pong.clone(), to_ping.clone(), result.clone());
    thread::spawn(move || {
        let mut total = 0;
        for i in 1..=ROUNDS {
            a.send(i);
            total += b.recv();
        }
        a.send(0);
        sum.store(total, Relaxed);
    });
    thread::spawn(move || {
        loop {
            let value = to_pong.recv();
            if value == 0 {
                break;
            }
            to_ping.send(value * 2);
        }
    });
    let switches = thread::switches();
    // Time slices on: blocking must also survive preemption anywhere.
    thread::run(1);
    let total = result.load(Relaxed);
    ensure!(total == ROUNDS * (ROUNDS + 1), "sum of replies {total}");
    let made = thread::switches() - switches;
    ensure!(made >= 2 * ROUNDS, "only {made} switches for {ROUNDS} round trips");
    Ok(())
}

// ------------------------------------------------------------------ demo

fn fail_demo() -> TestResult {
    let v = vec![1, 2, 3];
    ensure!(v.len() == 4, "deliberate failure (test=fail-demo): expected 4 elements, found {}", v.len());
    Ok(())
}
