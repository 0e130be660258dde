//! Interrupt entry: 256 assembly stubs and the common path into Rust.
//!
//! On an interrupt the CPU switches to the gate's IST stack and pushes
//! SS, RSP, RFLAGS, CS, RIP and, for some exceptions, an error code. Each
//! stub pushes a 0 where the CPU pushes no error code, then its vector, so
//! every frame has the same shape. The common path saves all general
//! registers and the x87/SSE state, calls `isr_dispatch`
//! (src/interrupts.rs), restores everything and returns with IRETQ.
//!
//! `isr_dispatch` returns the frame to resume: normally the one it was
//! given, but a scheduler (the lab's threads, src/thread/) may return
//! another saved frame to switch contexts. The exit path restores from
//! whatever frame it gets (its FXSAVE image sits at the same place relative
//! to it), so a switch costs no copying.
//!
//! `soft_interrupt` is a software interrupt for a *call*: at CPL0 it
//! builds on the IST1 stack exactly the frame the CPU would push for
//! `int 0x81` and joins the common path; at CPL3 it gets there through a
//! #GP gate (below). `INT n` itself is not used for this (see README,
//! "Hosts"); vector 0x81 is still wired to the same handler.
//!
//! The #GP entry also serves `ring_cpl0_gate`, the way CPL3 code runs a
//! function at CPL0 (src/ring.rs).
//!
//! Hardware IRQs (vectors 32-47) take a shorter path by default:
//! `isr_irq_table`'s stubs save only the registers a C call may clobber
//! and call `irq_dispatch(vector)`. The handlers use no x87/SSE state (the
//! kernel is built without SSE), so that is all they can change; a
//! context switch needs the full path, so whoever switches on an IRQ (the
//! lab's timer preemption) points the IRQ's gate at the full stub while it
//! does (`idt::set_handler`).
//!
//! The register saves and restores are also available as assembly text
//! (`save_registers!`, `restore_registers!`, `save_scratch_registers!`,
//! `restore_scratch_registers!`) for entry points that need a variant of
//! these paths (the lab's measuring entries).

use crate::gdt;
use core::arch::global_asm;

/// Size of one stub; stub N is at isr_stub_table + N * STUB_SIZE.
const STUB_SIZE: u64 = 16;

/// The vector `isr_soft_interrupt` enters with.
pub const SOFT_VECTOR: u64 = 0x81;

/// The 15 general registers, pushed in `InterruptFrame` order (assembly
/// text, AT&T syntax).
macro_rules! save_registers {
    () => {
        "pushq %rax\n pushq %rbx\n pushq %rcx\n pushq %rdx\n pushq %rsi\n pushq %rdi\n pushq %rbp\n pushq %r8\n pushq %r9\n pushq %r10\n pushq %r11\n pushq %r12\n pushq %r13\n pushq %r14\n pushq %r15\n"
    };
}

/// The inverse of `save_registers!`.
macro_rules! restore_registers {
    () => {
        "popq %r15\n popq %r14\n popq %r13\n popq %r12\n popq %r11\n popq %r10\n popq %r9\n popq %r8\n popq %rbp\n popq %rdi\n popq %rsi\n popq %rdx\n popq %rcx\n popq %rbx\n popq %rax\n"
    };
}

/// The registers a C call may clobber but RDI (pushed by the IRQ stubs
/// before they load the vector into it).
macro_rules! save_scratch_registers {
    () => {
        "pushq %rax\n pushq %rcx\n pushq %rdx\n pushq %rsi\n pushq %r8\n pushq %r9\n pushq %r10\n pushq %r11\n"
    };
}

/// The inverse of `save_scratch_registers!`.
macro_rules! restore_scratch_registers {
    () => {
        "popq %r11\n popq %r10\n popq %r9\n popq %r8\n popq %rsi\n popq %rdx\n popq %rcx\n popq %rax\n"
    };
}

#[allow(unused_imports)]
pub(crate) use {restore_registers, restore_scratch_registers, save_registers, save_scratch_registers};

/// The first hardware IRQ vector (the PIC pair is programmed to 32-47).
pub const IRQ_BASE: u8 = 32;
pub const IRQ_COUNT: u8 = 16;

