//! The console: everything printed goes to the serial port and the VGA
//! text screen. `print!`/`println!` are defined here.
//!
//! Text is laid out where it is printed: VGA cells are plain memory, so
//! they are written at once, at any privilege level; serial bytes collect
//! in a buffer. At the end of each print (or when the buffer fills) one
//! step into CPL0 (`ring::privileged`) sends them, up to 16 per check of
//! the UART, and moves the hardware cursor, so printing from CPL3 costs
//! one transition per print rather than per byte.

use crate::ring;
use crate::serial::Serial;
use crate::sync::SpinLock;
use crate::vga::{self, Vga};
use core::fmt::{self, Write};

/// Serial bytes collected before a transmit.
const OUT_BYTES: usize = 256;

struct Console {
    serial: Serial,
    vga: Vga,
    out: [u8; OUT_BYTES],
    len: usize,
}

impl Console {
    fn push(&mut self, byte: u8) {
        if self.len == OUT_BYTES {
            self.flush();
        }
        self.out[self.len] = byte;
        self.len += 1;
    }

    /// Transmit the collected bytes and move the cursor, at CPL0.
    fn flush(&mut self) {
        let Console { serial, vga, out, len } = self;
        let bytes = &out[..*len];
        ring::privileged(|| {
            serial.write_all(bytes);
            vga.update_cursor();
        });
        *len = 0;
    }
}

impl Write for Console {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for c in s.chars() {
            if c == '\x08' {
                // Terminals move left on BS without erasing: back, blank, back.
                for &b in b"\x08 \x08" {
                    self.push(b);
                }
            } else {
                let mut utf8 = [0; 4];
                for &b in c.encode_utf8(&mut utf8).as_bytes() {
                    self.push(b);
                }
            }
            self.vga.write_char(c);
        }
        Ok(())
    }
}

static CONSOLE: SpinLock<Console> =
    SpinLock::new(Console { serial: Serial::com1(), vga: Vga::new(), out: [0; OUT_BYTES], len: 0 });

/// At boot, at CPL0.
pub fn init() {
    let mut console = CONSOLE.lock();
    console.serial.init();
    console.vga.init();
}

pub fn print(args: fmt::Arguments) {
    let mut console = CONSOLE.lock();
    let _ = console.write_fmt(args);
    console.flush();
}

/// Print with a VGA attribute, then return to the default one.
pub fn print_with_attr(attr: u8, args: fmt::Arguments) {
    let mut console = CONSOLE.lock();
    console.vga.set_attr(attr);
    let _ = console.write_fmt(args);
    console.vga.set_attr(vga::DEFAULT_ATTR);
    console.flush();
}

/// Print from an interrupt handler: skipped (returning false) if the
/// interrupted code is printing, since waiting for it would deadlock.
pub fn try_print(args: fmt::Arguments) -> bool {
    let Some(mut console) = CONSOLE.try_lock() else { return false };
    let _ = console.write_fmt(args);
    console.flush();
    true
}

/// Print from a fatal path (panic, CPU exception) that may have interrupted
/// a print in progress and will never return to it. What that print had
/// collected goes out first.
pub fn print_fatal(args: fmt::Arguments) {
    unsafe { CONSOLE.force_unlock() };
    print(args);
}

#[macro_export]
macro_rules! print {
    ($($arg:tt)*) => { $crate::console::print(format_args!($($arg)*)) };
}

#[macro_export]
macro_rules! println {
    () => { $crate::print!("\n") };
    ($($arg:tt)*) => { $crate::console::print(format_args!("{}\n", format_args!($($arg)*))) };
}
