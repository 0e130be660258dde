//! The trace ring: executor and interrupt events for the host, written into
//! this kernel's own memory with no VM exit per event. docs/trace-abi.md
//! (in the repository root) is the reference; this file writes what it says.
//!
//! Layout: a 64-byte header followed by `CAPACITY` records of 32 bytes, one
//! 64-byte-aligned static of 2 MiB. It lives in `.bss.trace`, which the
//! linker script keeps outside the range the boot code zeroes (like the heap
//! arena): the loader already zeroes it as part of the ELF's memsz, and
//! zeroing it again would only cost boot time. `init` writes every header
//! field explicitly; record slots start zeroed, so no stale commit word can
//! match.
//!
//! Writers are tasks and interrupt handlers on one CPU, and a handler can
//! interrupt a task halfway through a record. Each writer claims its slot
//! with a compare-and-swap on `write_seq` first (taking the timestamp just
//! before the CAS, and again on every retry, so sequence order is also TSC
//! order), fills it, and publishes it with a release store of
//! `commit = seq + 1`. Nobody waits for anybody; a full ring (the host has
//! not read far enough) costs one increment of `dropped`. Fullness is
//! judged from `read_seq` read before `write_seq`, and looked at again
//! before a record is counted as dropped.

use crate::context;
use crate::cpu;
use crate::port::outl;
use core::arch::asm;
use core::sync::atomic::{AtomicBool, AtomicU16, AtomicU32, AtomicU64, Ordering};

/// The paravirtual port that takes the header's physical address.
pub const PORT: u16 = 0x4f0;
const MAGIC: u32 = 0x5254_5350; // "PSTR"
const VERSION: u16 = 1;
const RECORD_SIZE: u16 = 32;
/// Records in the ring (a power of two).
pub const CAPACITY: usize = 65536;
/// Longest task name the host reads.
pub const MAX_NAME_LEN: usize = 64;

/// The event kinds (`kind` field).
#[repr(u16)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// task: the new task; arg: name address | name length << 48.
    TaskSpawn = 1,
    /// task: the task polled.
    PollBegin = 2,
    /// task: the task polled; arg: bit 0 ready, bits 32..63 live wakers.
    PollEnd = 3,
    /// task: the task woken; arg: source kind << 56 | task id or vector.
    Wake = 4,
    /// arg: the vector.
    IrqEnter = 5,
    /// arg: the vector.
    IrqExit = 6,
    /// About to `sti; hlt`.
    IdleEnter = 7,
    /// `hlt` returned (the waking interrupt's handler has run).
    IdleExit = 8,
    /// arg: 0 simple, 1 waker executor.
    ExecutorStart = 9,
    /// task: the current task or 0; arg: the caller's value.
    Mark = 10,
    /// task: the finished task.
    TaskExit = 11,
    /// A resource is made (src/task/resource.rs); arg: id << 48 | kind << 40
    /// | name length << 32 | name address.
    ResourceNew = 12,
    /// arg: id << 48 | capacity << 24 | length.
    ResourceState = 13,
    /// task: the task whose waker the resource now holds; arg: id << 48 |
    /// detail (a timer's deadline tick, a channel side).
    ResourceWait = 14,
    /// task: the task whose waker left without a wake; arg: id << 48 | why.
    ResourceWaitEnd = 15,
    /// arg: id << 48.
    ResourceDrop = 16,
}

/// Wake sources (bits 56..63 of a Wake record's arg).
pub const WAKE_UNKNOWN: u64 = 0;
pub const WAKE_TASK: u64 = 1;
pub const WAKE_INTERRUPT: u64 = 2;

#[repr(C)]
pub(crate) struct Header {
    magic: AtomicU32,
    version: AtomicU16,
    record_size: AtomicU16,
    capacity: AtomicU32,
    flags: AtomicU32,
    write_seq: AtomicU64,
    /// Written by the host.
    read_seq: AtomicU64,
    dropped: AtomicU64,
    announce_tsc: AtomicU64,
    reserved: [AtomicU64; 2],
}

