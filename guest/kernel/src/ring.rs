//! The privilege level the tasks run at, and the way back to CPL0.
//!
//! The kernel boots and sets up the machine at CPL0. With `ring=3` (the
//! default) it then drops to CPL3 for everything else: the executor and
//! its tasks, the tests, the benchmarks and the kernel threads' bodies.
//! Interrupt and exception handlers stay at CPL0. With `ring=0` nothing
//! changes level: the same code runs at CPL0, as the kernel did before
//! there was a choice, so the two can be measured side by side (README,
//! "Privilege levels", says what each costs and why).
//!
//! Code at CPL3 cannot do port I/O (IOPL is 0) or change the interrupt
//! flag, so the few places that must reach CPL0 do it here:
//!
//! - `privileged(f)` runs `f` at CPL0 with interrupts as they were (port
//!   I/O: the console's output, the PIT's rate, isa-debug-exit);
//! - `atomically(f)` runs `f` at CPL0 with interrupts off, which on one CPU
//!   makes it atomic against interrupt handlers and thread switches (the
//!   thread scheduler's state, the executor's check-then-halt).
//!
//! At CPL0 both are plain calls (`atomically` with `cli` and the old IF
//! restored). At CPL3 they execute `hlt` at one known address,
//! `ring_cpl0_gate` (src/isr.rs): HLT is privileged, so the CPU raises #GP,
//! and the #GP entry, seeing that address, calls the function at CPL0 on
//! the exception stack and returns past the `hlt`. It is the cheapest way
//! into CPL0 on every host this kernel runs on: `syscall` and `int n` do
//! not work everywhere (README, "Hosts"), and a #UD costs far more.

use crate::{cpu, gdt};
use core::arch::global_asm;
use core::mem::MaybeUninit;
use core::sync::atomic::{AtomicU8, Ordering};

/// The privilege level tasks run at: 0 or 3 (set once at boot).
static TASK_CPL: AtomicU8 = AtomicU8::new(0);

/// The stack of the first CPL3 context (the code that runs the tests, the
/// benchmarks or the executor).
const MAIN_STACK_SIZE: usize = 64 * 1024;

#[repr(C, align(16))]
struct Stack([u8; MAIN_STACK_SIZE]);

#[unsafe(link_section = ".bss.stacks")]
static mut MAIN_STACK: Stack = Stack([0; MAIN_STACK_SIZE]);

unsafe extern "C" {
    /// src/isr.rs: `hlt; ret` at the address the #GP entry recognises.
    fn ring_cpl0_gate(f: extern "C" fn(*mut u8), state: *mut u8);
    fn ring_enter_cpl3(entry: extern "C" fn() -> !, stack_top: u64) -> !;
}

// IRETQ to CPL3 with interrupts on: the frame an interrupt from CPL3
// would have left, pointing at `entry` on a fresh stack. RSP is 8 below a
// 16-byte boundary, as after a CALL, with a 0 return address there.
global_asm!(
    r#"
    .section .text.ring, "ax"
    .global ring_enter_cpl3
ring_enter_cpl3:
    subq $8, %rsi
    movq $0, (%rsi)
    pushq ${user_data}
    pushq %rsi
    pushq ${rflags}
    pushq ${user_code}
    pushq %rdi
    iretq
"#,
    user_data = const gdt::USER_DATA,
    user_code = const gdt::USER_CODE,
    rflags = const cpu::RFLAGS_IF | cpu::RFLAGS_FIXED,
    options(att_syntax)
);

/// What `ring=` says (0 or 3; anything else warns and means 3). Returns
/// the warning to print, if any.
pub fn init(option: Option<&str>) -> Option<&str> {
    let (cpl, warning) = match option {
        None | Some("3") => (3, None),
        Some("0") => (0, None),
        Some(other) => (3, Some(other)),
    };
    TASK_CPL.store(cpl, Ordering::Relaxed);
    warning
}

/// The privilege level tasks and threads run at.
pub fn task_cpl() -> u8 {
    TASK_CPL.load(Ordering::Relaxed)
}

/// The code and stack selectors of a context at the tasks' level.
pub fn task_selectors() -> (u16, u16) {
    if task_cpl() == 3 { (gdt::USER_CODE, gdt::USER_DATA) } else { (gdt::KERNEL_CODE, gdt::KERNEL_DATA) }
}

/// Run `entry` at the tasks' privilege level with interrupts on; never
/// returns. At CPL3 it starts on a stack of its own.
pub fn enter(entry: extern "C" fn() -> !) -> ! {
    if task_cpl() == 0 {
        cpu::sti();
        entry()
    }
    let top = (&raw mut MAIN_STACK) as u64 + MAIN_STACK_SIZE as u64;
    unsafe { ring_enter_cpl3(entry, top) }
}

/// Run `f` at CPL0 with interrupts as they were: the way to port I/O.
#[inline]
pub fn privileged<R>(f: impl FnOnce() -> R) -> R {
    if cpu::cpl() == 0 {
        return f();
    }
    // The gate enters with interrupts off (the #GP gate is an interrupt
    // gate); CPL3 always runs with them on, so turn them on for `f` and
    // off again before the IRETQ back.
    through_gate(move || {
        cpu::sti();
        let result = f();
        cpu::cli();
        result
    })
}

/// Run `f` at CPL0 with interrupts off: atomic against interrupt handlers
/// and thread switches.
#[inline]
pub fn atomically<R>(f: impl FnOnce() -> R) -> R {
    if cpu::cpl() == 0 {
        let was = cpu::save_and_cli();
        let result = f();
        if was {
            cpu::sti();
        }
        return result;
    }
    through_gate(f)
}

/// Halt until the next interrupt has been handled (interrupts on).
pub fn wait_for_interrupt() {
    atomically(cpu::sti_hlt);
}

/// Call `f` at CPL0 through `ring_cpl0_gate` (from CPL3 only). Its
/// captures and result live in `state` on this stack; the trampoline,
/// running at CPL0, takes `f` out, runs it and writes the result back.
fn through_gate<F: FnOnce() -> R, R>(f: F) -> R {
    struct State<F, R> {
        f: Option<F>,
        result: MaybeUninit<R>,
    }
    extern "C" fn trampoline<F: FnOnce() -> R, R>(state: *mut u8) {
        let state = unsafe { &mut *state.cast::<State<F, R>>() };
        if let Some(f) = state.f.take() {
            state.result.write(f());
        }
    }
    let mut state = State { f: Some(f), result: MaybeUninit::uninit() };
    unsafe {
        ring_cpl0_gate(trampoline::<F, R>, (&raw mut state).cast());
        state.result.assume_init()
    }
}
