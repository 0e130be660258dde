//! `selftest`: exercise the heap through `alloc` and with a long random
//! alloc/free run, and the executor's ready queue; then check the heap is
//! back to where it started.

use crate::allocator;
use crate::task::queue::ArrayQueue;
use alloc::alloc::{alloc, dealloc};
use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::alloc::Layout;

const SLOTS: usize = 256;
/// Random alloc/free operations when `selftest` is given without a count.
pub const DEFAULT_OPS: u64 = 2_000;

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn check(ok: bool, what: &'static str) -> Result<(), &'static str> {
    if ok { Ok(()) } else { Err(what) }
}

fn collections() -> Result<(), &'static str> {
    let boxed = Box::new(0x1234_5678_u64);
    check(*boxed == 0x1234_5678, "Box")?;

    let numbers: Vec<u64> = (0..10_000).collect();
    check(numbers.iter().sum::<u64>() == 49_995_000, "Vec")?;

    let mut text = String::new();
    for word in ["poll", "scope"] {
        text.push_str(word);
    }
    check(format!("{text}-{}", 7) == "pollscope-7", "String")?;

    let mut map = BTreeMap::new();
    for i in 0..1000u32 {
        map.insert(i, i * i);
    }
    map.retain(|k, _| k % 2 == 1);
    check(map.len() == 500 && map.get(&31) == Some(&961), "BTreeMap")
}

/// Random sizes (1..=4096, mostly small) and alignments (1..=4096); each
/// block is filled with a tag byte, and its first, middle and last bytes
/// must still hold it when it is freed. (Kept cheap: where CPL0 code is
/// emulated, README "Hosts", it runs at about a million instructions per
/// second.)
pub fn stress(ops: u64) -> Result<(), &'static str> {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let mut slots: [Option<(*mut u8, Layout, u8)>; SLOTS] = [None; SLOTS];
    for _ in 0..ops {
        let r = rng.next();
        let slot = &mut slots[(r % SLOTS as u64) as usize];
        match slot.take() {
            Some((ptr, layout, tag)) => {
                let size = layout.size();
                let intact = [0, size / 2, size - 1].iter().all(|&i| unsafe { ptr.add(i).read() } == tag);
                check(intact, "block contents changed")?;
                unsafe { dealloc(ptr, layout) };
            }
            None => {
                // Size classes 16..4096 bytes, then a size within the class.
                let size = ((r >> 8) as usize % (16 << ((r >> 20) % 9))) + 1;
                let align = 1 << ((r >> 24) % 13);
                let layout = Layout::from_size_align(size, align).map_err(|_| "layout")?;
                let ptr = unsafe { alloc(layout) };
                check(!ptr.is_null(), "out of memory")?;
                check(ptr as usize % align == 0, "misaligned block")?;
                let tag = (r >> 32) as u8;
                unsafe { ptr.write_bytes(tag, size) };
                *slot = Some((ptr, layout, tag));
            }
        }
    }
    for (ptr, layout, _) in slots.iter().flatten() {
        unsafe { dealloc(*ptr, *layout) };
    }
    Ok(())
}

/// The bounded queue: FIFO order, "full" at capacity, several laps round
/// the slots, and values still queued are dropped with the queue.
fn queue() -> Result<(), &'static str> {
    let queue = ArrayQueue::new(4);
    let mut next_in = 0u32;
    let mut next_out = 0u32;
    for lap in 0..5 {
        while queue.push(Box::new(next_in)).is_ok() {
            next_in += 1;
        }
        check(queue.len() == 4, "ArrayQueue: not full at capacity")?;
        for _ in 0..(lap % 4) + 1 {
            let value = queue.pop().ok_or("ArrayQueue: empty too early")?;
            check(*value == next_out, "ArrayQueue: out of order")?;
            next_out += 1;
        }
    }
    while let Some(value) = queue.pop() {
        check(*value == next_out, "ArrayQueue: out of order")?;
        next_out += 1;
    }
    check(next_out == next_in && queue.is_empty(), "ArrayQueue: lost values")?;
    check(queue.push(Box::new(0)).is_ok(), "ArrayQueue: push after drain")
}

pub fn run(ops: u64) -> Result<(), &'static str> {
    let before = allocator::stats();
    collections()?;
    queue()?;
    stress(ops)?;
    let after = allocator::stats();
    check(after == before, "heap not back to its initial state")
}
