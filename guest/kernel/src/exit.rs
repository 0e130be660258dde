//! Leaving the VM through QEMU's isa-debug-exit device (port 0xF4): writing
//! value V makes QEMU exit with status (V << 1) | 1. pollscope implements
//! the same device. Without one, the write is ignored and the CPU halts.
//! Both need CPL0 (`ring::privileged`).

use crate::port::outl;
use crate::{cpu, ring};

const DEBUG_EXIT_PORT: u16 = 0xF4;

/// Exit values (QEMU's exit status is value * 2 + 1).
pub const SUCCESS: u32 = 0;
pub const PANIC: u32 = 1;
pub const CPU_EXCEPTION: u32 = 2;
pub const TEST_FAILURE: u32 = 3;

pub fn exit(code: u32) -> ! {
    ring::privileged(|| {
        outl(DEBUG_EXIT_PORT, code);
        cpu::halt_forever()
    })
}
