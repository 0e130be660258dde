//! The interrupt paths: `irq-entry` (the timer handler between two TSC
//! stamps, through a measuring entry point this file installs in the
//! timer's gate for the time of the measurement) and `irq-wake` (a wake
//! from the timer handler, through the tick hook, to the woken task's
//! poll).

use super::measure::{BATCH, Batches, Measured, SPAN};
use crate::isr::{restore_scratch_registers, save_scratch_registers};
use crate::task::Task;
use crate::task::atomic_waker::AtomicWaker;
use crate::task::executor::Executor;
use crate::{cpu, idt, interrupts, isr, pit};
use alloc::format;
use alloc::string::String;
use core::arch::global_asm;
use core::future::Future;
use core::pin::Pin;
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use core::task::{Context, Poll};

/// TSC at the measuring entry's first instruction after its register
/// saves, and right before its restores.
static ENTRY_TSC: AtomicU64 = AtomicU64::new(0);
static EXIT_TSC: AtomicU64 = AtomicU64::new(0);

// The IRQ fast path of src/isr.rs for the timer, with a TSC stamp on
// either side of the handler.
global_asm!(
    r#"
    .section .text.bench_irq, "ax"
    .balign 16
    .global bench_timer_entry
bench_timer_entry:
    pushq %rdi
"#,
    save_scratch_registers!(),
    r#"
    rdtsc
    shlq $32, %rdx
    orq %rdx, %rax
    movq %rax, {entry}(%rip)
    movl ${vector}, %edi
    cld
    call irq_dispatch
    rdtsc
    shlq $32, %rdx
    orq %rdx, %rax
    movq %rax, {exit}(%rip)
"#,
    restore_scratch_registers!(),
    r#"
    popq %rdi
    iretq
"#,
    entry = sym ENTRY_TSC,
    exit = sym EXIT_TSC,
    vector = const interrupts::TIMER_VECTOR,
    options(att_syntax)
);

unsafe extern "C" {
    fn bench_timer_entry();
}

/// `irq-entry`: the kernel spins (interrupts on, no tasks, no threads)
/// watching the tick count; for each of n ticks it adds
/// `EXIT_TSC - ENTRY_TSC`: the IRQ0 handler between the measuring entry's
/// stamps (after its register saves, before its restores), with the
/// trace's IrqEnter/IrqExit records, the tick work and the EOI.
/// `stolen_cycles` is what the spinning code lost in all: the largest gap
/// between its consecutive RDTSCs around each tick, less its fastest loop,
/// so it adds the CPU's interrupt delivery, the entry stub, the register
/// saves and restores and IRETQ.
pub(super) fn irq_entry(n: u64) -> Measured {
    idt::set_handler(interrupts::TIMER_VECTOR, bench_timer_entry as *const () as u64);
    let measured = measure_irq_entry(n);
    idt::set_handler(interrupts::TIMER_VECTOR, isr::default_handler(interrupts::TIMER_VECTOR));
    measured
}

fn measure_irq_entry(n: u64) -> Measured {
    let mut seen = pit::ticks();
    let mut prev = cpu::rdtsc();
    let mut fastest_loop = u64::MAX;
    let mut gap = 0;
    let mut collecting = false;
    let mut count = 0;
    let mut handler_sum = 0;
    let mut stolen_sum = 0;
    let mut batches = Batches::new();
    let mut batch_handler = 0;
    let mut batch_count = 0;
    // The first tick only synchronises.
    let mut started = false;
    loop {
        let now = cpu::rdtsc();
        let delta = now - prev;
        prev = now;
        let ticks = pit::ticks();
        if collecting {
            // The gap is in the detecting iteration or the one after.
            stolen_sum += gap.max(delta);
            collecting = false;
            if count >= n {
                break;
            }
        } else {
            fastest_loop = fastest_loop.min(delta);
        }
        if ticks != seen {
            seen = ticks;
            if !started {
                started = true;
                continue;
            }
            let handler = EXIT_TSC.load(Relaxed).wrapping_sub(ENTRY_TSC.load(Relaxed));
            handler_sum += handler;
            count += 1;
            batch_handler += handler;
            batch_count += 1;
            if batch_count >= BATCH {
                batches.best = batches.best.min(batch_handler / batch_count);
                batch_handler = 0;
                batch_count = 0;
            }
            gap = delta;
            collecting = true;
        }
    }
    let stolen = stolen_sum.saturating_sub(fastest_loop * count);
    Measured {
        switches: count,
        cycles: handler_sum,
        min_batch: batches.best,
        extra: format!(" stolen_cycles={stolen} stolen_per_irq={}", stolen / count.max(1)),
    }
}

