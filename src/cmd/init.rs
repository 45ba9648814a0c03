//! `hat init <shell>`: print the shell function, with this binary's absolute path baked
//! in so the function does not depend on PATH.

use crate::cli::InitArgs;
use crate::emit::init::script_with;
use anyhow::{Context, Result};

pub fn run(args: &InitArgs) -> Result<String> {
    let exe = std::env::current_exe().context("could not find hat's own path")?;
    let exe = exe.canonicalize().unwrap_or(exe);
    script_with(args.shell.into(), &args.command, &exe, args.auto_reassume)
}
