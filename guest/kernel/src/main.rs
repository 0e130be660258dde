//! pollscope demo kernel: boots through PVH, sets up the CPU tables, the
//! heap, the trace ring, the 8259A PICs, the 8254 timer and the PS/2
//! keyboard, then runs async tasks on an executor (demo.rs) that idles in
//! HLT when no task is ready.

#![no_std]
#![no_main]

extern crate alloc;

mod allocator;
mod bench;
mod boot;
mod cmdline;
mod console;
mod context;
mod cpu;
mod crash;
mod demo;
mod exceptions;
mod exit;
mod gdt;
mod idt;
mod interrupts;
mod isr;
mod keyboard;
mod ktest;
mod mem;
mod panic;
mod pic;
mod pit;
mod port;
mod pvh;
mod queue;
mod ring;
mod selftest;
mod serial;
mod sync;
mod task;
mod thread;
mod trace;
mod tsc;
mod vga;

use exit::exit;

pub const BANNER: &str = "pollscope demo kernel 0.1.0";

/// Called by boot.rs in 64-bit mode on the boot stack, interrupts off, at
/// CPL0: set up the machine, then continue in `run` at the tasks'
/// privilege level (src/ring.rs).
#[unsafe(no_mangle)]
extern "C" fn kernel_main(start_info_phys: u64) -> ! {
    console::init();
    let start_info = pvh::start_info(start_info_phys);
    if let Some(info) = start_info {
        cmdline::init(info.cmdline_paddr);
    }
    gdt::init();
    idt::init();
    allocator::init();
    let bad_ring = ring::init(cmdline::get("ring"));

    console::print_with_attr(vga::BANNER_ATTR, format_args!("{BANNER}\n"));
    println!("cmdline: {}", cmdline::as_str());
    if let Some(value) = bad_ring {
        println!("warning: ring={value} ignored (valid: 0, 3), using 3");
    }
    trace::init(trace_enabled());
    task::announce_resources();
    match start_info {
        None => println!("warning: no PVH start info at {start_info_phys:#x}"),
        Some(info) if cmdline::has("memmap") => print_memmap(info),
        Some(_) => {}
    }

    let hz = timer_hz();
    pic::init();
    pit::init(hz);
    keyboard::init();
    ring::enter(run)
}

/// The rest of the boot, at the tasks' privilege level (CPL3 unless
/// `ring=0`) with interrupts on: the self-test, a deliberate crash, the
/// tests, the benchmarks or the demo.
extern "C" fn run() -> ! {
    if cmdline::has("selftest") {
        run_selftest();
    }
    if let Some(kind) = cmdline::get("crash") {
        crash::in_task(kind);
        println!("warning: unknown crash={kind} (known: {})", crash::KINDS);
    }
    if cmdline::has("exit") {
        exit(exit::SUCCESS);
    }
    println!("ready");
    if ktest::requested() {
        ktest::run();
    }
    if bench::requested() {
        bench::run();
    }
    let (executor, scenario) = demo::options();
    demo::run(executor, scenario)
}

/// `trace=off` turns recording off (the ring is still announced, empty).
fn trace_enabled() -> bool {
    match cmdline::get("trace") {
        None | Some("on") => true,
        Some("off") => false,
        Some(other) => {
            println!("warning: trace={other} ignored (valid: on, off)");
            true
        }
    }
}

/// `selftest` or `selftest=N` (N random heap operations).
fn run_selftest() {
    let ops = match cmdline::get_u64("selftest") {
        Ok(n) => n.unwrap_or(selftest::DEFAULT_OPS),
        Err(text) => {
            println!("warning: selftest={text} ignored (not a number)");
            selftest::DEFAULT_OPS
        }
    };
    match selftest::run(ops) {
        Ok(()) => println!("selftest: ok ({ops} heap operations)"),
        Err(what) => {
            println!("selftest: FAILED: {what}");
            exit(exit::TEST_FAILURE);
        }
    }
}

fn print_memmap(info: &pvh::StartInfo) {
    for entry in info.memmap() {
        println!("memmap: addr={:#x} size={:#x} type={}", entry.addr, entry.size, entry.kind);
    }
}

/// `hz=N`, N in 19..=10000; anything else falls back to 100 with a warning.
fn timer_hz() -> u32 {
    let range = pit::MIN_HZ as u64..=pit::MAX_HZ as u64;
    match cmdline::get_u64("hz") {
        Ok(None) => pit::DEFAULT_HZ,
        Ok(Some(hz)) if range.contains(&hz) => hz as u32,
        _ => {
            println!(
                "warning: hz={} ignored (valid: {}..={}), using {}",
                cmdline::get("hz").unwrap_or(""),
                pit::MIN_HZ,
                pit::MAX_HZ,
                pit::DEFAULT_HZ
            );
            pit::DEFAULT_HZ
        }
    }
}
