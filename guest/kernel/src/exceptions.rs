//! CPU exceptions (vectors 0-31). All are fatal: report one line, exit 2.

use crate::exit::{self, exit};
use crate::isr::InterruptFrame;
use crate::{context, cpu};

const NAMES: [&str; 32] = [
    "divide error",
    "debug",
    "non-maskable interrupt",
    "breakpoint",
    "overflow",
    "bound range exceeded",
    "invalid opcode",
    "device not available",
    "double fault",
    "coprocessor segment overrun",
    "invalid TSS",
    "segment not present",
    "stack-segment fault",
    "general protection",
    "page fault",
    "reserved",
    "x87 floating-point",
    "alignment check",
    "machine check",
    "SIMD floating-point",
    "virtualization",
    "control protection",
    "reserved",
    "reserved",
    "reserved",
    "reserved",
    "reserved",
    "reserved",
    "hypervisor injection",
    "VMM communication",
    "security",
    "reserved",
];

pub fn name(vector: u64) -> &'static str {
    NAMES.get(vector as usize).copied().unwrap_or("unknown")
}

/// `EXCEPTION: <name> vector=<dec> error=0x<hex> rip=0x<hex> cr2=0x<hex>`,
/// and ` task=<id> (<name>)` when a task was being polled. CR2 is printed
/// as the register reads; it is only meaningful for #PF.
pub fn fatal(frame: &InterruptFrame) -> ! {
    let task = context::task();
    crate::console::print_fatal(format_args!(
        "EXCEPTION: {} vector={} error={:#x} rip={:#x} cr2={:#x}{}\n",
        name(frame.vector),
        frame.vector,
        frame.error_code,
        frame.rip,
        cpu::read_cr2(),
        TaskSuffix(task, context::task_name()),
    ));
    exit(exit::CPU_EXCEPTION)
}

/// " task=<id> (<name>)", or nothing for task 0.
struct TaskSuffix(u32, &'static str);

impl core::fmt::Display for TaskSuffix {
    fn fmt(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
        match self.0 {
            0 => Ok(()),
            id => write!(f, " task={id} ({})", self.1),
        }
    }
}
