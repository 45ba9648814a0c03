//! hat's credential cache: one JSON file per cache key under the user's cache
//! directory, 0600 files in a 0700 directory, written atomically through [`crate::fs`]
//! so a reader never sees half a file, and a lock per key so parallel shells make one
//! STS call (and ask for one MFA code) instead of several.

use crate::clock;
use crate::creds::Credentials;
use anyhow::{Context, Result};
use sha2::{Digest, Sha256};
use std::fs::{self, File};
use std::path::{Path, PathBuf};

/// The prefix of the temporary files hat wrote here before [`crate::fs`] existed; a
/// writer killed mid-store left them, holding credentials.
const OLD_TEMP_PREFIX: &str = ".tmp-";

/// Cached credentials are used until this many seconds before they expire.
pub const REFRESH_MARGIN: i64 = 5 * 60;

/// A stable digest of everything that changes an answer; parts are length-prefixed so
/// no two different lists of parts can collide by concatenation.
pub fn key(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    hex::encode(hasher.finalize())
}

#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
}

impl Cache {
    /// The cache under `root` (hat's cache directory); nothing is created until a write.
    pub fn new(root: &Path) -> Self {
        Cache {
            dir: root.join("credentials"),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.json"))
    }

    /// The cached credentials for `key` if they are good for at least [`REFRESH_MARGIN`].
    /// A missing, unreadable or corrupt entry is simply a miss.
    pub fn load(&self, key: &str, now: i64) -> Option<Credentials> {
        let bytes = fs::read(self.path(key)).ok()?;
        let creds: Credentials = serde_json::from_slice(&bytes).ok()?;
        match creds.expiration {
            Some(expiration) if expiration - now > REFRESH_MARGIN => Some(creds),
            _ => None,
        }
    }

    /// Writes atomically with mode 0600, creating the directory with mode 0700. Then
    /// removes the temporary files killed writers left here: a store follows a fetch
    /// over the network, so one more directory read costs nothing a user feels, while a
    /// cache hit (the path that must stay cheap) never pays for it.
    pub fn store(&self, key: &str, creds: &Credentials) -> Result<()> {
        self.ensure_dir()?;
        crate::fs::write(&self.path(key), serde_json::to_vec(creds)?)
            .with_context(|| format!("could not write to the cache in {}", self.dir.display()))?;
        crate::fs::remove_stale_temps(&self.dir, &[OLD_TEMP_PREFIX]);
        Ok(())
    }

    /// Deletes an entry; a missing one is fine.
    pub fn remove(&self, key: &str) -> Result<()> {
        match fs::remove_file(self.path(key)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(e).with_context(|| format!("could not delete {}", self.path(key).display()))
            }
            _ => Ok(()),
        }
    }

    /// Blocks until this process holds the lock for `key`; released when dropped. The
    /// caller re-checks the cache after taking it: another shell may have filled it.
    pub fn lock(&self, key: &str) -> Result<Lock> {
        self.ensure_dir()?;
        let path = self.dir.join(format!("{key}.lock"));
        let file = crate::fs::open_lock(&path)?;
        file.lock()
            .with_context(|| format!("could not lock {}", path.display()))?;
        Ok(Lock { _file: file })
    }

    fn ensure_dir(&self) -> Result<()> {
        crate::fs::create_dir(&self.dir).with_context(|| {
            format!(
                "could not create the cache directory {}",
                self.dir.display()
            )
        })
    }

    /// Seconds of life left in an entry, for `-v` messages.
    pub fn describe(creds: &Credentials, now: i64) -> String {
        match creds.remaining(now) {
            Some(left) => format!("expires in {}", clock::human(left)),
            None => "does not expire".into(),
        }
    }
}

/// One file of the cache as `hat cache` shows it.
#[derive(Debug, Clone)]
pub struct Cached {
    pub key: String,
    /// `None`: the file is not readable credentials (a miss for `load`).
    pub credentials: Option<Credentials>,
}

