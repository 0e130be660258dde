//! The kernel heap: a first-fit allocator over a static 8 MiB region.
//!
//! Free memory is a singly linked list of blocks sorted by address; each
//! free block stores its size and the next block in its first 16 bytes.
//! Allocation sizes and addresses are multiples of 16, so a split never
//! leaves a fragment too small to hold that header. Freeing re-inserts the
//! block in address order and merges it with its neighbours, so the heap
//! returns to one block once everything is freed, however long it ran.
//! (GlobalAlloc::dealloc gets the Layout back, so blocks need no header.)

use crate::sync::SpinLock;
use core::alloc::{GlobalAlloc, Layout};
use core::ptr::{self, null_mut};

pub const HEAP_SIZE: usize = 8 << 20;
const GRANULE: usize = 16;

#[repr(C, align(4096))]
struct HeapArea([u8; HEAP_SIZE]);

/// In its own .bss.heap section, which linker.ld keeps outside the range
/// the boot code zeroes: the allocator needs no zeroed memory, and zeroing
/// 8 MiB would only cost boot time (most of a second where CPL0 code is
/// emulated; README, "Hosts").
#[unsafe(link_section = ".bss.heap")]
static mut HEAP_AREA: HeapArea = HeapArea([0; HEAP_SIZE]);

struct FreeBlock {
    size: usize,
    next: *mut FreeBlock,
}

struct Heap {
    /// Lowest-addressed free block.
    head: *mut FreeBlock,
    start: usize,
    end: usize,
    used: usize,
}

unsafe impl Send for Heap {}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stats {
    pub size: usize,
    pub used: usize,
    pub free: usize,
    pub free_blocks: usize,
    pub largest_free: usize,
}

fn align_up(value: usize, align: usize) -> usize {
    (value + align - 1) & !(align - 1)
}

fn block_size(layout: Layout) -> usize {
    align_up(layout.size().max(1), GRANULE)
}

impl Heap {
    const fn empty() -> Self {
        Heap { head: null_mut(), start: 0, end: 0, used: 0 }
    }

    unsafe fn init(&mut self, start: usize, size: usize) {
        let start = align_up(start, GRANULE);
        let size = size & !(GRANULE - 1);
        self.start = start;
        self.end = start + size;
        self.used = 0;
        self.head = start as *mut FreeBlock;
        unsafe { self.head.write(FreeBlock { size, next: null_mut() }) };
    }

    unsafe fn alloc(&mut self, layout: Layout) -> *mut u8 {
        let size = block_size(layout);
        let align = layout.align().max(GRANULE);
        let mut prev: *mut FreeBlock = null_mut();
        let mut block = self.head;
        while !block.is_null() {
            let (block_start, block_size, next) = unsafe { (block as usize, (*block).size, (*block).next) };
            let block_end = block_start + block_size;
            let start = align_up(block_start, align);
            if start.checked_add(size).is_some_and(|end| end <= block_end) {
                // Carve [start, start+size) out; what is left before it keeps
                // this block's place in the list, what is left after it
                // becomes a new block right behind.
                let after = start + size;
                let mut rest = next;
                if after < block_end {
                    rest = after as *mut FreeBlock;
                    unsafe { rest.write(FreeBlock { size: block_end - after, next }) };
                }
                if start > block_start {
                    unsafe {
                        (*block).size = start - block_start;
                        (*block).next = rest;
                    }
                } else if prev.is_null() {
                    self.head = rest;
                } else {
                    unsafe { (*prev).next = rest };
                }
                self.used += size;
                return start as *mut u8;
            }
            prev = block;
            block = next;
        }
        null_mut()
    }

    unsafe fn dealloc(&mut self, ptr: *mut u8, layout: Layout) {
        let start = ptr as usize;
        let size = block_size(layout);
        assert!(
            start >= self.start && start + size <= self.end && start % GRANULE == 0,
            "heap: freeing {start:#x} ({size} bytes) outside the heap"
        );
        // Find the free blocks on either side.
        let mut prev: *mut FreeBlock = null_mut();
        let mut next = self.head;
        while !next.is_null() && (next as usize) < start {
            prev = next;
            next = unsafe { (*next).next };
        }
        let prev_end = if prev.is_null() { 0 } else { prev as usize + unsafe { (*prev).size } };
        assert!(
            prev_end <= start && (next.is_null() || start + size <= next as usize),
            "heap: double free or overlap at {start:#x} ({size} bytes)"
        );
        let block = if !prev.is_null() && prev_end == start {
            unsafe { (*prev).size += size };
            prev
        } else {
            let block = start as *mut FreeBlock;
            unsafe { block.write(FreeBlock { size, next }) };
            if prev.is_null() {
                self.head = block;
            } else {
                unsafe { (*prev).next = block };
            }
            block
        };
        unsafe {
            if !next.is_null() && block as usize + (*block).size == next as usize {
                (*block).size += (*next).size;
                (*block).next = (*next).next;
            } else {
                (*block).next = next;
            }
        }
        self.used -= size;
    }

    fn stats(&self) -> Stats {
        let mut stats = Stats { size: self.end - self.start, used: self.used, free: 0, free_blocks: 0, largest_free: 0 };
        let mut block = self.head;
        while !block.is_null() {
            let size = unsafe { (*block).size };
            stats.free += size;
            stats.free_blocks += 1;
            stats.largest_free = stats.largest_free.max(size);
            block = unsafe { (*block).next };
        }
        stats
    }
}

/// The heap behind a spin lock that leaves interrupts as they are:
/// interrupt handlers never allocate or free (src/task/atomic_waker.rs
/// keeps them from dropping wakers), so nothing can wait for the lock
/// while the code it interrupted holds it. Only a preempted thread can
/// hold it while another spins, until the holder's next time slice.
pub struct KernelAllocator {
    heap: SpinLock<Heap>,
}

unsafe impl GlobalAlloc for KernelAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe { self.heap.lock().alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { self.heap.lock().dealloc(ptr, layout) }
    }

    /// Shrinking stays in place (the tail goes back to the free list), as
    /// does growing within the same 16-byte granule.
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        let (old_block, new_block) = (block_size(layout), block_size(new_layout));
        if new_block == old_block {
            return ptr;
        }
        if new_block < old_block {
            let tail = unsafe { Layout::from_size_align_unchecked(old_block - new_block, GRANULE) };
            unsafe { self.heap.lock().dealloc(ptr.add(new_block), tail) };
            return ptr;
        }
        let new = unsafe { self.alloc(new_layout) };
        if !new.is_null() {
            unsafe {
                ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: KernelAllocator = KernelAllocator { heap: SpinLock::new(Heap::empty()) };

pub fn init() {
    unsafe { ALLOCATOR.heap.lock().init((&raw mut HEAP_AREA) as usize, HEAP_SIZE) };
}

pub fn stats() -> Stats {
    ALLOCATOR.heap.lock().stats()
}
