//! aws-vault's traces: the long-term keys in its stores and `credential_process =
//! aws-vault export --format=json P` / `aws-vault exec P --json` lines, which become
//! `hat credential-process --profile P`.
//!
//! aws-vault keeps keys through 99designs/keyring, in the backend `AWS_VAULT_BACKEND`
//! (or `--backend`) names, else the first one available: on Linux the Secret Service,
//! then KWallet, keyctl, pass and the file. hat reads two of them:
//!
//! - the **file** backend: one JWE per item under `~/.awsvault/keys` or
//!   `AWS_VAULT_FILE_DIR`, PBES2-HS256+A128KW key wrapping and A256GCM content
//!   encryption (RFC 7516/7518), each file named by its item key percent-escaped
//!   (keyring's `percent.Encode(key, "/")`);
//! - the **Secret Service** collection ([`libsecret`]).
//!
//! Both hold the JSON of a keyring Item whose `Data` (base64, as Go encodes a `[]byte`)
//! is aws-sdk-go-v2's `aws.Credentials` JSON (`AccessKeyID`, `SecretAccessKey`, ...).
//! Items for aws-vault's cached sessions (`sts.…,profile,…,expiry`, and the older
//! `session…` shapes) and SSO tokens (`oidc:URL`) are counted, not read: only
//! long-term keys move.

#[cfg(target_os = "linux")]
pub mod libsecret;

use crate::config::ConfigSet;
use crate::creds::Credentials;
use crate::env::Env;
use crate::{log, process_line};
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use anyhow::{Context as _, Result, anyhow, bail};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde::Deserialize;
use std::path::PathBuf;

/// The directory of aws-vault's file backend: `AWS_VAULT_FILE_DIR`, else `~/.awsvault/keys`.
pub fn file_dir(env: &Env) -> PathBuf {
    match env.get("AWS_VAULT_FILE_DIR") {
        Some(dir) if !dir.is_empty() => env.expand_tilde(dir),
        _ => env.expand_tilde("~/.awsvault/keys"),
    }
}

/// aws-vault's Secret Service collection: `AWS_VAULT_SECRET_SERVICE_COLLECTION_NAME`,
/// else `awsvault` (aws-vault's `--secret-service-collection` default).
pub fn collection_name(env: &Env) -> String {
    match env.get("AWS_VAULT_SECRET_SERVICE_COLLECTION_NAME") {
        Some(name) if !name.is_empty() => name.to_string(),
        _ => "awsvault".to_string(),
    }
}

/// The aws-vault backends hat can read (aws-vault's `file` and `secret-service`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    File,
    SecretService,
}

/// Which backends to read: the one `--backend` (else `AWS_VAULT_BACKEND`) names, as
/// aws-vault would use only that one; with neither, both hat can read, since aws-vault
/// picks whichever is available and a person may have used both over the years.
/// Returns the backends and whether one was named.
pub fn backends(env: &Env, flag: Option<&str>) -> Result<(Vec<Backend>, bool)> {
    let (named, from) = match flag {
        Some(f) => (Some(f.to_string()), "--backend"),
        None => (
            env.get("AWS_VAULT_BACKEND")
                .filter(|v| !v.is_empty())
                .map(str::to_string),
            "AWS_VAULT_BACKEND",
        ),
    };
    let Some(named) = named else {
        return Ok((vec![Backend::File, Backend::SecretService], false));
    };
    match named.as_str() {
        "file" => Ok((vec![Backend::File], true)),
        "secret-service" => Ok((vec![Backend::SecretService], true)),
        "keychain" | "kwallet" | "pass" | "keyctl" | "wincred" => bail!(
            "{from} is `{named}`: hat reads aws-vault's `file` and `secret-service` backends only. Move each profile's keys through the environment instead, with no plaintext on disk: `aws-vault exec --no-session PROFILE -- hat keys add PROFILE --env`"
        ),
        other => bail!(
            "{from} is `{other}`, which is not one of aws-vault's backends; hat reads `file` and `secret-service`"
        ),
    }
}

/// Where one item of aws-vault's store is, so `--remove` can delete it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A file of the file backend.
    File(PathBuf),
    /// An item of the Secret Service collection, by its D-Bus object path.
    SecretService { collection: String, item: String },
}

impl Origin {
    /// Where it is, for a person.
    pub fn describe(&self) -> String {
        match self {
            Origin::File(path) => path.display().to_string(),
            Origin::SecretService { collection, item } => {
                format!("the Secret Service collection `{collection}` ({item})")
            }
        }
    }
}