// Exceptions with a CPU-pushed error code: #DF 8, #TS 10, #NP 11, #SS 12,
// #GP 13, #PF 14, #AC 17, #CP 21, #VC 29, #SX 30.
global_asm!(
    r#"
    .section .text.isr, "ax"
    .balign 16
    .global isr_stub_table
isr_stub_table:
    .set isr_vector, 0
    .rept 256
    .balign 16
    .if isr_vector == 13
    jmp isr_gp_entry
    .else
    .if (isr_vector == 8) || (isr_vector == 10) || (isr_vector == 11) || (isr_vector == 12) || (isr_vector == 14) || (isr_vector == 17) || (isr_vector == 21) || (isr_vector == 29) || (isr_vector == 30)
    .else
    pushq $0
    .endif
    pushq $isr_vector
    jmp isr_common
    .endif
    .set isr_vector, isr_vector + 1
    .endr

/* #GP. From CPL3, a `hlt` at one of the two gates below is a request for
   CPL0, not a fault: [rsp] = error code, 8(%rsp) = RIP, 16(%rsp) = CS.
   - ring_cpl0_gate(f, state), a C call: call f(state) here, at CPL0 on
     the exception stack with interrupts off, and return past the `hlt`.
     The caller may lose its caller-saved registers; f keeps the others.
     (The CPU pushed six words on a 16-byte-aligned IST stack, so RSP is
     aligned for the CALL.)
   - isr_soft_gate(arg), a C call: the software interrupt (below) from
     CPL3. The CPU's frame moves to the stack TSS.IST1 names, where an
     interrupt from CPL3 would have put it, and joins the common path as
     vector 0x81, to return past the `hlt`.
   Anything else is a real #GP. */
isr_gp_entry:
    testb $3, 16(%rsp)
    jz .Lgp_fault
    cmpq $ring_cpl0_gate_hlt, 8(%rsp)
    je .Lgp_cpl0_call
    cmpq $isr_soft_gate_hlt, 8(%rsp)
    je .Lgp_soft_interrupt
.Lgp_fault:
    pushq $13
    jmp isr_common
.Lgp_cpl0_call:
    movq %rdi, %rax
    movq %rsi, %rdi
    cld
    call *%rax
    addq $1, 8(%rsp)
    addq $8, %rsp
    iretq
.Lgp_soft_interrupt:
    movq kernel_tss+{ist1}(%rip), %rax
    movq 40(%rsp), %rcx             /* SS */
    movq %rcx, -8(%rax)
    movq 32(%rsp), %rcx             /* RSP */
    movq %rcx, -16(%rax)
    movq 24(%rsp), %rcx             /* RFLAGS */
    movq %rcx, -24(%rax)
    movq 16(%rsp), %rcx             /* CS */
    movq %rcx, -32(%rax)
    movq 8(%rsp), %rcx              /* RIP, past the hlt */
    incq %rcx
    movq %rcx, -40(%rax)
    movq $0, -48(%rax)              /* error code */
    movq ${vector}, -56(%rax)       /* vector */
    leaq -56(%rax), %rsp
    jmp isr_common

    .balign 16
    .global ring_cpl0_gate
ring_cpl0_gate:
ring_cpl0_gate_hlt:
    hlt
    ret

    .balign 16
    .global isr_soft_gate
isr_soft_gate:
isr_soft_gate_hlt:
    hlt
    ret

    .global isr_common
isr_common:
"#,
    save_registers!(),
    r#"
    /* RBX (callee-saved) keeps the frame address across the call. */
    movq %rsp, %rbx
    andq $-16, %rsp
    subq $512, %rsp
    fxsave64 (%rsp)
    /* The ABI wants DF clear on function entry; IRETQ restores the
       interrupted code's RFLAGS, DF included. */
    cld
    movq %rbx, %rdi
    call isr_dispatch
    /* RAX = the frame to resume: RBX's, or another context's (saved by
       an earlier entry on that context's own IST area). Its FXSAVE image
       is 512 bytes below its 16-byte-aligned address, as above. */
    movq %rax, %rbx
    movq %rbx, %rsp
    andq $-16, %rsp
    subq $512, %rsp
    fxrstor64 (%rsp)
    movq %rbx, %rsp
"#,
    restore_registers!(),
    r#"
    /* drop vector and error code */
    addq $16, %rsp
    iretq

/* extern "C" fn isr_soft_interrupt(arg): an `int 0x81` done by hand at
   CPL0, for a caller that is allowed to lose its caller-saved registers
   (the C ABI); arg stays in RDI, saved in the frame.
   Entered by CALL: [rsp] = return address. Interrupts are masked before
   the IST area is touched, as an interrupt gate would; the saved RFLAGS
   keep the caller's IF, and IRETQ restores it. */
    .balign 16
    .global isr_soft_interrupt
isr_soft_interrupt:
    pushfq
    cli
    popq %r11                       /* RFLAGS as the caller had them */
    popq %rax                       /* RIP: the return address */
    movq %rsp, %rcx                 /* RSP as after a RET */
    movq kernel_tss+{ist1}(%rip), %rsp  /* TSS.IST1, like the CPU */
    pushq ${data}                   /* SS */
    pushq %rcx                      /* RSP */
    pushq %r11                      /* RFLAGS */
    pushq ${code}                   /* CS */
    pushq %rax                      /* RIP */
    pushq $0                        /* error code */
    pushq ${vector}                 /* vector */
    jmp isr_common

/* The IRQ fast path: stub N pushes RDI, loads its vector into EDI and
   joins isr_irq_common. The CPU pushed five words on a 16-byte-aligned
   IST stack; with RDI and the eight below, RSP is 16-byte aligned at the
   CALL, as the ABI wants. */
    .balign 16
    .global isr_irq_table
isr_irq_table:
    .set isr_vector, {irq_base}
    .rept {irq_count}
    .balign 16
    pushq %rdi
    movl $isr_vector, %edi
    jmp isr_irq_common
    .set isr_vector, isr_vector + 1
    .endr

    .global isr_irq_common
isr_irq_common:
"#,
    save_scratch_registers!(),
    r#"
    cld
    call irq_dispatch
"#,
    restore_scratch_registers!(),
    r#"
    popq %rdi
    iretq
"#,
    ist1 = const gdt::TSS_IST1_OFFSET,
    data = const gdt::KERNEL_DATA,
    code = const gdt::KERNEL_CODE,
    vector = const SOFT_VECTOR,
    irq_base = const IRQ_BASE,
    irq_count = const IRQ_COUNT,
    options(att_syntax)
);

