//! A thread's memory: one heap block holding its IRQ area (the IST1 stack
//! its interrupts and saved context use) and, above it, its stack; the
//! frame a new thread starts from; canaries and the paint that measures
//! how deep the interrupt path went.

use crate::cpu;
use crate::isr::{self, InterruptFrame};
use alloc::alloc::{alloc, dealloc};
use core::alloc::Layout;

/// Each thread's stack.
pub const STACK_SIZE: usize = 16 * 1024;
/// Each thread's IST1 area: its saved context (176-byte frame + 512-byte
/// FXSAVE image) and, while it is interrupted, the Rust handler's stack.
/// `test=thread::timer_preemption` checks the high-water mark.
pub const IRQ_AREA_SIZE: usize = 4 * 1024;
const BLOCK_SIZE: usize = IRQ_AREA_SIZE + STACK_SIZE;
const BLOCK_ALIGN: usize = 64;
const FRAME_SIZE: usize = size_of::<InterruptFrame>();
const FXSAVE_SIZE: usize = 512;
/// At the bottom of the IRQ area and of the stack; checked at join.
const CANARY: u64 = 0x2121_6461_6572_6874;
/// Fills IRQ areas when asked, for the high-water mark.
const PAINT: u64 = 0x5449_4150_5449_4150;

/// A thread's block: IRQ area at the bottom, stack above.
pub struct Block(*mut u8);

fn layout() -> Layout {
    Layout::from_size_align(BLOCK_SIZE, BLOCK_ALIGN).unwrap()
}

impl Block {
    /// A block whose thread will start at `entry(arg)` with code and stack
    /// selectors `cs`/`ss` and interrupts on, its IRQ area painted if
    /// `paint`. Panics without memory.
    pub fn new(entry: extern "C" fn(u64) -> !, arg: u64, cs: u16, ss: u16, paint: bool) -> Block {
        let block = unsafe { alloc(layout()) };
        assert!(!block.is_null(), "thread: out of memory for a stack");
        let b = Block(block);
        let stack_top = block as u64 + BLOCK_SIZE as u64;
        unsafe {
            if paint {
                let area = block.cast::<u64>();
                for i in 0..paintable_words() {
                    area.add(i).write_volatile(PAINT);
                }
            }
            block.cast::<u64>().write(CANARY);
            block.add(IRQ_AREA_SIZE).cast::<u64>().write(CANARY);
            // A return address for the entry's frame; it never returns.
            ((stack_top - 8) as *mut u64).write(0);
            let frame = b.first_frame();
            frame.write(InterruptFrame {
                r15: 0,
                r14: 0,
                r13: 0,
                r12: 0,
                r11: 0,
                r10: 0,
                r9: 0,
                r8: 0,
                rbp: 0,
                rdi: arg,
                rsi: 0,
                rdx: 0,
                rcx: 0,
                rbx: 0,
                rax: 0,
                vector: isr::SOFT_VECTOR,
                error_code: 0,
                rip: entry as *const () as u64,
                cs: cs as u64,
                rflags: cpu::RFLAGS_IF | cpu::RFLAGS_FIXED,
                rsp: stack_top - 8,
                ss: ss as u64,
            });
            write_default_fxsave(fxsave_area(frame));
        }
        b
    }

    /// What TSS.IST1 holds while the thread runs.
    pub fn irq_top(&self) -> u64 {
        self.0 as u64 + IRQ_AREA_SIZE as u64
    }

    /// Where `isr_common` would have left the thread's frame: the top of
    /// its IRQ area.
    pub fn first_frame(&self) -> *mut InterruptFrame {
        (self.irq_top() - FRAME_SIZE as u64) as *mut InterruptFrame
    }

    /// Panics if the IRQ area or the stack overflowed (`index` names the
    /// thread).
    pub fn check(&self, index: usize) {
        unsafe {
            assert!(self.0.cast::<u64>().read() == CANARY, "thread {index}: IRQ area overflowed");
            assert!(self.0.add(IRQ_AREA_SIZE).cast::<u64>().read() == CANARY, "thread {index}: stack overflowed");
        }
    }

    /// Bytes of a painted IRQ area that have been written (from its top).
    pub fn irq_area_used(&self) -> usize {
        let area = self.0.cast::<u64>();
        // The canary took word 0.
        let untouched =
            (1..paintable_words()).take_while(|&i| unsafe { area.add(i).read_volatile() } == PAINT).count() + 1;
        IRQ_AREA_SIZE - untouched * 8
    }
}

impl Drop for Block {
    fn drop(&mut self) {
        unsafe { dealloc(self.0, layout()) };
    }
}

/// Words of the IRQ area below the first frame and its FXSAVE image.
fn paintable_words() -> usize {
    (IRQ_AREA_SIZE - FRAME_SIZE - FXSAVE_SIZE - 16) / 8
}

/// Where `isr_common` keeps the FXSAVE image of the context at `frame`.
fn fxsave_area(frame: *mut InterruptFrame) -> *mut u8 {
    ((frame as u64 & !15) - FXSAVE_SIZE as u64) as *mut u8
}

/// FINIT's x87 state and the reset MXCSR, everything else zero.
unsafe fn write_default_fxsave(area: *mut u8) {
    unsafe {
        area.write_bytes(0, FXSAVE_SIZE);
        area.cast::<u16>().write(0x037F);
        area.add(24).cast::<u32>().write(0x1F80);
    }
}