impl Cache {
    /// Every entry, by key; lock and temporary files are not entries.
    pub fn entries(&self) -> Vec<Cached> {
        let Ok(dir) = fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut entries: Vec<Cached> = dir
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                let key = name.strip_suffix(".json")?;
                (!key.starts_with('.')).then(|| Cached {
                    key: key.to_string(),
                    credentials: fs::read(e.path())
                        .ok()
                        .and_then(|b| serde_json::from_slice(&b).ok()),
                })
            })
            .collect();
        entries.sort_by(|a, b| a.key.cmp(&b.key));
        entries
    }

    /// Removes every file in the cache directory (entries, locks, temporary files);
    /// returns how many entries there were.
    pub fn clear(&self) -> Result<usize> {
        let entries = self.entries().len();
        let Ok(dir) = fs::read_dir(&self.dir) else {
            return Ok(0);
        };
        for entry in dir.flatten() {
            let path = entry.path();
            match fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(e).with_context(|| format!("could not delete {}", path.display()));
                }
                _ => {}
            }
        }
        Ok(entries)
    }
}

pub struct Lock {
    _file: File,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds(expiration: Option<i64>) -> Credentials {
        Credentials {
            access_key_id: "ASIA".into(),
            secret_access_key: "s".into(),
            session_token: Some("t".into()),
            expiration,
        }
    }

    #[test]
    fn keys_separate_their_parts() {
        assert_ne!(key(&["ab", "c"]), key(&["a", "bc"]));
        assert_eq!(key(&["a"]).len(), 64);
    }

    #[test]
    fn stores_privately_and_loads_until_the_margin() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(&dir.path().join("hat"));
        let now = 1_000_000;
        cache.store("k", &creds(Some(now + 3600))).unwrap();
        assert_eq!(cache.load("k", now), Some(creds(Some(now + 3600))));
        assert_eq!(cache.load("k", now + 3600 - REFRESH_MARGIN), None);
        assert_eq!(cache.load("missing", now), None);

        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(cache.dir()), 0o700);
            assert_eq!(mode(&cache.dir().join("k.json")), 0o600);
        }
        // No temporary files are left behind.
        let names: Vec<_> = fs::read_dir(cache.dir())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["k.json"]);
    }

    #[test]
    fn a_store_removes_the_temp_files_killed_writers_left() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path());
        cache.store("k", &creds(Some(4_000_000_000))).unwrap();
        let old = std::time::SystemTime::now() - crate::fs::STALE_AFTER * 2;
        let left: Vec<PathBuf> = [OLD_TEMP_PREFIX, crate::fs::TEMP_PREFIX]
            .iter()
            .map(|prefix| cache.dir().join(format!("{prefix}abc")))
            .collect();
        for path in &left {
            fs::write(path, b"{}").unwrap();
            File::options()
                .write(true)
                .open(path)
                .unwrap()
                .set_modified(old)
                .unwrap();
        }
        // A hit reads only its own file.
        assert!(cache.load("k", 0).is_some());
        assert!(left.iter().all(|p| p.exists()));
        cache.store("other", &creds(Some(4_000_000_000))).unwrap();
        assert!(left.iter().all(|p| !p.exists()));
    }

    #[test]
    fn corrupt_entries_are_misses() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path());
        cache.store("k", &creds(Some(i64::MAX / 2))).unwrap();
        fs::write(cache.dir().join("k.json"), b"{not json").unwrap();
        assert_eq!(cache.load("k", 0), None);
        // Entries without an expiry are never served from the cache.
        cache.store("k", &creds(None)).unwrap();
        assert_eq!(cache.load("k", 0), None);
    }

    #[test]
    fn lock_is_exclusive_between_holders() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path());
        let held = cache.lock("k").unwrap();
        let path = cache.dir().join("k.lock");
        let other = fs::OpenOptions::new().write(true).open(&path).unwrap();
        assert!(other.try_lock().is_err());
        drop(held);
        assert!(other.try_lock().is_ok());
    }
}
