//! The panic handler: one line, `PANIC: <message> at <file>:<line>`, exit 1.

use crate::console;
use crate::exit::{self, exit};
use core::panic::PanicInfo;
use core::sync::atomic::{AtomicBool, Ordering};

static PANICKING: AtomicBool = AtomicBool::new(false);

#[panic_handler]
fn panic(info: &PanicInfo) -> ! {
    // A panic while printing the panic: leave at once.
    if PANICKING.swap(true, Ordering::Relaxed) {
        exit(exit::PANIC);
    }
    match info.location() {
        Some(at) => console::print_fatal(format_args!("PANIC: {} at {}:{}\n", info.message(), at.file(), at.line())),
        None => console::print_fatal(format_args!("PANIC: {} at <unknown>:0\n", info.message())),
    }
    exit(exit::PANIC)
}

/// The precompiled alloc was built for unwinding and still references the
/// unwinder's resume function from its cleanup paths. With panic=abort no
/// unwind ever starts, so this is unreachable.
#[unsafe(no_mangle)]
extern "C" fn _Unwind_Resume() -> ! {
    exit(exit::PANIC)
}
