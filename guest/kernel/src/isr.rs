//! Interrupt entry: 256 assembly stubs and the common path into Rust.
//!
//! On an interrupt the CPU switches to the gate's IST stack and pushes
//! SS, RSP, RFLAGS, CS, RIP and, for some exceptions, an error code. Each
//! stub pushes a 0 where the CPU pushes no error code, then its vector, so
//! every frame has the same shape. The common path saves all general
//! registers and the x87/SSE state (the Rust handlers use SSE), calls
//! `isr_dispatch`, restores everything and returns with IRETQ.
//!
//! `isr_dispatch` returns the frame to resume: normally the one it was
//! given, but the thread scheduler (src/thread/) returns another thread's
//! saved frame to switch threads. The exit path restores from whatever
//! frame it gets (its FXSAVE image sits at the same place relative to it),
//! so a switch costs no copying. The common path also stamps the TSC into
//! `ISR_ENTRY_TSC` right after saving the registers and into
//! `ISR_EXIT_TSC` right before restoring them, for the benchmarks
//! (src/bench.rs): eight instructions per interrupt.
//!
//! `thread_yield_entry` is a software interrupt entry for a *call*: it
//! builds on the IST1 stack exactly the frame the CPU would push for
//! `int 0x81` and joins the common path. The threads yield through it
//! because this workplace's KVM (PVM, running the guest in KVM's
//! instruction emulator) cannot emulate `INT n` in long mode: the first
//! `int 0x81` ends the VM with "KVM internal error". Vector 0x81 is still
//! wired to the same handler, and works where INT n does (QEMU).

use crate::trace::{self, Kind};
use crate::{console, exceptions, keyboard, pic, pit};
use core::arch::global_asm;
use crate::thread;
use core::sync::atomic::{AtomicU8, AtomicU64, Ordering};

/// Size of one stub; stub N is at isr_stub_table + N * STUB_SIZE.
const STUB_SIZE: u64 = 16;

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
    .if (isr_vector == 8) || (isr_vector == 10) || (isr_vector == 11) || (isr_vector == 12) || (isr_vector == 13) || (isr_vector == 14) || (isr_vector == 17) || (isr_vector == 21) || (isr_vector == 29) || (isr_vector == 30)
    .else
    pushq $0
    .endif
    pushq $isr_vector
    jmp isr_common
    .set isr_vector, isr_vector + 1
    .endr

isr_common:
    pushq %rax
    pushq %rbx
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %rbp
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    rdtsc
    shlq $32, %rdx
    orq %rdx, %rax
    movq %rax, ISR_ENTRY_TSC(%rip)
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
    /* RAX = the frame to resume: RBX's, or another thread's (saved by
       an earlier entry on that thread's own IST area). Its FXSAVE image
       is 512 bytes below its 16-byte-aligned address, as above. */
    movq %rax, %rbx
    rdtsc
    shlq $32, %rdx
    orq %rdx, %rax
    movq %rax, ISR_EXIT_TSC(%rip)
    movq %rbx, %rsp
    andq $-16, %rsp
    subq $512, %rsp
    fxrstor64 (%rsp)
    movq %rbx, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rbp
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rbx
    popq %rax
    /* drop vector and error code */
    addq $16, %rsp
    iretq

/* extern "C" fn thread_yield_entry(): an `int 0x81` done by hand, for a
   caller that is allowed to lose its caller-saved registers (the C ABI).
   Entered by CALL: [rsp] = return address. Interrupts are masked before
   the IST area is touched, as an interrupt gate would; the saved RFLAGS
   keep the caller's IF, and IRETQ restores it. */
    .balign 16
    .global thread_yield_entry
thread_yield_entry:
    pushfq
    cli
    popq %r11                       /* RFLAGS as the caller had them */
    popq %rax                       /* RIP: the return address */
    movq %rsp, %rcx                 /* RSP as after a RET */
    movq kernel_tss+36(%rip), %rsp  /* TSS.IST1, like the CPU */
    pushq $0x10                     /* SS */
    pushq %rcx                      /* RSP */
    pushq %r11                      /* RFLAGS */
    pushq $0x08                     /* CS */
    pushq %rax                      /* RIP */
    pushq $0                        /* error code */
    pushq $0x81                     /* vector */
    jmp isr_common
"#,
    options(att_syntax)
);

/// TSC right after the common path saved the registers (every interrupt).
#[unsafe(no_mangle)]
pub static ISR_ENTRY_TSC: AtomicU64 = AtomicU64::new(0);
/// TSC right before the common path restores the registers.
#[unsafe(no_mangle)]
pub static ISR_EXIT_TSC: AtomicU64 = AtomicU64::new(0);

unsafe extern "C" {
    static isr_stub_table: u8;
}

pub fn stub_address(vector: u8) -> u64 {
    (&raw const isr_stub_table) as u64 + vector as u64 * STUB_SIZE
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

pub const IRQ_BASE: u64 = 32;
const IRQ_END: u64 = IRQ_BASE + 16;

static UNEXPECTED: AtomicU64 = AtomicU64::new(0);

/// The vector of the IRQ handler running now, 0 outside handlers (vector 0
/// is #DE, never an IRQ). Handlers do not nest (interrupt gates clear IF),
/// and there is one CPU, so one variable is "per CPU".
static CURRENT_VECTOR: AtomicU8 = AtomicU8::new(0);

pub fn current_vector() -> u8 {
    CURRENT_VECTOR.load(Ordering::Relaxed)
}

/// Handle the interrupt whose frame is at `frame`; return the frame to
/// resume (another thread's, when the scheduler switches).
#[unsafe(no_mangle)]
extern "C" fn isr_dispatch(frame: *mut InterruptFrame) -> *mut InterruptFrame {
    let vector = unsafe { (*frame).vector };
    match vector {
        0..IRQ_BASE => exceptions::fatal(unsafe { &*frame }),
        IRQ_BASE..IRQ_END => {
            let irq = (vector - IRQ_BASE) as u8;
            hardware_irq(irq);
            if irq == pit::IRQ { thread::on_timer_interrupt(frame) } else { frame }
        }
        thread::YIELD_VECTOR => thread::on_yield_interrupt(frame),
        _ => {
            unexpected(unsafe { &*frame });
            frame
        }
    }
}

fn hardware_irq(irq: u8) {
    if pic::is_spurious(irq) {
        pic::end_spurious(irq);
        return;
    }
    let vector = IRQ_BASE as u8 + irq;
    CURRENT_VECTOR.store(vector, Ordering::Relaxed);
    trace::record(Kind::IrqEnter, 0, vector as u64);
    match irq {
        pit::IRQ => pit::on_tick(),
        keyboard::IRQ => keyboard::on_irq(),
        _ => {}
    }
    pic::end_of_interrupt(irq);
    trace::record(Kind::IrqExit, 0, vector as u64);
    CURRENT_VECTOR.store(0, Ordering::Relaxed);
}

/// A vector nothing should raise (a stray `int n` or a misrouted device).
/// Counted, reported unless the interrupted code holds the console, and
/// survived.
fn unexpected(frame: &InterruptFrame) {
    let count = UNEXPECTED.fetch_add(1, Ordering::Relaxed) + 1;
    console::try_print(format_args!(
        "UNEXPECTED INTERRUPT: vector={} rip={:#x} count={}\n",
        frame.vector, frame.rip, count
    ));
}
