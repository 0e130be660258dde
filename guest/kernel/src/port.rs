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
