//! `hat keys add|import|list|rotate|remove`: long-term IAM user keys kept in the OS
//! keychain (or hat's encrypted file) instead of `~/.aws/credentials`. Each profile
//! moved there gets `credential_process = hat credential-process --profile NAME` in
//! `~/.aws/config`, so every SDK and the AWS CLI keep working, and hat itself reads the
//! store directly (see `chain::Base::Store`). Secrets are read from the terminal
//! (hidden) or the environment, never from arguments, and never printed.

use crate::cli::{KeysArgs, KeysCommand};
use crate::config::{ConfigSet, edit};
use crate::creds::Credentials;
use crate::endpoint::Endpoints;
use crate::env::Env;
use crate::keys::{self, Backend, Keys, mask};
use crate::{clock, log, process_line};
use anyhow::{Context as _, Result, anyhow, bail};
use std::path::PathBuf;

const KEY_ID: &str = "aws_access_key_id";
const SECRET: &str = "aws_secret_access_key";

pub fn run(args: &KeysArgs, env: &Env) -> Result<String> {
    match &args.command {
        KeysCommand::Add {
            profile,
            env: from_env,
        } => add(env, profile, *from_env),
        KeysCommand::Import {
            profiles,
            all,
            dry_run,
        } => import(env, profiles, *all, *dry_run),
        KeysCommand::List => list(env),
        KeysCommand::Rotate { profile } => rotate(env, profile),
        KeysCommand::Remove { profile } => remove(env, profile),
    }
}

fn add(env: &Env, profile: &str, from_env: bool) -> Result<String> {
    keys::check_name(profile)?;
    let creds = if from_env {
        from_environment(env)?
    } else {
        from_terminal(profile)?
    };
    let backend = keys::chosen_backend(env)?;
    let mut store = Keys::open(env)?;
    store.put(profile, &creds, backend)?;
    let line = point_profile_at_hat(env, &[profile])?;
    log::info(&format!(
        "stored {} for profile `{profile}` in the {}; {}",
        mask(&creds.access_key_id),
        describe(backend),
        line
    ));
    let config = ConfigSet::load(env)?;
    if let Some(section) = config.profile(profile)
        && (section.get(KEY_ID).is_some() || section.get(SECRET).is_some())
    {
        log::warn(&format!(
            "profile `{profile}` still has plaintext keys ({}), which win over the stored ones; move them with `hat keys import {profile}` or delete them",
            config
                .locate(profile, SECRET)
                .or_else(|| config.locate(profile, KEY_ID))
                .unwrap_or_default()
        ));
    }
    Ok(String::new())
}

fn describe(backend: Backend) -> &'static str {
    match backend {
        Backend::Keychain => "keychain",
        Backend::File => "encrypted keys file",
    }
}

/// Profile names become section headers and a keychain account: keep them to what the
/// AWS files can hold on one header line.
fn from_environment(env: &Env) -> Result<Credentials> {
    let (Some(id), Some(secret)) = (
        env.get("AWS_ACCESS_KEY_ID"),
        env.get("AWS_SECRET_ACCESS_KEY"),
    ) else {
        bail!("--env reads AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, and they are not both set");
    };
    if env.get("AWS_SESSION_TOKEN").is_some() {
        bail!(
            "AWS_SESSION_TOKEN is set: these are temporary credentials, and hat keeps only an IAM user's long-term key (with aws-vault, use `aws-vault exec --no-session PROFILE -- hat keys add NAME --env`)"
        );
    }
    Ok(Credentials {
        access_key_id: id.trim().to_string(),
        secret_access_key: secret.trim().to_string(),
        session_token: None,
        expiration: None,
    })
}

fn from_terminal(profile: &str) -> Result<Credentials> {
    let term = keys::terminal().context(
        "run `hat keys add` in a terminal, or pass the keys in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY with --env (never as arguments)",
    )?;
    let id: String = dialoguer::Input::<String>::new()
        .with_prompt(format!("Access key id for profile `{profile}`"))
        .interact_text_on(&term)
        .map_err(|e| anyhow!("could not read the access key id: {e}"))?;
    let secret = dialoguer::Password::new()
        .with_prompt("Secret access key (hidden)")
        .interact_on(&term)
        .map_err(|e| anyhow!("could not read the secret access key: {e}"))?;
    let id = id.trim().to_string();
    if id.starts_with("ASIA") {
        bail!(
            "{} is a temporary key id (ASIA…); hat keeps only an IAM user's long-term key (AKIA…)",
            mask(&id)
        );
    }
    Ok(Credentials {
        access_key_id: id,
        secret_access_key: secret.trim().to_string(),
        session_token: None,
        expiration: None,
    })
}

