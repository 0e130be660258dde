//! VGA text mode: 80x25 cells at physical 0xB8000, each a u16 of
//! (attribute << 8) | code-page-437 character. The hardware cursor is set
//! through the CRTC: write a register index to 0x3D4, its value to 0x3D5;
//! registers 0x0E/0x0F hold the high/low byte of the cursor's cell index.
//! Cells are plain memory, written at any privilege level; the cursor's
//! port I/O needs CPL0 (the console calls `update_cursor` through
//! `ring::privileged`).

use crate::port::outb;

pub const WIDTH: usize = 80;
pub const HEIGHT: usize = 25;
const BUFFER: *mut u16 = 0xB8000 as *mut u16;

const CRTC_INDEX: u16 = 0x3D4;
const CRTC_DATA: u16 = 0x3D5;
const CRTC_CURSOR_START: u8 = 0x0A;
const CRTC_CURSOR_END: u8 = 0x0B;
const CRTC_CURSOR_HIGH: u8 = 0x0E;
const CRTC_CURSOR_LOW: u8 = 0x0F;

/// Light grey on black.
pub const DEFAULT_ATTR: u8 = 0x07;
/// Light cyan on black.
pub const BANNER_ATTR: u8 = 0x0B;

const BLANK_GLYPH: u8 = b' ';
/// CP437 "■", shown for characters the code page cannot show.
const UNKNOWN_GLYPH: u8 = 0xFE;
const TAB_WIDTH: usize = 8;

pub struct Vga {
    row: usize,
    col: usize,
    attr: u8,
    /// The cursor position last sent to the CRTC (each write is a VM exit).
    cursor_sent: Option<u16>,
}

impl Vga {
    pub const fn new() -> Self {
        Vga { row: 0, col: 0, attr: DEFAULT_ATTR, cursor_sent: None }
    }

    /// Blank the screen, home the cursor, and make it an underline
    /// (scan lines 14..15 of the 16-line cell).
    pub fn init(&mut self) {
        for i in 0..WIDTH * HEIGHT {
            self.put(i, BLANK_GLYPH);
        }
        self.row = 0;
        self.col = 0;
        outb(CRTC_INDEX, CRTC_CURSOR_START);
        outb(CRTC_DATA, 14);
        outb(CRTC_INDEX, CRTC_CURSOR_END);
        outb(CRTC_DATA, 15);
        self.cursor_sent = None;
        self.update_cursor();
    }

    pub fn set_attr(&mut self, attr: u8) {
        self.attr = attr;
    }

    pub fn write_char(&mut self, c: char) {
        match c {
            '\n' => self.newline(),
            '\r' => self.col = 0,
            '\t' => {
                let spaces = TAB_WIDTH - self.col % TAB_WIDTH;
                for _ in 0..spaces {
                    self.write_glyph(BLANK_GLYPH);
                }
            }
            '\x08' => {
                if self.col > 0 {
                    self.col -= 1;
                    self.put(self.row * WIDTH + self.col, BLANK_GLYPH);
                }
            }
            ' '..='~' => self.write_glyph(c as u8),
            _ => self.write_glyph(UNKNOWN_GLYPH),
        }
    }

    /// Move the hardware cursor to the next output cell, if it moved.
    pub fn update_cursor(&mut self) {
        let pos = (self.row * WIDTH + self.col.min(WIDTH - 1)) as u16;
        if self.cursor_sent == Some(pos) {
            return;
        }
        outb(CRTC_INDEX, CRTC_CURSOR_HIGH);
        outb(CRTC_DATA, (pos >> 8) as u8);
        outb(CRTC_INDEX, CRTC_CURSOR_LOW);
        outb(CRTC_DATA, pos as u8);
        self.cursor_sent = Some(pos);
    }

    /// Lines wrap lazily: a full line followed by '\n' is one line, not two.
    fn write_glyph(&mut self, glyph: u8) {
        if self.col >= WIDTH {
            self.newline();
        }
        self.put(self.row * WIDTH + self.col, glyph);
        self.col += 1;
    }

    fn newline(&mut self) {
        self.col = 0;
        if self.row + 1 < HEIGHT {
            self.row += 1;
        } else {
            self.scroll();
        }
    }

    fn scroll(&mut self) {
        for i in 0..WIDTH * (HEIGHT - 1) {
            let cell = unsafe { BUFFER.add(i + WIDTH).read_volatile() };
            unsafe { BUFFER.add(i).write_volatile(cell) };
        }
        for i in WIDTH * (HEIGHT - 1)..WIDTH * HEIGHT {
            self.put(i, BLANK_GLYPH);
        }
    }

    fn put(&self, index: usize, glyph: u8) {
        let cell = (self.attr as u16) << 8 | glyph as u16;
        unsafe { BUFFER.add(index).write_volatile(cell) };
    }
}

/// Status cells: the right end of the top row, written straight into video
/// memory (plain RAM: no port I/O, no VM exit). Demo tasks show their
/// heartbeat there instead of printing. The console does not know about
/// them: scrolling moves them up and away until the next update, and a text
/// line reaching these columns on the top row is overwritten.
pub fn put_status(col: usize, glyph: u8, attr: u8) {
    if col < WIDTH {
        let cell = (attr as u16) << 8 | glyph as u16;
        unsafe { BUFFER.add(col).write_volatile(cell) };
    }
}