/// One set of long-term keys found in aws-vault's store, under aws-vault's name for it
/// (the profile name `aws-vault add` was given).
pub struct Found {
    pub name: String,
    pub credentials: Credentials,
    pub origin: Origin,
}

/// What one backend holds: the long-term keys, and how many items were left because
/// they are aws-vault's cached sessions or SSO tokens (temporary, and aws-vault's own).
#[derive(Default)]
pub struct Scan {
    pub keys: Vec<Found>,
    pub sessions: usize,
    pub tokens: usize,
}

/// What an item key of aws-vault's names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    LongTerm,
    /// A cached STS session (aws-vault's `IsSessionKey`).
    Session,
    /// An SSO OIDC token (`IsOIDCTokenKey`).
    Token,
}

/// The kind of an item key (aws-vault's `IsSessionKey` and `IsOIDCTokenKey`).
pub fn kind_of(key: &str) -> ItemKind {
    if key.starts_with("oidc:") {
        return ItemKind::Token;
    }
    let parts: Vec<&str> = key.split(',').collect();
    // type,profile,mfaSerial,expiration (and the older session,profile,mfa,expiration).
    let session = parts.len() == 4
        && !parts[0].is_empty()
        && !parts[1].is_empty()
        && !parts[3].is_empty()
        && parts[3].bytes().all(|b| b.is_ascii_digit());
    let old_colon = key.starts_with("session:") && key.matches(':').count() >= 3;
    let old_paren = key.ends_with(')')
        && key
            .rsplit_once(" session (")
            .is_some_and(|(_, n)| n[..n.len() - 1].bytes().all(|b| b.is_ascii_digit()));
    if session || old_colon || old_paren {
        ItemKind::Session
    } else {
        ItemKind::LongTerm
    }
}

/// Reads every long-term key in the file backend at `dir`, in name order, asking
/// `passphrase` only when there is one to read. Nothing is returned unless every
/// credentials item decrypts, so a wrong passphrase imports nothing.
pub fn read_file_backend(
    dir: &std::path::Path,
    passphrase: impl FnOnce() -> Result<String>,
) -> Result<Scan> {
    let mut scan = Scan::default();
    let mut names = Vec::new();
    for entry in
        std::fs::read_dir(dir).with_context(|| format!("could not read {}", dir.display()))?
    {
        let entry = entry.with_context(|| format!("could not read {}", dir.display()))?;
        if !entry.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        let file = entry.file_name().to_string_lossy().into_owned();
        let key = percent_decode(&file);
        match kind_of(&key) {
            ItemKind::LongTerm => names.push((key, entry.path())),
            ItemKind::Session => scan.sessions += 1,
            ItemKind::Token => scan.tokens += 1,
        }
    }
    names.sort();
    if names.is_empty() {
        return Ok(scan);
    }
    let passphrase = passphrase()?;
    for (key, path) in names {
        let token = std::fs::read_to_string(&path)
            .with_context(|| format!("could not read {}", path.display()))?;
        let payload = decrypt(token.trim(), &passphrase).map_err(|e| {
            anyhow!(
                "could not open aws-vault's {}: {e}; nothing was imported. Check the passphrase (AWS_VAULT_FILE_PASSPHRASE)",
                path.display()
            )
        })?;
        let credentials = credentials_of_item(&payload).with_context(|| {
            format!("aws-vault's {} holds no keys hat can read", path.display())
        })?;
        scan.keys.push(Found {
            name: key,
            credentials,
            origin: Origin::File(path),
        });
    }
    Ok(scan)
}

/// No Secret Service answers on the session bus (no desktop session): the error a
/// caller that reads every backend passes over when none was named.
#[derive(Debug)]
pub struct NoSecretService(pub String);

impl std::fmt::Display for NoSecretService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NoSecretService {}

/// Reads aws-vault's Secret Service collection `name`. `Ok(None)`: there is no such
/// collection. An unreachable Secret Service is a [`NoSecretService`].
pub fn read_secret_service(name: &str) -> Result<Option<Scan>> {
    #[cfg(target_os = "linux")]
    {
        libsecret::read(name)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = name;
        Err(
            NoSecretService("aws-vault's secret-service backend exists on Linux only".into())
                .into(),
        )
    }
}

/// Deletes aws-vault's copy of `found` (`--remove`, after hat holds the keys).
pub fn remove(found: &[&Found]) -> Result<()> {
    let mut items: Vec<(&str, &str)> = Vec::new();
    for f in found {
        match &f.origin {
            Origin::File(path) => std::fs::remove_file(path)
                .with_context(|| format!("could not remove {}", path.display()))?,
            Origin::SecretService { collection, item } => items.push((collection, item)),
        }
    }
    if items.is_empty() {
        return Ok(());
    }
    #[cfg(target_os = "linux")]
    {
        libsecret::delete(&items)
    }
    #[cfg(not(target_os = "linux"))]
    {
        bail!("aws-vault's secret-service backend exists on Linux only")
    }
}

