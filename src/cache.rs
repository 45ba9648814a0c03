//! hat's credential cache: one JSON file per cache key under the user's cache
//! directory, 0600 files in a 0700 directory, written atomically (temp file + rename)
//! so a reader never sees half a file, and a lock per key so parallel shells make one
//! STS call (and ask for one MFA code) instead of several.

use crate::clock;
use crate::creds::Credentials;
use anyhow::{Context, Result};
use sha2::{Digest, Sha256};
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

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
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
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

    /// Writes atomically with mode 0600, creating the directory with mode 0700.
    pub fn store(&self, key: &str, creds: &Credentials) -> Result<()> {
        self.ensure_dir()?;
        let mut tmp = tempfile::Builder::new()
            .prefix(".tmp-")
            .tempfile_in(&self.dir)
            .with_context(|| format!("could not write to the cache in {}", self.dir.display()))?;
        serde_json::to_writer(&mut tmp, creds)?;
        tmp.as_file_mut().sync_all()?;
        tmp.persist(self.path(key))
            .map_err(|e| e.error)
            .with_context(|| format!("could not write to the cache in {}", self.dir.display()))?;
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
        let file = open_private(&path)
            .with_context(|| format!("could not create the lock file {}", path.display()))?;
        file.lock()
            .with_context(|| format!("could not lock {}", path.display()))?;
        Ok(Lock { _file: file })
    }

    fn ensure_dir(&self) -> Result<()> {
        create_private_dir(&self.dir).with_context(|| {
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

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    // An existing directory may have been made with looser permissions.
    let mode = fs::metadata(dir)?.permissions().mode();
    if mode & 0o077 != 0 {
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    fs::create_dir_all(dir)
}

fn open_private(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.create(true).truncate(false).write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.flush()?;
    Ok(file)
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

        #[cfg(unix)]
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
        let other = OpenOptions::new().write(true).open(&path).unwrap();
        assert!(other.try_lock().is_err());
        drop(held);
        assert!(other.try_lock().is_ok());
    }
}
