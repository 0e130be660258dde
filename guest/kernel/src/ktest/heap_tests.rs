//! Tests of the heap and the ready queue.

use super::case::{TestResult, ensure};
use crate::allocator;
use crate::selftest;
use crate::task::queue::ArrayQueue;
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::alloc::Layout;

// ------------------------------------------------------------------ heap

pub fn heap_box_and_vec() -> TestResult {
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

pub fn heap_many_alloc_free() -> TestResult {
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

pub fn queue_fifo_order() -> TestResult {
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

pub fn queue_full() -> TestResult {
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
