//! The 32-bit PVH entry point and the switch to long mode.
//!
//! A PVH loader starts us in 32-bit protected mode with paging off, flat
//! 4 GiB CS/DS/ES, interrupts off, EBX = physical address of the
//! hvm_start_info, and no usable stack. Long mode needs, in this order:
//! page tables (PAE format) in CR3, CR4.PAE, EFER.LME, then CR0.PG, which
//! activates long mode in compatibility mode; a far jump to a 64-bit code
//! segment then enters 64-bit mode.
//!
//! The tables identity-map the first 4 GiB with 2 MiB pages: one PML4 entry
//! -> one PDPT with four entries -> four page directories of 512 entries.
//! Everything above 4 GiB is unmapped, so touching it page-faults. Every
//! entry has the user bit: with `ring=3` the tasks run at CPL3 on the same
//! memory (there is no protection between kernel and tasks, only a
//! privilege level; SMEP and SMAP stay off).
//!
//! SSE is switched on before any Rust runs: CR0.EM=0 (no x87 emulation),
//! CR0.MP=1, CR0.TS=0, CR4.OSFXSR=1 (FXSAVE and SSE allowed),
//! CR4.OSXMMEXCPT=1 (SIMD exceptions as #XM). The kernel is compiled without
//! SSE (see .cargo/config.toml), but the interrupt path's FXSAVE needs
//! OSFXSR to cover the XMM registers, and code built with SSE stays safe.
//! MXCSR keeps its reset value 0x1F80 (no LDMXCSR: README, "Hosts").

use core::arch::global_asm;

global_asm!(
    r#"
    .section .text.boot, "ax"
    .code32
    .global pvh_start32
pvh_start32:
    cli
    cld
    movl $boot_stack_top, %esp
    /* ESI carries the start-info address into 64-bit code. */
    movl %ebx, %esi

    /* Zero .bss (page tables, statics; not the heap arena, the trace ring
       or the stacks, see linker.ld): the loader should have, but the
       statics must start zeroed even behind one that copies only
       p_filesz. */
    movl $__bss_start, %edi
    movl $__bss_end, %ecx
    subl %edi, %ecx
    shrl $2, %ecx
    xorl %eax, %eax
    rep stosl

    /* PML4[0] -> PDPT (present | writable | user) */
    movl $boot_pdpt, %eax
    orl $0x7, %eax
    movl %eax, boot_pml4

    /* PDPT[0..4] -> the four page directories */
    movl $boot_pd, %eax
    orl $0x7, %eax
    xorl %ecx, %ecx
.Lfill_pdpt:
    movl %eax, boot_pdpt(,%ecx,8)
    addl $0x1000, %eax
    incl %ecx
    cmpl $4, %ecx
    jb .Lfill_pdpt

    /* 2048 PD entries: 2 MiB pages (present | writable | user | PS) */
    movl $0x87, %eax
    xorl %ecx, %ecx
.Lfill_pd:
    movl %eax, boot_pd(,%ecx,8)
    addl $0x200000, %eax
    incl %ecx
    cmpl $2048, %ecx
    jb .Lfill_pd

    /* CR4: PAE (bit 5), OSFXSR (bit 9), OSXMMEXCPT (bit 10) */
    movl %cr4, %eax
    orl $0x620, %eax
    movl %eax, %cr4

    movl $boot_pml4, %eax
    movl %eax, %cr3

    /* EFER (MSR 0xC0000080): LME (bit 8) */
    movl $0xC0000080, %ecx
    rdmsr
    orl $0x100, %eax
    wrmsr

    /* CR0: PG (31) | MP (1) | PE (0); clear EM (2) and TS (3) */
    movl %cr0, %eax
    andl $0xFFFFFFF3, %eax
    orl $0x80000003, %eax
    movl %eax, %cr0

    lgdt boot_gdt_ptr
    ljmp $0x10, $pvh_start64

    .code64
pvh_start64:
    movw $0x18, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    xorw %ax, %ax
    movw %ax, %fs
    movw %ax, %gs

    movq $boot_stack_top, %rsp
    xorl %ebp, %ebp
    fninit

    /* kernel_main(start_info_phys): 32-bit move zero-extends into RDI */
    movl %esi, %edi
    call kernel_main
.Lhang:
    cli
    hlt
    jmp .Lhang

    .section .rodata.boot, "a"
    .balign 8
    /* Temporary GDT with Linux's kernel selectors: null, 32-bit code
       (0x08, unused), 64-bit code (0x10), data (0x18). gdt.rs replaces
       it with one that has the same selectors, the user ones and a TSS. */
boot_gdt:
    .quad 0
    .quad 0x00cf9a000000ffff
    .quad 0x00af9a000000ffff
    .quad 0x00cf92000000ffff
boot_gdt_end:
    .balign 8
boot_gdt_ptr:
    .word boot_gdt_end - boot_gdt - 1
    .long boot_gdt

    .section .bss.boot, "aw", @nobits
    .balign 4096
boot_pml4:
    .skip 4096
boot_pdpt:
    .skip 4096
boot_pd:
    .skip 4096 * 4

    /* Stacks need no zeroing: outside __bss_start..__bss_end. */
    .section .bss.stacks, "aw", @nobits
    .balign 16
boot_stack:
    .skip 64 * 1024
boot_stack_top:
"#,
    options(att_syntax)
);
