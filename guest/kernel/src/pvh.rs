//! The PVH boot protocol (Xen's "HVM direct boot", also used by QEMU).
//!
//! The ELF note below tells the loader the physical address of the 32-bit
//! entry point (XEN_ELFNOTE_PHYS32_ENTRY). At entry EBX points to an
//! `hvm_start_info` that the loader filled in.

use core::arch::global_asm;

// ELF note: namesz=4 ("Xen\0"), descsz=4, type=18 (XEN_ELFNOTE_PHYS32_ENTRY),
// desc = the 32-bit physical entry address. (Linux uses an 8-byte desc; QEMU
// reads 8 bytes either way and keeps the low 32 bits, so 4 bytes work there,
// and a loader should accept both sizes.)
global_asm!(
    r#"
    .section .note.Xen, "a", @note
    .balign 4
    .long 4
    .long 4
    .long 18
    .asciz "Xen"
    .balign 4
    .long pvh_start32
"#,
    options(att_syntax)
);

pub const START_INFO_MAGIC: u32 = 0x336e_c578;

/// struct hvm_start_info (xen/include/public/arch-x86/hvm/start_info.h).
#[repr(C)]
pub struct StartInfo {
    pub magic: u32,
    pub version: u32,
    pub flags: u32,
    pub nr_modules: u32,
    pub modlist_paddr: u64,
    pub cmdline_paddr: u64,
    pub rsdp_paddr: u64,
    // Fields below exist from version 1 on.
    pub memmap_paddr: u64,
    pub memmap_entries: u32,
    pub reserved: u32,
}

/// struct hvm_memmap_table_entry; `kind` uses the E820 numbering
/// (1 = RAM, 2 = reserved, 3 = ACPI, 4 = NVS, 5 = unusable).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct MemmapEntry {
    pub addr: u64,
    pub size: u64,
    pub kind: u32,
    pub reserved: u32,
}

/// Where the mapped memory ends; everything we read must lie below it.
const IDENTITY_MAPPED: u64 = 4 << 30;

/// The start info at `phys`, if it is mapped and carries the magic.
pub fn start_info(phys: u64) -> Option<&'static StartInfo> {
    if phys == 0 || phys % 8 != 0 || phys + size_of::<StartInfo>() as u64 > IDENTITY_MAPPED {
        return None;
    }
    let info = unsafe { &*(phys as *const StartInfo) };
    (info.magic == START_INFO_MAGIC).then_some(info)
}

impl StartInfo {
    /// The memory map, empty before version 1 or when absent.
    pub fn memmap(&self) -> &'static [MemmapEntry] {
        let len = self.memmap_entries as u64;
        let bytes = len * size_of::<MemmapEntry>() as u64;
        if self.version < 1 || self.memmap_paddr == 0 || self.memmap_paddr + bytes > IDENTITY_MAPPED {
            return &[];
        }
        unsafe { core::slice::from_raw_parts(self.memmap_paddr as *const MemmapEntry, len as usize) }
    }
}
