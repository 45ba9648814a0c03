//! Long-term IAM user keys kept out of plaintext: in the OS keychain ([`keychain`]) or
//! an encrypted file ([`file`]), chosen by `HAT_KEYS_BACKEND`, else `[keys] backend` in
//! hat's settings file, else the keychain when one answers. Beside the secrets, a small
//! index ([`Index`], `keys.json` in hat's state directory) keeps what is not secret:
//! each profile's access key id, its backend and when it was added or rotated. The index
//! is what lets a cached `assume` of a keychain-backed chain find its cache entries
//! without unlocking anything.

pub mod file;
pub mod keychain;
pub mod rotate;

use crate::clock;
use crate::creds::Credentials;
use crate::env::Env;
use anyhow::{Context as _, Result, anyhow, bail};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Where a profile's secret is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// The OS keychain: Secret Service, macOS Keychain, Windows Credential Manager.
    Keychain,
    /// hat's encrypted file, for machines without a keychain.
    File,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Keychain => "keychain",
            Backend::File => "file",
        }
    }

    fn parse(text: &str, from: &str) -> Result<Backend> {
        match text.trim().to_ascii_lowercase().as_str() {
            "keychain" => Ok(Backend::Keychain),
            "file" => Ok(Backend::File),
            other => bail!("{from} is `{other}`; the backends are `keychain` and `file`"),
        }
    }
}

/// Whether hat can keep keys under `profile`: a name its config line and section can
/// hold (no spaces, brackets, `#`, `;` or `=`).
pub fn check_name(profile: &str) -> Result<()> {
    if profile.is_empty()
        || profile
            .chars()
            .any(|c| c.is_whitespace() || "[]#;=".contains(c) || c.is_control())
    {
        bail!("`{profile}` cannot be a profile name: no spaces, brackets, `#`, `;` or `=`");
    }
    Ok(())
}

/// How to pick a backend, for error messages.
pub fn how_to_choose(env: &Env) -> String {
    format!(
        "hat keeps keys in the OS keychain ({}) or in an encrypted file (`file`, with a passphrase from the terminal or HAT_KEYS_PASSPHRASE). Choose with HAT_KEYS_BACKEND=keychain|file, or `[keys] backend = \"file\"` in {}",
        keychain::PLATFORM,
        crate::settings::path(env).display()
    )
}

/// The backend new keys go to: `HAT_KEYS_BACKEND`, `[keys] backend`, else the keychain
/// if it answers. No silent fallback to the file: a person should know where a secret is.
pub fn chosen_backend(env: &Env) -> Result<Backend> {
    if let Some(value) = env.get("HAT_KEYS_BACKEND") {
        return Backend::parse(value, "HAT_KEYS_BACKEND");
    }
    let settings = crate::settings::load(env)?;
    if let Some(value) = settings.keys.backend.as_deref() {
        return Backend::parse(
            value,
            &format!(
                "`[keys] backend` in {}",
                crate::settings::path(env).display()
            ),
        );
    }
    match keychain::probe() {
        Ok(()) => Ok(Backend::Keychain),
        Err(e) => Err(e.context(format!("no keychain is available. {}", how_to_choose(env)))),
    }
}

/// One profile's entry in the index: nothing secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRecord {
    /// The access key id (an identifier AWS logs in CloudTrail, not a secret); it keys
    /// hat's credential cache so a cached `assume` needs no unlock.
    pub key_id: String,
    pub backend: Backend,
    /// Epoch seconds.
    pub added: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotated: Option<i64>,
}

/// `keys.json` in hat's state directory.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Index {
    #[serde(default)]
    pub profiles: BTreeMap<String, KeyRecord>,
}

pub fn index_path(env: &Env) -> PathBuf {
    env.state_dir().join("keys.json")
}

impl Index {
    pub fn load(env: &Env) -> Result<Index> {
        let path = index_path(env);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).with_context(|| {
                format!(
                    "{} is not hat's key index; move it away and run `hat keys add` again for each profile",
                    path.display()
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Index::default()),
            Err(e) => Err(anyhow!("could not read {}: {e}", path.display())),
        }
    }

