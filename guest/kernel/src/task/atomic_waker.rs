//! AtomicWaker: one waker slot shared between a task (which registers its
//! waker before returning Pending) and an interrupt handler (which wakes
//! it), like `futures::task::AtomicWaker`, lock-free.
//!
//! The slot holds a pointer to a heap node with the waker, swapped
//! atomically. There is one CPU and a handler runs to completion, so a
//! handler sees either the node before a task's swap or the one after,
//! never half of one. Handlers never allocate or free (the code they
//! interrupt may hold the heap's lock), so:
//!
//! - `register` (tasks only) allocates the new node and frees the old one;
//! - `wake` takes the node out and wakes its waker by reference; from a
//!   handler it then puts the node on a lock-free list of retired nodes,
//!   which the executor frees between polls (`free_retired`); from a task
//!   it frees the node at once.
//!
//! A task reading its node's waker in `register` (to skip an identical
//! one) is safe while a handler retires that node: retired nodes are freed
//! only in task context, never during a `register`.
//!
//! Protocol (no lost wakeup): the consumer checks its condition,
//! registers, and checks again; the producer makes the condition true,
//! then wakes.
//!
//! An AtomicWaker made `for_resource` reports its waits to the trace
//! (src/task/resource.rs): a registration starts the registering task's
//! wait, a wake names the resource, a `take` or a replaced registration
//! ends the wait.

use super::resource::{self, ResourceId, WaitEnd};
use crate::context;
use alloc::boxed::Box;
use core::ptr::null_mut;
use core::sync::atomic::{AtomicPtr, Ordering};
use core::task::Waker;

struct Node {
    waker: Waker,
    /// The task that registered it (the one being polled then).
    task: u32,
    /// The next retired node.
    next: *mut Node,
}

/// Nodes that handlers took out of their slots, to be freed by a task.
static RETIRED: AtomicPtr<Node> = AtomicPtr::new(null_mut());

pub struct AtomicWaker {
    slot: AtomicPtr<Node>,
    /// The resource whose waits this slot holds (0: not traced).
    resource: ResourceId,
}

impl AtomicWaker {
    pub const fn new() -> Self {
        Self::for_resource(0)
    }

    /// A slot whose waits and wakes the trace reports as resource `id`'s.
    pub const fn for_resource(id: ResourceId) -> Self {
        AtomicWaker { slot: AtomicPtr::new(null_mut()), resource: id }
    }

    /// Store `waker` (a clone, unless the one stored already wakes the same
    /// task). Tasks only.
    pub fn register(&self, waker: &Waker) {
        let current = self.slot.load(Ordering::Acquire);
        if !current.is_null() && unsafe { (*current).waker.will_wake(waker) } {
            return;
        }
        let task = context::task();
        let node = Box::into_raw(Box::new(Node { waker: waker.clone(), task, next: null_mut() }));
        let old = self.slot.swap(node, Ordering::AcqRel);
        if !old.is_null() {
            let old = unsafe { Box::from_raw(old) };
            resource::wait_end(self.resource, old.task, WaitEnd::Replaced);
        }
        resource::wait(self.resource, task, 0);
    }

    /// Wake the registered waker, if any, and clear the slot. Tasks and
    /// interrupt handlers; the waker must be one a handler may wake (the
    /// executors' are: see src/task/executor.rs).
    pub fn wake(&self) {
        let node = self.slot.swap(null_mut(), Ordering::AcqRel);
        if node.is_null() {
            return;
        }
        resource::wake_by_ref(self.resource, unsafe { &(*node).waker });
        if context::vector() != 0 {
            retire(node);
        } else {
            drop(unsafe { Box::from_raw(node) });
        }
    }

    /// Clear the slot, returning what it held. Tasks only.
    pub fn take(&self) -> Option<Waker> {
        let node = self.slot.swap(null_mut(), Ordering::AcqRel);
        if node.is_null() {
            return None;
        }
        let node = unsafe { Box::from_raw(node) };
        resource::wait_end(self.resource, node.task, WaitEnd::Taken);
        Some(node.waker)
    }
}

/// Push `node` on the retired list (a handler: nothing interrupts it; a
/// task's push is retried if a handler pushed in between).
fn retire(node: *mut Node) {
    let mut head = RETIRED.load(Ordering::Relaxed);
    loop {
        unsafe { (*node).next = head };
        match RETIRED.compare_exchange_weak(head, node, Ordering::Release, Ordering::Relaxed) {
            Ok(_) => return,
            Err(now) => head = now,
        }
    }
}

/// Free the nodes handlers retired. Tasks only (the executors call it
/// between polls).
#[inline]
pub fn free_retired() {
    // Between every two polls: one load while nothing was retired.
    if RETIRED.load(Ordering::Relaxed).is_null() {
        return;
    }
    let mut node = RETIRED.swap(null_mut(), Ordering::Acquire);
    while !node.is_null() {
        let boxed = unsafe { Box::from_raw(node) };
        node = boxed.next;
    }
}
