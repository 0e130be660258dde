//! The tests `test` runs, in order. Names are `<module>::<name>` after the
//! module under test.

use super::case::{Test, TestResult, ensure};
use super::heap_tests::*;
use super::ring_tests::*;
use super::task_tests::*;
use super::thread_tests::*;
use super::trace_tests::*;
use crate::{cmdline, pit};
use alloc::vec;

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
    Test { name: "task::atomic_waker::wake_in_handler", run: atomic_waker_wake_in_handler, explicit: false },
    Test { name: "trace::ring_writer", run: trace_ring_writer, explicit: false },
    Test { name: "trace::drain_between_loads", run: trace_drain_between_loads, explicit: false },
    Test { name: "ring::task_level", run: ring_task_level, explicit: false },
    Test { name: "ring::privileged_and_atomically", run: ring_privileged_and_atomically, explicit: false },
    Test { name: "cmdline::parse", run: cmdline_parse, explicit: false },
    Test { name: "pit::divisor", run: pit_divisor, explicit: false },
    Test { name: "thread::yield_round_robin", run: thread_yield_round_robin, explicit: false },
    Test { name: "thread::timer_preemption", run: thread_timer_preemption, explicit: false },
    Test { name: "thread::channel_pingpong", run: thread_channel_pingpong, explicit: false },
    Test { name: "thread::lock_contention_yields", run: thread_lock_contention_yields, explicit: false },
    Test { name: "ktest::fail-demo", run: fail_demo, explicit: true },
];

// ------------------------------------------------------------------ heap
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

// ------------------------------------------------------------------ demo

fn fail_demo() -> TestResult {
    let v = vec![1, 2, 3];
    ensure!(v.len() == 4, "deliberate failure (test=fail-demo): expected 4 elements, found {}", v.len());
    Ok(())
}
