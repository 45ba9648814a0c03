//! `hat prompt`: the prompt segment for prompt frameworks (see [`crate::prompt`]).

use crate::env::Env;
use crate::{clock, prompt};

/// Never fails: prints the segment and a newline, or nothing at all.
pub fn run(env: &Env) -> String {
    let segment = prompt::segment(env, clock::now());
    if segment.is_empty() {
        segment
    } else {
        segment + "\n"
    }
}
