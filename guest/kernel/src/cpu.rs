//! CPU instructions: the interrupt flag, halting, control registers (these
//! need CPL0), the current privilege level and the TSC.

use core::arch::{asm, global_asm};

/// RFLAGS.IF: maskable interrupts are delivered.
pub const RFLAGS_IF: u64 = 1 << 9;
/// RFLAGS bit 1 always reads 1.
pub const RFLAGS_FIXED: u64 = 1 << 1;

// pushfq/popfq need the stack; they live in real functions so inline asm
// never writes below RSP into the red zone of the Rust code around it.
global_asm!(
    r#"
    .section .text.cpu_flags, "ax"
    .global cpu_read_rflags
cpu_read_rflags:
    pushfq
    popq %rax
    ret
"#,
    options(att_syntax)
);

unsafe extern "C" {
    fn cpu_read_rflags() -> u64;
}

#[inline]
pub fn cli() {
    unsafe { asm!("cli", options(nostack)) }
}

#[inline]
pub fn sti() {
    unsafe { asm!("sti", options(nostack)) }
}

/// Enable interrupts and halt until the next one. STI delays interrupt
/// delivery by one instruction, so an interrupt that became pending while IF
/// was clear is taken *after* HLT starts and wakes it: no lost wakeup.
#[inline]
pub fn sti_hlt() {
    unsafe { asm!("sti", "hlt", options(nostack)) }
}

/// Stop this CPU for good: interrupts off, then halt (only NMI/SMI/INIT can
/// wake it, hence the loop).
pub fn halt_forever() -> ! {
    loop {
        unsafe { asm!("cli", "hlt", options(nostack, nomem)) }
    }
}

pub fn interrupts_enabled() -> bool {
    unsafe { cpu_read_rflags() & RFLAGS_IF != 0 }
}

/// Disable interrupts and report whether they were enabled before.
#[inline]
pub fn save_and_cli() -> bool {
    let was = interrupts_enabled();
    cli();
    was
}

/// The time-stamp counter. Not serializing; no `nomem`, so the compiler
/// keeps it in program order with the memory accesses around it.
#[inline(always)]
pub fn rdtsc() -> u64 {
    let (lo, hi): (u32, u32);
    unsafe { asm!("rdtsc", out("eax") lo, out("edx") hi, options(nostack, preserves_flags)) }
    (hi as u64) << 32 | lo as u64
}

/// The current privilege level: the low two bits of CS.
#[inline]
pub fn cpl() -> u8 {
    let cs: u16;
    unsafe { asm!("mov {0:x}, cs", out(reg) cs, options(nomem, nostack, preserves_flags)) }
    (cs & 3) as u8
}

/// CR2: the linear address of the last page fault.
pub fn read_cr2() -> u64 {
    let value: u64;
    unsafe { asm!("mov {}, cr2", out(reg) value, options(nomem, nostack, preserves_flags)) }
    value
}
