//! `hat init <shell>`: print the shell function, with this binary's absolute path baked
//! in so the function does not depend on PATH, and the `[shell]` settings decided once
//! for that shell (so `assume` never looks them up).

use crate::cli::InitArgs;
use crate::emit::init::{Options, script_with};
use crate::env::Env;
use crate::{log, settings};
use anyhow::{Context, Result};

pub fn run(args: &InitArgs, env: &Env) -> Result<String> {
    let exe = std::env::current_exe().context("could not find hat's own path")?;
    let exe = exe.canonicalize().unwrap_or(exe);
    // A broken settings file must not leave the shell without its function: said, and
    // the defaults used.
    let shell = match settings::load(env) {
        Ok(settings) => settings.shell,
        Err(e) => {
            log::warn(&format!("{e:#}; the shell function uses the defaults"));
            settings::ShellSettings::default()
        }
    };
    let options = Options {
        auto_reassume: args.auto_reassume,
        awsume_variables: shell.awsume_variables.unwrap_or(false),
    };
    script_with(args.shell.into(), &args.command, &exe, options)
}
