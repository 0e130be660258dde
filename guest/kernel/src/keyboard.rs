//! PS/2 keyboard: the IRQ1 handler and a scancode set 1 decoder.
//!
//! The 8042 controller raises IRQ1 whenever a byte waits in its output
//! buffer (data port 0x60; status port 0x64, bit 0 = output buffer full).
//! Reading port 0x60 takes the byte and lets the controller send the next.
//! With the controller's translation on (the PC default) the bytes are
//! scancode set 1: a key's make code is < 0x80, its break code is the make
//! code | 0x80, 0xE0 prefixes one extended code (arrows, right ctrl/alt,
//! keypad enter, ...), and Pause sends E1 1D 45 E1 9D C5 with no break.

use crate::port::inb;

pub const IRQ: u8 = 1;

const DATA_PORT: u16 = 0x60;
const STATUS_PORT: u16 = 0x64;
const STATUS_OUTPUT_FULL: u8 = 0x01;

/// Throw away bytes left in the controller from before boot, so the first
/// IRQ1 starts from an empty buffer.
pub fn init() {
    for _ in 0..16 {
        if inb(STATUS_PORT) & STATUS_OUTPUT_FULL == 0 {
            break;
        }
        inb(DATA_PORT);
    }
}

/// IRQ1: take the byte the controller holds (decoding happens in the
/// `keyboard` task, src/task/keyboard.rs).
pub fn read_scancode() -> u8 {
    inb(DATA_PORT)
}

const BREAK: u8 = 0x80;
const PREFIX_E0: u8 = 0xE0;
const PREFIX_E1: u8 = 0xE1;
const LEFT_SHIFT: u8 = 0x2A;
const RIGHT_SHIFT: u8 = 0x36;
const CAPS_LOCK: u8 = 0x3A;

/// US layout, set 1 make codes 0x00..=0x39; 0 = no character.
const PLAIN: &[u8; 0x3A] = b"\0\x001234567890-=\x08\tqwertyuiop[]\n\0asdfghjkl;'`\0\\zxcvbnm,./\0*\0 ";
const SHIFTED: &[u8; 0x3A] = b"\0\0!@#$%^&*()_+\x08\tQWERTYUIOP{}\n\0ASDFGHJKL:\"~\0|ZXCVBNM<>?\0*\0 ";

#[derive(Clone, Copy, PartialEq)]
enum Prefix {
    None,
    /// The next byte is an extended code.
    E0,
    /// Bytes still to skip of a Pause sequence.
    E1(u8),
}

pub struct Decoder {
    prefix: Prefix,
    left_shift: bool,
    right_shift: bool,
    caps_lock: bool,
    /// Caps Lock is down: typematic repeats must not toggle it again.
    caps_key_down: bool,
}

impl Decoder {
    pub const fn new() -> Self {
        Decoder { prefix: Prefix::None, left_shift: false, right_shift: false, caps_lock: false, caps_key_down: false }
    }

    /// Feed one scancode; returns the character it types, if any.
    pub fn feed(&mut self, code: u8) -> Option<char> {
        match self.prefix {
            Prefix::E1(left) => {
                self.prefix = if left > 1 { Prefix::E1(left - 1) } else { Prefix::None };
                return None;
            }
            // Extended keys (including the fake shifts E0 2A / E0 AA that
            // some keys send) type nothing and change no state.
            Prefix::E0 => {
                self.prefix = Prefix::None;
                return None;
            }
            Prefix::None => {}
        }
        match code {
            PREFIX_E0 => self.prefix = Prefix::E0,
            PREFIX_E1 => self.prefix = Prefix::E1(2),
            LEFT_SHIFT => self.left_shift = true,
            RIGHT_SHIFT => self.right_shift = true,
            c if c == LEFT_SHIFT | BREAK => self.left_shift = false,
            c if c == RIGHT_SHIFT | BREAK => self.right_shift = false,
            CAPS_LOCK => {
                if !self.caps_key_down {
                    self.caps_lock = !self.caps_lock;
                }
                self.caps_key_down = true;
            }
            c if c == CAPS_LOCK | BREAK => self.caps_key_down = false,
            c if (c as usize) < PLAIN.len() => return self.translate(c),
            _ => {}
        }
        None
    }

    fn translate(&self, code: u8) -> Option<char> {
        let shift = self.left_shift || self.right_shift;
        let table = if shift { SHIFTED } else { PLAIN };
        let mut c = table[code as usize];
        if c == 0 {
            return None;
        }
        // Caps Lock inverts the case of letters only.
        if self.caps_lock && c.is_ascii_alphabetic() {
            c ^= 0x20;
        }
        Some(c as char)
    }
}