#[repr(C)]
pub(crate) struct Record {
    pub(crate) tsc: AtomicU64,
    pub(crate) arg: AtomicU64,
    pub(crate) task: AtomicU32,
    pub(crate) kind: AtomicU16,
    pub(crate) queue: AtomicU16,
    pub(crate) commit: AtomicU32,
    reserved: AtomicU32,
}

impl Header {
    /// A zeroed header (the tests' private rings; the live one is a static).
    pub(crate) const fn new() -> Header {
        Header {
            magic: AtomicU32::new(0),
            version: AtomicU16::new(0),
            record_size: AtomicU16::new(0),
            capacity: AtomicU32::new(0),
            flags: AtomicU32::new(0),
            write_seq: AtomicU64::new(0),
            read_seq: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
            announce_tsc: AtomicU64::new(0),
            reserved: [AtomicU64::new(0), AtomicU64::new(0)],
        }
    }

    /// (write_seq, read_seq, dropped).
    pub(crate) fn counters(&self) -> (u64, u64, u64) {
        (
            self.write_seq.load(Ordering::Relaxed),
            self.read_seq.load(Ordering::Relaxed),
            self.dropped.load(Ordering::Relaxed),
        )
    }

    /// What the host does after reading up to `seq`.
    pub(crate) fn set_read_seq(&self, seq: u64) {
        self.read_seq.store(seq, Ordering::Release);
    }
}

impl Record {
    pub(crate) const fn new() -> Record {
        Record {
            tsc: AtomicU64::new(0),
            arg: AtomicU64::new(0),
            task: AtomicU32::new(0),
            kind: AtomicU16::new(0),
            queue: AtomicU16::new(0),
            commit: AtomicU32::new(0),
            reserved: AtomicU32::new(0),
        }
    }
}

#[repr(C, align(64))]
struct Ring {
    header: Header,
    records: [Record; CAPACITY],
}

const _: () = assert!(size_of::<Header>() == 64);
const _: () = assert!(size_of::<Record>() == RECORD_SIZE as usize);
const _: () = assert!(CAPACITY.is_power_of_two() && CAPACITY <= 1 << 20);

#[unsafe(link_section = ".bss.trace")]
static RING: Ring = Ring { header: Header::new(), records: [const { Record::new() }; CAPACITY] };

/// Recording is on (set by `init` unless `trace=off`).
static ENABLED: AtomicBool = AtomicBool::new(false);


/// Fill in the header and announce it to the host with one 32-bit OUT.
/// `enabled = false` (`trace=off`) still announces the (empty) ring, so a
/// run with and without recording does the same port I/O at boot.
pub fn init(enabled: bool) {
    let h = &RING.header;
    h.version.store(VERSION, Ordering::Relaxed);
    h.record_size.store(RECORD_SIZE, Ordering::Relaxed);
    h.capacity.store(CAPACITY as u32, Ordering::Relaxed);
    h.flags.store(0, Ordering::Relaxed);
    h.write_seq.store(0, Ordering::Relaxed);
    h.read_seq.store(0, Ordering::Relaxed);
    h.dropped.store(0, Ordering::Relaxed);
    h.reserved[0].store(0, Ordering::Relaxed);
    h.reserved[1].store(0, Ordering::Relaxed);
    h.magic.store(MAGIC, Ordering::Relaxed);
    ENABLED.store(enabled, Ordering::Relaxed);
    let header = &raw const RING as u64;
    debug_assert!(header % 64 == 0 && header < 1 << 32);
    h.announce_tsc.store(cpu::rdtsc(), Ordering::Release);
    outl(PORT, header as u32);
}

pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// Write one record. Callable from tasks and interrupt handlers.
#[inline]
pub fn record(kind: Kind, task: u32, arg: u64) {
    if !ENABLED.load(Ordering::Relaxed) {
        return;
    }
    write(kind, task, arg);
}

#[inline]
fn write(kind: Kind, task: u32, arg: u64) {
    write_to(&RING.header, &RING.records, kind, task, arg, context::ready_len, || {});
}

