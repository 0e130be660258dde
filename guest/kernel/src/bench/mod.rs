//! `bench=NAME[,NAME...]` / `bench=all`: timed scenarios that put the
//! cooperative switch (async tasks on the waker executor) next to the
//! preemptive one (kernel threads, src/thread/) and time the interrupt
//! paths. Each measurement prints one line,
//!
//!     bench: <name> switches=<n> cycles=<c> min_batch_cycles=<m> cycles_per_switch=<c/n> ns_per_switch=<x.y> trace=<on|off> hz=<hz> tsc_khz=<k> [more key=value]
//!
//! then the kernel exits with 0. `cycles` are TSC cycles; `min_batch_cycles`
//! is the per-switch cost of the fastest batch (a batch is at least `BATCH`
//! switches, ending at a measuring point): batches that took a timer
//! interrupt or lost the host CPU are slower, so it is the cleanest figure.
//! `benchn=N` sets the switches (or events) per measurement (default 2000).
//! The README lists what each name measures.
//!
//! Timer rate: the switch measurements run at the boot rate (`hz=`,
//! default 100), so that batches fit between ticks where guest code runs
//! slowly (README, "Hosts"). The timer-driven ones (preempt-timer,
//! irq-entry, irq-wake) take one event per tick and reprogram the PIT to
//! `benchhz=` (default 1000) while they run, unless `hz=` was given: then
//! everything runs at that rate. The `hz=` field of each line is the rate
//! during that measurement. Before the first measurement the kernel waits
//! for the TSC calibration to be final (two seconds of ticks), so rate
//! changes cannot disturb it.
//!
//! `scenario=bench` is the original, smaller benchmark (src/bench/scenario.rs).
//!
//! This is the lab: it reaches the interrupt path only through the hooks
//! of src/interrupts.rs and gates it installs for the time of a
//! measurement (src/bench/irq.rs).

mod coop;
mod irq;
mod measure;
mod preempt;
mod scenario;
mod trace_record;

use crate::{cmdline, exit, pit, println, ring, trace, tsc};
use alloc::vec::Vec;
use measure::Measured;

/// In the order `bench=all` runs them. trace-record goes first: under QEMU
/// nobody drains the ring, and a full ring would time the "dropped" path.
pub const NAMES: &[&str] = &[
    "trace-record",
    "coop-yield-2",
    "coop-yield-16",
    "coop-yield-256",
    "coop-pingpong",
    "preempt-yield-2",
    "preempt-yield-16",
    "preempt-yield-256",
    "preempt-pingpong",
    "preempt-timer",
    "irq-entry",
    "irq-wake",
];

/// Accepted by name but not part of `all`.
pub const EXTRA_NAMES: &[&str] = &["fxsave"];

/// Switches (or records, interrupts, wakes) per measurement.
pub const DEFAULT_N: u64 = 2000;
/// The PIT rate of the timer-driven measurements, unless `hz=` is given.
pub const DEFAULT_TIMER_HZ: u32 = 1000;
/// Those that need one timer tick per event.
const TIMER_DRIVEN: &[&str] = &["preempt-timer", "irq-entry", "irq-wake"];
/// `bench=` or `scenario=bench` was given.
pub fn requested() -> bool {
    cmdline::has("bench") || cmdline::get("scenario") == Some("bench")
}

/// Run the `bench=` list (or `scenario=bench`), print one line per
/// measurement, exit with 0.
pub fn run() -> ! {
    if !cmdline::has("bench") {
        scenario::run();
    }
    let n = match cmdline::get_u64("benchn") {
        Ok(None) => DEFAULT_N,
        Ok(Some(n)) if n >= 1 => n,
        _ => {
            println!("warning: benchn={} ignored (want a number >= 1), using {DEFAULT_N}", cmdline::get("benchn").unwrap_or(""));
            DEFAULT_N
        }
    };
    let mut names: Vec<&str> = Vec::new();
    match cmdline::get("bench") {
        None | Some("") => names.extend_from_slice(NAMES),
        Some(list) => {
            for name in list.split(',').filter(|s| !s.is_empty()) {
                if name == "all" {
                    names.extend_from_slice(NAMES);
                } else {
                    names.push(name);
                }
            }
        }
    }
    let boot_hz = pit::hz();
    let timer_hz = if cmdline::get("hz").is_some() {
        boot_hz
    } else {
        match cmdline::get_u64("benchhz") {
            Ok(None) => DEFAULT_TIMER_HZ,
            Ok(Some(hz)) if (pit::MIN_HZ as u64..=pit::MAX_HZ as u64).contains(&hz) => hz as u32,
            _ => {
                println!(
                    "warning: benchhz={} ignored (valid: {}..={}), using {DEFAULT_TIMER_HZ}",
                    cmdline::get("benchhz").unwrap_or(""),
                    pit::MIN_HZ,
                    pit::MAX_HZ
                );
                DEFAULT_TIMER_HZ
            }
        }
    };
    // The ns figures need the TSC rate; changing the PIT rate needs it final.
    while !tsc::calibrated() {
        ring::wait_for_interrupt();
    }
    for name in names {
        let hz = if TIMER_DRIVEN.contains(&name) { timer_hz } else { boot_hz };
        if hz != pit::hz() {
            pit::init(hz);
        }
        match measure(name, n) {
            Some(result) => report(name, &result),
            None => println!(
                "warning: bench={name} unknown (known: all, {}, {})",
                NAMES.join(", "),
                EXTRA_NAMES.join(", ")
            ),
        }
    }
    exit::exit(exit::SUCCESS)
}

fn measure(name: &str, n: u64) -> Option<Measured> {
    Some(match name {
        "trace-record" => trace_record::trace_record(n),
        "coop-yield-2" => coop::coop_yield(2, n),
        "coop-yield-16" => coop::coop_yield(16, n),
        "coop-yield-256" => coop::coop_yield(256, n),
        "coop-pingpong" => coop::coop_pingpong(n),
        "preempt-yield-2" => preempt::preempt_yield(2, n),
        "preempt-yield-16" => preempt::preempt_yield(16, n),
        "preempt-yield-256" => preempt::preempt_yield(256, n),
        "preempt-pingpong" => preempt::preempt_pingpong(n),
        "preempt-timer" => preempt::preempt_timer(n),
        "irq-entry" => irq::irq_entry(n),
        "irq-wake" => irq::irq_wake(n),
        "fxsave" => trace_record::fxsave(n),
        _ => return None,
    })
}

fn report(name: &str, m: &Measured) {
    let switches = m.switches.max(1);
    let per_switch = m.cycles / switches;
    let min_batch = if m.min_batch == u64::MAX { per_switch } else { m.min_batch };
    let tenth_ns = tsc::cycles_to_tenth_ns(m.cycles).unwrap_or(0) / switches;
    println!(
        "bench: {name} switches={} cycles={} min_batch_cycles={} cycles_per_switch={} ns_per_switch={}.{} trace={} hz={} tsc_khz={}{}",
        m.switches,
        m.cycles,
        min_batch,
        per_switch,
        tenth_ns / 10,
        tenth_ns % 10,
        if trace::enabled() { "on" } else { "off" },
        pit::hz(),
        tsc::khz().unwrap_or(0),
        m.extra,
    );
}
