//! What hat tells a person: one line per message on stderr, prefixed `hat:`. Verbose
//! messages only appear with `-v`. Nothing here may be given a secret.

use std::sync::atomic::{AtomicBool, Ordering};

static VERBOSE: AtomicBool = AtomicBool::new(false);

pub fn set_verbose(on: bool) {
    VERBOSE.store(on, Ordering::Relaxed);
}

pub fn is_verbose() -> bool {
    VERBOSE.load(Ordering::Relaxed)
}

pub fn info(message: &str) {
    eprintln!("hat: {message}");
}

pub fn warn(message: &str) {
    eprintln!("hat: warning: {message}");
}

#[macro_export]
macro_rules! verbose {
    ($($arg:tt)*) => {
        if $crate::log::is_verbose() {
            $crate::log::info(&format!($($arg)*));
        }
    };
}
