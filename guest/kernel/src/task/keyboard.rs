//! Keyboard input for tasks: the IRQ1 handler queues each scancode and
//! wakes the task waiting for one; `ScancodeStream` yields them; the
//! `print_keypresses` task decodes them and echoes the characters.
//!
//! The queue and its waker are one resource in the trace
//! (`resource::KEYBOARD`): its length after every push and pop, the
//! keyboard task's waits, and the wakes IRQ1 makes.

use super::atomic_waker::AtomicWaker;
use super::resource::{self, KEYBOARD};
use super::stream::{Stream, StreamExt};
use super::yield_now::yield_now;
use crate::keyboard::Decoder;
use crate::print;
use crate::println;
use crate::queue::SpscQueue;
use core::pin::Pin;
use core::sync::atomic::{AtomicBool, Ordering};
use core::task::{Context, Poll};

/// Filled by IRQ1 (the one producer), emptied by the stream (the one
/// consumer). Overflow is counted. Roomy, because typing does not wait for
/// the echo: each serial byte costs a port write (a VM exit), so text
/// typed while the kernel prints its start-up lines piles up here.
static SCANCODE_QUEUE: SpscQueue<1024> = SpscQueue::new();
static WAKER: AtomicWaker = AtomicWaker::for_resource(KEYBOARD);
static STREAM_TAKEN: AtomicBool = AtomicBool::new(false);

/// The queue as a resource, once at boot (src/task/resource.rs).
pub(super) fn announce() {
    resource::announce(KEYBOARD, resource::Kind::Keyboard, "keyboard", SCANCODE_QUEUE.len(), SCANCODE_QUEUE.capacity());
}

/// Called by the keyboard interrupt handler. Must not block or allocate.
pub(crate) fn add_scancode(scancode: u8) {
    SCANCODE_QUEUE.push(scancode); // false: full, counted
    resource::state(KEYBOARD, SCANCODE_QUEUE.len(), SCANCODE_QUEUE.capacity());
    WAKER.wake();
}

/// The next scancode, if one is queued (the consumer's side).
fn pop_scancode() -> Option<u8> {
    let scancode = SCANCODE_QUEUE.pop()?;
    resource::state(KEYBOARD, SCANCODE_QUEUE.len(), SCANCODE_QUEUE.capacity());
    Some(scancode)
}

/// Scancodes lost because the queue was full.
pub fn dropped() -> u64 {
    SCANCODE_QUEUE.dropped()
}

pub struct ScancodeStream {
    _private: (),
}

impl ScancodeStream {
    /// The one consumer of the scancode queue.
    pub fn new() -> Self {
        assert!(!STREAM_TAKEN.swap(true, Ordering::Relaxed), "ScancodeStream::new should only be called once");
        ScancodeStream { _private: () }
    }
}

impl Stream for ScancodeStream {
    type Item = u8;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context) -> Poll<Option<u8>> {
        // fast path
        if let Some(scancode) = pop_scancode() {
            return Poll::Ready(Some(scancode));
        }
        WAKER.register(cx.waker());
        match pop_scancode() {
            Some(scancode) => {
                WAKER.take();
                Poll::Ready(Some(scancode))
            }
            None => Poll::Pending,
        }
    }
}

/// Echo typed characters. Scancodes already queued are decoded together
/// and printed as one string (one console lock and one cursor update per
/// batch). Batches are short, because a scancode arrives while each byte
/// goes out (every serial byte is a VM exit), and the queue holds 1024; and
/// when more is queued after a batch the task yields before the next one,
/// so fast typing never turns into one long poll.
pub async fn print_keypresses() {
    const BATCH: usize = 16;
    let mut scancodes = ScancodeStream::new();
    let mut decoder = Decoder::new();
    let mut dropped_reported = 0;
    let mut text = [0u8; BATCH];
    while let Some(first) = scancodes.next().await {
        let mut len = 0;
        let mut next = Some(first);
        while let Some(scancode) = next {
            if let Some(c) = decoder.feed(scancode) {
                // The decoder types ASCII only.
                text[len] = c as u8;
                len += 1;
            }
            next = if len < BATCH { pop_scancode() } else { None };
        }
        if len > 0 {
            print!("{}", core::str::from_utf8(&text[..len]).unwrap_or(""));
        }
        let dropped = dropped();
        if dropped != dropped_reported {
            println!("keyboard: {} scancodes dropped", dropped - dropped_reported);
            dropped_reported = dropped;
        }
        if !SCANCODE_QUEUE.is_empty() {
            yield_now().await;
        }
    }
}
