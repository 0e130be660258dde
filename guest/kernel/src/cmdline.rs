//! The kernel command line: words separated by spaces, each a bare flag
//! (`exit`) or `key=value` (`hz=1000`). PVH hands it over as a physical
//! address of a NUL-terminated string (0 = none); it is copied at boot.

use core::cell::UnsafeCell;

pub const MAX_LEN: usize = 4096;

struct Buffer {
    bytes: UnsafeCell<[u8; MAX_LEN]>,
    len: UnsafeCell<usize>,
}

// Written once by `init` before anything reads it, then read-only.
unsafe impl Sync for Buffer {}

static CMDLINE: Buffer = Buffer { bytes: UnsafeCell::new([0; MAX_LEN]), len: UnsafeCell::new(0) };

/// Copy the command line at physical address `phys` (identity-mapped).
pub fn init(phys: u64) {
    if phys == 0 || phys >= 4 << 30 {
        return;
    }
    let source = phys as *const u8;
    let bytes = unsafe { &mut *CMDLINE.bytes.get() };
    let mut len = 0;
    while len < MAX_LEN && phys + (len as u64) < 4 << 30 {
        let byte = unsafe { source.add(len).read_volatile() };
        if byte == 0 {
            break;
        }
        bytes[len] = byte;
        len += 1;
    }
    unsafe { *CMDLINE.len.get() = len };
}

/// The whole command line (its longest valid UTF-8 prefix).
pub fn as_str() -> &'static str {
    let bytes = unsafe { &(&*CMDLINE.bytes.get())[..*CMDLINE.len.get()] };
    match core::str::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => unsafe { core::str::from_utf8_unchecked(&bytes[..e.valid_up_to()]) },
    }
}

fn words(line: &str) -> impl Iterator<Item = &str> {
    line.split([' ', '\t', '\n']).filter(|w| !w.is_empty())
}

/// Whether `key` appears, as a bare flag or as `key=value`.
pub fn has(key: &str) -> bool {
    has_in(as_str(), key)
}

/// The value of the last `key=value`.
pub fn get(key: &str) -> Option<&'static str> {
    get_in(as_str(), key)
}

/// `key=N` as a number: Ok(None) if absent, Err(text) if not a number.
pub fn get_u64(key: &str) -> Result<Option<u64>, &'static str> {
    get_u64_in(as_str(), key)
}

/// `has` on any command line (the tests use their own).
pub fn has_in(line: &str, key: &str) -> bool {
    words(line).any(|w| w == key || w.split_once('=').is_some_and(|(k, _)| k == key))
}

pub fn get_in<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    words(line).filter_map(|w| w.split_once('=')).filter(|&(k, _)| k == key).map(|(_, v)| v).last()
}

pub fn get_u64_in<'a>(line: &'a str, key: &str) -> Result<Option<u64>, &'a str> {
    match get_in(line, key) {
        None => Ok(None),
        Some(text) => text.parse().map(Some).map_err(|_| text),
    }
}