/// Profile keys that give a profile credentials of its own: a profile with none of
/// them had only aws-vault's keys, and gets hat's line.
const OWN_SOURCE: &[&str] = &[
    "credential_process",
    "aws_access_key_id",
    "role_arn",
    "source_profile",
    "credential_source",
    "web_identity_token_file",
    "sso_session",
    "sso_start_url",
    "sso_account_id",
    "granted_sso_start_url",
    "login_session",
];

/// Gives each imported profile that had no credentials of its own (aws-vault found
/// its keys by name) hat's `credential_process` line, in a section of its own when it
/// had none, so the SDKs and the AWS CLI use the stored keys; names what it changed in
/// `profiles`. Says what it cannot fix: a role with no source (aws-vault used the keys
/// stored under the role's own name) and plaintext keys left in the credentials file.
pub fn point_at_store(
    config: &ConfigSet,
    text: &str,
    program: &str,
    names: &[&str],
    profiles: &mut Vec<String>,
) -> String {
    let mut text = text.to_string();
    for name in names {
        let section = config.profile(name);
        let has = |key: &str| section.is_some_and(|p| p.get(key).is_some());
        if has("aws_secret_access_key") || has("aws_access_key_id") {
            log::warn(&format!(
                "profile `{name}` still has plaintext keys ({}), which win over the imported ones: delete them if they are the same keys, or move them with `hat keys import {name}`",
                config
                    .locate(name, "aws_secret_access_key")
                    .or_else(|| config.locate(name, "aws_access_key_id"))
                    .unwrap_or_default()
            ));
            continue;
        }
        if has("role_arn") && !has("source_profile") && !has("credential_source") {
            log::warn(&format!(
                "profile `{name}` has role_arn and no source_profile: aws-vault assumed it with the keys stored under its own name, which the AWS SDKs do not do. hat imported them as `{name}`; give them a profile of their own (e.g. `[profile {name}-keys]` with `credential_process = {}`) and set `source_profile` in `{name}`",
                process_line::line(program, name)
            ));
            continue;
        }
        if OWN_SOURCE.iter().any(|key| has(key)) || profiles.iter().any(|p| p == name) {
            continue;
        }
        let header = if *name == "default" {
            "default".to_string()
        } else {
            format!("profile {name}")
        };
        text = crate::config::edit::set_keys(
            &text,
            &header,
            &[("credential_process", &process_line::line(program, name))],
        );
        profiles.push(name.to_string());
    }
    text
}

/// aws-vault's own profile keys, which hat and the SDKs do not read: the profiles that
/// have them do something else outside aws-vault, so say which and what to write.
pub fn report_own_keys(config: &ConfigSet) {
    for name in config.profile_names() {
        let Some(profile) = config.profile(name) else {
            continue;
        };
        if let Some(included) = profile.get("include_profile") {
            log::warn(&format!(
                "profile `{name}` has aws-vault's `include_profile = {included}`, which hat and the AWS SDKs do not read; copy the keys it takes from `{included}` into the profile ({})",
                config.locate(name, "include_profile").unwrap_or_default()
            ));
        }
        if profile.get("web_identity_token_process").is_some() {
            log::warn(&format!(
                "profile `{name}` has aws-vault's `web_identity_token_process`, which hat and the AWS SDKs do not read; have the command write the token to a file and name it in `web_identity_token_file` ({})",
                config
                    .locate(name, "web_identity_token_process")
                    .unwrap_or_default()
            ));
        }
    }
}

/// aws-vault users often still have long-term keys in plaintext for profiles aws-vault
/// never held: name them, since "no plaintext left" is the point of moving.
pub fn report_plaintext(config: &ConfigSet, names: &[&str]) {
    let plain: Vec<&str> = config
        .profile_names()
        .filter(|name| !names.contains(name))
        .filter(|name| {
            config.profile(name).is_some_and(|p| {
                p.get("aws_secret_access_key").is_some() && p.get("aws_session_token").is_none()
            })
        })
        .collect();
    if !plain.is_empty() {
        log::warn(&format!(
            "{} more profiles keep long-term keys in plaintext ({}): `hat keys import --all` moves them into hat's store too",
            plain.len(),
            plain.join(", ")
        ));
    }
}

#[derive(Deserialize)]
struct Item {
    #[serde(rename = "Data")]
    data: String,
}

