//! The encrypted-file backend, for machines with no keychain: every profile's keys in
//! one file (`keys.enc` in hat's state directory; see [`path`]),
//! sealed with XChaCha20-Poly1305 under a key derived from a passphrase by Argon2id.
//! The passphrase comes from `HAT_KEYS_PASSPHRASE` or a hidden prompt on the terminal.
//! Writes are atomic at 0600; a wrong passphrase or a damaged file is an error before
//! anything is written, so a mistyped passphrase can never replace the keys.
//!
//! Layout: `HATKEYS1`, Argon2 memory (KiB), passes, lanes (u32 LE each), salt (16),
//! nonce (24), ciphertext length (u64 LE), ciphertext. Everything before the ciphertext
//! is authenticated as associated data.

use crate::creds::Credentials;
use crate::env::Env;
use anyhow::{Context as _, Result, anyhow, bail};
use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::rand_core::RngCore;
use chacha20poly1305::aead::{Aead, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use std::collections::BTreeMap;
use std::path::PathBuf;

const MAGIC: &[u8; 8] = b"HATKEYS1";
const SALT_LEN: usize = 16;
const NONCE_LEN: usize = 24;
const HEADER_LEN: usize = 8 + 12 + SALT_LEN + NONCE_LEN + 8;

/// OWASP's first Argon2id choice: 19 MiB, 2 passes, 1 lane.
const MEMORY_KIB: u32 = 19 * 1024;
const PASSES: u32 = 2;
const LANES: u32 = 1;

/// `HAT_KEYS_FILE`, else `[keys] file` in hat's settings, else `keys.enc` in hat's state
/// directory.
pub fn path(env: &Env) -> Result<PathBuf> {
    if let Some(p) = env.get("HAT_KEYS_FILE") {
        return Ok(env.expand_tilde(p));
    }
    Ok(match crate::settings::load(env)?.keys.file {
        Some(p) => env.expand_tilde(&p),
        None => env.state_dir().join("keys.enc"),
    })
}

type Profiles = BTreeMap<String, Credentials>;

/// The file, decrypted in memory once per run.
pub struct FileStore {
    path: PathBuf,
    key: [u8; 32],
    params: [u32; 3],
    salt: [u8; SALT_LEN],
    profiles: Profiles,
}

impl FileStore {
    /// Opens (and decrypts) the file, or prepares a new one; asks for the passphrase.
    pub fn open(env: &Env) -> Result<FileStore> {
        let path = path(env)?;
        match std::fs::read(&path) {
            Ok(bytes) => {
                let passphrase = passphrase(env, &path, false)?;
                Self::decrypt(path, &bytes, &passphrase)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let passphrase = passphrase(env, &path, true)?;
                let mut salt = [0u8; SALT_LEN];
                OsRng.fill_bytes(&mut salt);
                let params = [MEMORY_KIB, PASSES, LANES];
                let key = derive(&passphrase, &salt, params)?;
                Ok(FileStore {
                    path,
                    key,
                    params,
                    salt,
                    profiles: Profiles::new(),
                })
            }
            Err(e) => Err(anyhow!("could not read {}: {e}", path.display())),
        }
    }

    fn decrypt(path: PathBuf, bytes: &[u8], passphrase: &str) -> Result<FileStore> {
        let truncated = || {
            anyhow!(
                "{} is truncated ({} bytes): it was cut short, perhaps by a full disk or a copy; restore it from a backup, or move it away and add the keys again",
                path.display(),
                bytes.len()
            )
        };
        if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
            if MAGIC.starts_with(bytes) {
                return Err(truncated());
            }
            bail!(
                "{} is not a hat keys file; move it away or point HAT_KEYS_FILE elsewhere",
                path.display()
            );
        }
        if bytes.len() < HEADER_LEN {
            return Err(truncated());
        }
        let word = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
        let params = [word(8), word(12), word(16)];
        let mut salt = [0u8; SALT_LEN];
        salt.copy_from_slice(&bytes[20..20 + SALT_LEN]);
        let nonce_at = 20 + SALT_LEN;
        let nonce = XNonce::from_slice(&bytes[nonce_at..nonce_at + NONCE_LEN]);
        let len_at = nonce_at + NONCE_LEN;
        let length = u64::from_le_bytes(bytes[len_at..HEADER_LEN].try_into().expect("8 bytes"));
        let body = &bytes[HEADER_LEN..];
        if (body.len() as u64) < length {
            return Err(truncated());
        }
        if body.len() as u64 != length {
            bail!(
                "{} has {} bytes more than it should; restore it from a backup",
                path.display(),
                body.len() as u64 - length
            );
        }
        let key = derive(passphrase, &salt, params)?;
        let cipher = XChaCha20Poly1305::new((&key).into());
        let plain = cipher
            .decrypt(
                nonce,
                Payload {
                    msg: body,
                    aad: &bytes[..HEADER_LEN],
                },
            )
            .map_err(|_| {
                anyhow!(
                    "wrong passphrase for {} (or the file was altered); nothing was changed. Try again, or check HAT_KEYS_PASSPHRASE",
                    path.display()
                )
            })?;
        let profiles: Profiles = serde_json::from_slice(&plain)
            .with_context(|| format!("{} decrypted but holds no hat keys", path.display()))?;
        Ok(FileStore {
            path,
            key,
            params,
            salt,
            profiles,
        })
    }

    fn encrypt(&self) -> Result<Vec<u8>> {
        let plain = serde_json::to_vec(&self.profiles)?;
        let mut nonce = [0u8; NONCE_LEN];
        OsRng.fill_bytes(&mut nonce);
        let mut out = Vec::with_capacity(HEADER_LEN + plain.len() + 16);
        out.extend_from_slice(MAGIC);
        for p in self.params {
            out.extend_from_slice(&p.to_le_bytes());
        }
        out.extend_from_slice(&self.salt);
        out.extend_from_slice(&nonce);
        // The tag adds 16 bytes to the plaintext.
        out.extend_from_slice(&(plain.len() as u64 + 16).to_le_bytes());
        let cipher = XChaCha20Poly1305::new((&self.key).into());
        let sealed = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: &plain,
                    aad: &out,
                },
            )
            .map_err(|_| anyhow!("could not encrypt the keys file"))?;
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    fn save(&self) -> Result<()> {
        crate::fs::write(&self.path, self.encrypt()?)
    }

    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    pub fn get(&self, profile: &str) -> Result<Option<Credentials>> {
        Ok(self.profiles.get(profile).cloned())
    }

    pub fn set(&mut self, profile: &str, creds: &Credentials) -> Result<()> {
        self.profiles.insert(profile.to_string(), creds.clone());
        self.save()
    }

    pub fn delete(&mut self, profile: &str) -> Result<bool> {
        let had = self.profiles.remove(profile).is_some();
        if had {
            self.save()?;
        }
        Ok(had)
    }
}