fn config_header(profile: &str) -> String {
    if profile == "default" {
        "default".into()
    } else {
        format!("profile {profile}")
    }
}

/// Writes hat's credential_process line into each profile's `~/.aws/config` section.
/// Says what it wrote.
fn point_profile_at_hat(env: &Env, profiles: &[&str]) -> Result<String> {
    let path = env.config_file();
    let mut text = crate::fs::read_or_empty(&path)?;
    let program = process_line::program(env);
    let mut line = String::new();
    for profile in profiles {
        line = process_line::line(&program, profile);
        text = edit::set_keys(
            &text,
            &config_header(profile),
            &[("credential_process", &line)],
        );
    }
    crate::fs::write(&path, &text)?;
    Ok(format!("{}: credential_process = {line}", path.display()))
}

/// A profile with static long-term keys that import can move.
struct Movable {
    name: String,
    creds: Credentials,
}

fn import(env: &Env, names: &[String], all: bool, dry_run: bool) -> Result<String> {
    if all != names.is_empty() {
        bail!("name the profiles to import, or pass --all (not both)");
    }
    let config = ConfigSet::load(env)?;
    let mut movable = Vec::new();
    let mut skipped = Vec::new();
    let wanted: Vec<String> = if all {
        config.profile_names().map(str::to_string).collect()
    } else {
        names.to_vec()
    };
    for name in &wanted {
        let Some(section) = config.profile(name) else {
            bail!(
                "no profile named `{name}`. {}",
                crate::suggest::sentence(config.profile_names(), name).unwrap_or_else(|| {
                    "Run `hat keys import --all --dry-run` to see what can be imported.".into()
                })
            );
        };
        let (id, secret) = (section.get(KEY_ID), section.get(SECRET));
        let token = section
            .get("aws_session_token")
            .or_else(|| section.get("aws_security_token"));
        match (id, secret, token) {
            (Some(id), Some(secret), None) => movable.push(Movable {
                name: name.clone(),
                creds: Credentials {
                    access_key_id: id.to_string(),
                    secret_access_key: secret.to_string(),
                    session_token: None,
                    expiration: None,
                },
            }),
            (Some(_), Some(_), Some(_)) => skipped.push(format!(
                "{name}: temporary credentials (it has aws_session_token), left as they are"
            )),
            (None, None, _) if all => {}
            (None, None, _) => bail!(
                "profile `{name}` has no keys in {} to import",
                config.credentials_path.display()
            ),
            _ => skipped.push(format!(
                "{name}: only one of aws_access_key_id and aws_secret_access_key ({}), left as it is",
                config
                    .locate(name, KEY_ID)
                    .or_else(|| config.locate(name, SECRET))
                    .unwrap_or_default()
            )),
        }
    }
    for s in &skipped {
        log::warn(&format!("skipped {s}"));
    }
    if movable.is_empty() {
        log::info("no static keys to import");
        return Ok(String::new());
    }

    let credentials_path = env.credentials_file();
    let config_path = env.config_file();
    let backend = keys::chosen_backend(env)?;
    if dry_run {
        let mut out = String::new();
        for m in &movable {
            out.push_str(&format!(
                "would move {} ({}) from {} to the {}\n",
                m.name,
                mask(&m.creds.access_key_id),
                where_keys_are(&config, &m.name),
                describe(backend)
            ));
        }
        return Ok(out);
    }

    // 1. Store every key. On any failure, take back what was stored and touch no file.
    let mut store = Keys::open(env)?;
    let before = store.index.clone();
    for (i, m) in movable.iter().enumerate() {
        if let Err(e) = store.put(&m.name, &m.creds, backend) {
            for done in &movable[..i] {
                if !before.profiles.contains_key(&done.name) {
                    let _ = store.remove(&done.name);
                }
            }
            return Err(e.context(format!(
                "could not store the keys of profile `{}`; {} and {} were not changed",
                m.name,
                credentials_path.display(),
                config_path.display()
            )));
        }
    }

    // 2. Point the profiles at hat, then 3. remove the plaintext keys. Until 3 the
    // plaintext keys still win, so every profile works at every step.
    let names: Vec<&str> = movable.iter().map(|m| m.name.as_str()).collect();
    point_profile_at_hat(env, &names)?;
    let mut removed_from: Vec<PathBuf> = Vec::new();
    for (path, in_config) in [(&credentials_path, false), (&config_path, true)] {
        let text = crate::fs::read_or_empty(path)?;
        let mut out = text.clone();
        for name in &names {
            // `[NAME]` in the credentials file, `[profile NAME]` in the config file.
            let header = if in_config {
                config_header(name)
            } else {
                name.to_string()
            };
            out = edit::remove_keys(&out, &header, &[KEY_ID, SECRET]).0;
        }
        if out != text {
            crate::fs::write(path, &out)?;
            removed_from.push(path.clone());
        }
    }
    let mut out = String::new();
    for m in &movable {
        out.push_str(&format!(
            "moved {} ({}) to the {}\n",
            m.name,
            mask(&m.creds.access_key_id),
            describe(backend)
        ));
    }
    log::info(&format!(
        "removed the moved keys from {}; each profile now has `credential_process = {}` in {}",
        removed_from
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(" and "),
        process_line::line(&process_line::program(env), "NAME"),
        config_path.display()
    ));
    Ok(out)
}

