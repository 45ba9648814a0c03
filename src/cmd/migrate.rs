//! `hat migrate`: bring another tool's setup across (today Granted's
//! credential_process lines), showing the change as a diff with `--dry-run`.

use crate::cli::{MigrateArgs, MigrateCommand};
use crate::env::Env;
use crate::{log, migrate, process_line};
use anyhow::{Context as _, Result};

pub fn run(args: &MigrateArgs, env: &Env) -> Result<String> {
    match &args.command {
        MigrateCommand::Granted { dry_run } => granted(env, *dry_run),
    }
}

fn granted(env: &Env, dry_run: bool) -> Result<String> {
    let path = env.config_file();
    let old = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e).with_context(|| format!("could not read {}", path.display())),
    };
    let config = crate::config::load(env)?;
    let sso = |name: &str| {
        config.profile(name).is_some_and(|p| {
            ["granted_sso_start_url", "sso_start_url", "sso_session"]
                .iter()
                .any(|key| p.get(key).is_some())
        })
    };
    let out = migrate::granted::rewrite_credential_process(&old, &process_line::program(env), sso);
    for profile in &out.kept {
        log::warn(&format!(
            "profile `{profile}`: its keys are in Granted's keychain, which hat cannot read; left as it is. Move them with `granted credentials export-plaintext {profile}` and then `hat keys import {profile}`"
        ));
    }
    for (profile, arg) in &out.dropped {
        log::warn(&format!(
            "profile `{profile}`: dropped Granted's `{arg}`, which hat's credential-process does not take"
        ));
    }
    if out.profiles.is_empty() {
        log::info(&format!(
            "no `granted credential-process` lines in {}; nothing to change",
            path.display()
        ));
        return Ok(String::new());
    }
    let verb = if dry_run { "would point" } else { "pointed" };
    log::info(&format!(
        "{verb} {} profiles' credential_process at hat: {}",
        out.profiles.len(),
        out.profiles.join(", ")
    ));
    if dry_run {
        return Ok(crate::sso::populate::diff(&path, &old, &out.text));
    }
    crate::fs::write(&path, &out.text)?;
    Ok(String::new())
}