fn derive(passphrase: &str, salt: &[u8], [memory, passes, lanes]: [u32; 3]) -> Result<[u8; 32]> {
    // Refuse absurd parameters from a damaged header instead of allocating gigabytes.
    if memory > 4 * 1024 * 1024 || passes > 64 || lanes > 64 {
        bail!("the keys file asks for unreasonable key-derivation settings; it is damaged");
    }
    let params = Params::new(memory, passes, lanes, Some(32))
        .map_err(|e| anyhow!("the keys file's key-derivation settings are invalid: {e}"))?;
    let mut key = [0u8; 32];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(passphrase.as_bytes(), salt, &mut key)
        .map_err(|e| anyhow!("could not derive the key from the passphrase: {e}"))?;
    Ok(key)
}

/// `HAT_KEYS_PASSPHRASE`, else a hidden prompt on the terminal (twice for a new file).
fn passphrase(env: &Env, path: &std::path::Path, new: bool) -> Result<String> {
    if let Some(p) = env.get("HAT_KEYS_PASSPHRASE") {
        return Ok(p.to_string());
    }
    let what = if new {
        format!("New passphrase for {}", path.display())
    } else {
        format!("Passphrase for {}", path.display())
    };
    let mut prompt = dialoguer::Password::new().with_prompt(what);
    if new {
        prompt = prompt.with_confirmation("Repeat it", "the two passphrases differ");
    }
    let term = crate::keys::terminal().with_context(|| {
        format!(
            "hat's keys file {} needs a passphrase: run in a terminal, or set HAT_KEYS_PASSPHRASE",
            path.display()
        )
    })?;
    prompt
        .interact_on(&term)
        .map_err(|e| anyhow!("could not read the passphrase: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(dir: &std::path::Path, pass: &str) -> Env {
        Env::from_pairs([
            ("HOME", dir.to_str().unwrap()),
            ("HAT_KEYS_PASSPHRASE", pass),
        ])
    }

    fn creds(id: &str) -> Credentials {
        Credentials {
            access_key_id: id.into(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzSECRET".into(),
            session_token: None,
            expiration: None,
        }
    }

    #[test]
    fn keys_round_trip_and_the_file_is_private_and_opaque() {
        let dir = tempfile::tempdir().unwrap();
        let env = env(dir.path(), "correct horse");
        let mut store = FileStore::open(&env).unwrap();
        store.set("work", &creds("AKIAWORK")).unwrap();
        store.set("home", &creds("AKIAHOME")).unwrap();
        let bytes = std::fs::read(path(&env).unwrap()).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("SECRET") && !text.contains("AKIAWORK"));
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path(&env).unwrap())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let mut again = FileStore::open(&env).unwrap();
        assert_eq!(again.get("work").unwrap().unwrap(), creds("AKIAWORK"));
        assert!(again.delete("home").unwrap());
        let third = FileStore::open(&env).unwrap();
        assert!(third.get("home").unwrap().is_none());
        assert!(third.get("work").unwrap().is_some());
    }

    #[test]
    fn a_wrong_passphrase_is_an_error_and_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = FileStore::open(&env(dir.path(), "right")).unwrap();
        store.set("work", &creds("AKIAWORK")).unwrap();
        let before = std::fs::read(path(&env(dir.path(), "right")).unwrap()).unwrap();
        let e = FileStore::open(&env(dir.path(), "wrong"))
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("wrong passphrase"), "{e}");
        assert!(!e.contains("SECRET"), "{e}");
        assert_eq!(
            std::fs::read(path(&env(dir.path(), "right")).unwrap()).unwrap(),
            before
        );
    }

    #[test]
    fn a_truncated_file_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let env = env(dir.path(), "pw");
        let mut store = FileStore::open(&env).unwrap();
        store.set("work", &creds("AKIAWORK")).unwrap();
        let bytes = std::fs::read(path(&env).unwrap()).unwrap();
        for cut in [4, HEADER_LEN - 1, bytes.len() - 1] {
            std::fs::write(path(&env).unwrap(), &bytes[..cut]).unwrap();
            let e = FileStore::open(&env).err().unwrap().to_string();
            assert!(e.contains("truncated"), "cut at {cut}: {e}");
        }
        std::fs::write(path(&env).unwrap(), b"[default]\n").unwrap();
        let e = FileStore::open(&env).err().unwrap().to_string();
        assert!(e.contains("not a hat keys file"), "{e}");
    }
}
