//! `hat migrate`: bring another tool's setup across (Granted's and aws-vault's
//! credential_process lines, aws-vault's stored keys), showing the change to the
//! config as a diff with `--dry-run`.

use crate::cli::{MigrateArgs, MigrateCommand};
use crate::env::Env;
use crate::{log, migrate, process_line};
use anyhow::{Context as _, Result, anyhow};

pub fn run(args: &MigrateArgs, env: &Env) -> Result<String> {
    match &args.command {
        MigrateCommand::Granted { dry_run } => granted(env, *dry_run),
        MigrateCommand::AwsVault { dry_run } => aws_vault(env, *dry_run),
    }
}

fn granted(env: &Env, dry_run: bool) -> Result<String> {
    let path = env.config_file();
    let old = read_or_empty(&path)?;
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
    apply(&path, &old, &out.text, &out.profiles, "granted", dry_run)
}

/// Writes the rewritten config (or, with `--dry-run`, returns its diff) and says which
/// profiles' `credential_process` lines (`what` names the peer's command) now name hat.
fn apply(
    path: &std::path::Path,
    old: &str,
    new: &str,
    profiles: &[String],
    what: &str,
    dry_run: bool,
) -> Result<String> {
    if profiles.is_empty() {
        log::info(&format!(
            "no `{what}` credential_process lines in {}; nothing to change",
            path.display()
        ));
        return Ok(String::new());
    }
    let verb = if dry_run { "would point" } else { "pointed" };
    log::info(&format!(
        "{verb} {} profiles' credential_process at hat: {}",
        profiles.len(),
        profiles.join(", ")
    ));
    if dry_run {
        return Ok(crate::sso::populate::diff(path, old, new));
    }
    crate::fs::write(path, new)?;
    Ok(String::new())
}

fn aws_vault(env: &Env, dry_run: bool) -> Result<String> {
    let dir = migrate::aws_vault::file_dir(env);
    let found = if dir.is_dir() {
        migrate::aws_vault::read_file_backend(&dir, || vault_passphrase(env, &dir))?
    } else {
        log::info(&format!("no aws-vault file backend at {}", dir.display()));
        Vec::new()
    };
    let mut store = crate::keys::Keys::open(env)?;
    let mut imported = Vec::new();
    for item in &found {
        match store.index.profiles.get(&item.name) {
            Some(entry) if entry.key_id == item.credentials.access_key_id => {
                log::info(&format!(
                    "profile `{}`: its keys are already in hat's store",
                    item.name
                ));
            }
            Some(_) => log::warn(&format!(
                "profile `{}`: hat's store holds other keys for it; kept hat's. Run `hat keys remove {}` first to take aws-vault's",
                item.name, item.name
            )),
            None => {
                if !dry_run {
                    let backend = crate::keys::chosen_backend(env)?;
                    store.put(&item.name, &item.credentials, backend)?;
                }
                imported.push(item.name.clone());
            }
        }
    }
    if !imported.is_empty() {
        let verb = if dry_run { "would import" } else { "imported" };
        log::info(&format!(
            "{verb} the keys of {} profiles from aws-vault into hat's key store: {}",
            imported.len(),
            imported.join(", ")
        ));
    }

    let path = env.config_file();
    let old = read_or_empty(&path)?;
    let out = migrate::rewrite_process_lines(
        &old,
        &process_line::program(env),
        migrate::aws_vault::parse_process_command,
    );
    for (profile, arg) in &out.dropped {
        log::warn(&format!(
            "profile `{profile}`: dropped aws-vault's `{arg}`, which hat's credential-process does not take"
        ));
    }
    let diff = apply(&path, &old, &out.text, &out.profiles, "aws-vault", dry_run)?;
    if !found.is_empty() {
        let names: Vec<&str> = found.iter().map(|f| f.name.as_str()).collect();
        log::info(&format!(
            "aws-vault's own encrypted copies are untouched; once hat works for you, remove them with `aws-vault remove {}` (one profile at a time)",
            names.join("`, `aws-vault remove ")
        ));
    }
    Ok(diff)
}

fn read_or_empty(path: &std::path::Path) -> Result<String> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(e) => Err(e).with_context(|| format!("could not read {}", path.display())),
    }
}

/// `AWS_VAULT_FILE_PASSPHRASE` (aws-vault's own variable), else a hidden prompt.
fn vault_passphrase(env: &Env, dir: &std::path::Path) -> Result<String> {
    if let Some(p) = env.get("AWS_VAULT_FILE_PASSPHRASE") {
        return Ok(p.to_string());
    }
    let term = crate::keys::terminal().with_context(|| {
        format!(
            "aws-vault's keys in {} need their passphrase: run in a terminal, or set AWS_VAULT_FILE_PASSPHRASE",
            dir.display()
        )
    })?;
    dialoguer::Password::new()
        .with_prompt(format!("aws-vault passphrase for {}", dir.display()))
        .interact_on(&term)
        .map_err(|e| anyhow!("could not read the passphrase: {e}"))
}