fn where_keys_are(config: &ConfigSet, profile: &str) -> String {
    config
        .locate(profile, SECRET)
        .unwrap_or_else(|| config.credentials_path.display().to_string())
}

fn list(env: &Env) -> Result<String> {
    let index = keys::Index::load(env)?;
    if index.profiles.is_empty() {
        log::info(
            "no keys are stored; add some with `hat keys add NAME` or `hat keys import --all`",
        );
        return Ok(String::new());
    }
    let day = |t: i64| clock::to_rfc3339(t);
    let mut rows = vec![[
        "PROFILE".to_string(),
        "KEY".to_string(),
        "BACKEND".to_string(),
        "ADDED".to_string(),
        "ROTATED".to_string(),
    ]];
    for (name, entry) in &index.profiles {
        rows.push([
            name.clone(),
            mask(&entry.key_id),
            entry.backend.name().to_string(),
            day(entry.added),
            entry.rotated.map(day).unwrap_or_else(|| "-".into()),
        ]);
    }
    let widths: Vec<usize> = (0..5)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!("{cell:<w$}", w = *w))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    Ok(out)
}

fn rotate(env: &Env, profile: &str) -> Result<String> {
    let config = ConfigSet::load(env)?;
    let mut store = Keys::open(env)?;
    let region = crate::session::profile_region(&config, env, Some(profile));
    let endpoints = Endpoints::new(env, &config, Some(profile));
    let wait = match env.get("HAT_KEYS_ROTATE_WAIT") {
        Some(text) => Some(text.parse::<u64>().map_err(|_| {
            anyhow!("HAT_KEYS_ROTATE_WAIT is `{text}`; give a whole number of seconds")
        })?),
        None => None,
    };
    let done = keys::rotate::rotate(&mut store, wait, profile, endpoints, region.as_deref())?;
    log::info(&format!(
        "profile `{profile}` ({}): new key {} stored, old key {} deleted in IAM",
        done.user,
        mask(&done.new_id),
        mask(&done.old_id)
    ));
    Ok(String::new())
}

fn remove(env: &Env, profile: &str) -> Result<String> {
    let mut store = Keys::open(env)?;
    let had = store.remove(profile)?;
    // Without its keys, hat's line would only fail: take it out too.
    let path = env.config_file();
    let text = crate::fs::read_or_empty(&path)?;
    let header = config_header(profile);
    let config = ConfigSet::load(env)?;
    let ours = config
        .profile(profile)
        .and_then(|p| p.get("credential_process"))
        .is_some_and(|c| process_line::is_own_line(c, profile));
    if ours {
        let (out, _) = edit::remove_keys(&text, &header, &["credential_process"]);
        crate::fs::write(&path, &out)?;
    }
    if !had && !ours {
        bail!("no keys are stored for profile `{profile}`; `hat keys list` shows the stored ones");
    }
    log::info(&format!(
        "removed the keys of profile `{profile}`{}",
        if ours {
            format!(" and its credential_process line in {}", path.display())
        } else {
            String::new()
        }
    ));
    Ok(String::new())
}
