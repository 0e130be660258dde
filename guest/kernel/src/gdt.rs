//! The long-mode GDT and the TSS.
//!
//! In 64-bit mode segmentation is mostly off, but the CPU still needs a code
//! segment with L=1 and, for interrupts, a TSS. The TSS's only job here is
//! the Interrupt Stack Table: seven stack pointers an IDT gate can name, so
//! the CPU switches to a known-good stack before pushing the interrupt frame.
//! Every gate uses one, which also keeps the frame out of the interrupted
//! code's red zone (the 128 bytes below RSP that leaf functions use).

use core::arch::{asm, global_asm};

pub const KERNEL_CODE: u16 = 0x08;
pub const KERNEL_DATA: u16 = 0x10;
const TSS_SELECTOR: u16 = 0x18;

/// IST slots (1-based, as the IDT gate encodes them).
pub const IST_IRQ: u8 = 1;
pub const IST_EXCEPTION: u8 = 2;
pub const IST_DOUBLE_FAULT: u8 = 3;
pub const IST_NMI_MCE: u8 = 4;

const IST_STACK_SIZE: usize = 16 * 1024;

#[repr(C, align(16))]
struct Stack([u8; IST_STACK_SIZE]);

static mut IST_STACKS: [Stack; 4] = [const { Stack([0; IST_STACK_SIZE]) }; 4];

/// The 64-bit TSS layout (104 bytes, packed: the u64s are 4-byte aligned).
#[repr(C, packed(4))]
struct Tss {
    reserved0: u32,
    rsp: [u64; 3],
    reserved1: u64,
    ist: [u64; 7],
    reserved2: u64,
    reserved3: u16,
    iomap_base: u16,
}

/// Exported for the thread scheduler's software interrupt entry
/// (`thread_yield_entry` in isr.rs), which reads IST1 at offset
/// `TSS_IST1_OFFSET` the way the CPU does.
#[unsafe(export_name = "kernel_tss")]
static mut TSS: Tss = Tss {
    reserved0: 0,
    rsp: [0; 3],
    reserved1: 0,
    ist: [0; 7],
    reserved2: 0,
    reserved3: 0,
    // An I/O map base beyond the limit means no I/O permission bitmap.
    iomap_base: size_of::<Tss>() as u16,
};

/// null, code (0x08), data (0x10), TSS (0x18, a 16-byte system descriptor).
static mut GDT: [u64; 5] = [
    0,
    // base 0, limit max, P=1 DPL=0 S=1 type=execute/read, L=1 (64-bit), G=1
    0x00af_9a00_0000_ffff,
    // base 0, limit max, P=1 DPL=0 S=1 type=read/write, D/B=1, G=1
    0x00cf_9200_0000_ffff,
    0,
    0,
];

#[repr(C, packed)]
struct DescriptorTablePointer {
    limit: u16,
    base: u64,
}

// Reloading CS needs a far return, which pushes; it lives in a real
// function so nothing is pushed into a Rust function's red zone.
global_asm!(
    r#"
    .section .text.gdt_load_segments, "ax"
    .global gdt_load_segments
gdt_load_segments:
    /* rdi = code selector, rsi = data selector */
    popq %rax
    pushq %rdi
    pushq %rax
    movw %si, %ds
    movw %si, %es
    movw %si, %ss
    lretq
"#,
    options(att_syntax)
);

unsafe extern "C" {
    fn gdt_load_segments(code: u64, data: u64);
}

fn tss_descriptor(base: u64) -> (u64, u64) {
    let limit = (size_of::<Tss>() - 1) as u64;
    let low = (limit & 0xffff)
        | (base & 0xff_ffff) << 16
        | 0x9 << 40 // type: available 64-bit TSS
        | 1 << 47 // present
        | (limit >> 16 & 0xf) << 48
        | (base >> 24 & 0xff) << 56;
    (low, base >> 32)
}

/// Byte offset of IST1 in the TSS (isr.rs's asm hard-codes it too).
pub const TSS_IST1_OFFSET: usize = 36;
const _: () = assert!(core::mem::offset_of!(Tss, ist) == TSS_IST1_OFFSET);

/// Where the CPU switches to on the next hardware IRQ (or software
/// interrupt above 31): TSS.IST1. The CPU reads the TSS in memory at every
/// interrupt, so a store takes effect from the next one. The thread
/// scheduler points it at the running thread's own save area.
pub fn set_irq_stack_top(top: u64) {
    unsafe {
        let tss = &raw mut TSS;
        (&raw mut (*tss).ist[IST_IRQ as usize - 1]).write_unaligned(top);
    }
}

pub fn irq_stack_top() -> u64 {
    unsafe {
        let tss = &raw const TSS;
        (&raw const (*tss).ist[IST_IRQ as usize - 1]).read_unaligned()
    }
}

pub fn init() {
    unsafe {
        let stacks = &raw mut IST_STACKS;
        let tss = &raw mut TSS;
        for (slot, stack) in [IST_IRQ, IST_EXCEPTION, IST_DOUBLE_FAULT, IST_NMI_MCE].into_iter().zip(0..) {
            let top = (&raw mut (*stacks)[stack]) as u64 + IST_STACK_SIZE as u64;
            (*tss).ist[slot as usize - 1] = top;
        }

        let gdt = &raw mut GDT;
        let (low, high) = tss_descriptor(tss as u64);
        (*gdt)[3] = low;
        (*gdt)[4] = high;

        let pointer = DescriptorTablePointer { limit: (size_of::<[u64; 5]>() - 1) as u16, base: gdt as u64 };
        asm!("lgdt [{}]", in(reg) &raw const pointer, options(readonly, nostack, preserves_flags));
        gdt_load_segments(KERNEL_CODE as u64, KERNEL_DATA as u64);
        asm!("ltr {0:x}", in(reg) TSS_SELECTOR, options(nostack, preserves_flags));
    }
}