unsafe extern "C" {
    static isr_stub_table: u8;
    static isr_irq_table: u8;
    fn isr_soft_interrupt(arg: u64);
    fn isr_soft_gate(arg: u64);
}

/// Enter the common path as if `int 0x81` had been executed, with `arg`
/// in the frame's RDI, at CPL0 or CPL3 (see the file comment); returns
/// when the context that called it resumes.
#[inline]
pub fn soft_interrupt(arg: u64) {
    unsafe {
        if crate::cpu::cpl() == 0 {
            isr_soft_interrupt(arg)
        } else {
            isr_soft_gate(arg)
        }
    }
}

/// The full-path stub of `vector`.
pub fn stub_address(vector: u8) -> u64 {
    (&raw const isr_stub_table) as u64 + vector as u64 * STUB_SIZE
}

/// Where `vector`'s gate points by default: the fast path for hardware
/// IRQs, the full path for everything else.
pub fn default_handler(vector: u8) -> u64 {
    match vector.checked_sub(IRQ_BASE) {
        Some(irq) if irq < IRQ_COUNT => (&raw const isr_irq_table) as u64 + irq as u64 * STUB_SIZE,
        _ => stub_address(vector),
    }
}

/// The stack as `isr_common` leaves it, lowest address first.
#[repr(C)]
pub struct InterruptFrame {
    pub r15: u64,
    pub r14: u64,
    pub r13: u64,
    pub r12: u64,
    pub r11: u64,
    pub r10: u64,
    pub r9: u64,
    pub r8: u64,
    pub rbp: u64,
    pub rdi: u64,
    pub rsi: u64,
    pub rdx: u64,
    pub rcx: u64,
    pub rbx: u64,
    pub rax: u64,
    pub vector: u64,
    pub error_code: u64,
    // pushed by the CPU
    pub rip: u64,
    pub cs: u64,
    pub rflags: u64,
    pub rsp: u64,
    pub ss: u64,
}
