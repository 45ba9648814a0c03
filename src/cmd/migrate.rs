//! `hat migrate`: bring another tool's setup across (Granted's settings, registries
//! and credential_process lines; aws-vault's stored keys and credential_process
//! lines), showing the changes to the files as diffs with `--dry-run`.

use crate::cli::{MigrateArgs, MigrateCommand};
use crate::env::Env;
use crate::{log, migrate, process_line, settings};
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
    let mut diff = String::new();
    let settings = granted_settings(env, dry_run, &mut diff)?;
    let imported = settings
        .as_ref()
        .map(|a| a.imported.as_slice())
        .unwrap_or_default();

    // Granted's block of each imported registry becomes hat's, so its profiles stay
    // (and count as the registry's, not as the user's own) until hat's sync.
    let granted_names = settings
        .as_ref()
        .map(|a| a.granted.as_slice())
        .unwrap_or_default();
    let blocks = migrate::granted::adopt_registry_blocks(&out.text, imported, granted_names);
    let (text, adopted) = (blocks.text, blocks.adopted);
    for name in &blocks.left {
        log::warn(&format!(
            "Granted's block of registry {name} is still in {}, and its profiles count as yours there; `granted registry remove {name}` removes it",
            path.display()
        ));
    }
    if !adopted.is_empty() {
        let verb = if dry_run {
            "would take over"
        } else {
            "took over"
        };
        log::info(&format!(
            "{verb} Granted's block in {} of {} {}, its profiles kept until hat syncs",
            path.display(),
            if adopted.len() == 1 {
                "registry"
            } else {
                "registries"
            },
            adopted.join(", ")
        ));
    }
    if !out.profiles.is_empty() {
        let verb = if dry_run { "would point" } else { "pointed" };
        log::info(&format!(
            "{verb} {} profiles' credential_process at hat: {}",
            out.profiles.len(),
            out.profiles.join(", ")
        ));
    }
    diff.push_str(&write_or_diff(&path, &old, &text, dry_run)?);
    let changed = text != old
        || settings
            .as_ref()
            .is_some_and(|a| !a.set.is_empty() || !a.imported.is_empty());
    if !changed {
        log::info(&format!(
            "hat already has what it can take of Granted's settings, registries and credential_process lines in {}; nothing to change",
            path.display()
        ));
    }
    if dry_run {
        if !imported.is_empty() {
            log::info(&format!(
                "without --dry-run, which fetches nothing, hat would then sync {}",
                imported.join(", ")
            ));
        }
        return Ok(diff);
    }
    for name in imported {
        sync_imported(env, name);
    }
    Ok(String::new())
}

/// Granted's settings file into hat's: what was written (or, with `--dry-run`, the
/// diff appended to `diff`), what was kept, and what has no counterpart, by name.
/// None when Granted has no settings file.
fn granted_settings(
    env: &Env,
    dry_run: bool,
    diff: &mut String,
) -> Result<Option<migrate::granted::Applied>> {
    let Some(granted) = migrate::granted::config_path(env) else {
        return Ok(None);
    };
    if !granted.is_file() {
        log::info(&format!(
            "no Granted settings file at {}",
            granted.display()
        ));
        return Ok(None);
    }
    let text = read_or_empty(&granted)?;
    let found = migrate::granted::read_settings(&text).map_err(|e| {
        anyhow!(
            "could not read Granted's settings: {}{e}",
            granted.display()
        )
    })?;
    let mut applied = None;
    let (old, new) = settings::updated(env, |doc| {
        applied = Some(migrate::granted::apply_settings(doc, &found)?);
        Ok(())
    })?;
    let applied = applied.unwrap_or_default();
    let file = settings::path(env);
    let verb = if dry_run { "would set" } else { "set" };
    for line in &applied.set {
        log::info(&format!("{verb} {line} in {}", file.display()));
    }
    let verb = if dry_run { "would add" } else { "added" };
    for name in &applied.imported {
        log::info(&format!(
            "{verb} Granted's registry {name} to hat's registries"
        ));
    }
    for line in &applied.kept {
        log::info(&format!("kept hat's {line}"));
    }
    for (name, why) in &applied.refused {
        log::warn(&format!("Granted's registry {name} was not added: {why}"));
    }
    for (key, why) in &found.needless {
        log::info(&format!(
            "Granted's {key}: hat needs no setting for it ({why})"
        ));
    }
    for (key, why) in &found.unsupported {
        log::warn(&format!("Granted's {key} has no counterpart in hat: {why}"));
    }
    diff.push_str(&write_or_diff(&file, &old, &new, dry_run)?);
    Ok(Some(applied))
}

/// Syncs a registry just taken from Granted, saying what happened; a failure leaves
/// Granted's profiles in its block, as they were.
fn sync_imported(env: &Env, name: &str) {
    let interactive = crate::tty::available();
    match crate::registry::ops::sync(env, Some(name), &Default::default(), false, interactive) {
        Ok(reports) => {
            for report in reports {
                for warning in &report.warnings {
                    log::warn(&format!("registry {}: {warning}", report.name));
                }
                match &report.outcome {
                    Ok(counts) => log::info(&format!(
                        "synced registry {}: {}",
                        report.name,
                        crate::registry::ops::describe(counts)
                    )),
                    Err(reason) => log::warn(&format!(
                        "registry {} did not sync, so its profiles are as Granted last wrote them: {reason}; `hat registry sync {}` tries again",
                        report.name, report.name
                    )),
                }
            }
        }
        Err(e) => log::warn(&format!(
            "registry {name} did not sync: {e:#}; `hat registry sync {name}` tries again"
        )),
    }
}

/// Says which profiles' `credential_process` lines (`what` names the peer's command)
/// now name hat, and writes the rewritten config (or, with `--dry-run`, returns its
/// diff).
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
    write_or_diff(path, old, new, dry_run)
}

/// With `--dry-run`, the change as a unified diff; else the file written (when it
/// changed) and nothing to print.
fn write_or_diff(path: &std::path::Path, old: &str, new: &str, dry_run: bool) -> Result<String> {
    if new == old {
        return Ok(String::new());
    }
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
