//! The long-mode GDT and the TSS.
//!
//! In 64-bit mode segmentation is mostly off, but the CPU still needs a code
//! segment with L=1 per privilege level and, for interrupts, a TSS. The
//! TSS's main job here is the Interrupt Stack Table: seven stack pointers an
//! IDT gate can name, so the CPU switches to a known-good stack before
//! pushing the interrupt frame. Every gate uses one, which also keeps the
//! frame out of the interrupted code's red zone (the 128 bytes below RSP
//! that leaf functions use). RSP0, the stack for an interrupt from CPL3
//! through a gate without IST, is set too, though no gate is without one.
//!
//! The layout is Linux's (arch/x86/include/asm/segment.h): kernel code
//! 0x10, kernel data 0x18, user data 0x2b, user code 0x33, the TSS at 0x40.
//! Some hypervisors run CPL3 code on the host's own user segments and need
//! the guest's selectors to agree (README, "Hosts").

use core::arch::{asm, global_asm};

pub const KERNEL_CODE: u16 = 0x10;
pub const KERNEL_DATA: u16 = 0x18;
/// Selectors with RPL 3, as CPL3 code loads them.
pub const USER_DATA: u16 = 0x2b;
pub const USER_CODE: u16 = 0x33;
const TSS_SELECTOR: u16 = 0x40;
const GDT_ENTRIES: usize = 10;

/// IST slots (1-based, as the IDT gate encodes them).
pub const IST_IRQ: u8 = 1;
pub const IST_EXCEPTION: u8 = 2;
pub const IST_DOUBLE_FAULT: u8 = 3;
pub const IST_NMI_MCE: u8 = 4;

const IST_STACK_SIZE: usize = 16 * 1024;

#[repr(C, align(16))]
struct Stack([u8; IST_STACK_SIZE]);

#[unsafe(link_section = ".bss.stacks")]
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

/// Exported for the software interrupt entries of src/isr.rs, which read
/// IST1 at offset `TSS_IST1_OFFSET` the way the CPU does.
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

/// Base 0, limit max, G=1, P=1, S=1, in Linux's order; the TSS (a 16-byte
/// system descriptor) is filled in by `init`.
static mut GDT: [u64; GDT_ENTRIES] = [
    0,
    // 0x08: DPL=0 execute/read, D=1 (32-bit; unused)
    0x00cf_9a00_0000_ffff,
    // 0x10: DPL=0 execute/read, L=1 (64-bit)
    0x00af_9a00_0000_ffff,
    // 0x18: DPL=0 read/write, D/B=1
    0x00cf_9200_0000_ffff,
    // 0x20: DPL=3 execute/read, D=1 (32-bit; unused)
    0x00cf_fa00_0000_ffff,
    // 0x28: DPL=3 read/write, D/B=1
    0x00cf_f200_0000_ffff,
    // 0x30: DPL=3 execute/read, L=1 (64-bit)
    0x00af_fa00_0000_ffff,
    // 0x38: unused
    0,
    // 0x40: TSS
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

        (*tss).rsp[0] = (*tss).ist[IST_EXCEPTION as usize - 1];

        let gdt = &raw mut GDT;
        let (low, high) = tss_descriptor(tss as u64);
        let slot = TSS_SELECTOR as usize / 8;
        (*gdt)[slot] = low;
        (*gdt)[slot + 1] = high;

        let pointer = DescriptorTablePointer { limit: (size_of::<[u64; GDT_ENTRIES]>() - 1) as u16, base: gdt as u64 };
        asm!("lgdt [{}]", in(reg) &raw const pointer, options(readonly, nostack, preserves_flags));
        gdt_load_segments(KERNEL_CODE as u64, KERNEL_DATA as u64);
        asm!("ltr {0:x}", in(reg) TSS_SELECTOR, options(nostack, preserves_flags));
    }
}