static WAKE_ARMED: AtomicBool = AtomicBool::new(false);
static WAKE_FLAG: AtomicBool = AtomicBool::new(false);
static WAKE_TSC: AtomicU64 = AtomicU64::new(0);
static WAKE_WAKER: AtomicWaker = AtomicWaker::new();

/// IRQ0 (the tick hook while `irq-wake` runs): `irq-wake`'s interrupt
/// side.
fn on_tick() {
    if WAKE_ARMED.load(Relaxed) {
        WAKE_ARMED.store(false, Relaxed);
        WAKE_FLAG.store(true, Relaxed);
        WAKE_TSC.store(cpu::rdtsc(), Relaxed);
        WAKE_WAKER.wake();
    }
}

/// `irq-wake`: one task on a fresh waker executor awaits a flag that the
/// timer handler sets before waking the task's `AtomicWaker`, n times.
/// Each latency runs from the handler's RDTSC right before the wake to
/// the first RDTSC in the woken future's `poll`: the rest of the handler
/// (IrqExit, EOI), IRETQ out of `hlt`, IdleExit, the executor popping the
/// task, PollBegin. switches = wakes, cycles = the sum of the latencies.
pub(super) fn irq_wake(n: u64) -> Measured {
    SPAN.reset();
    WAKE_ARMED.store(false, Relaxed);
    interrupts::set_tick_hook(Some(on_tick));
    let mut executor = Executor::new();
    executor.spawn(Task::new("bench-irq-wake", irq_waiter(n)));
    executor.run_until_done();
    drop(executor);
    interrupts::set_tick_hook(None);
    Measured {
        switches: SPAN.end_count.load(Relaxed),
        cycles: SPAN.end_tsc.load(Relaxed),
        min_batch: SPAN.best.load(Relaxed),
        extra: String::new(),
    }
}

async fn irq_waiter(n: u64) {
    let mut sum = 0;
    let mut best = u64::MAX;
    let mut batch_sum = 0;
    let mut batch_count = 0;
    // The first wait only synchronises with the tick.
    for i in 0..=n {
        let (now, woken) = TickWait { armed: false }.await;
        if i == 0 {
            continue;
        }
        let latency = now.wrapping_sub(woken);
        sum += latency;
        batch_sum += latency;
        batch_count += 1;
        if batch_count >= BATCH {
            best = best.min(batch_sum / batch_count);
            batch_sum = 0;
            batch_count = 0;
        }
    }
    SPAN.end_count.store(n, Relaxed);
    SPAN.end_tsc.store(sum, Relaxed);
    SPAN.best.store(best, Relaxed);
}

/// Ready with (TSC at the start of the poll, the handler's TSC) once the
/// timer handler has set the flag; arms it on the first poll, after
/// registering the waker.
struct TickWait {
    armed: bool,
}

impl Future for TickWait {
    type Output = (u64, u64);

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context) -> Poll<(u64, u64)> {
        let now = cpu::rdtsc();
        if self.armed {
            if WAKE_FLAG.load(Relaxed) {
                WAKE_FLAG.store(false, Relaxed);
                return Poll::Ready((now, WAKE_TSC.load(Relaxed)));
            }
            return Poll::Pending;
        }
        WAKE_WAKER.register(cx.waker());
        WAKE_FLAG.store(false, Relaxed);
        self.armed = true;
        WAKE_ARMED.store(true, Relaxed);
        Poll::Pending
    }
}
