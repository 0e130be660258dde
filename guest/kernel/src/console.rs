//! The console: everything printed goes to the serial port and the VGA
//! text screen. `print!`/`println!` are defined here.

use crate::serial::Serial;
use crate::sync::SpinLock;
use crate::vga::{self, Vga};
use core::fmt::{self, Write};

struct Console {
    serial: Serial,
    vga: Vga,
}

impl Write for Console {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for c in s.chars() {
            if c == '\x08' {
                // Terminals move left on BS without erasing: back, blank, back.
                for &b in b"\x08 \x08" {
                    self.serial.write_byte(b);
                }
            } else {
                let mut utf8 = [0; 4];
                for &b in c.encode_utf8(&mut utf8).as_bytes() {
                    self.serial.write_byte(b);
                }
            }
            self.vga.write_char(c);
        }
        Ok(())
    }
}

static CONSOLE: SpinLock<Console> = SpinLock::new(Console { serial: Serial::com1(), vga: Vga::new() });

pub fn init() {
    let mut console = CONSOLE.lock();
    console.serial.init();
    console.vga.init();
}

pub fn print(args: fmt::Arguments) {
    let mut console = CONSOLE.lock();
    let _ = console.write_fmt(args);
    console.vga.update_cursor();
}

/// Print with a VGA attribute, then return to the default one.
pub fn print_with_attr(attr: u8, args: fmt::Arguments) {
    let mut console = CONSOLE.lock();
    console.vga.set_attr(attr);
    let _ = console.write_fmt(args);
    console.vga.set_attr(vga::DEFAULT_ATTR);
    console.vga.update_cursor();
}

/// Print from an interrupt handler: skipped (returning false) if the
/// interrupted code is printing, since waiting for it would deadlock.
pub fn try_print(args: fmt::Arguments) -> bool {
    let Some(mut console) = CONSOLE.try_lock() else { return false };
    let _ = console.write_fmt(args);
    console.vga.update_cursor();
    true
}

/// Print from a fatal path (panic, CPU exception) that may have interrupted
/// a print in progress and will never return to it.
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
