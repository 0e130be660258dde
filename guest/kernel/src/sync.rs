//! A spin lock for a single CPU.
//!
//! It leaves interrupts as they are (code at CPL3 cannot change them, see
//! src/ring.rs): it guards state that interrupt handlers never wait for.
//! Handlers that must print use `try_lock` or, on fatal paths,
//! `force_unlock`; every other piece of state a handler shares with tasks
//! is lock-free (the ready queue, the scancode queue, the trace ring, an
//! `AtomicWaker`). Long critical sections, such as printing through port
//! I/O, then do not hold off the timer. Tasks never spin on each other (a
//! task holds no lock across an `.await`). A thread can find a lock held
//! by a thread the timer preempted: while threads run, their scheduler
//! installs a hook (`set_contention_hook`) that a contended `lock` calls to
//! give the CPU away, so the holder gets to finish (a thread must not
//! yield or park while it holds a lock).

use crate::cpu;
use core::cell::UnsafeCell;
use core::sync::atomic::AtomicPtr;
use core::ops::{Deref, DerefMut};
use core::sync::atomic::{AtomicBool, Ordering};

pub struct SpinLock<T> {
    locked: AtomicBool,
    value: UnsafeCell<T>,
}

unsafe impl<T: Send> Sync for SpinLock<T> {}

impl<T> SpinLock<T> {
    pub const fn new(value: T) -> Self {
        SpinLock { locked: AtomicBool::new(false), value: UnsafeCell::new(value) }
    }

    pub fn lock(&self) -> SpinLockGuard<'_, T> {
        while !self.acquire() {
            contended();
        }
        SpinLockGuard { lock: self }
    }

    pub fn try_lock(&self) -> Option<SpinLockGuard<'_, T>> {
        self.acquire().then_some(SpinLockGuard { lock: self })
    }

    /// Release the lock whoever holds it. Only for the fatal paths (panic,
    /// CPU exception) that must print even if they interrupted the holder
    /// and never return to it.
    pub unsafe fn force_unlock(&self) {
        self.locked.store(false, Ordering::Release);
    }

    fn acquire(&self) -> bool {
        self.locked.compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed).is_ok()
    }
}

pub struct SpinLockGuard<'a, T> {
    lock: &'a SpinLock<T>,
}

impl<T> Deref for SpinLockGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        unsafe { &*self.lock.value.get() }
    }
}

impl<T> DerefMut for SpinLockGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        unsafe { &mut *self.lock.value.get() }
    }
}

impl<T> Drop for SpinLockGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.locked.store(false, Ordering::Release);
    }
}

/// Called by a `lock` that found the lock taken (None: spin).
static CONTENTION_HOOK: AtomicPtr<()> = AtomicPtr::new(core::ptr::null_mut());

/// Let `hook` run whenever a `lock` finds its lock taken, instead of
/// spinning (the thread scheduler's yield, while threads run); None: spin.
pub fn set_contention_hook(hook: Option<fn()>) {
    CONTENTION_HOOK.store(hook.map_or(core::ptr::null_mut(), |f| f as *mut ()), Ordering::Release);
}

/// One round of waiting for a lock: the hook, unless interrupts are off
/// (an interrupt handler or a `ring::atomically` section must not switch
/// away), else a spin-loop hint.
fn contended() {
    let hook = CONTENTION_HOOK.load(Ordering::Acquire);
    if hook.is_null() || (cpu::cpl() == 0 && !cpu::interrupts_enabled()) {
        core::hint::spin_loop();
        return;
    }
    // Stored from a fn() by set_contention_hook.
    unsafe { core::mem::transmute::<*mut (), fn()>(hook)() };
}
