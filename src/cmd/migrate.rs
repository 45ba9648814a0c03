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
        MigrateCommand::AwsVault {
            dry_run,
            remove,
            backend,
            file_dir,
            secret_service_collection,
        } => aws_vault(
            env,
            &VaultArgs {
                dry_run: *dry_run,
                remove: *remove,
                backend: backend.as_deref(),
                file_dir: file_dir.clone(),
                collection: secret_service_collection.clone(),
            },
        ),
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

/// `hat migrate aws-vault`'s flags.
struct VaultArgs<'a> {
    dry_run: bool,
    remove: bool,
    backend: Option<&'a str>,
    file_dir: Option<std::path::PathBuf>,
    collection: Option<String>,
}

fn aws_vault(env: &Env, args: &VaultArgs) -> Result<String> {
    use migrate::aws_vault::{self as vault, Backend};
    let dry_run = args.dry_run;
    let (backends, named) = vault::backends(env, args.backend)?;
    // The Secret Service first: it is the backend aws-vault picks on Linux when both
    // are there, so its keys win a disagreement.
    let mut found = Vec::new();
    for backend in backends.iter().rev() {
        let (scan, place) = match backend {
            Backend::SecretService => {
                let name = args
                    .collection
                    .clone()
                    .unwrap_or_else(|| vault::collection_name(env));
                let place = format!("aws-vault's Secret Service collection `{name}`");
                match vault::read_secret_service(&name) {
                    Ok(Some(scan)) => (scan, place),
                    Ok(None) => {
                        log::info(&format!(
                            "the Secret Service has no collection `{name}` (aws-vault's)"
                        ));
                        continue;
                    }
                    // Unreachable with no backend named: no desktop session, no collection.
                    Err(e) if named || e.downcast_ref::<vault::NoSecretService>().is_none() => {
                        return Err(e);
                    }
                    Err(e) => {
                        crate::verbose!("{place} not read: {e:#}");
                        log::info(&format!(
                            "no Secret Service on the D-Bus session bus; {place} not read"
                        ));
                        continue;
                    }
                }
            }
            Backend::File => {
                let dir = match &args.file_dir {
                    Some(dir) => env.expand_tilde(&dir.to_string_lossy()),
                    None => vault::file_dir(env),
                };
                if !dir.is_dir() {
                    log::info(&format!("no aws-vault file backend at {}", dir.display()));
                    continue;
                }
                let scan = vault::read_file_backend(&dir, || vault_passphrase(env, &dir))?;
                (
                    scan,
                    format!("aws-vault's file backend at {}", dir.display()),
                )
            }
        };
        if scan.sessions + scan.tokens > 0 {
            log::info(&format!(
                "left {} cached sessions and {} SSO tokens in {place}: they are temporary and aws-vault's own (`aws-vault clear` deletes them)",
                scan.sessions, scan.tokens
            ));
        }
        found.extend(scan.keys);
    }

    let mut store = crate::keys::Keys::open(env)?;
    // Chosen once, and only when something is stored (it may probe the keychain).
    let mut backend = None;
    let mut imported = Vec::new();
    // Items whose keys hat holds (now or from before): what --remove may delete.
    let mut held: Vec<&vault::Found> = Vec::new();
    // The key id taken for each name in this run, and from where.
    let mut taken: std::collections::BTreeMap<&str, &vault::Found> = Default::default();
    for item in &found {
        if let Err(e) = crate::keys::check_name(&item.name) {
            log::warn(&format!(
                "{e}: aws-vault's keys under it ({}) stay where they are; add them under another name with `aws-vault exec --no-session {} -- hat keys add NAME --env`",
                item.origin.describe(),
                process_line::shell_word(&item.name)
            ));
            continue;
        }
        let id = &item.credentials.access_key_id;
        if let Some(first) = taken.get(item.name.as_str()) {
            if first.credentials.access_key_id == *id {
                held.push(item);
            } else {
                log::warn(&format!(
                    "profile `{}`: {} holds other keys than {}; took those of {}, left these",
                    item.name,
                    item.origin.describe(),
                    first.origin.describe(),
                    first.origin.describe()
                ));
            }
            continue;
        }
        match store.index.profiles.get(&item.name) {
            Some(entry) if entry.key_id == *id => {
                log::info(&format!(
                    "profile `{}`: its keys are already in hat's store",
                    item.name
                ));
                held.push(item);
            }
            Some(_) => log::warn(&format!(
                "profile `{}`: hat's store holds other keys for it; kept hat's. Run `hat keys remove {}` first to take aws-vault's",
                item.name, item.name
            )),
            None => {
                if !dry_run {
                    let chosen = match backend {
                        Some(chosen) => chosen,
                        None => *backend.insert(crate::keys::chosen_backend(env)?),
                    };
                    store.put(&item.name, &item.credentials, chosen)?;
                }
                imported.push(item.name.clone());
                held.push(item);
            }
        }
        taken.insert(&item.name, item);
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
    let (text, mut profiles) = (out.text, out.profiles);
    let config = crate::config::load(env)?;
    let names: Vec<&str> = taken.keys().copied().collect();
    let program = process_line::program(env);
    let text = vault::point_at_store(&config, &text, &program, &names, &mut profiles);
    let diff = apply(&path, &old, &text, &profiles, "aws-vault", dry_run)?;
    vault::report_plaintext(&config, &names);
    vault::report_own_keys(&config);
    report_prompt(env);

    if found.is_empty() {
        return Ok(diff);
    }
    if !args.remove {
        let mut names: Vec<&str> = held.iter().map(|f| f.name.as_str()).collect();
        names.dedup();
        if !names.is_empty() {
            log::info(&format!(
                "aws-vault's own encrypted copies are untouched; once hat works for you, remove them with `aws-vault remove {}` (one profile at a time), or run this again with --remove",
                names.join("`, `aws-vault remove ")
            ));
        }
        return Ok(diff);
    }
    let described: Vec<String> = held
        .iter()
        .map(|f| format!("{} ({})", f.name, f.origin.describe()))
        .collect();
    if held.is_empty() {
        log::info("--remove: no aws-vault copy of keys hat holds; nothing removed");
    } else if dry_run {
        log::info(&format!(
            "would remove aws-vault's copies of {}",
            described.join(", ")
        ));
    } else {
        // Only copies of what hat's store gives back, byte for byte.
        for item in &held {
            let back = store.get(&item.name)?;
            if back.access_key_id != item.credentials.access_key_id
                || back.secret_access_key != item.credentials.secret_access_key
            {
                return Err(anyhow!(
                    "hat's store does not give back the keys of profile `{}` that aws-vault holds; removed none of aws-vault's copies",
                    item.name
                ));
            }
        }
        vault::remove(&held)?;
        log::info(&format!(
            "removed aws-vault's copies of {}",
            described.join(", ")
        ));
    }
    Ok(diff)
}

/// aws-vault's MFA prompt driver, set in the shell: hat's `[mfa] prompt` setting is
/// where the same choice lives (hat does not read aws-vault's variable when asking).
fn report_prompt(env: &Env) {
    let Some(driver) = env.get("AWS_VAULT_PROMPT").filter(|d| !d.is_empty()) else {
        return;
    };
    let settings = crate::settings::path(env);
    match driver {
        "terminal" | "ykman" | "zenity" | "kdialog" | "osascript" => log::info(&format!(
            "AWS_VAULT_PROMPT={driver}: in hat that is `prompt = \"{driver}\"` under [mfa] in {}",
            settings.display()
        )),
        other => log::info(&format!(
            "AWS_VAULT_PROMPT={other}: hat has no such MFA prompt; it has terminal, ykman, zenity, kdialog, osascript and pass-through (`prompt` under [mfa] in {}), and reads `mfa_process` as aws-vault does",
            settings.display()
        )),
    }
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
