//! `crash=<kind>`: fault on purpose, to test the exception and panic paths.
//! The fault happens in a task named "crash", at the tasks' privilege
//! level, so the report names the task.

use crate::task::Task;
use crate::task::executor::Executor;
use core::arch::asm;

/// Above the 4 GiB identity map: not present, so reading it page-faults.
const UNMAPPED: u64 = 0x10_0000_0000;
/// Not canonical (bits 63..47 differ), so reading it raises #GP.
const NON_CANONICAL: u64 = 0x8000_0000_0000_0000;

pub const KINDS: &str = "divide, pagefault, gp, ud2, panic";

/// Crash as `kind` says in a task of its own on a fresh executor;
/// returns only if `kind` is unknown.
pub fn in_task(kind: &'static str) {
    let mut executor = Executor::new();
    executor.spawn(Task::new("crash", async move { crash(kind) }));
    executor.run_until_done();
}

/// Crash as `kind` says; returns only if `kind` is unknown.
pub fn crash(kind: &str) {
    match kind {
        // In asm, so the compiler can neither fold it nor turn it into a panic.
        "divide" => unsafe {
            asm!("div {0}", in(reg) 0u64, inout("rax") 1u64 => _, inout("rdx") 0u64 => _, options(nomem, nostack));
        },
        "pagefault" => unsafe {
            (UNMAPPED as *const u64).read_volatile();
        },
        "gp" => unsafe {
            (NON_CANONICAL as *const u64).read_volatile();
        },
        "ud2" => unsafe {
            asm!("ud2", options(nomem, nostack));
        },
        "panic" => panic!("requested by the command line"),
        _ => {}
    }
}