    pub fn save(&self, env: &Env) -> Result<()> {
        let text = serde_json::to_string_pretty(self)? + "\n";
        crate::fs::write(&index_path(env), &text)
    }
}

/// The terminal for hidden prompts: /dev/tty, since stdout may be captured and stderr
/// redirected.
pub fn terminal() -> Result<console::Term> {
    let open = || {
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/tty")
    };
    let read = open().context("there is no terminal to ask on")?;
    let write = open().context("there is no terminal to ask on")?;
    Ok(console::Term::read_write_pair(read, write))
}

/// `AKIA…WXYZ`: enough to tell keys apart in a list.
pub fn mask(key_id: &str) -> String {
    let chars: Vec<char> = key_id.chars().collect();
    if chars.len() <= 8 {
        return "…".to_string();
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}…{tail}")
}

/// The store for one run: the index plus the backends, opened on first use (the file
/// backend asks for its passphrase once per run).
pub struct Keys<'a> {
    env: &'a Env,
    pub index: Index,
    file: Option<file::FileStore>,
}

impl<'a> Keys<'a> {
    pub fn open(env: &'a Env) -> Result<Keys<'a>> {
        Ok(Keys {
            env,
            index: Index::load(env)?,
            file: None,
        })
    }

    pub fn env(&self) -> &Env {
        self.env
    }

    fn file(&mut self) -> Result<&mut file::FileStore> {
        if self.file.is_none() {
            self.file = Some(file::FileStore::open(self.env)?);
        }
        Ok(self.file.as_mut().expect("just set"))
    }

    /// The backend holding `profile`'s keys: the index's word, else the chosen backend.
    pub fn backend_of(&self, profile: &str) -> Result<Backend> {
        match self.index.profiles.get(profile) {
            Some(entry) => Ok(entry.backend),
            None => chosen_backend(self.env),
        }
    }

    /// `profile`'s long-term keys.
    pub fn get(&mut self, profile: &str) -> Result<Credentials> {
        let backend = self.backend_of(profile)?;
        let found = match backend {
            Backend::Keychain => keychain::get(profile)?,
            Backend::File => self.file()?.get(profile)?,
        };
        let Some(creds) = found else {
            bail!(
                "no keys are stored for profile `{profile}` in hat's {} store; add them with `hat keys add {profile}`",
                backend.name()
            );
        };
        Ok(creds)
    }

    /// Stores `creds` for `profile` in `backend` and records it in the index.
    pub fn put(&mut self, profile: &str, creds: &Credentials, backend: Backend) -> Result<()> {
        self.write_secret(profile, creds, backend)?;
        // A profile moved from one backend to the other leaves nothing behind.
        if let Some(old) = self.index.profiles.get(profile).map(|e| e.backend)
            && old != backend
        {
            self.delete_secret(profile, old)?;
        }
        let entry = KeyRecord {
            key_id: creds.access_key_id.clone(),
            backend,
            added: clock::now(),
            rotated: None,
        };
        self.index.profiles.insert(profile.to_string(), entry);
        self.index.save(self.env)
    }

    /// Replaces `profile`'s keys after a rotation: same backend, `rotated` set.
    pub fn replace(&mut self, profile: &str, creds: &Credentials) -> Result<()> {
        let backend = self.backend_of(profile)?;
        self.write_secret(profile, creds, backend)?;
        let now = clock::now();
        let entry = self
            .index
            .profiles
            .entry(profile.to_string())
            .or_insert(KeyRecord {
                key_id: creds.access_key_id.clone(),
                backend,
                added: now,
                rotated: None,
            });
        entry.key_id = creds.access_key_id.clone();
        entry.rotated = Some(now);
        self.index.save(self.env)
    }

    fn write_secret(&mut self, profile: &str, creds: &Credentials, backend: Backend) -> Result<()> {
        check_long_term(creds)?;
        match backend {
            Backend::Keychain => keychain::set(profile, creds),
            Backend::File => self.file()?.set(profile, creds),
        }
    }

    /// Removes `profile`'s keys from its backend and the index. Whether there were any.
    pub fn remove(&mut self, profile: &str) -> Result<bool> {
        let backend = self.backend_of(profile)?;
        let had_secret = self.delete_secret(profile, backend)?;
        let had_entry = self.index.profiles.remove(profile).is_some();
        if had_entry {
            self.index.save(self.env)?;
        }
        Ok(had_secret || had_entry)
    }

    fn delete_secret(&mut self, profile: &str, backend: Backend) -> Result<bool> {
        match backend {
            Backend::Keychain => keychain::delete(profile),
            Backend::File => self.file()?.delete(profile),
        }
    }
}

/// Session credentials expire: they do not belong in a long-term store.
fn check_long_term(creds: &Credentials) -> Result<()> {
    if creds.session_token.is_some() {
        bail!(
            "these are temporary credentials (they come with a session token); hat keeps only an IAM user's long-term access key"
        );
    }
    if creds.access_key_id.trim().is_empty() || creds.secret_access_key.trim().is_empty() {
        bail!("both the access key id and the secret access key are needed");
    }
    Ok(())
}

/// The access key id of `profile`'s stored keys without reading the secret: from the
/// index, else (an index lost or written elsewhere) from the store itself.
pub fn key_id(env: &Env, profile: &str) -> Result<String> {
    let index = Index::load(env)?;
    if let Some(entry) = index.profiles.get(profile) {
        return Ok(entry.key_id.clone());
    }
    Ok(load(env, profile)?.access_key_id)
}

/// Reads `profile`'s keys for the provider, and brings the index up to date when the
/// store was filled or changed behind hat's back (another machine, `secret-tool`), so
/// the next cached run needs no unlock.
pub fn load(env: &Env, profile: &str) -> Result<Credentials> {
    let mut keys = Keys::open(env)?;
    let backend = keys.backend_of(profile)?;
    let creds = keys.get(profile)?;
    let entry = keys
        .index
        .profiles
        .entry(profile.to_string())
        .or_insert_with(|| KeyRecord {
            key_id: String::new(),
            backend,
            added: clock::now(),
            rotated: None,
        });
    if entry.key_id != creds.access_key_id {
        entry.key_id = creds.access_key_id.clone();
        if let Err(e) = keys.index.save(env) {
            crate::log::warn(&format!("{e:#}"));
        }
    }
    Ok(creds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_the_prefix_and_the_last_four() {
        assert_eq!(mask("AKIAIOSFODNN7EXAMPLE"), "AKIA…MPLE");
        assert_eq!(mask("short"), "…");
    }

    #[test]
    fn backends_parse_and_mistakes_name_the_choices() {
        assert_eq!(Backend::parse("File", "x").unwrap(), Backend::File);
        let e = Backend::parse("vault", "HAT_KEYS_BACKEND").unwrap_err();
        assert!(e.to_string().contains("`keychain` and `file`"), "{e}");
    }

    #[test]
    fn session_credentials_are_refused() {
        let creds = Credentials {
            access_key_id: "ASIA".into(),
            secret_access_key: "s".into(),
            session_token: Some("t".into()),
            expiration: None,
        };
        assert!(check_long_term(&creds).is_err());
    }

    #[test]
    fn the_index_round_trips_and_holds_no_secret() {
        let dir = tempfile::tempdir().unwrap();
        let env = Env::from_pairs([("HOME", dir.path().to_str().unwrap())]);
        let mut index = Index::default();
        index.profiles.insert(
            "work".into(),
            KeyRecord {
                key_id: "AKIAEXAMPLE".into(),
                backend: Backend::File,
                added: 1,
                rotated: Some(2),
            },
        );
        index.save(&env).unwrap();
        let back = Index::load(&env).unwrap();
        assert_eq!(back.profiles["work"], index.profiles["work"]);
        assert_eq!(key_id(&env, "work").unwrap(), "AKIAEXAMPLE");
    }
}