/// aws-sdk-go-v2's `aws.Credentials`, as aws-vault stores it.
#[derive(Deserialize)]
struct AwsCredentials {
    #[serde(rename = "AccessKeyID")]
    access_key_id: String,
    #[serde(rename = "SecretAccessKey")]
    secret_access_key: String,
    #[serde(rename = "SessionToken", default)]
    session_token: String,
}

/// The keys in a keyring Item's JSON. Secrets never reach an error message.
pub fn credentials_of_item(payload: &[u8]) -> Result<Credentials> {
    let item: Item =
        serde_json::from_slice(payload).map_err(|_| anyhow!("the item is not a keyring item"))?;
    let data = STANDARD
        .decode(item.data.as_bytes())
        .map_err(|_| anyhow!("the item's data is not base64"))?;
    let creds: AwsCredentials = serde_json::from_slice(&data)
        .map_err(|_| anyhow!("the item's data is not aws-vault's credentials"))?;
    if creds.access_key_id.is_empty() || creds.secret_access_key.is_empty() {
        bail!("the item has an empty access key");
    }
    Ok(Credentials {
        access_key_id: creds.access_key_id,
        secret_access_key: creds.secret_access_key,
        session_token: Some(creds.session_token).filter(|t| !t.is_empty()),
        expiration: None,
    })
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    enc: String,
    p2s: String,
    p2c: u32,
    #[serde(default)]
    zip: Option<String>,
}

/// Decrypts a compact JWE made with PBES2-HS256+A128KW and A256GCM (what keyring's
/// file backend writes, through jose2go) and returns its plaintext.
pub fn decrypt(token: &str, passphrase: &str) -> Result<Vec<u8>> {
    let parts: Vec<&str> = token.split('.').collect();
    let [header_b64, wrapped, iv, ciphertext, tag] = parts.as_slice() else {
        bail!("not a JWE in compact form");
    };
    let b64 = |part: &str| {
        URL_SAFE_NO_PAD
            .decode(part.as_bytes())
            .map_err(|_| anyhow!("a part of the JWE is not base64url"))
    };
    let header: Header = serde_json::from_slice(&b64(header_b64)?)
        .map_err(|_| anyhow!("the JWE header is not JSON"))?;
    if header.alg != "PBES2-HS256+A128KW" || header.enc != "A256GCM" {
        bail!(
            "the JWE uses {} / {}, not PBES2-HS256+A128KW / A256GCM",
            header.alg,
            header.enc
        );
    }
    if header.zip.is_some() {
        bail!("the JWE is compressed, which aws-vault does not do");
    }
    // RFC 7518 4.8.1.1: the salt is the algorithm's name, a zero byte, then p2s.
    let mut salt = header.alg.as_bytes().to_vec();
    salt.push(0);
    salt.extend(b64(&header.p2s)?);
    if header.p2c == 0 || header.p2c > 10_000_000 {
        bail!("the JWE's iteration count {} is out of range", header.p2c);
    }
    let mut kek = [0u8; 16];
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(passphrase.as_bytes(), &salt, header.p2c, &mut kek);
    let wrapped = b64(wrapped)?;
    let mut cek = [0u8; 32];
    if wrapped.len() != cek.len() + 8 {
        bail!("the JWE's wrapped key is not an AES-256 key");
    }
    aes_kw::KekAes128::from(kek)
        .unwrap(&wrapped, &mut cek)
        .map_err(|_| anyhow!("wrong passphrase"))?;
    let iv = b64(iv)?;
    if iv.len() != 12 {
        bail!("the JWE's IV is not 96 bits");
    }
    let mut sealed = b64(ciphertext)?;
    sealed.extend(b64(tag)?);
    let cipher = Aes256Gcm::new_from_slice(&cek).map_err(|_| anyhow!("bad content key"))?;
    cipher
        .decrypt(
            Nonce::from_slice(&iv),
            Payload {
                msg: &sealed,
                aad: header_b64.as_bytes(),
            },
        )
        .map_err(|_| anyhow!("the JWE was altered"))
}

