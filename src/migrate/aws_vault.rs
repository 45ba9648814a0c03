//! aws-vault's traces: the long-term keys in its file backend (99designs/keyring's
//! `file` backend: one JWE per item under `~/.awsvault/keys` or `AWS_VAULT_FILE_DIR`,
//! PBES2-HS256+A128KW key wrapping and A256GCM content encryption, RFC 7516/7518),
//! and `credential_process = aws-vault export --format=json P` / `aws-vault exec P
//! --json` lines, which become `hat credential-process --profile P`.
//!
//! Each file is named by its item key, percent-escaped (keyring's `percent.Encode(key,
//! "/")`), and holds the JSON of a keyring Item whose `Data` (base64, as Go encodes a
//! `[]byte`) is aws-sdk-go-v2's `aws.Credentials` JSON (`AccessKeyID`,
//! `SecretAccessKey`, ...). Items for aws-vault's cached sessions (`sts.…,profile,…,
//! expiry`, and the older `session…` shapes) and SSO tokens (`oidc:URL`) are skipped:
//! only long-term keys move.

use crate::creds::Credentials;
use crate::env::Env;
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

/// One set of long-term keys found in aws-vault's store, under aws-vault's name for it
/// (the profile name `aws-vault add` was given).
pub struct Found {
    pub name: String,
    pub credentials: Credentials,
}

/// Whether an item key is one of aws-vault's cached sessions or SSO tokens rather than
/// long-term keys (aws-vault's `IsSessionKey` and `IsOIDCTokenKey`).
pub fn is_long_term_key(key: &str) -> bool {
    if key.starts_with("oidc:") {
        return false;
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
    !(session || old_colon || old_paren)
}

/// Reads every long-term key in the file backend at `dir`, in name order, asking
/// `passphrase` only when there is one to read. Nothing is returned unless every
/// credentials item decrypts, so a wrong passphrase imports nothing.
pub fn read_file_backend(
    dir: &std::path::Path,
    passphrase: impl FnOnce() -> Result<String>,
) -> Result<Vec<Found>> {
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
        if is_long_term_key(&key) {
            names.push((key, entry.path()));
        }
    }
    names.sort();
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let passphrase = passphrase()?;
    let mut found = Vec::new();
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
        found.push(Found {
            name: key,
            credentials,
        });
    }
    Ok(found)
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
            "oidc:https://example.awsapps.com/start",
        ] {
            assert!(!is_long_term_key(key), "{key}");
        }
        for key in ["work", "my,profile", "team/prod"] {
            assert!(is_long_term_key(key), "{key}");
        }
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
