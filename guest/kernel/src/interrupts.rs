//! What happens on an interrupt, once the entry path (src/isr.rs) has
//! saved the registers: CPU exceptions are reported (src/exceptions.rs),
//! the timer and keyboard IRQs are handled here, and vectors nothing
//! should raise are counted.
//!
//! The lab (src/bench/, src/thread/) reaches the interrupt path only
//! through the hook points below, which cost one load each when nothing
//! is installed: a function run on every timer tick, and a scheduler that
//! may switch contexts on the timer IRQ or on the software interrupt
//! (`isr::isr_soft_interrupt`).

use crate::isr::{self, InterruptFrame};
use crate::task;
use crate::{console, context, exceptions, keyboard, pic, pit, trace, tsc};
use core::sync::atomic::{AtomicPtr, AtomicU64, Ordering};

pub const TIMER_VECTOR: u8 = isr::IRQ_BASE + pit::IRQ;

/// A scheduler's view of an interrupt: given the interrupted context's
/// frame, the frame to resume.
pub type FrameHook = fn(*mut InterruptFrame) -> *mut InterruptFrame;

static TICK_HOOK: AtomicPtr<()> = AtomicPtr::new(core::ptr::null_mut());
static TIMER_FRAME_HOOK: AtomicPtr<()> = AtomicPtr::new(core::ptr::null_mut());
static SOFT_HOOK: AtomicPtr<()> = AtomicPtr::new(core::ptr::null_mut());

static UNEXPECTED: AtomicU64 = AtomicU64::new(0);

/// Run `hook` in the timer handler after each tick's work (None: stop).
pub fn set_tick_hook(hook: Option<fn()>) {
    TICK_HOOK.store(hook.map_or(core::ptr::null_mut(), |f| f as *mut ()), Ordering::Release);
}

/// Let `hook` pick the frame to resume after each timer IRQ that takes the
/// full path (the caller points the timer's gate there); None: stop.
pub fn set_timer_frame_hook(hook: Option<FrameHook>) {
    TIMER_FRAME_HOOK.store(hook.map_or(core::ptr::null_mut(), |f| f as *mut ()), Ordering::Release);
}

/// Let `hook` handle the software interrupt (vector 0x81); None: the
/// interrupt returns at once.
pub fn set_soft_interrupt_hook(hook: Option<FrameHook>) {
    SOFT_HOOK.store(hook.map_or(core::ptr::null_mut(), |f| f as *mut ()), Ordering::Release);
}

fn frame_hook(slot: &AtomicPtr<()>) -> Option<FrameHook> {
    let hook = slot.load(Ordering::Acquire);
    // Stored from a FrameHook by the setters above.
    (!hook.is_null()).then(|| unsafe { core::mem::transmute::<*mut (), FrameHook>(hook) })
}

/// The full path (src/isr.rs): handle the interrupt whose frame is at
/// `frame`; return the frame to resume.
#[unsafe(no_mangle)]
extern "C" fn isr_dispatch(frame: *mut InterruptFrame) -> *mut InterruptFrame {
    let vector = unsafe { (*frame).vector };
    match vector {
        0..32 => exceptions::fatal(unsafe { &*frame }),
        v if v >= isr::IRQ_BASE as u64 && v < (isr::IRQ_BASE + isr::IRQ_COUNT) as u64 => {
            hardware_irq(v as u8);
            match frame_hook(&TIMER_FRAME_HOOK) {
                Some(hook) if v == TIMER_VECTOR as u64 => hook(frame),
                _ => frame,
            }
        }
        isr::SOFT_VECTOR => match frame_hook(&SOFT_HOOK) {
            Some(hook) => hook(frame),
            None => frame,
        },
        _ => {
            unexpected(unsafe { &*frame });
            frame
        }
    }
}

/// The IRQ fast path (src/isr.rs): handle hardware IRQ `vector`.
#[unsafe(no_mangle)]
pub extern "C" fn irq_dispatch(vector: u64) {
    hardware_irq(vector as u8);
}

fn hardware_irq(vector: u8) {
    let irq = vector - isr::IRQ_BASE;
    if pic::is_spurious(irq) {
        pic::end_spurious(irq);
        return;
    }
    context::set_vector(vector);
    trace::record(trace::Kind::IrqEnter, 0, vector as u64);
    match irq {
        pit::IRQ => timer(),
        keyboard::IRQ => task::keyboard::add_scancode(keyboard::read_scancode()),
        _ => {}
    }
    pic::end_of_interrupt(irq);
    trace::record(trace::Kind::IrqExit, 0, vector as u64);
    context::set_vector(0);
}

/// IRQ0: count the tick, let the TSC calibration see it, then the lab's
/// tick hook if one is installed. Never prints. The sleepers the tick made
/// due are the executor's to wake (src/task/timer.rs).
fn timer() {
    let now = pit::on_tick();
    tsc::on_tick(now);
    let hook = TICK_HOOK.load(Ordering::Acquire);
    if !hook.is_null() {
        // Stored from a fn() by set_tick_hook.
        unsafe { core::mem::transmute::<*mut (), fn()>(hook)() };
    }
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