/// keyring's `percent.Decode`: `%XX` back to its byte; anything else as it is.
fn percent_decode(name: &str) -> String {
    let bytes = name.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        if bytes[i] == b'%'
            && let Some(Ok(b)) = hex.map(|h| u8::from_str_radix(h, 16))
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What aws-vault's credential_process line asks for, when it is one hat can answer:
/// `aws-vault export [flags] PROFILE` with `--format=json`, or `aws-vault exec [flags]
/// PROFILE --json` (nothing after `--`). Returns the profile and the flags dropped.
pub fn parse_process_command(words: &[&str]) -> Option<(String, Vec<String>)> {
    let (first, rest) = words.split_first()?;
    let program = first.rsplit('/').next()?;
    if program != "aws-vault" && program != "aws-vault.exe" {
        return None;
    }
    let (sub, args) = rest.split_first()?;
    let mut profile = None;
    let mut json = false;
    let mut dropped = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match *arg {
            "--" => return None,
            "--json" | "-j" if *sub == "exec" => json = true,
            "--format=json" if *sub == "export" => json = true,
            "--format" if *sub == "export" => json = args.next() == Some(&"json"),
            a if a.starts_with('-') => {
                // Flags that take a value, in aws-vault's exec and export.
                let takes_value = [
                    "--duration",
                    "-d",
                    "--mfa-token",
                    "-t",
                    "--region",
                    "--prompt",
                ]
                .contains(&a);
                if takes_value {
                    let value = args.next().copied().unwrap_or_default();
                    dropped.push(format!("{a} {value}").trim_end().to_string());
                } else {
                    dropped.push(a.to_string());
                }
            }
            name if profile.is_none() => profile = Some(name.to_string()),
            _ => return None,
        }
    }
    if !json || !(*sub == "exec" || *sub == "export") {
        return None;
    }
    Some((profile?, dropped))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_and_sso_items_are_not_long_term_keys() {
        for key in [
            "sts.GetSessionToken,work,,1700000000",
            "session,work,arn:aws:iam::1:mfa/me,1700000000",
            "session:work:arn:aws:iam::1:mfa/me:1700000000",
            "work session (1700000000)",
        ] {
            assert_eq!(kind_of(key), ItemKind::Session, "{key}");
        }
        assert_eq!(
            kind_of("oidc:https://example.awsapps.com/start"),
            ItemKind::Token
        );
        for key in ["work", "my,profile", "team/prod"] {
            assert_eq!(kind_of(key), ItemKind::LongTerm, "{key}");
        }
    }

    #[test]
    fn the_backend_is_chosen_as_aws_vault_chooses_it() {
        let env = |vars: &[(&'static str, &'static str)]| Env::from_pairs(vars.iter().copied());
        let none = env(&[]);
        assert_eq!(
            backends(&none, None).unwrap(),
            (vec![Backend::File, Backend::SecretService], false)
        );
        let named = env(&[("AWS_VAULT_BACKEND", "secret-service")]);
        assert_eq!(
            backends(&named, None).unwrap(),
            (vec![Backend::SecretService], true)
        );
        // The flag wins over the variable, as with kingpin's Envar.
        assert_eq!(
            backends(&named, Some("file")).unwrap(),
            (vec![Backend::File], true)
        );
        let mac = env(&[("AWS_VAULT_BACKEND", "keychain")]);
        let refused = backends(&mac, None).unwrap_err().to_string();
        assert!(refused.contains("hat keys add PROFILE --env"), "{refused}");
        assert!(backends(&none, Some("vault")).is_err());
        assert_eq!(collection_name(&none), "awsvault");
    }

    #[test]
    fn percent_escapes_in_file_names_are_undone() {
        assert_eq!(percent_decode("team%2Fprod"), "team/prod");
        assert_eq!(percent_decode("a%25b"), "a%b");
        assert_eq!(percent_decode("plain"), "plain");
        assert_eq!(percent_decode("odd%2"), "odd%2");
    }

    #[test]
    fn both_aws_vault_process_shapes_are_recognised() {
        let words = |s: &'static str| s.split_whitespace().collect::<Vec<_>>();
        assert_eq!(
            parse_process_command(&words("aws-vault export --format=json work")),
            Some(("work".into(), vec![]))
        );
        assert_eq!(
            parse_process_command(&words(
                "/usr/local/bin/aws-vault exec work --json --no-session"
            )),
            Some(("work".into(), vec!["--no-session".into()]))
        );
        assert_eq!(
            parse_process_command(&words("aws-vault exec --duration 2h work --json")),
            Some(("work".into(), vec!["--duration 2h".into()]))
        );
        for line in [
            "aws-vault exec work -- aws s3 ls",
            "aws-vault export work",
            "aws-vault login work",
            "aws-vaultx exec work --json",
        ] {
            assert_eq!(parse_process_command(&words(line)), None, "{line}");
        }
    }

    #[test]
    fn a_token_that_is_not_a_pbes2_jwe_is_refused_without_panicking() {
        for token in ["", "a.b.c.d", "a.b.c.d.e", "....."] {
            assert!(decrypt(token, "pw").is_err(), "{token}");
        }
    }
}
