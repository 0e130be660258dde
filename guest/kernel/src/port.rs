//! x86 port I/O. Every access is a VM exit under a hypervisor (README,
//! "Hosts", for what one costs), so drivers keep the number of accesses
//! low.

use core::arch::asm;

#[inline]
pub fn outb(port: u16, value: u8) {
    unsafe { asm!("out dx, al", in("dx") port, in("al") value, options(nostack, preserves_flags)) }
}

#[inline]
pub fn inb(port: u16) -> u8 {
    let value: u8;
    unsafe { asm!("in al, dx", out("al") value, in("dx") port, options(nostack, preserves_flags)) }
    value
}

#[inline]
pub fn outl(port: u16, value: u32) {
    unsafe { asm!("out dx, eax", in("dx") port, in("eax") value, options(nostack, preserves_flags)) }
}

/// Write `bytes` to one port, one after the other (`rep outsb`).
#[inline]
pub fn outsb(port: u16, bytes: &[u8]) {
    unsafe {
        asm!(
            "rep outsb",
            in("dx") port,
            inout("rsi") bytes.as_ptr() => _,
            inout("rcx") bytes.len() => _,
            options(nostack, preserves_flags, readonly)
        )
    }
}