/// The writer, for any ring of N records (N a power of two): the live
/// ring, or a test's private one. `queue_len` fills the `queue` field.
/// `between_loads` runs between the loads of the two sequence numbers
/// (nothing, but for the test that puts an interrupt and a drain there).
#[inline]
pub(crate) fn write_to<const N: usize>(
    h: &Header,
    records: &[Record; N],
    kind: Kind,
    task: u32,
    arg: u64,
    queue_len: impl FnOnce() -> usize,
    mut between_loads: impl FnMut(),
) {
    const { assert!(N.is_power_of_two()) };
    let (seq, tsc) = loop {
        // read_seq first: it never passes write_seq, and write_seq only
        // grows, so the difference cannot wrap (read in the other order, a
        // drain between the loads made it wrap and dropped a record).
        // Acquire: the host stores read_seq after it copied the slots it
        // frees; our writes to them come after this load.
        let r = h.read_seq.load(Ordering::Acquire);
        between_loads();
        let w = h.write_seq.load(Ordering::Relaxed);
        if w.wrapping_sub(r) >= N as u64 {
            // Full as of `r`, unless the host freed slots since: then
            // look again.
            if h.read_seq.load(Ordering::Acquire) != r {
                continue;
            }
            h.dropped.fetch_add(1, Ordering::Relaxed);
            return;
        }
        let tsc = cpu::rdtsc();
        // Fails only if an interrupt handler claimed a slot since the load.
        if cas_local(&h.write_seq, w, w.wrapping_add(1)) {
            break (w, tsc);
        }
    };
    let rec = &records[seq as usize & (N - 1)];
    rec.tsc.store(tsc, Ordering::Relaxed);
    rec.arg.store(arg, Ordering::Relaxed);
    rec.task.store(task, Ordering::Relaxed);
    rec.kind.store(kind as u16, Ordering::Relaxed);
    let queue = queue_len().min(u16::MAX as usize) as u16;
    rec.queue.store(queue, Ordering::Relaxed);
    rec.commit.store(seq.wrapping_add(1) as u32, Ordering::Release);
}

/// Compare-and-swap for writers on one CPU: `cmpxchg` without `lock`. An
/// instruction is never split by an interrupt, so on one CPU it is atomic
/// against every other writer (tasks and handlers); the host, on another
/// CPU, only reads `write_seq`. (Linux calls this `cmpxchg_local`.) About
/// half the cost of the locked form, on every record.
#[inline(always)]
fn cas_local(word: &AtomicU64, old: u64, new: u64) -> bool {
    let seen: u64;
    unsafe {
        asm!(
            "cmpxchg qword ptr [{word}], {new}",
            word = in(reg) word.as_ptr(),
            new = in(reg) new,
            inout("rax") old => seen,
            options(nostack)
        );
    }
    seen == old
}

/// A user mark, attributed to the task being polled (0 outside a poll).
pub fn mark(value: u64) {
    record(Kind::Mark, context::task(), value);
}

/// Who is waking a task right now, as a Wake record's argument: the
/// interrupt handler running or whose work is being done (its vector),
/// else the task being polled, else unknown.
pub fn wake_source() -> u64 {
    let vector = context::waking_vector();
    if vector != 0 {
        return WAKE_INTERRUPT << 56 | vector as u64;
    }
    match context::task() {
        0 => WAKE_UNKNOWN << 56,
        task => WAKE_TASK << 56 | task as u64,
    }
}

/// A Wake record's argument for a wake through resource `resource`
/// (bits 32..47; 0: none).
#[inline]
pub fn wake_arg(resource: u16) -> u64 {
    wake_source() | (resource as u64) << 32
}

/// TaskSpawn's argument: the name's physical address and length.
pub fn name_arg(name: &'static str) -> u64 {
    let len = name.len().min(MAX_NAME_LEN) as u64;
    (name.as_ptr() as u64 & ((1 << 48) - 1)) | len << 48
}

/// (write_seq, read_seq, dropped) as the guest sees them now.
pub fn counters() -> (u64, u64, u64) {
    let h = &RING.header;
    (
        h.write_seq.load(Ordering::Relaxed),
        h.read_seq.load(Ordering::Relaxed),
        h.dropped.load(Ordering::Relaxed),
    )
}
