//! `test` / `test=<substring>`: in-kernel tests, reported the way
//! blog_os's custom test framework (and `cargo test`) does on serial:
//!
//!     running <N> tests
//!     <module>::<name>... [ok]
//!     <module>::<name>... [failed]
//!     Error: <message>
//!     test result: ok. <passed> passed; <failed> failed
//!
//! (`test result: FAILED. ...` when any failed), then isa-debug-exit 0
//! when all passed, 3 (TEST_FAILURE) when any failed. A panic inside a
//! test ends the run as any panic does (`PANIC: ...`, exit 1).
//!
//! `test=<substring>` runs the tests whose full name contains it. Tests
//! marked `explicit` (`ktest::fail-demo`, which fails on purpose) run only
//! when a filter selects them, never in the default run. The tests run
//! after interrupts are on (the timer and thread tests need IRQ0).

mod case;
mod heap_tests;
mod ring_tests;
mod task_tests;
mod tests;
mod thread_tests;
mod trace_tests;

use case::Test;

use crate::exit::{self, exit};
use crate::{cmdline, print, println};
use alloc::vec::Vec;

pub fn requested() -> bool {
    cmdline::has("test")
}

pub fn run() -> ! {
    let filter = cmdline::get("test").filter(|f| !f.is_empty());
    let selected: Vec<&Test> = tests::ALL
        .iter()
        .filter(|t| match filter {
            None => !t.explicit,
            Some(f) => t.name.contains(f),
        })
        .collect();
    println!("running {} tests", selected.len());
    let (mut passed, mut failed) = (0, 0);
    for test in selected {
        print!("{}... ", test.name);
        match (test.run)() {
            Ok(()) => {
                println!("[ok]");
                passed += 1;
            }
            Err(message) => {
                println!("[failed]");
                println!("Error: {message}");
                failed += 1;
            }
        }
    }
    if failed == 0 {
        println!("test result: ok. {passed} passed; {failed} failed");
        exit(exit::SUCCESS)
    } else {
        println!("test result: FAILED. {passed} passed; {failed} failed");
        exit(exit::TEST_FAILURE)
    }
}
