//! The IDT: 256 gates, all present. Vectors 0-31 are CPU exceptions, 32-47
//! the remapped 8259A IRQs, the rest should never fire and are reported.
//!
//! Every gate is an interrupt gate (the CPU clears IF on entry, so handlers
//! never nest) and names an IST stack. A gate points at its vector's
//! default entry (src/isr.rs) until `set_handler` points it elsewhere (the
//! lab does, for the time of a measurement).

use crate::gdt;
use crate::isr;
use core::arch::asm;

pub const EXCEPTION_NMI: u8 = 2;
pub const EXCEPTION_DOUBLE_FAULT: u8 = 8;
pub const EXCEPTION_MACHINE_CHECK: u8 = 18;

/// P=1, DPL=0, type 0xE (64-bit interrupt gate).
const INTERRUPT_GATE: u8 = 0x8E;

#[repr(C)]
#[derive(Clone, Copy)]
struct Gate {
    offset_low: u16,
    selector: u16,
    ist: u8,
    type_attr: u8,
    offset_mid: u16,
    offset_high: u32,
    reserved: u32,
}

impl Gate {
    const MISSING: Gate =
        Gate { offset_low: 0, selector: 0, ist: 0, type_attr: 0, offset_mid: 0, offset_high: 0, reserved: 0 };

    fn new(handler: u64, ist: u8) -> Gate {
        Gate {
            offset_low: handler as u16,
            selector: gdt::KERNEL_CODE,
            ist,
            type_attr: INTERRUPT_GATE,
            offset_mid: (handler >> 16) as u16,
            offset_high: (handler >> 32) as u32,
            reserved: 0,
        }
    }
}

#[repr(C, align(16))]
struct Idt([Gate; 256]);

static mut IDT: Idt = Idt([Gate::MISSING; 256]);

#[repr(C, packed)]
struct DescriptorTablePointer {
    limit: u16,
    base: u64,
}

/// NMI and machine check can arrive at any moment, even inside another
/// handler, and a double fault may mean the current stack is bad: each gets
/// a stack of its own.
fn ist_for(vector: u8) -> u8 {
    match vector {
        EXCEPTION_NMI | EXCEPTION_MACHINE_CHECK => gdt::IST_NMI_MCE,
        EXCEPTION_DOUBLE_FAULT => gdt::IST_DOUBLE_FAULT,
        0..=31 => gdt::IST_EXCEPTION,
        _ => gdt::IST_IRQ,
    }
}

pub fn init() {
    unsafe {
        let idt = &raw mut IDT;
        for vector in 0..=255u8 {
            (*idt).0[vector as usize] = Gate::new(isr::default_handler(vector), ist_for(vector));
        }
        let pointer = DescriptorTablePointer { limit: (size_of::<Idt>() - 1) as u16, base: idt as u64 };
        asm!("lidt [{}]", in(reg) &raw const pointer, options(readonly, nostack, preserves_flags));
    }
}

/// Point `vector`'s gate at `handler` (an entry point that ends like the
/// ones in src/isr.rs), effective from the next interrupt. The CPU reads
/// the gate from memory on every interrupt, so the change is one 8-byte
/// store of the gate's low half, which an interrupt cannot see torn; the
/// high half (address bits 32-63) is the same for all kernel code.
pub fn set_handler(vector: u8, handler: u64) {
    let gate = Gate::new(handler, ist_for(vector));
    unsafe {
        let slot = (&raw mut IDT.0[vector as usize]).cast::<u64>();
        assert!(slot.add(1).read_volatile() as u32 == gate.offset_high, "handler above 4 GiB");
        let low = (&raw const gate).cast::<u64>().read();
        slot.write_volatile(low);
    }
}
