//! The 8259A programmable interrupt controller pair.
//!
//! The master (ports 0x20/0x21) takes IRQ0-7; the slave (0xA0/0xA1) takes
//! IRQ8-15 and is cascaded into the master's IRQ2. After reset they deliver
//! vectors 8-15, which collide with CPU exceptions, so they are re-programmed
//! with the initialisation sequence, written in this exact order per chip:
//!   ICW1 (command port): 0x11 = initialise, edge-triggered, ICW4 follows
//!   ICW2 (data port):    vector base (0x20 master, 0x28 slave)
//!   ICW3 (data port):    master: bit mask of the slave's input (0x04 = IRQ2);
//!                        slave: its cascade identity (2)
//!   ICW4 (data port):    0x01 = 8086 mode, normal (non-automatic) EOI
//! Afterwards the data port reads/writes the interrupt mask (OCW1) and the
//! command port takes EOI (OCW2, 0x20) and register-read selects (OCW3).
//! Old hardware wanted a short delay between the ICWs; emulated chips don't.

use crate::port::{inb, outb};
use core::sync::atomic::{AtomicU64, Ordering};

const MASTER_COMMAND: u16 = 0x20;
const MASTER_DATA: u16 = 0x21;
const SLAVE_COMMAND: u16 = 0xA0;
const SLAVE_DATA: u16 = 0xA1;

const ICW1_INIT_WITH_ICW4: u8 = 0x11;
pub const MASTER_VECTOR_BASE: u8 = 0x20;
pub const SLAVE_VECTOR_BASE: u8 = 0x28;
const ICW3_MASTER_SLAVE_ON_IRQ2: u8 = 0x04;
const ICW3_SLAVE_ID: u8 = 0x02;
const ICW4_8086: u8 = 0x01;

const OCW2_EOI: u8 = 0x20;
const OCW3_READ_ISR: u8 = 0x0B;

pub const CASCADE_IRQ: u8 = 2;

/// Only the timer (IRQ0), keyboard (IRQ1) and the cascade (IRQ2) unmasked.
const MASTER_MASK: u8 = !(1 << 0 | 1 << 1 | 1 << CASCADE_IRQ);
const SLAVE_MASK: u8 = 0xFF;

static SPURIOUS: AtomicU64 = AtomicU64::new(0);

pub fn init() {
    outb(MASTER_COMMAND, ICW1_INIT_WITH_ICW4);
    outb(SLAVE_COMMAND, ICW1_INIT_WITH_ICW4);
    outb(MASTER_DATA, MASTER_VECTOR_BASE);
    outb(SLAVE_DATA, SLAVE_VECTOR_BASE);
    outb(MASTER_DATA, ICW3_MASTER_SLAVE_ON_IRQ2);
    outb(SLAVE_DATA, ICW3_SLAVE_ID);
    outb(MASTER_DATA, ICW4_8086);
    outb(SLAVE_DATA, ICW4_8086);

    outb(MASTER_DATA, MASTER_MASK);
    outb(SLAVE_DATA, SLAVE_MASK);
}

/// Acknowledge an IRQ: the slave first for IRQ8-15 (it raised the master's
/// IRQ2, which needs its own EOI), then the master.
pub fn end_of_interrupt(irq: u8) {
    if irq >= 8 {
        outb(SLAVE_COMMAND, OCW2_EOI);
    }
    outb(MASTER_COMMAND, OCW2_EOI);
}

/// A chip signals its lowest-priority input (IRQ7 / IRQ15) when a request
/// disappears before the CPU acknowledges it. The in-service register then
/// has no bit set for it: such an IRQ is spurious.
pub fn is_spurious(irq: u8) -> bool {
    let command = match irq {
        7 => MASTER_COMMAND,
        15 => SLAVE_COMMAND,
        _ => return false,
    };
    outb(command, OCW3_READ_ISR);
    inb(command) & 0x80 == 0
}

/// A spurious IRQ7 was never in service: no EOI. A spurious IRQ15 did go
/// through the master's cascade input, so the master still needs its EOI.
pub fn end_spurious(irq: u8) {
    SPURIOUS.fetch_add(1, Ordering::Relaxed);
    if irq == 15 {
        outb(MASTER_COMMAND, OCW2_EOI);
    }
}

