//! `hat migrate`: bring another tool's setup across (Granted's, aws-vault's and
//! awsume's credential_process lines, Granted's settings and registries, aws-vault's
//! stored keys, awsume's settings), showing the change to each file as a diff with
//! `--dry-run`.

use crate::cli::{MigrateArgs, MigrateCommand};
use crate::env::Env;
use crate::{log, migrate, process_line, settings};
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
        MigrateCommand::Awsume { dry_run } => awsume(env, *dry_run),
    }
}

fn awsume(env: &Env, dry_run: bool) -> Result<String> {
    use migrate::awsume;
    let mut out = String::new();
    let settings = crate::settings::load(env)?;

    // config.yaml: what has a meaning in hat goes into hat's settings, where it has none.
    let yaml_path = awsume::config_path(env);
    match std::fs::read_to_string(&yaml_path) {
        Ok(text) => {
            let config = awsume::parse_config(&text)
                .map_err(|e| anyhow!("could not read awsume's {}: {e}", yaml_path.display()))?;
            let plan = awsume::plan(&config, &settings);
            for (theirs, ours) in &plan.kept {
                log::info(&format!("awsume's `{theirs}`: kept hat's own {ours}"));
            }
            for (theirs, why) in &plan.needless {
                log::info(&format!("awsume's `{theirs}`: nothing to set; {why}"));
            }
            for (theirs, instead) in &plan.unmapped {
                log::warn(&format!(
                    "awsume's `{theirs}` has no counterpart: {instead}"
                ));
            }
            if !plan.changes.is_empty() {
                let edit = crate::settings::preview(env, |doc| {
                    awsume::apply(doc, &plan.changes);
                    Ok(())
                })?;
                let verb = if dry_run { "would set" } else { "set" };
                for change in &plan.changes {
                    log::info(&format!(
                        "{verb} [{}] {} = {:?} in {} (awsume's `{}`)",
                        change.table,
                        change.key,
                        change.value,
                        edit.path.display(),
                        change.from
                    ));
                }
                out.push_str(&write_or_diff(&edit.path, &edit.old, &edit.new, dry_run)?);
            } else if plan.kept.is_empty() && plan.needless.is_empty() {
                log::info(&format!(
                    "nothing in {} to bring into hat's settings",
                    yaml_path.display()
                ));
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            log::info(&format!("no awsume settings at {}", yaml_path.display()));
        }
        Err(e) => {
            return Err(e).with_context(|| format!("could not read {}", yaml_path.display()));
        }
    }

    // The profile files: awsume's own sections are named; its credential_process lines
    // are pointed at hat.
    let config = crate::config::load(env)?;
    for written in awsume::written_sections(&config) {
        let (name, file) = (&written.name, config.credentials_path.display());
        let instead = match name
            .strip_prefix("autoawsume-")
            .filter(|_| written.autoawsume)
        {
            Some(source) => format!(
                "autoawsume's copy of `{source}`'s credentials, fresh only while autoawsume runs; a profile holding only `credential_process = hat credential-process --profile {source}` stays fresh for programs that need one"
            ),
            None => format!(
                "credentials awsume wrote there (`awsume -o`); `hat export PROFILE -f credentials --profile-name {name}` writes such a profile"
            ),
        };
        log::info(&format!(
            "profile `{name}` in {file} holds {instead}. hat needs none of it; left as it is, to delete once awsume is gone"
        ));
    }
    let path = env.config_file();
    let old = crate::fs::read_or_empty(&path)?;
    let rewrite = awsume::rewrite_credential_process(&old, &process_line::program(env), |name| {
        awsume::names_itself(&config, name)
    });
    for profile in &rewrite.kept {
        log::warn(&format!(
            "profile `{profile}`: its credential_process runs awsume for the profile itself, which never worked (awsume prints shell code, not credential_process JSON); left as it is. Remove the line and give the profile its own source (keys, a role, SSO)"
        ));
    }
    for (profile, arg) in &rewrite.dropped {
        log::warn(&format!(
            "profile `{profile}`: dropped awsume's `{arg}`, which hat's credential-process does not take"
        ));
    }
    for profile in rewrite
        .profiles
        .iter()
        .filter(|p| config.profile(p).is_none())
    {
        log::warn(&format!(
            "profile `{profile}`, which an awsume credential_process line names, is not defined; the line now asks hat for it, and fails until it is"
        ));
    }
    out.push_str(&apply(
        &path,
        &old,
        &rewrite.text,
        &rewrite.profiles,
        "awsume",
        dry_run,
    )?);

    let cache = awsume::cache_dir(env);
    let sessions = awsume::cached_sessions(&cache);
    if sessions > 0 {
        log::info(&format!(
            "awsume's cache {} holds {sessions} MFA sessions; hat does not read them (they last hours) and asks for one code on the first `assume` that needs it. Delete the directory once awsume is gone",
            cache.display()
        ));
    }
    if settings.shell.awsume_variables.is_none() {
        log::info(
            "prompts written for awsume read AWSUME_PROFILE and AWSUME_EXPIRATION: `[shell] awsume_variables = true` in hat's config.toml has `assume` export them too, in shells started after (docs/configuration.md)",
        );
    }
    Ok(out)
}

fn granted(env: &Env, dry_run: bool) -> Result<String> {
    let path = env.config_file();
    let old = crate::fs::read_or_empty(&path)?;
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
    let text = crate::fs::read_or_empty(&granted)?;
    let found = migrate::granted::read_settings(&text).map_err(|e| {
        anyhow!(
            "could not read Granted's settings: {}{e}",
            granted.display()
        )
    })?;
    let mut applied = None;
    let edit = settings::preview(env, |doc| {
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
    diff.push_str(&write_or_diff(&edit.path, &edit.old, &edit.new, dry_run)?);
    Ok(Some(applied))
}

/// Syncs a registry just taken from Granted, saying what happened; a failure leaves
/// Granted's profiles in its block, as they were.
fn sync_imported(env: &Env, name: &str) {
    let interactive = crate::tty::available();
    match crate::registry::ops::sync(env, Some(name), &Default::default(), false, interactive) {
        Ok(reports) => {
            for report in reports {
                if let Some(reason) = report.log_synced() {
                    log::warn(&format!(
                        "registry {} did not sync, so its profiles are as Granted last wrote them: {reason}; `hat registry sync {}` tries again",
                        report.name, report.name
                    ));
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
        return Ok(crate::diff::unified(path, old, new));
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
    let old = crate::fs::read_or_empty(&path)?;
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
