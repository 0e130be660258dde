//! One in-kernel test: its name, its function, whether it runs only when
//! selected, and `ensure!` for writing its checks.

use alloc::string::String;

pub type TestResult = Result<(), String>;

pub struct Test {
    pub name: &'static str,
    pub run: fn() -> TestResult,
    /// Only when selected by `test=<substring>`.
    pub explicit: bool,
}

/// `Err(format!(...))` unless the condition holds.
macro_rules! ensure {
    ($cond:expr, $($arg:tt)+) => {
        if !$cond {
            return Err(alloc::format!($($arg)+));
        }
    };
}
pub(crate) use ensure;
